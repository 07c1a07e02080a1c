// SPDX-License-Identifier: GPL-2.0
/*
 * hugetrack: the reader of the hugetrack module's debugfs files.
 * The commands: top, events, snapshot, check, record, plot.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hugetrack.h"

const char *argp_program_version = "hugetrack " HT_VERSION;

const char *ht_debugfs;
enum ht_backend ht_backend = HT_BACKEND_MODULE;

static const struct argp_option common_options[] = {
	{ "debugfs", 'D', "DIR", 0, "The module's files (default " HT_DEBUGFS_DEFAULT "), or the directory of a running 'hugetrack-bpf serve DIR'", 50 },
	{ "backend", 'B', "module|bpf|auto", 0, "module (default): the module's files; bpf: the BPF backend in this process (needs root and BTF; it sees only what happens while this command runs), or with --debugfs the directory of 'hugetrack-bpf serve'; auto: the module if it is loaded, else bpf", 50 },
	{ 0 }
};

static error_t parse_common(int key, char *arg, struct argp_state *state)
{
	static const char *const names[] = {
		[HT_BACKEND_MODULE] = "module", [HT_BACKEND_BPF] = "bpf", [HT_BACKEND_AUTO] = "auto",
	};
	size_t i;

	switch (key) {
	case 'D':
		ht_debugfs = arg;
		return 0;
	case 'B':
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (!strcmp(arg, names[i]))
				ht_backend = i;
		if (strcmp(arg, names[ht_backend]))
			argp_error(state, "--backend %s: give module, bpf or auto", arg);
		return 0;
	}
	return ARGP_ERR_UNKNOWN;
}

int ht_open_source(struct ht_source *src)
{
	return ht_source_open(src, ht_backend, ht_debugfs);
}

const struct argp ht_common_argp = { common_options, parse_common, NULL, NULL, NULL, NULL, NULL };

void ht_parse_args(const struct argp *argp, int argc, char **argv, void *input)
{
	argp_err_exit_status = HT_EXIT_USAGE;
	if (argp_parse(argp, argc, argv, 0, NULL, input))
		exit(HT_EXIT_USAGE);
}

double ht_interval = 1.0;
unsigned long ht_count;

static const struct argp_option sampling_options[] = {
	{ "interval", 'i', "SECONDS", 0, "Every SECONDS (default 1)", 40 },
	{ "count", 'n', "COUNT", 0, "Stop after COUNT samples (default: at Ctrl-C or SIGTERM)", 40 },
	{ 0 }
};

static error_t parse_sampling(int key, char *arg, struct argp_state *state)
{
	unsigned long long count;
	char *end;

	switch (key) {
	case 'i':
		errno = 0;
		ht_interval = strtod(arg, &end);
		if (errno || *end || !isfinite(ht_interval) || ht_interval < 0.05 ||
		    ht_interval > 3600)
			argp_error(state, "-i %s: give the interval in seconds, 0.05 to 3600", arg);
		return 0;
	case 'n':
		if (!ht_parse_u64(arg, &count) || !count || count > 1000000000)
			argp_error(state, "-n %s: give a count of samples, 1 or more", arg);
		ht_count = count;
		return 0;
	}
	return ARGP_ERR_UNKNOWN;
}

const struct argp ht_sampling_argp = { sampling_options, parse_sampling, NULL, NULL, NULL, NULL, NULL };

const struct argp_child ht_common_children[] = { { &ht_common_argp, 0, NULL, 0 }, { 0 } };
const struct argp_child ht_sampling_children[] = {
	{ &ht_sampling_argp, 0, NULL, 0 }, { &ht_common_argp, 0, NULL, 0 }, { 0 }
};

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

void ht_catch_stop(void)
{
	struct sigaction sa = { .sa_handler = on_stop };

	/* no SA_RESTART: a blocked read or sleep returns to see the stop */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

bool ht_stopped(void)
{
	return stop_signal != 0;
}

double ht_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

unsigned long long ht_events_total(const struct ht_snapshot *s)
{
	return ht_counters_sum(s, "events_") -
	       ht_counter_value(s->counters, s->nr_counters, "events_dropped");
}

unsigned long long ht_window_hits(const struct ht_snapshot *s)
{
	return ht_counters_sum(s, "window_");
}

/* snapshot */

enum snapshot_format { SNAPSHOT_TEXT, SNAPSHOT_JSON, SNAPSHOT_PROM };

static const struct argp_option snapshot_options[] = {
	{ "json", 'j', NULL, 0, "JSON: one object with everything", 0 },
	{ "prom", 'p', NULL, 0, "Prometheus text exposition format", 0 },
	{ 0 }
};

struct snapshot_args {
	enum snapshot_format format;
	char **command;
};

/* -- COMMAND...: what snapshot and check run first, and then cover */
static error_t parse_command(char ***command, int key, struct argp_state *state)
{
	if (key != ARGP_KEY_ARGS)
		return ARGP_ERR_UNKNOWN;
	*command = state->argv + state->next;
	return 0;
}

static error_t parse_snapshot(int key, char *arg, struct argp_state *state)
{
	struct snapshot_args *args = state->input;

	(void)arg;
	switch (key) {
	case 'j':
		args->format = SNAPSHOT_JSON;
		return 0;
	case 'p':
		args->format = SNAPSHOT_PROM;
		return 0;
	}
	return parse_command(&args->command, key, state);
}

/* The source, after the command it is to cover: 0 or an exit status. */
static int open_and_run(struct ht_source *src, char **command)
{
	int status = ht_open_source(src);

	if (!status && command)
		status = ht_source_run(src, command);
	if (status)
		ht_source_close(src);
	return status;
}

static void print_text(const struct ht_snapshot *s)
{
	size_t i, f;

	printf("%-20s %9s %7s %7s %7s %7s\n", "HSTATE", "SIZE_KB", "NR", "FREE",
	       "RESV", "SURPLUS");
	for (i = 0; i < s->nr_hstates; i++)
		printf("%-20s %9llu %7llu %7llu %7llu %7llu\n", s->hstates[i].name,
		       s->hstates[i].size_kb, s->hstates[i].nr, s->hstates[i].free,
		       s->hstates[i].resv, s->hstates[i].surplus);
	printf("\nCOUNTERS\n");
	for (i = 0; i < s->nr_counters; i++)
		printf("  %-40s %llu\n", s->counters[i].name, s->counters[i].value);
	printf("\nPROBES (not active, or with misses)\n");
	for (i = 0; i < s->nr_probes; i++)
		if (strcmp(s->probes[i].state, "active") || s->probes[i].missed)
			printf("  %-24s %-12s missed %llu\n", s->probes[i].name,
			       s->probes[i].state, s->probes[i].missed);
	printf("\nANOMALIES %zu\n", s->nr_anomalies);
	for (i = 0; i < s->nr_anomalies; i++) {
		const struct ht_kvline *kv = &s->anomalies[i].kv;

		printf("  %s pid %s (%s) %s at %s: expected %s, actual %s\n",
		       ht_kv_get(kv, "rule"), ht_kv_get(kv, "pid") ?: "-",
		       ht_kv_get(kv, "comm") ?: "-", ht_kv_get(kv, "kind"),
		       ht_kv_get(kv, "addr") ?: "-", ht_kv_get(kv, "expected") ?: "-",
		       ht_kv_get(kv, "actual") ?: "-");
	}
	if (!s->has_windows)
		return;
	printf("\nWINDOWS\n");
	for (i = 0; i < s->nr_windows; i++) {
		const struct ht_record *w = &s->windows[i];

		printf("  %-32s hits %s\n", ht_kv_get(&w->kv, "window"),
		       ht_kv_get(&w->kv, "hits"));
		for (f = 0; f < w->nr_frames; f++)
			printf("    %s\n", w->frames[f]);
	}
}

int cmd_snapshot(int argc, char **argv)
{
	static const struct argp argp = {
		snapshot_options, parse_snapshot, "[-- COMMAND...]",
		"Everything the module counts, once: hstates, counters, probes, anomalies, race windows.  "
		"With a COMMAND: after running it.  The BPF backend in this process (--backend bpf "
		"without --debugfs) counts only what happens while the command runs.\v"
		"EXAMPLES:\n"
		"  hugetrack snapshot --json | jq .hstates\n"
		"  hugetrack snapshot --prom > /var/lib/prometheus/node-exporter/hugetrack.prom\n"
		"  hugetrack snapshot --backend bpf --json -- ./my-test",
		ht_common_children, NULL, NULL
	};
	struct snapshot_args args = { SNAPSHOT_TEXT, NULL };
	struct ht_source src;
	struct ht_snapshot s;
	int status;

	ht_parse_args(&argp, argc, argv, &args);
	status = open_and_run(&src, args.command);
	if (status)
		return status;
	status = ht_snapshot_load(&src, &s);
	ht_source_close(&src);
	if (status)
		return status;
	if (args.format == SNAPSHOT_JSON)
		status = ht_write_json(&s, stdout) ? HT_EXIT_IO : 0;
	else if (args.format == SNAPSHOT_PROM)
		ht_write_prom(&s, stdout);
	else
		print_text(&s);
	ht_snapshot_free(&s);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "hugetrack: cannot write the snapshot: %s\n", strerror(errno));
		status = HT_EXIT_IO;
	}
	return status;
}

/* check */

static const struct argp_option check_options[] = {
	{ "reset", 'r', NULL, 0, "Then reset the module's counters and anomalies, so that the next check covers only what follows", 0 },
	{ "quiet", 'q', NULL, 0, "Print nothing when there is no anomaly", 0 },
	{ 0 }
};

struct check_args {
	bool reset, quiet;
	char **command;
};

static error_t parse_check(int key, char *arg, struct argp_state *state)
{
	struct check_args *args = state->input;

	switch (key) {
	case 'r':
		args->reset = true;
		return 0;
	case 'q':
		args->quiet = true;
		return 0;
	}
	(void)arg;
	return parse_command(&args->command, key, state);
}

#define CHECK_FRAMES	4

static void report_anomalies(const struct ht_source *src, const struct ht_snapshot *s,
			     unsigned long long total)
{
	size_t i, f;

	printf("hugetrack check: FAIL: %llu %s since load or reset:", total,
	       total == 1 ? "anomaly" : "anomalies");
	for (i = 0; i < s->nr_counters; i++)
		if (!strncmp(s->counters[i].name, "anomaly_", 8) && s->counters[i].value)
			printf(" %s %llu", s->counters[i].name + 8, s->counters[i].value);
	printf("\n");
	for (i = 0; i < s->nr_anomalies; i++) {
		const struct ht_kvline *kv = &s->anomalies[i].kv;

		printf("  #%s %s: pid %s (%s) %s at %s, expected %s, actual %s, event seq %s\n",
		       ht_kv_get(kv, "anomaly"), ht_kv_get(kv, "rule"),
		       ht_kv_get(kv, "pid") ?: "-", ht_kv_get(kv, "comm") ?: "-",
		       ht_kv_get(kv, "kind"), ht_kv_get(kv, "addr") ?: "-",
		       ht_kv_get(kv, "expected") ?: "-", ht_kv_get(kv, "actual") ?: "-",
		       ht_kv_get(kv, "seq"));
		for (f = 0; f < s->anomalies[i].nr_frames && f < CHECK_FRAMES; f++)
			printf("      %s\n", s->anomalies[i].frames[f]);
	}
	if (s->nr_anomalies < total && src->dir)
		printf("  (the module keeps the last %zu; dmesg has every one)\n", s->nr_anomalies);
	else if (s->nr_anomalies < total)
		printf("  (the BPF backend keeps the last %zu)\n", s->nr_anomalies);
	if (src->dir)
		printf("  stacks and events: %s/anomalies\n", src->dir);
}

/*
 * What the rules could not judge, and what the module's tables could not
 * hold: a clean check says how much it did not see.
 */
static void report_unseen(const struct ht_snapshot *s)
{
	unsigned long long unjudged = ht_counters_sum(s, "unjudged_");
	const char *names[] = { "not_followed", "anomalies_dropped", "task_faults_dropped" };
	unsigned long long v[3];
	const char *sep = " (";
	size_t i;

	if (unjudged) {
		printf("  not judged: %llu comparisons, another task could have moved what they compare",
		       unjudged);
		for (i = 0; i < s->nr_counters; i++)
			if (!strncmp(s->counters[i].name, "unjudged_", 9) && s->counters[i].value) {
				printf("%s%s %llu", sep, s->counters[i].name + 9, s->counters[i].value);
				sep = ", ";
			}
		printf(")\n");
	}
	for (i = 0; i < 3; i++)
		v[i] = ht_counter_value(s->counters, s->nr_counters, names[i]);
	if (v[0] || v[1] || v[2])
		printf("  not followed: %llu operations; anomalies dropped: %llu; task faults dropped: %llu\n",
		       v[0], v[1], v[2]);
}

int cmd_check(int argc, char **argv)
{
	static const struct argp argp = {
		check_options, parse_check, "[-- COMMAND...]",
		"Exit 1 with a report if the module recorded an anomaly since load or its last reset, 0 otherwise; "
		"with a COMMAND, after running it.  The BPF backend in this process (--backend bpf without "
		"--debugfs) sees only what happens while this command runs: give it the COMMAND to check, or "
		"--debugfs DIR of a running 'hugetrack-bpf serve DIR'.\v"
		"EXAMPLES:\n  make test; hugetrack check\n  hugetrack check --backend bpf -- make test\n"
		"  hugetrack check --backend bpf --debugfs /run/hugetrack  # hugetrack-bpf serve's",
		ht_common_children, NULL, NULL
	};
	struct check_args args = { 0 };
	unsigned long long total;
	struct ht_source src;
	struct ht_snapshot s;
	int status;

	ht_parse_args(&argp, argc, argv, &args);
	status = open_and_run(&src, args.command);
	if (status)
		return status;
	if (!src.dir && !args.command) {
		fprintf(stderr, "hugetrack check: the BPF backend in this process sees only what happens while it runs: give the command to check (hugetrack check --backend bpf -- make test), or --debugfs DIR of a running 'hugetrack-bpf serve DIR'\n");
		ht_source_close(&src);
		return HT_EXIT_USAGE;
	}
	status = ht_snapshot_load(&src, &s);
	if (status)
		goto out;
	total = ht_counters_sum(&s, "anomaly_");
	if (total) {
		report_anomalies(&src, &s, total);
		status = HT_EXIT_ANOMALY;
	} else if (!args.quiet) {
		printf("hugetrack check: ok: no anomaly since load or reset (%llu events, %llu dropped)\n",
		       ht_events_total(&s),
		       ht_counter_value(s.counters, s.nr_counters, "events_dropped"));
	}
	if (!args.quiet)
		report_unseen(&s);
	if (s.has_windows && ht_window_hits(&s) && !args.quiet)
		printf("  race windows seen open: %llu (see %s/windows)\n",
		       ht_window_hits(&s), src.where);
	ht_snapshot_free(&s);
	if (args.reset) {
		int err = ht_source_control(&src, "reset");

		if (err)
			status = err;
	}
out:
	ht_source_close(&src);
	return status;
}

/* events */

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
	status = ht_open_source(&src);
	if (status)
		return status;
	stream.where = src.where;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!args.json)
		fputs(EVENT_HEADER, stdout);
	status = ht_source_events(&src, args.drain, handle_event_line, &stream);
	ht_source_close(&src);
	return status;
}

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *what;
} commands[] = {
	{ "top", cmd_top, "a live view: hstates, event rates, anomalies, windows, probe health" },
	{ "events", cmd_events, "follow the event stream (--json, --kind, --pid)" },
	{ "snapshot", cmd_snapshot, "everything once (--json, --prom)" },
	{ "check", cmd_check, "exit 1 and report if an anomaly was recorded" },
	{ "record", cmd_record, "record a CSV time series (-o FILE.csv)" },
	{ "plot", cmd_plot, "draw a recorded CSV as SVG (FILE.csv -o FILE.svg)" },
};

#define NR_COMMANDS	(sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "Usage: hugetrack COMMAND [OPTION...]\n"
		"Reads the hugetrack module's files in " HT_DEBUGFS_DEFAULT ",\n"
		"or with --backend bpf runs the BPF backend (no module; root and BTF).\n"
		"BPF cannot set the module's data watchpoints: no writers file, and a\n"
		"reservation count wrapped and put back inside one call goes unseen\n"
		"(every difference and why: docs/bpf.md, installed as\n"
		"/usr/share/doc/hugetrack/docs/bpf.md.gz).\n\n");
	for (i = 0; i < NR_COMMANDS; i++)
		fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].what);
	fprintf(out, "\n'hugetrack COMMAND --help' for its options; man hugetrack.\n"
		"Exit status: 0 ok, 1 check found an anomaly, 2 usage, 3 not root,\n"
		"4 debugfs not mounted, 5 module not loaded, 6 unexpected file format,\n"
		"7 read or write error, 8 the BPF backend cannot start.\n");
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return HT_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("%s\n", argp_program_version);
		return 0;
	}
	for (i = 0; i < NR_COMMANDS; i++) {
		if (!strcmp(argv[1], commands[i].name)) {
			char name[32];

			/* argp's messages then say "hugetrack top: ..." */
			snprintf(name, sizeof(name), "hugetrack %s", commands[i].name);
			argv[1] = name;
			return commands[i].run(argc - 1, argv + 1);
		}
	}
	fprintf(stderr, "hugetrack: unknown command '%s': try 'hugetrack --help'\n", argv[1]);
	return HT_EXIT_USAGE;
}
