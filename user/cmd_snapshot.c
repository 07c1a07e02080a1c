// SPDX-License-Identifier: GPL-2.0
/* hugetrack snapshot: everything the module counts, once, as text, JSON or Prometheus. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "export.h"
#include "snapshot.h"
#include "source.h"

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
	return ht_parse_command(&args->command, key, state);
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
		const struct ht_kvrecord *w = &s->windows[i];

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
	status = ht_source_open_and_run(&src, args.command);
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
