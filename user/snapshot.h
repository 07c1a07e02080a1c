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
	HT_EXIT_NO_BPF = 8,	/* the BPF backend cannot start: no BTF, bpf() refused */
};

enum ht_backend { HT_BACKEND_MODULE, HT_BACKEND_BPF, HT_BACKEND_AUTO };

struct ht_bpf;

/*
 * Where the module's files come from: a directory (debugfs, a copy of it, or
 * the directory `hugetrack-bpf serve` keeps), or the BPF backend running in
 * this process, whose renders are the module's files byte for byte.  The
 * parsers read both the same way.
 */
struct ht_source {
	const char *dir;	/* NULL: the BPF backend in this process */
	struct ht_bpf *bpf;
	const char *where;	/* for messages: dir, or "bpf" */
};

/*
 * Opens the source @backend names (@dir: --debugfs, NULL if not given):
 * 0, or prints one line to stderr and returns an enum ht_exit status.
 */
int ht_source_open(struct ht_source *src, enum ht_backend backend, const char *dir);
void ht_source_close(struct ht_source *src);

/* File @name's whole text, NUL-terminated, in *@text: 0 or an enum ht_exit. */
int ht_source_read(struct ht_source *src, const char *name, char **text);
bool ht_source_has(const struct ht_source *src, const char *name);

/* A command of the module's control file ("reset"): 0 or an enum ht_exit. */
int ht_source_control(struct ht_source *src, const char *cmd);

/*
 * The events stream, line by line (no newline) to @line, until @line returns
 * non-zero, the stream ends (module unloaded; with @drain, when nothing
 * more waits) or a stop signal: 0 or an enum ht_exit.
 */
int ht_source_events(struct ht_source *src, bool drain,
		     int (*line)(char *line, void *ctx), void *ctx);

/* Waits @seconds unless a stop signal comes; the BPF backend keeps draining. */
void ht_source_wait(struct ht_source *src, double seconds);

/*
 * Runs @argv to its end while the source follows it: 0, or an enum ht_exit
 * when it cannot be started.  Its exit status, if not 0, goes to stderr.
 */
int ht_source_run(struct ht_source *src, char **argv);

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
int ht_snapshot_load(struct ht_source *src, struct ht_snapshot *s);
void ht_snapshot_free(struct ht_snapshot *s);

/*
 * Opens DIR/NAME (flags as open(2)); on failure prints what is wrong and
 * what to do, and returns -(enum ht_exit).
 */
int ht_open(const char *dir, const char *name, int flags);
/* DIR/NAME's whole text, checked (ht_check_text): 0 or an enum ht_exit. */
int ht_read_file(const char *dir, const char *name, char **text);

/* "file:line: what": the format error, and HT_EXIT_FORMAT. */
int ht_format_error(const char *where, const char *name,
		    const struct ht_parse_error *err);

/* Sums of the counters named PREFIX<anything>. */
unsigned long long ht_counters_sum(const struct ht_snapshot *s,
				   const char *prefix);

#endif /* HT_SNAPSHOT_H */
