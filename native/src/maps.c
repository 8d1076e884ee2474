#include "maps.h"

#include <stdlib.h>
#include <string.h>

#include "textfile.h"

// "start-end perms offset dev inode path"
static int parse(char *line, mapping_t *m) {
  char *p;
  m->start = (uintptr_t)strtoull(line, &p, 16);
  if (*p != '-') return 0;
  m->end = (uintptr_t)strtoull(p + 1, &p, 16);
  if (*p != ' ' || strlen(p) < 5) return 0;
  memcpy(m->perms, p + 1, 4);
  m->perms[4] = 0;
  p += 6;
  strtoull(p, &p, 16); // offset
  while (*p == ' ') p++;
  while (*p && *p != ' ') p++; // dev
  m->inode = strtoul(p, &p, 10);
  while (*p == ' ') p++;
  m->path = p;
  return m->end > m->start;
}

int each_mapping(int (*fn)(const mapping_t *m, void *ctx), void *ctx) {
  size_t len;
  char *buf = read_text_file("/proc/self/maps", &len);
  if (!buf) return -1;
  for (char *line = buf; line < buf + len;) {
    char *eol = strchr(line, '\n');
    if (!eol) eol = buf + len;
    *eol = 0;
    mapping_t m;
    if (parse(line, &m) && fn(&m, ctx)) break;
    line = eol + 1;
  }
  free(buf);
  return 0;
}
