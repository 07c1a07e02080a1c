// SPDX-License-Identifier: GPL-2.0
/*
 * hugetrack check: exit 1 with a report if the module recorded an anomaly,
 * and say what it could not judge or follow.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "files.h"
#include "parse.h"
#include "snapshot.h"
#include "source.h"

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
	return ht_parse_command(&args->command, key, state);
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

		printf("  #%s %s: pid %s (%s) %s at %s, expected %s, actual %s, event seq %s%s%s\n",
		       ht_kv_get(kv, "anomaly"), ht_kv_get(kv, "rule"),
		       ht_kv_get(kv, "pid") ?: "-", ht_kv_get(kv, "comm") ?: "-",
		       ht_kv_get(kv, "kind"), ht_kv_get(kv, "addr") ?: "-",
		       ht_kv_get(kv, "expected") ?: "-", ht_kv_get(kv, "actual") ?: "-",
		       ht_kv_get(kv, "seq"), ht_kv_get(kv, "holder") ? ", holder " : "",
		       ht_kv_get(kv, "holder") ?: "");
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
	const char *names[] = { "not_followed", "anomalies_dropped", "task_faults_dropped",
				"probe_calls_missed", "ledger_suspects_dropped" };
	unsigned long long v[5];
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
	for (i = 0; i < 5; i++)
		v[i] = ht_counter_value(s->counters, s->nr_counters, names[i]);
	if (v[0] || v[1] || v[2] || v[3] || v[4])
		printf("  not followed: %llu operations; anomalies dropped: %llu; task faults dropped: %llu; probe calls missed: %llu; ledger suspects dropped: %llu\n",
		       v[0], v[1], v[2], v[3], v[4]);
}

/* Each hstate's ledger line that a quiet walk judged, against the rules. */
static int report_ledger_rows(const struct ht_ledger_row *rows, size_t n)
{
	const struct ht_ledger_row *r;
	long long diff, lost, used;
	int status = 0;
	size_t i, j;

	for (i = 0; i < n; i++) {
		r = &rows[i];
		if (strcmp(r->kind, "ledger") || ht_ledger_figure(r, "judged") != 1)
			continue;
		diff = ht_ledger_figure(r, "diff");
		lost = ht_ledger_figure(r, "lost");
		if (diff)
			printf("hugetrack check: FAIL: %s: %s: resv_huge_pages %lld, the holders hold %lld: %lld %s\n",
			       diff > 0 ? "resv_leak" : "resv_deficit", ht_kv_get(&r->kv, "hstate"),
			       ht_ledger_figure(r, "global"), ht_ledger_figure(r, "sum"), diff > 0 ? diff : -diff,
			       diff > 0 ? "reserved pages that no holder accounts for" :
			       "pages the holders count that are not reserved");
		if (lost)
			printf("hugetrack check: FAIL: resv_lost: %s: %lld pages of private mappings lost their reservation (a fault there can SIGBUS):\n",
			       ht_kv_get(&r->kv, "hstate"), lost);
		for (j = 0; lost && j < n; j++)
			if (!strcmp(rows[j].kind, "private") && ht_ledger_figure(&rows[j], "lost") &&
			    !strcmp(ht_kv_get(&rows[j].kv, "hstate") ?: "", ht_kv_get(&r->kv, "hstate")))
				printf("  pid %s (%s) %s-%s: %lld of %lld pages\n",
				       ht_kv_get(&rows[j].kv, "pid") ?: "-",
				       ht_kv_get(&rows[j].kv, "comm") ?: "-",
				       ht_kv_get(&rows[j].kv, "start") ?: "-",
				       ht_kv_get(&rows[j].kv, "end") ?: "-",
				       ht_ledger_figure(&rows[j], "lost"), ht_ledger_figure(&rows[j], "pages"));
		used = ht_ledger_figure(r, "used_diff");
		if (used > 0)
			printf("hugetrack check: FAIL: subpool_used_leak: %s: the subpools use %lld pages more than their mounts' files and mappings hold:\n",
			       ht_kv_get(&r->kv, "hstate"), used);
		for (j = 0; used > 0 && j < n; j++)
			if (!strcmp(rows[j].kind, "subpool") &&
			    ht_ledger_figure(&rows[j], "max") != -1 && ht_ledger_figure(&rows[j], "held") >= 0 &&
			    ht_ledger_figure(&rows[j], "used") != ht_ledger_figure(&rows[j], "held") &&
			    !strcmp(ht_kv_get(&rows[j].kv, "hstate") ?: "", ht_kv_get(&r->kv, "hstate")))
				printf("  mount %s: used %lld, held %lld\n",
				       ht_kv_get(&rows[j].kv, "dev") ?: "-",
				       ht_ledger_figure(&rows[j], "used"),
				       ht_ledger_figure(&rows[j], "held"));
		if (diff || lost || used > 0)
			status = HT_EXIT_ANOMALY;
	}
	return status;
}

/*
 * The reservation ledger now (a module that has one): HT_EXIT_ANOMALY if a
 * rule fails on a line the module judged, 0, or an error status.
 */
static int report_ledger(struct ht_source *src)
{
	struct ht_ledger ledger;
	int status;

	if (!src->dir)
		return 0;
	status = ht_ledger_load(src, &ledger);
	if (!status)
		status = report_ledger_rows(ledger.rows, ledger.n);
	ht_ledger_free(&ledger);
	return status;
}

int cmd_check(int argc, char **argv)
{
	static const struct argp argp = {
		check_options, parse_check, "[-- COMMAND...]",
		"Exit 1 with a report if the module recorded an anomaly since load or its last reset, "
		"or if its reservation ledger fails a rule now (resv_leak, resv_deficit, resv_lost, subpool_used_leak), "
		"0 otherwise; with a COMMAND, after running it.  The BPF backend in this process (--backend bpf without "
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
	int status, ledger_status;

	ht_parse_args(&argp, argc, argv, &args);
	status = ht_source_open_and_run(&src, args.command);
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
	ledger_status = report_ledger(&src);
	if (ledger_status && (!status || ledger_status != HT_EXIT_ANOMALY))
		status = ledger_status;
	if (args.reset) {
		int err = ht_source_control(&src, "reset");

		if (err)
			status = err;
	}
out:
	ht_source_close(&src);
	return status;
}
