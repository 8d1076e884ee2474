#include "dontfork.h"
#include "textfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int push(ranges_t *r, uintptr_t start, uintptr_t end) {
  if (r->count == r->cap) {
    int cap = r->cap ? r->cap * 2 : 64;
    range_t *items = realloc(r->items, (size_t)cap * sizeof *items);
    if (!items) return -ENOMEM;
    r->items = items;
    r->cap = cap;
  }
  r->items[r->count++] = (range_t){start, end};
  r->bytes += end - start;
  return 0;
}

// True when the VmFlags line (after "VmFlags:") has the two-letter flag "dc".
static int has_dc(const char *s, const char *eol) {
  for (; s + 1 < eol; s++)
    if (s[0] == 'd' && s[1] == 'c' && s[-1] == ' ' && (s + 2 == eol || s[2] == ' ')) return 1;
  return 0;
}

int dontfork_ranges_read(ranges_t *out) {
  out->count = 0;
  out->bytes = 0;
  size_t len;
  char *buf = read_text_file("/proc/self/smaps", &len);
  if (!buf) return errno ? -errno : -ENOMEM;
  uintptr_t start = 0, end = 0;
  int err = 0;
  for (char *line = buf; line < buf + len && !err;) {
    char *eol = strchr(line, '\n');
    if (!eol) eol = buf + len;
    char *dash;
    uintptr_t a = (uintptr_t)strtoull(line, &dash, 16);
    if (dash != line && *dash == '-') {
      start = a;
      end = (uintptr_t)strtoull(dash + 1, NULL, 16);
    } else if (!strncmp(line, "VmFlags:", 8) && has_dc(line + 8, eol)) {
      err = push(out, start, end);
    }
    line = eol + 1;
  }
  free(buf);
  return err;
}

void dontfork_ranges_free(ranges_t *r) {
  free(r->items);
  r->items = NULL;
  r->count = r->cap = 0;
  r->bytes = 0;
}

void dontfork_ranges_apply(const ranges_t *r, int advice) {
  for (int i = 0; i < r->count; i++) madvise((void *)r->items[i].start, r->items[i].end - r->items[i].start, advice);
}
