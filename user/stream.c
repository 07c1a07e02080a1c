// SPDX-License-Identifier: GPL-2.0
/* The module's events_bin, record by record or line by line (stream.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../ht_event_text.h"
#include "cli.h"
#include "stream.h"

/* a record's line: the module's HT_EVENT_LINE_MAX, and room to spare */
#define LINE_MAX_BYTES		512
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

/* One record to @sink, or its text line without the newline; @out writes @text. */
static int record_out(const struct ht_event_rec *rec, const struct ht_stream_names *names,
		      const char *where, FILE *out, char *text, const struct ht_event_sink *sink)
{
	long len;

	if (sink->record)
		return sink->record(rec, names, sink->ctx);
	rewind(out);
	ht_event_text(out, rec, names);
	fflush(out);
	len = ftell(out);
	if (len <= 0 || len >= LINE_MAX_BYTES - 1 || text[len - 1] != '\n')
		return unknown_layout(where, "an event longer than a line");
	text[len - 1] = '\0';
	return sink->line(text, sink->ctx);
}

/* The records after the header, each read's a batch. */
static int records(int fd, const struct ht_stream_header *hdr, const char *where, FILE *out,
		   char *text, const struct ht_event_sink *sink, bool (*stop)(void))
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
			status = record_out(&recs[i], &hdr->names, where, out, text, sink);
		status = status ?: sink->line(NULL, sink->ctx);
	}
	return status;
}

int ht_stream_events(int fd, const char *where, const struct ht_event_sink *sink,
		     bool (*stop)(void))
{
	struct ht_stream_header hdr;
	char text[LINE_MAX_BYTES];
	const char *bad;
	ssize_t got;
	FILE *out;
	int status;

	/* a newer module's larger header does not fit: -EINVAL */
	got = read_some(fd, &hdr, sizeof(hdr), stop);
	if (got < 0 && errno == EINVAL)
		return unknown_layout(where, "a header larger than this reader's");
	if (got < 0)
		return errno == EINTR ? 0 : read_failed(where);
	bad = ht_stream_header_check(&hdr, got);
	if (bad)
		return unknown_layout(where, bad);
	/* one stream for every line: opened once, not per record */
	out = fmemopen(text, sizeof(text), "w");
	if (!out) {
		fprintf(stderr, "hugetrack: cannot format the events: %s\n", strerror(errno));
		return HT_EXIT_IO;
	}
	status = records(fd, &hdr, where, out, text, sink, stop);
	fclose(out);
	return status;
}
