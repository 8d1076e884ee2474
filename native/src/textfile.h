// Reads a whole text file (a /proc file, whose size stat cannot tell). Not signal-safe: it allocates.
#ifndef ISOLATED_TEXTFILE_H
#define ISOLATED_TEXTFILE_H

#include <stddef.h>

/** The file's bytes, NUL-terminated, in a buffer the caller frees; NULL (errno set) on failure. */
char *read_text_file(const char *path, size_t *len_out);

#endif
