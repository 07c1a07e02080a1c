/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module's binary events stream (events_bin, ../ht_stream.h) as the
 * lines of its text stream: the header checked, every record printed as
 * the module prints it (../ht_event_text.h).
 */
#ifndef HT_USER_STREAM_H
#define HT_USER_STREAM_H

#include <stdbool.h>

/*
 * Reads @fd, opened on @where's events_bin, each record's line to @line
 * and NULL after each read's batch, to its end (EOF, or nothing ready with
 * O_NONBLOCK) or until @line returns non-zero, which it returns;
 * a read that fails or a stream of another layout prints one line to
 * stderr and returns an enum ht_exit.  @stop: whether to stop now (a
 * signal interrupted the read).
 */
int ht_stream_lines(int fd, const char *where, int (*line)(char *line, void *ctx),
		    void *ctx, bool (*stop)(void));

#endif /* HT_USER_STREAM_H */
