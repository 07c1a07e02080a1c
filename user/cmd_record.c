// SPDX-License-Identifier: GPL-2.0
/* hugetrack record: the hstate counts and event rate as a CSV time series. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "parse.h"
#include "snapshot.h"
#include "source.h"

static const struct argp_option record_options[] = {
	{ "output", 'o', "FILE.csv", 0, "Write the series here (required)", 0 },
	{ 0 }
};

static error_t parse_record(int key, char *arg, struct argp_state *state)
{
	const char **output = state->input;

	switch (key) {
	case 'o':
		*output = arg;
		return 0;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		return 0;
	case ARGP_KEY_END:
		if (!*output)
			argp_error(state, "give the output file: -o FILE.csv");
		return 0;
	}
	return ARGP_ERR_UNKNOWN;
}

static void write_samples(FILE *out, const struct ht_snapshot *s, double t,
			  double events_per_s)
{
	size_t i;

	for (i = 0; i < s->nr_hstates; i++)
		fprintf(out, "%.3f,%s,%llu,%llu,%llu,%llu,%.3f,%llu,%llu\n", t,
			s->hstates[i].name, s->hstates[i].nr, s->hstates[i].free,
			s->hstates[i].resv, s->hstates[i].surplus, events_per_s,
			ht_counters_sum(s, "anomaly_"), ht_window_hits(s));
}

int cmd_record(int argc, char **argv)
{
	static const struct argp argp = {
		record_options, parse_record, NULL,
		"Records the huge page counts of every hstate and the event rate, as CSV, until COUNT samples or a signal.\v"
		"EXAMPLE:\n  hugetrack record -o run.csv & make test; kill %1; hugetrack plot run.csv -o run.svg",
		ht_sampling_children, NULL, NULL
	};
	const char *output = NULL;
	unsigned long long events, prev_events = 0;
	double start, now, prev_time = 0;
	struct ht_source src;
	struct ht_snapshot s;
	unsigned long n;
	int status = 0;
	FILE *out;

	ht_parse_args(&argp, argc, argv, &output);
	ht_catch_stop();
	status = ht_source_open(&src);
	if (status)
		return status;
	out = fopen(output, "w");
	if (!out) {
		fprintf(stderr, "hugetrack: cannot create %s: %s\n", output, strerror(errno));
		ht_source_close(&src);
		return HT_EXIT_IO;
	}
	fprintf(out, "%s\n", HT_CSV_HEADER);
	start = ht_now();
	for (n = 0; !ht_stopped(); n++) {
		status = ht_snapshot_load(&src, &s);
		if (status)
			break;
		now = ht_now();
		events = ht_events_total(&s);
		write_samples(out, &s, now - start,
			      n && events >= prev_events ? (events - prev_events) / (now - prev_time) : 0);
		ht_snapshot_free(&s);
		/* what a kill leaves behind is a complete file */
		fflush(out);
		prev_events = events;
		prev_time = now;
		if (ht_count && n + 1 >= ht_count)
			break;
		ht_source_wait(&src, ht_interval);
	}
	if (fclose(out) && !status) {
		fprintf(stderr, "hugetrack: cannot write %s: %s\n", output, strerror(errno));
		status = HT_EXIT_IO;
	}
	ht_source_close(&src);
	return status;
}
