/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module's binary events stream (events_bin, ../ht_stream.h): the
 * header checked, then each record as it is, or as the line of the text
 * stream the module would print (../ht_event_text.h).
 */
#ifndef HT_USER_STREAM_H
#define HT_USER_STREAM_H

#include <stdbool.h>
#include <linux/types.h>

#include "../ht_stream.h"

/* Where events go; each call returns 0, or non-zero to stop the stream with it. */
struct ht_event_sink {
	/* a record of events_bin; NULL: its line to @line instead */
	int (*record)(const struct ht_event_rec *rec, const struct ht_stream_names *names,
		      void *ctx);
	/* a line of the text stream without its newline; NULL after each batch */
	int (*line)(char *line, void *ctx);
	void *ctx;
};

/*
 * Reads @fd, opened on @where's events_bin, each record to @sink and NULL
 * to its line after each read's batch, to its end (EOF, or nothing ready
 * with O_NONBLOCK) or until the sink returns non-zero, which it returns;
 * a read that fails or a stream of another layout prints one line to
 * stderr and returns an enum ht_exit.  @stop: whether to stop now (a
 * signal interrupted the read).
 */
int ht_stream_events(int fd, const char *where, const struct ht_event_sink *sink,
		     bool (*stop)(void));

#endif /* HT_USER_STREAM_H */
