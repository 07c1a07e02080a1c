/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Opening and reading the module's files in a directory (debugfs, a copy of
 * it, or a 'hugetrack-bpf serve' directory), and the one way every command
 * says that a file cannot be used.
 */
#ifndef HT_FILES_H
#define HT_FILES_H

#include "parse.h"

/*
 * Opens DIR/NAME (flags as open(2)); on failure prints what is wrong and
 * what to do, and returns -(enum ht_exit).
 */
int ht_open(const char *dir, const char *name, int flags);
/* DIR/NAME's whole text, checked (ht_check_text): 0 or an enum ht_exit. */
int ht_read_file(const char *dir, const char *name, char **text);

/* "file:line: what": the format error, and HT_EXIT_FORMAT. */
int ht_format_error(const char *where, const char *name,
		    const struct ht_parse_error *err);

#endif /* HT_FILES_H */
