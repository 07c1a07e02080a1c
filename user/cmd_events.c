// SPDX-License-Identifier: GPL-2.0
/*
 * hugetrack events: follows the event stream, as columns for people or JSON
 * lines for programs, and says where the ring overwrote events unread.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "export.h"
#include "files.h"
#include "parse.h"
#include "source.h"

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
};

static error_t parse_events(int key, char *arg, struct argp_state *state)
{
	struct events_args *args = state->input;
	unsigned long long pid;

	switch (key) {
	case 'j':
		args->json = true;
		return 0;
	case 'k':
		args->kind = arg;
		return 0;
	case 'p':
		if (!ht_parse_u64(arg, &pid) || !pid)
			argp_error(state, "--pid %s: give a process id", arg);
		args->pid = arg;
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

/* The keys the people's format shows in its columns. */
static bool shown_in_columns(const char *key)
{
	static const char *const keys[] = {
		"seq", "time_ns", "cpu", "pid", "tid", "comm", "kind", "page_kb",
		"addr", "pages", "result", "resv", "free", "ref", "map", "flags",
		"dur_ns", "pfn",
	};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(key, keys[i]))
			return true;
	return false;
}

#define EVENT_COLUMNS	"%7s %12.6f %6s %-15s %-13s %-16s %-6s %-7s %-9s %-5s "
#define EVENT_HEADER \
	"    SEQ     TIME (s)    PID COMM            KIND          ADDR             RESV   FREE    REF       MAP    DUR (ms) FLAGS, MORE\n"

static void print_event(const struct ht_kvline *ev)
{
	const char *t = ht_kv_get(ev, "time_ns"), *d = ht_kv_get(ev, "dur_ns");
	unsigned long long time_ns = 0, dur_ns = 0;
	unsigned int i;

	if (t)
		ht_parse_u64(t, &time_ns);
	if (d)
		ht_parse_u64(d, &dur_ns);
	printf(EVENT_COLUMNS "%9.3f %s", ht_kv_get(ev, "seq"), time_ns / 1e9,
	       ht_kv_get(ev, "pid") ?: "-", ht_kv_get(ev, "comm") ?: "-",
	       ht_kv_get(ev, "kind"), ht_kv_get(ev, "addr") ?: "-",
	       ht_kv_get(ev, "resv") ?: "-", ht_kv_get(ev, "free") ?: "-",
	       ht_kv_get(ev, "ref") ?: "-", ht_kv_get(ev, "map") ?: "-",
	       dur_ns / 1e6, ht_kv_get(ev, "flags") ?: "-");
	if (strcmp(ht_kv_get(ev, "result") ?: "0", "0"))
		printf(" result=%s", ht_kv_get(ev, "result"));
	for (i = 0; i < ev->n; i++)
		if (!shown_in_columns(ev->kv[i].key) && strcmp(ev->kv[i].value, "-"))
			printf(" %s=%s", ev->kv[i].key, ev->kv[i].value);
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
	if (!args.json)
		fputs(EVENT_HEADER, stdout);
	status = ht_source_events(&src, args.drain, handle_event_line, &stream);
	ht_source_close(&src);
	return status;
}
