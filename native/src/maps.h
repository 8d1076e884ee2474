// This process's mappings, one line of /proc/self/maps at a time. Not signal-safe: it allocates.
#ifndef ISOLATED_MAPS_H
#define ISOLATED_MAPS_H

#include <stdint.h>

typedef struct {
  uintptr_t start, end;
  char perms[5];       // "r-xp"
  unsigned long inode; // 0 for anonymous memory
  const char *path;    // "" when there is none; valid during the callback only
} mapping_t;

/** Calls fn for each mapping until it returns nonzero. -1 if /proc/self/maps cannot be read, else 0. */
int each_mapping(int (*fn)(const mapping_t *m, void *ctx), void *ctx);

#endif
