// SPDX-License-Identifier: GPL-2.0
/*
 * What every command shares at the bottom of the reader: the common and
 * sampling options, argp's run, the stop signals and the clock.  It calls
 * nothing of the reader but parse.c's number parser.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "parse.h"

const char *argp_program_version = "hugetrack " HT_VERSION;

const char *ht_debugfs;
enum ht_backend ht_backend = HT_BACKEND_MODULE;

static const struct argp_option common_options[] = {
	{ "debugfs", 'D', "DIR", 0, "The module's files (default " HT_DEBUGFS_DEFAULT "), or the directory of a running 'hugetrack-bpf serve DIR'", 50 },
	{ "backend", 'B', "module|bpf|auto", 0, "module (default): the module's files; bpf: the BPF backend in this process (needs root and BTF; it sees only what happens while this command runs), or with --debugfs the directory of 'hugetrack-bpf serve'; auto: the module if it is loaded, else bpf", 50 },
	{ 0 }
};

static error_t parse_common(int key, char *arg, struct argp_state *state)
{
	static const char *const names[] = {
		[HT_BACKEND_MODULE] = "module", [HT_BACKEND_BPF] = "bpf", [HT_BACKEND_AUTO] = "auto",
	};
	size_t i;

	switch (key) {
	case 'D':
		ht_debugfs = arg;
		return 0;
	case 'B':
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (!strcmp(arg, names[i]))
				ht_backend = i;
		if (strcmp(arg, names[ht_backend]))
			argp_error(state, "--backend %s: give module, bpf or auto", arg);
		return 0;
	}
	return ARGP_ERR_UNKNOWN;
}

const struct argp ht_common_argp = { common_options, parse_common, NULL, NULL, NULL, NULL, NULL };

void ht_parse_args(const struct argp *argp, int argc, char **argv, void *input)
{
	argp_err_exit_status = HT_EXIT_USAGE;
	if (argp_parse(argp, argc, argv, 0, NULL, input))
		exit(HT_EXIT_USAGE);
}

const char *ht_pid_arg(char *arg, struct argp_state *state)
{
	unsigned long long pid;

	if (!ht_parse_u64(arg, &pid) || !pid)
		argp_error(state, "--pid %s: give a process id", arg);
	return arg;
}

error_t ht_parse_command(char ***command, int key, struct argp_state *state)
{
	if (key != ARGP_KEY_ARGS)
		return ARGP_ERR_UNKNOWN;
	*command = state->argv + state->next;
	return 0;
}

double ht_interval = 1.0;
unsigned long ht_count;

static const struct argp_option sampling_options[] = {
	{ "interval", 'i', "SECONDS", 0, "Every SECONDS (default 1)", 40 },
	{ "count", 'n', "COUNT", 0, "Stop after COUNT samples (default: at Ctrl-C or SIGTERM)", 40 },
	{ 0 }
};

static error_t parse_sampling(int key, char *arg, struct argp_state *state)
{
	unsigned long long count;
	char *end;

	switch (key) {
	case 'i':
		errno = 0;
		ht_interval = strtod(arg, &end);
		if (errno || *end || !isfinite(ht_interval) || ht_interval < 0.05 ||
		    ht_interval > 3600)
			argp_error(state, "-i %s: give the interval in seconds, 0.05 to 3600", arg);
		return 0;
	case 'n':
		if (!ht_parse_u64(arg, &count) || !count || count > 1000000000)
			argp_error(state, "-n %s: give a count of samples, 1 or more", arg);
		ht_count = count;
		return 0;
	}
	return ARGP_ERR_UNKNOWN;
}

const struct argp ht_sampling_argp = { sampling_options, parse_sampling, NULL, NULL, NULL, NULL, NULL };

const struct argp_child ht_common_children[] = { { &ht_common_argp, 0, NULL, 0 }, { 0 } };
const struct argp_child ht_sampling_children[] = {
	{ &ht_sampling_argp, 0, NULL, 0 }, { &ht_common_argp, 0, NULL, 0 }, { 0 }
};

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

void ht_catch_stop(void)
{
	struct sigaction sa = { .sa_handler = on_stop };

	/* no SA_RESTART: a blocked read or sleep returns to see the stop */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

bool ht_stopped(void)
{
	return stop_signal != 0;
}

double ht_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}
