/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bottom of the reader, under every other file: its exit statuses, the
 * options every command takes, the stop signals and the clock.
 */
#ifndef HT_CLI_H
#define HT_CLI_H

#include <argp.h>
#include <stdbool.h>

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

/* Runs @argp on the command's arguments; exits with HT_EXIT_USAGE on error. */
void ht_parse_args(const struct argp *argp, int argc, char **argv, void *input);

/*
 * For an argp parser: "-- COMMAND..." (what snapshot and check run first,
 * and then cover) into *@command; ARGP_ERR_UNKNOWN for any other @key.
 */
error_t ht_parse_command(char ***command, int key, struct argp_state *state);

/* --pid's argument, a process id (a whole number above 0), else an argp error. */
const char *ht_pid_arg(char *arg, struct argp_state *state);

/* SIGINT / SIGTERM end a loop cleanly; true once one came. */
void ht_catch_stop(void);
bool ht_stopped(void);
/* CLOCK_MONOTONIC, in seconds */
double ht_now(void);

#endif /* HT_CLI_H */
