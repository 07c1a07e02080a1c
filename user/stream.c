// SPDX-License-Identifier: GPL-2.0
/* The module's events_bin, record by record or line by line (stream.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../ht_event_text.h"
#include "cli.h"
#include "stream.h"

#define RECORDS_PER_READ	256

/* read(2) again after a signal unless told to stop: its result, -1 and errno. */
static ssize_t read_some(int fd, void *buf, size_t len, bool (*stop)(void))
{
	ssize_t got;

	do
		got = read(fd, buf, len);
	while (got < 0 && errno == EINTR && !stop());
	return got;
}

static int read_failed(const char *where)
{
	fprintf(stderr, "hugetrack: cannot read %s/events_bin: %s\n", where, strerror(errno));
	return HT_EXIT_IO;
}

static int unknown_layout(const char *where, const char *what)
{
	fprintf(stderr, "hugetrack: %s/events_bin: %s: unexpected format for this reader (%s); use the reader of the module's version\n",
		where, what, HT_VERSION);
	return HT_EXIT_FORMAT;
}

/* One record to @sink, or its text line without the newline. */
static int record_out(const struct ht_event_rec *rec, const struct ht_stream_names *names,
		      const char *where, const struct ht_event_sink *sink)
{
	struct ht_text text;

	if (sink->record)
		return sink->record(rec, names, sink->ctx);
	ht_text_init(&text);
	ht_event_line(&text, rec, names);
	if (text.len >= HT_LINE_MAX - 1 || text.buf[text.len - 1] != '\n')
		return unknown_layout(where, "an event longer than a line");
	text.buf[text.len - 1] = '\0';
	return sink->line(text.buf, sink->ctx);
}

/* The records after the header, each read's a batch. */
static int records(int fd, const struct ht_stream_header *hdr, const char *where,
		   const struct ht_event_sink *sink, bool (*stop)(void))
{
	static struct ht_event_rec recs[RECORDS_PER_READ];
	ssize_t got, i;
	int status = 0;

	while (!status && !stop()) {
		got = read_some(fd, recs, sizeof(recs), stop);
		if ((got < 0 && (errno == EAGAIN || errno == EINTR)) || !got)
			break;
		if (got < 0)
			return read_failed(where);
		if (got % sizeof(recs[0]))
			status = unknown_layout(where, "a part of a record");
		for (i = 0; !status && i < got / (ssize_t)sizeof(recs[0]); i++)
			status = record_out(&recs[i], &hdr->names, where, sink);
		status = status ?: sink->line(NULL, sink->ctx);
	}
	return status;
}

int ht_stream_events(int fd, const char *where, const struct ht_event_sink *sink,
		     bool (*stop)(void))
{
	struct ht_stream_header hdr;
	const char *bad;
	ssize_t got;

	/* a newer module's larger header does not fit: -EINVAL */
	got = read_some(fd, &hdr, sizeof(hdr), stop);
	if (got < 0 && errno == EINVAL)
		return unknown_layout(where, "a header larger than this reader's");
	if (got < 0)
		return errno == EINTR ? 0 : read_failed(where);
	bad = ht_stream_header_check(&hdr, got);
	if (bad)
		return unknown_layout(where, bad);
	return records(fd, &hdr, where, sink, stop);
}
