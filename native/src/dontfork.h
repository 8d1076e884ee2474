// V8 (Node >= 20.4, v8_enable_private_mapping_fork_optimization) marks its mappings MADV_DONTFORK, so
// a plain fork() child has no heap. We find those ranges (VmFlag "dc" in /proc/self/smaps), clear the
// flag just before fork() and set it again on exactly those ranges in parent and child right after.
#ifndef ISOLATED_DONTFORK_H
#define ISOLATED_DONTFORK_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  uintptr_t start, end;
} range_t;

typedef struct {
  range_t *items;
  int count, cap;
  uint64_t bytes;
} ranges_t;

/** Reads the MADV_DONTFORK ranges of this process from /proc/self/smaps. Returns 0 or -errno. Not signal-safe. */
int dontfork_ranges_read(ranges_t *out);
void dontfork_ranges_free(ranges_t *r);
/** madvise(advice) on every range; errors ignored (a range V8 unmapped meanwhile). */
void dontfork_ranges_apply(const ranges_t *r, int advice);

#endif
