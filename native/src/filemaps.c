#include "filemaps.h"

#include <sys/mman.h>

#include "maps.h"

static int share_one(const mapping_t *m, void *ctx) {
  filemaps_result_t *r = ctx;
  // Private, readable, not writable, backed by a file (inode != 0): code and read-only data.
  if (!m->inode || m->perms[0] != 'r' || m->perms[1] != '-' || m->perms[3] != 'p') return 0;
  r->mappings++;
  int prot = PROT_READ | (m->perms[2] == 'x' ? PROT_EXEC : 0);
  // The whole mapping writable for one store of the byte it holds (a part would split it, and only
  // that part would be copied); executable all along, since another thread may be running it.
  if (mprotect((void *)m->start, m->end - m->start, prot | PROT_WRITE) == 0) {
    volatile unsigned char *b = (volatile unsigned char *)m->start;
    *b = *b;
    if (mprotect((void *)m->start, m->end - m->start, prot) == 0) r->shared++;
  }
  return 0;
}

filemaps_result_t share_file_mappings(void) {
  filemaps_result_t r = {0, 0};
  each_mapping(share_one, &r);
  return r;
}
