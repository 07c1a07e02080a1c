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

/*
 * @ns as seconds (6 decimals) or milliseconds (3), @width wide, as "%.6f"
 * would print them, but in integers: formatting two floats was a fifth of
 * what a follower of a busy stream spent on each event.
 */
static const char *decimal(char *buf, size_t len, unsigned long long ns, int width,
			   unsigned long long unit_ns)
{
	unsigned long long us = (ns + NS_PER_US / 2) / NS_PER_US, per_unit = unit_ns / NS_PER_US;

	snprintf(buf, len, "%*llu.%0*d", width - (per_unit == 1000 ? 4 : 7), us / per_unit,
		 per_unit == 1000 ? 3 : 6, (int)(us % per_unit));
	return buf;
}

static void print_event(const struct ht_kvline *ev)
{
	const char *col[COLUMNS + 1] = { 0 };
	unsigned long long time_ns = 0, dur_ns = 0;
	char time_text[32], dur_text[32];
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
	printf(EVENT_COLUMNS "%s", col[COL_SEQ],
	       decimal(time_text, sizeof(time_text), time_ns, TIME_WIDTH, 1000000000ULL),
	       col[COL_PID] ?: "-", col[COL_COMM] ?: "-", col[COL_KIND],
	       col[COL_ADDR] ?: "-", col[COL_RESV] ?: "-", col[COL_FREE] ?: "-",
	       col[COL_REF] ?: "-", col[COL_MAP] ?: "-",
	       decimal(dur_text, sizeof(dur_text), dur_ns, DURATION_WIDTH, 1000000ULL),
	       col[COL_FLAGS] ?: "-");
	if (strcmp(col[COL_RESULT] ?: "0", "0"))
		printf(" result=%s", col[COL_RESULT]);
	for (i = 0; i < ev->n; i++)
		if (which[i] == COLUMNS && strcmp(ev->kv[i].value, "-"))
			printf(" %s=%s", ev->kv[i].key, ev->kv[i].value);
	putchar('\n');
}

/*
 * print_event()'s columns straight from a record of events_bin, in the words
 * of its line (ht_event_text.h): most of what a follower of a busy stream
 * spent was making that line and parsing it again.
 */
static void print_record(const struct ht_event_rec *ev, const struct ht_stream_names *names)
{
	char comm[HT_STREAM_COMM_LEN], result[HT_EVENT_RESULT_LEN];
	char resv[48] = "-", free_pages[48] = "-", ref[32] = "-", map[32] = "-";
	char time_text[32], dur_text[32];

	ht_event_comm(comm, ev);
	if (!(ev->flags & HT_EVF_NO_HSTATE)) {
		snprintf(resv, sizeof(resv), "%lld->%lld", (long long)ev->resv_before,
			 (long long)ev->resv_after);
		snprintf(free_pages, sizeof(free_pages), "%lld->%lld", (long long)ev->free_before,
			 (long long)ev->free_after);
	}
	if (ev->pfn != HT_STREAM_NO_PFN) {
		snprintf(ref, sizeof(ref), "%d->%d", ev->ref_before, ev->ref_after);
		snprintf(map, sizeof(map), "%d->%d", ev->map_before, ev->map_after);
	}
	/* "0x%-14llx" pads as EVENT_COLUMNS' "%-16s" pads the line's addr=0x... */
	printf("%7llu %s %6d %-15s %-13s 0x%-14llx %-6s %-7s %-9s %-5s %s ",
	       (unsigned long long)ev->seq,
	       decimal(time_text, sizeof(time_text), ev->time_ns, TIME_WIDTH, 1000000000ULL),
	       (int)ev->pid, comm, ht_event_kind(ev), (unsigned long long)ev->address, resv,
	       free_pages, ref, map,
	       decimal(dur_text, sizeof(dur_text), ev->duration_ns, DURATION_WIDTH, 1000000ULL));
	ht_event_flags(stdout, ev);
	ht_event_result(result, sizeof(result), ev, names);
	if (strcmp(result, "0"))
		printf(" result=%s", result);
	ht_event_spool(stdout, ev);
	ht_event_collapse(stdout, ev);
	putchar('\n');
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
