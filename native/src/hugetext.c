#include "compat.h"
#include "hugetext.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "maps.h"
#include "textfile.h"

#define HUGE ((uintptr_t)2 << 20)
#define MADV_POPULATE_READ_ 22 // Linux 5.14; older kernels refuse it and the copy faults the pages in

typedef struct {
  const char *exe;
  uintptr_t start, end;
} text_t;

// The executable's own code: its largest "r-xp" mapping (the linker may split off a few pages).
static int largest_code(const mapping_t *m, void *ctx) {
  text_t *t = ctx;
  if (strcmp(m->perms, "r-xp") == 0 && strcmp(m->path, t->exe) == 0 && m->end - m->start > t->end - t->start) {
    t->start = m->start;
    t->end = m->end;
  }
  return 0;
}

static int find_text(uintptr_t *start, uintptr_t *end) {
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) return 0;
  exe[n] = 0;
  text_t t = {exe, 0, 0};
  if (each_mapping(largest_code, &t) < 0 || t.end == 0) return 0;
  *start = t.start;
  *end = t.end;
  return 1;
}

// Transparent huge pages on for a region we madvise: "[always]" or "[madvise]". With "[never]" the copy
// would land on 4 KiB pages and cost what Node's own move does.
static int thp_usable(void) {
  size_t len;
  char *mode = read_text_file("/sys/kernel/mm/transparent_hugepage/enabled", &len);
  if (!mode) return 0;
  int usable = strstr(mode, "[always]") != NULL || strstr(mode, "[madvise]") != NULL;
  free(mode);
  return usable;
}

// The copy, made by hugetext_start()'s thread (or at once by move_text_to_huge_pages()).
typedef struct {
  uintptr_t from;   // the 2 MB-aligned part of the code: [from, from + size)
  size_t size;
  uintptr_t buf;    // its copy on huge pages, read-execute, not yet moved over it
  int error;
} copy_t;

static copy_t pending;
static pthread_t copier;
static int copying; // a thread was started and not joined

static void copy_text(copy_t *c) {
  memset(c, 0, sizeof *c);
  if (!thp_usable()) return;
  uintptr_t start, end;
  if (!find_text(&start, &end)) return;
  uintptr_t from = (start + HUGE - 1) & ~(HUGE - 1), to = end & ~(HUGE - 1);
  if (to <= from) return;
  size_t size = to - from;
  // A 2 MB-aligned buffer: map one huge page more and trim.
  char *raw = mmap(NULL, size + HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) {
    c->error = errno;
    return;
  }
  uintptr_t buf = ((uintptr_t)raw + HUGE - 1) & ~(HUGE - 1);
  if (buf > (uintptr_t)raw) munmap(raw, buf - (uintptr_t)raw);
  if ((uintptr_t)raw + size + HUGE > buf + size) munmap((void *)(buf + size), (uintptr_t)raw + size + HUGE - (buf + size));
  if (madvise((void *)buf, size, MADV_HUGEPAGE) != 0) {
    c->error = errno;
    munmap((void *)buf, size);
    return;
  }
  // The code's pages in one call rather than a fault every few pages as the copy reads them.
  madvise((void *)from, size, MADV_POPULATE_READ_);
  memcpy((void *)buf, (void *)from, size);
  if (mprotect((void *)buf, size, PROT_READ | PROT_EXEC) != 0) {
    c->error = errno;
    munmap((void *)buf, size);
    return;
  }
  c->from = from;
  c->size = size;
  c->buf = buf;
}

// The copy replaces the code in one mremap(), under the mm lock.
static hugetext_result_t commit(copy_t *c) {
  hugetext_result_t r = {0, c->error};
  if (!c->buf) return r;
  if (mremap((void *)c->buf, c->size, c->size, MREMAP_MAYMOVE | MREMAP_FIXED, (void *)c->from) == MAP_FAILED) {
    r.error = errno;
    munmap((void *)c->buf, c->size);
  } else {
    r.moved = c->size;
  }
  memset(c, 0, sizeof *c);
  return r;
}

hugetext_result_t move_text_to_huge_pages(void) {
  copy_t c;
  copy_text(&c);
  return commit(&c);
}

static void *copier_main(void *unused) {
  (void)unused;
  copy_text(&pending);
  return NULL;
}

int hugetext_start(void) {
  if (copying) return EBUSY;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 64 * 1024);
  // The thread takes no signals: they stay with the threads Node expects.
  sigset_t all, old;
  sigfillset(&all);
  sigprocmask(SIG_SETMASK, &all, &old);
  int err = pthread_create(&copier, &attr, copier_main, NULL);
  sigprocmask(SIG_SETMASK, &old, NULL);
  pthread_attr_destroy(&attr);
  if (err == 0) copying = 1;
  return err;
}

hugetext_result_t hugetext_finish(void) {
  hugetext_result_t none = {0, 0};
  if (!copying) return none;
  pthread_join(copier, NULL);
  copying = 0;
  return commit(&pending);
}
