/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Parsers of hugetrack's debugfs files and of the reader's own CSV.  They
 * work in place on a file's text (which the caller owns and keeps while the
 * results are used), never trust it, and say which line broke the format.
 */
#ifndef HT_PARSE_H
#define HT_PARSE_H

#include <stdbool.h>
#include <stddef.h>

/* Files larger than this are not hugetrack's: refuse, do not grow. */
#define HT_TEXT_MAX	(64u << 20)
/* Keys of one key=value line; the module writes about 30. */
#define HT_KV_MAX	64

struct ht_parse_error {
	unsigned int line;	/* 1-based; 0: not about one line */
	char msg[160];
};

struct ht_kv {
	const char *key;
	const char *value;
};

/* One "key=value key=value" line, split in place. */
struct ht_kvline {
	unsigned int n;
	struct ht_kv kv[HT_KV_MAX];
};

struct ht_hstate {
	const char *name;
	unsigned long long size_kb, nr, free, resv, surplus, overcommit;
};

/* One line of the probes file; named apart from the module's struct ht_probe. */
struct ht_probe_row {
	const char *name, *group, *symbol, *type, *state;
	unsigned long long hits, missed;
};

struct ht_counter {
	const char *name;
	unsigned long long value;
};

/*
 * A key=value line with the indented lines under it: an anomaly and its
 * stack, or a race window and its two tasks' frames ("a: ...", "b: ...").
 * Named apart from the BPF ring buffer's struct ht_record.
 */
struct ht_kvrecord {
	struct ht_kvline kv;
	const char **frames;
	size_t nr_frames;
};

/*
 * One line of the reservations file: its kind (subpool, file, private: a
 * holder; ledger: an hstate reconciled; others passed on) and its keys.
 */
struct ht_ledger_row {
	const char *kind;
	struct ht_kvline kv;
};

/* One row of a `hugetrack record` CSV file. */
struct ht_sample {
	double time_s;
	const char *hstate;
	unsigned long long nr, free, resv, surplus;
	double events_per_s;
	unsigned long long anomalies, window_hits;
};

#define HT_CSV_HEADER \
	"time_s,hstate,nr,free,resv,surplus,events_per_s,anomalies,window_hits"

/*
 * Each parser returns 0, or -1 with @err filled; on error nothing is left
 * allocated.  Arrays are malloc'ed: free() them (and each record's frames,
 * through ht_kvrecords_free()).
 */
int ht_parse_hstates(char *text, struct ht_hstate **out, size_t *n,
		     struct ht_parse_error *err);
int ht_parse_probes(char *text, struct ht_probe_row **out, size_t *n,
		    struct ht_parse_error *err);
int ht_parse_counters(char *text, struct ht_counter **out, size_t *n,
		      struct ht_parse_error *err);
int ht_parse_anomalies(char *text, struct ht_kvrecord **out, size_t *n,
		       struct ht_parse_error *err);
int ht_parse_windows(char *text, struct ht_kvrecord **out, size_t *n,
		     struct ht_parse_error *err);
int ht_parse_reservations(char *text, struct ht_ledger_row **out, size_t *n,
			  struct ht_parse_error *err);
int ht_parse_samples(char *text, struct ht_sample **out, size_t *n,
		     struct ht_parse_error *err);
void ht_kvrecords_free(struct ht_kvrecord *records, size_t n);

/* One event line (no newline) as the events and faults files give it. */
int ht_parse_event(char *line, struct ht_kvline *out,
		   struct ht_parse_error *err);
const char *ht_kv_get(const struct ht_kvline *line, const char *key);
/* A ledger row's figure KEY, 0 if it has none (the parser checked those it needs) */
long long ht_ledger_figure(const struct ht_ledger_row *row, const char *key);
/* A ledger line's verdict: "ok", "DIFFERS" or "LOST" */
const char *ht_ledger_verdict(const struct ht_ledger_row *row);

/* A whole decimal number, nothing around it; false if it is not one. */
bool ht_parse_u64(const char *s, unsigned long long *out);
bool ht_parse_s64(const char *s, long long *out);

/* The counter's value, or 0 where the module has no such counter. */
unsigned long long ht_counter_value(const struct ht_counter *c, size_t n,
				    const char *name);

/* Text ends with its last line's newline and holds no NUL: else -1. */
int ht_check_text(const char *text, size_t len, struct ht_parse_error *err);

#endif /* HT_PARSE_H */
