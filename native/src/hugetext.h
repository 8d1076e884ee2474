// Node's code on 2 MB pages, moved there by us. A forked child's first touch of a 4 KiB page costs
// about 5 us on the development VM even with its entry present, and a trivial Vitest child touches
// ~1,300 pages of Node's code; on 2 MB pages it touches ~25. Node's own --use-largepages=on does the
// same move, but copies the code through a 4 KiB-paged buffer first: ~11,000 page faults, 170-300 ms
// of the zygote's boot here. Copying straight into a huge-paged buffer and moving that over the code
// with one mremap() takes a few hundred faults (native/README.md, "Code on huge pages").
#ifndef ISOLATED_HUGETEXT_H
#define ISOLATED_HUGETEXT_H

#include <stddef.h>

typedef struct {
  size_t moved;  // bytes of code now on huge pages (0: none)
  int error;     // errno of the step that failed, 0 when moved or when there was nothing to move
} hugetext_result_t;

/**
 * Once, in a zygote, early: moves the 2 MB-aligned part of the executable's code mapping to
 * transparent huge pages. The mremap() replaces it at once under the mm lock: another thread may be
 * running that code (its bytes never change). Should the move itself fail after the kernel unmapped the
 * old code (ENOMEM in mremap), the zygote dies, and its file goes the way of a zygote that died: one
 * more zygote, then fresh processes. Nothing is moved without transparent huge pages. Not signal-safe.
 */
hugetext_result_t move_text_to_huge_pages(void);

/**
 * The same move in two steps, so that the copy (33-130 ms here: 40 MB of fresh huge pages, which this
 * VM's host backs anew each time) runs on another core while the zygote boots its framework: a thread
 * copies the code to huge pages; hugetext_finish() joins it and moves the copy over the code. Finish
 * before anything counts the process's threads (the zygote's quiescence check) and before any fork.
 * Returns 0 or the pthread_create error (then nothing is moved).
 */
int hugetext_start(void);
hugetext_result_t hugetext_finish(void);

#endif
