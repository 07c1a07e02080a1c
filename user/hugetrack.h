/* SPDX-License-Identifier: GPL-2.0 */
/* The commands of the hugetrack reader and what they share. */
#ifndef HUGETRACK_READER_H
#define HUGETRACK_READER_H

#include <argp.h>
#include <stdio.h>

#include "snapshot.h"

/* Options every command takes (--debugfs, NULL if not given; --backend). */
extern const char *ht_debugfs;
extern enum ht_backend ht_backend;
extern const struct argp ht_common_argp;

/* -i SECONDS and -n COUNT of the commands that sample (top, record). */
extern double ht_interval;
extern unsigned long ht_count;	/* 0: until a signal */
extern const struct argp ht_sampling_argp;

/* argp children: the common options; the sampling ones and the common */
extern const struct argp_child ht_common_children[];
extern const struct argp_child ht_sampling_children[];

int cmd_snapshot(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_plot(int argc, char **argv);

/* The source --backend and --debugfs name: 0 or an exit status. */
int ht_open_source(struct ht_source *src);

/* Runs @argp on the command's arguments; exits with HT_EXIT_USAGE on error. */
void ht_parse_args(const struct argp *argp, int argc, char **argv, void *input);

/* SIGINT / SIGTERM end a loop cleanly; true once one came. */
void ht_catch_stop(void);
bool ht_stopped(void);
double ht_now(void);

/* Events of every kind since load or reset (events_dropped not among them). */
unsigned long long ht_events_total(const struct ht_snapshot *s);
unsigned long long ht_window_hits(const struct ht_snapshot *s);

/* export.c */
int ht_write_json(const struct ht_snapshot *s, FILE *out);
int ht_write_event_json(const struct ht_kvline *ev, FILE *out);
void ht_write_prom(const struct ht_snapshot *s, FILE *out);

#endif /* HUGETRACK_READER_H */
