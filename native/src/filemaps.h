// fork() copies no page-table entries of a private file mapping that no process has written: the
// kernel leaves the child to fault them in again (vma_needs_copy). A forked child then re-faults each
// page of Node's code and read-only data it runs, about 360 faults a Vitest test, at 50-160 us each on
// the development VM (native/README.md, "Code pages"). Writing one byte of such a mapping, with the
// value it has, gives it an anon_vma, and fork then copies its entries like those of the heap.
#ifndef ISOLATED_FILEMAPS_H
#define ISOLATED_FILEMAPS_H

typedef struct {
  int mappings; // private, read-only file mappings found
  int shared;   // of those, how many fork now copies
} filemaps_result_t;

/** Once, in a zygote before it forks (other threads may run: nothing they read changes). Not signal-safe. */
filemaps_result_t share_file_mappings(void);

#endif
