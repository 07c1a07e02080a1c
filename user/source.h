/* SPDX-License-Identifier: GPL-2.0 */
/* Where the module's files come from: one API over a directory and BPF. */
#ifndef HT_SOURCE_H
#define HT_SOURCE_H

#include <stdbool.h>

#include "cli.h"
#include "stream.h"

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
 * Opens the source the common options chose (cli.h: --backend, and
 * --debugfs if given): 0, or prints one line to stderr and returns an
 * enum ht_exit status.
 */
int ht_source_open(struct ht_source *src);
/*
 * That source, after @command (NULL: none) has run while it followed it
 * (ht_source_run): 0, or an enum ht_exit with the source closed.
 */
int ht_source_open_and_run(struct ht_source *src, char **command);
void ht_source_close(struct ht_source *src);

/* File @name's whole text, NUL-terminated, in *@text: 0 or an enum ht_exit. */
int ht_source_read(struct ht_source *src, const char *name, char **text);
bool ht_source_has(const struct ht_source *src, const char *name);

/* A command of the module's control file ("reset"): 0 or an enum ht_exit. */
int ht_source_control(struct ht_source *src, const char *cmd);

/*
 * The events stream to @sink (stream.h): records where the source has
 * events_bin and the sink takes them, else lines; NULL to its line after
 * each batch (what was ready is delivered: a time to flush), until the
 * sink returns non-zero, the stream ends (module unloaded; with @drain,
 * when nothing more waits) or a stop signal: 0 or an enum ht_exit.
 */
int ht_source_events(struct ht_source *src, bool drain, const struct ht_event_sink *sink);

/* Waits @seconds unless a stop signal comes; the BPF backend keeps draining. */
void ht_source_wait(struct ht_source *src, double seconds);

/*
 * Runs @argv to its end while the source follows it: 0, or an enum ht_exit
 * when it cannot be started.  Its exit status, if not 0, goes to stderr.
 */
int ht_source_run(struct ht_source *src, char **argv);

#endif /* HT_SOURCE_H */
