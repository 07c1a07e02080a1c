// SPDX-License-Identifier: GPL-2.0
/*
 * hugetrack events: follows the event stream, as columns for people or JSON
 * lines for programs, and says where the ring overwrote events unread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "export.h"
#include "files.h"
#include "parse.h"
#include "source.h"
#include "../ht_event_text.h"
#include "../ht_rules.h"

static const struct argp_option events_options[] = {
	{ "json", 'j', NULL, 0, "JSON lines, one object per event", 0 },
	{ "kind", 'k', "KIND", 0, "Only events of this kind (fault, uffd_copy, collapse, ...)", 0 },
	{ "pid", 'p', "PID", 0, "Only events of this process", 0 },
	{ "drain", 'd', NULL, 0, "Print the events waiting, then exit instead of following", 0 },
	{ 0 }
};

struct events_args {
	bool json, drain;
	const char *kind;
	const char *pid;
	long pid_number;
};

static error_t parse_events(int key, char *arg, struct argp_state *state)
{
	struct events_args *args = state->input;

	switch (key) {
	case 'j':
		args->json = true;
		return 0;
	case 'k':
		args->kind = arg;
		return 0;
	case 'p':
		args->pid = ht_pid_arg(arg, state);
		args->pid_number = strtol(args->pid, NULL, 10);
		return 0;
	case 'd':
		args->drain = true;
		return 0;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		return EINVAL;
	}
	return ARGP_ERR_UNKNOWN;
}

/*
 * The keys the people's format shows in its columns, sorted (bsearch):
 * one lookup a key, not a scan of the line for each column, which is most
 * of what a follower of a busy stream spends.
 */
enum column {
	COL_ADDR, COL_COMM, COL_CPU, COL_DUR_NS, COL_FLAGS, COL_FREE, COL_KIND, COL_MAP,
	COL_PAGE_KB, COL_PAGES, COL_PFN, COL_PID, COL_REF, COL_RESULT, COL_RESV, COL_SEQ,
	COL_TID, COL_TIME_NS, COLUMNS
};

static const char *const column_keys[COLUMNS] = {
	"addr", "comm", "cpu", "dur_ns", "flags", "free", "kind", "map", "page_kb", "pages",
	"pfn", "pid", "ref", "result", "resv", "seq", "tid", "time_ns",
};

static int compare_key(const void *key, const void *column)
{
	return strcmp(key, *(const char *const *)column);
}

/* @key's column, or COLUMNS when no column shows it. */
static enum column column_of(const char *key)
{
	const char *const *c = bsearch(key, column_keys, COLUMNS, sizeof(column_keys[0]),
				       compare_key);

	return c ? (enum column)(c - column_keys) : COLUMNS;
}

#define EVENT_COLUMNS	"%7s %s %6s %-15s %-13s %-16s %-6s %-7s %-9s %-5s %s "
#define EVENT_HEADER \
	"    SEQ     TIME (s)    PID COMM            KIND          ADDR             RESV   FREE    REF       MAP    DUR (ms) FLAGS, MORE\n"

#define TIME_WIDTH	12
#define DURATION_WIDTH	9
#define NS_PER_US	1000ULL
#define US_PER_MS	1000ULL
#define US_PER_S	1000000ULL

/*
 * @ns in seconds (6 decimals) or milliseconds (3), @width wide, as "%.6f"
 * would print them but in integers, rounded half up: formatting two floats
 * was a fifth of what a follower of a busy stream spent on each event.
 */
static void put_decimal(struct ht_text *t, unsigned long long ns, size_t width,
			unsigned long long us_per_unit)
{
	unsigned long long us = (ns + NS_PER_US / 2) / NS_PER_US, fraction = us % us_per_unit;
	int places = us_per_unit == US_PER_MS ? 3 : 6, i;
	char digits[8];

	ht_text_u64(t, us / us_per_unit, width - places - 1);
	for (i = places - 1; i >= 0; i--, fraction /= 10)
		digits[i] = '0' + fraction % 10;
	digits[places] = '\0';
	ht_text_str(t, ".");
	ht_text_str(t, digits);
}

static void print_event(const struct ht_kvline *ev)
{
	const char *col[COLUMNS + 1] = { 0 };
	unsigned long long time_ns = 0, dur_ns = 0;
	struct ht_text time_text, dur_text;
	enum column which[HT_KV_MAX];
	unsigned int i;

	for (i = 0; i < ev->n; i++) {
		which[i] = column_of(ev->kv[i].key);
		col[which[i]] = ev->kv[i].value;
	}
	if (col[COL_TIME_NS])
		ht_parse_u64(col[COL_TIME_NS], &time_ns);
	if (col[COL_DUR_NS])
		ht_parse_u64(col[COL_DUR_NS], &dur_ns);
	ht_text_init(&time_text);
	put_decimal(&time_text, time_ns, TIME_WIDTH, US_PER_S);
	ht_text_init(&dur_text);
	put_decimal(&dur_text, dur_ns, DURATION_WIDTH, US_PER_MS);
	printf(EVENT_COLUMNS "%s", col[COL_SEQ], time_text.buf,
	       col[COL_PID] ?: "-", col[COL_COMM] ?: "-", col[COL_KIND],
	       col[COL_ADDR] ?: "-", col[COL_RESV] ?: "-", col[COL_FREE] ?: "-",
	       col[COL_REF] ?: "-", col[COL_MAP] ?: "-", dur_text.buf, col[COL_FLAGS] ?: "-");
	if (strcmp(col[COL_RESULT] ?: "0", "0"))
		printf(" result=%s", col[COL_RESULT]);
	for (i = 0; i < ev->n; i++)
		if (which[i] == COLUMNS && strcmp(ev->kv[i].value, "-"))
			printf(" %s=%s", ev->kv[i].key, ev->kv[i].value);
	putchar('\n');
}

/* @text, then spaces to @width ("%-*s"), then one */
static void put_column(struct ht_text *line, const char *text, size_t width)
{
	size_t start = line->len;

	ht_text_str(line, text);
	ht_text_pad_from(line, start, width);
	ht_text_str(line, " ");
}

/*
 * print_event()'s columns straight from a record of events_bin, in the words
 * of its line (ht_event_text.h): most of what a follower of a busy stream
 * spent was making that line and parsing it again.
 */
static void print_record(const struct ht_event_rec *ev, const struct ht_stream_names *names)
{
	struct ht_text line, part, resv, free_pages, ref, map;

	ht_text_init(&line);
	ht_text_u64(&line, ev->seq, 7);
	ht_text_str(&line, " ");
	put_decimal(&line, ev->time_ns, TIME_WIDTH, US_PER_S);
	ht_text_str(&line, " ");
	ht_text_s64(&line, (int)ev->pid, 6);
	ht_text_str(&line, " ");
	ht_text_init(&part);
	ht_event_comm(&part, ev);
	put_column(&line, part.buf, 15);
	put_column(&line, ht_event_kind(ev), 13);
	ht_text_init(&part);
	ht_text_hex(&part, ev->address);
	put_column(&line, part.buf, 16);
	ht_text_init(&resv);
	ht_text_init(&free_pages);
	ht_event_resv_free(&resv, &free_pages, ev);
	put_column(&line, resv.buf, 6);
	put_column(&line, free_pages.buf, 7);
	ht_text_init(&ref);
	ht_text_init(&map);
	ht_event_ref_map(&ref, &map, ev);
	put_column(&line, ref.buf, 9);
	put_column(&line, map.buf, 5);
	put_decimal(&line, ev->duration_ns, DURATION_WIDTH, US_PER_MS);
	ht_text_str(&line, " ");
	ht_event_flags(&line, ev);
	ht_text_init(&part);
	ht_event_result(&part, ev, names);
	if (strcmp(part.buf, "0")) {
		ht_text_str(&line, " result=");
		ht_text_str(&line, part.buf);
	}
	ht_event_spool(&line, ev);
	ht_event_collapse(&line, ev);
	ht_text_str(&line, "\n");
	fwrite(line.buf, 1, line.len, stdout);
}

static bool event_wanted(const struct events_args *args, const struct ht_kvline *ev)
{
	const char *pid = ht_kv_get(ev, "pid");

	if (args->kind && strcmp(args->kind, ht_kv_get(ev, "kind")))
		return false;
	return !args->pid || (pid && !strcmp(pid, args->pid));
}

/* A gap in seq: the ring overwrote events before they were read. */
static void note_gap(unsigned long long last, unsigned long long seq)
{
	if (last && seq != last + 1)
		fprintf(stderr, "hugetrack: %llu events lost before seq %llu (the module's ring overwrote them: read faster, or load it with a larger ring_size)\n",
			seq > last ? seq - last - 1 : 0, seq);
}

struct events_stream {
	const struct events_args *args;
	const char *where;
	unsigned long long last_seq;
};

static int handle_event_record(const struct ht_event_rec *rec,
			       const struct ht_stream_names *names, void *ctx)
{
	struct events_stream *stream = ctx;
	const struct events_args *args = stream->args;

	note_gap(stream->last_seq, rec->seq);
	stream->last_seq = rec->seq;
	if ((!args->kind || !strcmp(args->kind, ht_event_kind(rec))) &&
	    (!args->pid || args->pid_number == rec->pid))
		print_record(rec, names);
	return 0;
}

/* One line of the stream: 0, or an exit status. */
static int handle_event_line(char *line, void *ctx)
{
	struct events_stream *stream = ctx;
	struct ht_parse_error err = { 0 };
	unsigned long long seq;
	struct ht_kvline ev;

	/* the batch is out: a follower of our output sees it now */
	if (!line) {
		fflush(stdout);
		return 0;
	}
	if (ht_parse_event(line, &ev, &err))
		return ht_format_error(stream->where, "events", &err);
	ht_parse_u64(ht_kv_get(&ev, "seq"), &seq);
	note_gap(stream->last_seq, seq);
	stream->last_seq = seq;
	if (!event_wanted(stream->args, &ev))
		return 0;
	if (stream->args->json)
		ht_write_event_json(&ev, stdout);
	else
		print_event(&ev);
	return 0;
}

int cmd_events(int argc, char **argv)
{
	static const struct argp argp = {
		events_options, parse_events, NULL,
		"Follows the module's event stream (consuming it: one reader at a time).  "
		"The BPF backend in this process (--backend bpf) shows the events from its start; "
		"a 'hugetrack-bpf serve' directory, the events it has written.\v"
		"EXAMPLES:\n"
		"  hugetrack events --kind fault\n"
		"  hugetrack events --json --pid 1234 > events.jsonl\n"
		"  hugetrack events --backend bpf --kind uffd_copy",
		ht_common_children, NULL, NULL
	};
	struct events_args args = { 0 };
	struct events_stream stream = { &args, NULL, 0 };
	struct ht_event_sink sink = { NULL, handle_event_line, &stream };
	struct ht_source src;
	int status;

	ht_parse_args(&argp, argc, argv, &args);
	ht_catch_stop();
	status = ht_source_open(&src);
	if (status)
		return status;
	stream.where = src.where;
	/* flushed after each batch (handle_event_line), not each line */
	setvbuf(stdout, NULL, _IOFBF, 0);
	if (!args.json) {
		fputs(EVENT_HEADER, stdout);
		sink.record = handle_event_record;
	}
	status = ht_source_events(&src, args.drain, &sink);
	ht_source_close(&src);
	return status;
}
