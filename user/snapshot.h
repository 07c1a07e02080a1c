/* SPDX-License-Identifier: GPL-2.0 */
/* Reading the module's files: one consistent error story for every command. */
#ifndef HT_SNAPSHOT_H
#define HT_SNAPSHOT_H

#include "parse.h"

#define HT_DEBUGFS_DEFAULT	"/sys/kernel/debug/hugetrack"

/* Exit statuses, one per thing a person has to do differently. */
enum ht_exit {
	HT_EXIT_OK = 0,
	HT_EXIT_ANOMALY = 1,	/* check: an anomaly was recorded */
	HT_EXIT_USAGE = 2,
	HT_EXIT_NOT_ROOT = 3,
	HT_EXIT_NO_DEBUGFS = 4,
	HT_EXIT_NO_MODULE = 5,
	HT_EXIT_FORMAT = 6,	/* a module newer or older than this reader */
	HT_EXIT_IO = 7,
};

/* Every file but the events stream, parsed; texts own what points in them. */
struct ht_snapshot {
	char *texts[5];
	struct ht_hstate *hstates;
	size_t nr_hstates;
	struct ht_probe *probes;
	size_t nr_probes;
	struct ht_counter *counters;
	size_t nr_counters;
	struct ht_record *anomalies;
	size_t nr_anomalies;
	/* windows: absent in modules older than the race windows */
	bool has_windows;
	struct ht_record *windows;
	size_t nr_windows;
};

/* 0, or prints one line to stderr and returns an enum ht_exit status. */
int ht_snapshot_load(const char *dir, struct ht_snapshot *s);
void ht_snapshot_free(struct ht_snapshot *s);

/*
 * Opens DIR/NAME (flags as open(2)); on failure prints what is wrong and
 * what to do, and returns -(enum ht_exit).
 */
int ht_open(const char *dir, const char *name, int flags);

/* "file:line: what": the format error, and HT_EXIT_FORMAT. */
int ht_format_error(const char *dir, const char *name,
		    const struct ht_parse_error *err);

/* Sums of the counters named PREFIX<anything>. */
unsigned long long ht_counters_sum(const struct ht_snapshot *s,
				   const char *prefix);

#endif /* HT_SNAPSHOT_H */
