#include "filemaps.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "textfile.h"

// One line of /proc/self/maps: "start-end perms offset dev inode path".
static int parse(const char *line, uintptr_t *start, uintptr_t *end, char perms[5], unsigned long *inode) {
  char *p;
  *start = (uintptr_t)strtoull(line, &p, 16);
  if (*p != '-') return 0;
  *end = (uintptr_t)strtoull(p + 1, &p, 16);
  if (*p != ' ') return 0;
  memcpy(perms, p + 1, 4);
  perms[4] = 0;
  p += 6;
  strtoull(p, &p, 16); // offset
  while (*p == ' ') p++;
  while (*p && *p != ' ') p++; // dev
  *inode = strtoul(p, &p, 10);
  return 1;
}

filemaps_result_t share_file_mappings(void) {
  filemaps_result_t r = {0, 0};
  size_t len;
  char *buf = read_text_file("/proc/self/maps", &len);
  if (!buf) return r;
  for (char *line = buf; line < buf + len;) {
    char *eol = strchr(line, '\n');
    if (!eol) eol = buf + len;
    *eol = 0;
    uintptr_t start, end;
    char perms[5];
    unsigned long inode;
    // Private, readable, not writable, backed by a file (inode != 0): code and read-only data.
    if (parse(line, &start, &end, perms, &inode) && inode && perms[0] == 'r' && perms[1] == '-' && perms[3] == 'p' && end > start) {
      r.mappings++;
      int prot = PROT_READ | (perms[2] == 'x' ? PROT_EXEC : 0);
      // The whole mapping writable for one store of the byte it holds (a part would split it, and only
      // that part would be copied); executable all along, since another thread may be running it.
      if (mprotect((void *)start, end - start, prot | PROT_WRITE) == 0) {
        volatile unsigned char *b = (volatile unsigned char *)start;
        *b = *b;
        if (mprotect((void *)start, end - start, prot) == 0) r.shared++;
      }
    }
    line = eol + 1;
  }
  free(buf);
  return r;
}
