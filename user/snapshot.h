/* SPDX-License-Identifier: GPL-2.0 */
/* Every file of a source but the events stream, read and parsed at once. */
#ifndef HT_SNAPSHOT_H
#define HT_SNAPSHOT_H

#include "parse.h"
#include "source.h"

/* Every file but the events stream, parsed; texts own what points in them. */
struct ht_snapshot {
	char *texts[5];
	struct ht_hstate *hstates;
	size_t nr_hstates;
	struct ht_probe_row *probes;
	size_t nr_probes;
	struct ht_counter *counters;
	size_t nr_counters;
	struct ht_kvrecord *anomalies;
	size_t nr_anomalies;
	/* windows: absent in modules older than the race windows */
	bool has_windows;
	struct ht_kvrecord *windows;
	size_t nr_windows;
};

/* 0, or prints one line to stderr and returns an enum ht_exit status. */
int ht_snapshot_load(struct ht_source *src, struct ht_snapshot *s);
void ht_snapshot_free(struct ht_snapshot *s);

/* The reservations file, parsed; text owns what the rows point in. */
struct ht_ledger {
	bool present;		/* false: the source has no reservations file */
	bool reconciled;	/* it has a ledger line: not the BPF backend's, which lists private mappings only */
	char *text;
	struct ht_ledger_row *rows;
	size_t n;
};

/* 0 (present or not), or prints one line to stderr and returns an enum ht_exit. */
int ht_ledger_load(struct ht_source *src, struct ht_ledger *ledger);
void ht_ledger_free(struct ht_ledger *ledger);

/* Sums of the counters named PREFIX<anything>. */
unsigned long long ht_counters_sum(const struct ht_snapshot *s,
				   const char *prefix);

/* Events of every kind since load or reset (events_dropped not among them). */
unsigned long long ht_events_total(const struct ht_snapshot *s);
unsigned long long ht_window_hits(const struct ht_snapshot *s);

#endif /* HT_SNAPSHOT_H */
