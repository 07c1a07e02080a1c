// SPDX-License-Identifier: GPL-2.0
/*
 * hugetrack-bpf: hugetrack without its module.  Loads the BPF backend and
 * prints, or keeps writing into a directory, the files of the module's
 * debugfs directory in the module's formats.
 */
#include <argp.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ht_bpf.h"

const char *argp_program_version = "hugetrack-bpf " HUGETRACK_VERSION;
const char *argp_program_bug_address = "the hugetrack issue tracker";

static const char doc[] =
"hugetrack's BPF backend: the module's events, counters, rules and hstate\n"
"figures from kprobes and CO-RE, for kernels that cannot load the module\n"
"(lockdown, Secure Boot).  Needs root and a kernel with BTF.\n"
"\n"
"USAGE: hugetrack-bpf [-v] [-i SECONDS] [-r RING] [-t THRESHOLD] COMMAND\n"
"\n"
"COMMANDS:\n"
"  dump FILE...   attach, wait SECONDS (-i), print each FILE and exit\n"
"  serve DIR      attach and rewrite DIR/FILE every SECONDS for each file;\n"
"                 DIR/events grows by the new events; a command written\n"
"                 to DIR/control.cmd runs as the module's control file\n"
"                 runs it (answer in DIR/control.status); DIR/round\n"
"                 counts the rounds written; stops at SIGINT or SIGTERM;\n"
"                 reservations is not served: its walk holds each mm,\n"
"                 and a fault meanwhile goes unjudged\n"
"  protos FILE    check what the module's handlers read of each probed\n"
"                 function (its layouts FILE) against the kernel's BTF;\n"
"                 loads no BPF, exits 1 on a mismatch\n"
"FILES: probes hstates events faults counters anomalies summary control\n"
"       reservations\n"
"\n"
"Differences from the module: no writers file and no watch rows in probes\n"
"(BPF cannot set the hardware data watchpoints), so resv_underflow is\n"
"judged at event ends only; no THP collapse events and no race windows;\n"
"reservations lists the private mappings alone, and reconciles nothing.\n"
"Every difference, and why: docs/bpf.md, installed as\n"
"/usr/share/doc/hugetrack/docs/bpf.md.gz.\n"
"\n"
"EXAMPLES:\n"
"  hugetrack-bpf dump probes             # which symbol each point uses\n"
"  hugetrack-bpf -i 10 dump counters     # counters after 10 s\n"
"  hugetrack-bpf serve /run/hugetrack &  # the module's files, kept fresh\n";

static const struct argp_option options[] = {
	{ "interval", 'i', "SECONDS", 0, "dump: wait this long; serve: rewrite this often (default 1)", 0 },
	{ "ring-size", 'r', "EVENTS", 0, "events kept, as the module's ring_size (default 4096)", 0 },
	{ "threshold", 't', "N", 0, "refcount_near_overflow above N (default INT_MAX/2)", 0 },
	{ "verbose", 'v', NULL, 0, "libbpf's debug output, the verifier's log", 0 },
	{},
};

struct env {
	double interval;
	struct ht_bpf_options opts;
	char **args;
	int nr_args;
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	struct env *env = state->input;
	char *end;
	long n;

	switch (key) {
	case 'i':
		env->interval = strtod(arg, &end);
		if (*end || env->interval < 0 || env->interval > 86400)
			argp_error(state, "-i %s: give seconds from 0 to 86400", arg);
		break;
	case 'r':
		n = strtol(arg, &end, 10);
		if (*end || n < 64 || n > 1048576)
			argp_error(state, "-r %s: give a number of events from 64 to 1048576", arg);
		env->opts.ring_size = n;
		break;
	case 't':
		n = strtol(arg, &end, 10);
		if (*end || n < 0 || n > 0x7fffffff)
			argp_error(state, "-t %s: give a refcount from 0 to 2147483647", arg);
		env->opts.refcount_threshold = n;
		break;
	case 'v':
		env->opts.verbose = true;
		break;
	case ARGP_KEY_ARGS:
		env->args = state->argv + state->next;
		env->nr_args = state->argc - state->next;
		break;
	case ARGP_KEY_END:
		if (env->nr_args < 2 || (strcmp(env->args[0], "dump") &&
					 strcmp(env->args[0], "serve") &&
					 strcmp(env->args[0], "protos")))
			argp_error(state, "give 'dump FILE...', 'serve DIR' or 'protos FILE'");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static int check_protos(const char *path)
{
	FILE *layouts = fopen(path, "r");
	char err[256];
	int mismatches;

	if (!layouts) {
		fprintf(stderr, "hugetrack-bpf: cannot open %s (%s): load the module, as root\n",
			path, strerror(errno));
		return 1;
	}
	mismatches = ht_bpf_check_protos(layouts, stdout, err, sizeof(err));
	fclose(layouts);
	if (mismatches < 0)
		fprintf(stderr, "hugetrack-bpf: %s\n", err);
	return mismatches != 0;
}

static volatile sig_atomic_t stopping;

static void stop(int sig)
{
	(void)sig;
	stopping = 1;
}

/* Polls the backend for @seconds, so that its ring buffer never fills. */
static void wait_polling(struct ht_bpf *bpf, double seconds)
{
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		ht_bpf_poll(bpf, 100);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (!stopping && (now.tv_sec - start.tv_sec) +
		 (now.tv_nsec - start.tv_nsec) / 1e9 < seconds);
}

static int render_failed(const char *file, int err)
{
	if (err == -ENOENT)
		fprintf(stderr, "hugetrack-bpf: no file '%s' in the BPF backend (writers needs the module's watchpoints); see --help for the files\n",
			file);
	else
		fprintf(stderr, "hugetrack-bpf: cannot read %s: %s\n", file, strerror(-err));
	return 1;
}

static int dump(struct ht_bpf *bpf, char **files, int nr)
{
	int i, err;

	for (i = 0; i < nr; i++) {
		err = ht_bpf_render(bpf, files[i], stdout);
		if (err)
			return render_failed(files[i], err);
	}
	return 0;
}

/* DIR/NAME replaced whole (a reader never sees half a file), or appended. */
static int write_file(struct ht_bpf *bpf, const char *dir, const char *name)
{
	bool append = !strcmp(name, "events");
	char path[4096], tmp[4200];
	FILE *out;
	int err;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	out = fopen(append ? path : tmp, append ? "a" : "w");
	if (!out) {
		fprintf(stderr, "hugetrack-bpf: cannot write %s: %s\n", append ? path : tmp,
			strerror(errno));
		return 1;
	}
	err = ht_bpf_render(bpf, name, out);
	if (fclose(out) || err)
		return render_failed(name, err ?: -errno);
	if (!append && rename(tmp, path)) {
		fprintf(stderr, "hugetrack-bpf: cannot rename %s to %s: %s\n", tmp, path,
			strerror(errno));
		return 1;
	}
	return 0;
}

/* A command written to DIR/control: run it, answer in DIR/control.status. */
static void run_control(struct ht_bpf *bpf, const char *dir)
{
	char path[4096], status[4200], cmd[128];
	FILE *in, *out;
	size_t len;
	int err;

	snprintf(path, sizeof(path), "%s/control.cmd", dir);
	in = fopen(path, "r");
	if (!in)
		return;
	len = fread(cmd, 1, sizeof(cmd) - 1, in);
	fclose(in);
	unlink(path);
	cmd[len] = '\0';
	if (len && cmd[len - 1] == '\n')
		cmd[len - 1] = '\0';
	err = len >= 64 ? -E2BIG : ht_bpf_control(bpf, cmd);
	snprintf(status, sizeof(status), "%s/control.status", dir);
	out = fopen(status, "w");
	if (out) {
		fprintf(out, "%d %s\n", err, err ? strerror(-err) : "ok");
		fclose(out);
	}
}

/* DIR/round: rounds written so far, for readers that wait for fresh files */
static void write_round(const char *dir, unsigned long round)
{
	char path[4096], tmp[4200];
	FILE *out;

	snprintf(path, sizeof(path), "%s/round", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	out = fopen(tmp, "w");
	if (!out)
		return;
	fprintf(out, "%lu\n", round);
	if (!fclose(out))
		rename(tmp, path);
}

static int serve(struct ht_bpf *bpf, const char *dir, double interval)
{
	const char *const *name;
	unsigned long round = 0;
	char path[4096];

	if (mkdir(dir, 0700) && errno != EEXIST) {
		fprintf(stderr, "hugetrack-bpf: cannot create %s: %s\n", dir, strerror(errno));
		return 1;
	}
	snprintf(path, sizeof(path), "%s/events", dir);
	unlink(path);
	while (!stopping) {
		run_control(bpf, dir);
		for (name = ht_bpf_files; *name; name++)
			if (!ht_bpf_walks_tasks(*name) && write_file(bpf, dir, *name))
				return 1;
		write_round(dir, ++round);
		wait_polling(bpf, interval);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct argp argp = { options, parse_arg, "COMMAND ARG...", doc, NULL, NULL, NULL };
	struct env env = { .interval = 1, .opts = { .refcount_threshold = -1 } };
	struct ht_bpf *bpf;
	char err[512];
	int status;

	if (argp_parse(&argp, argc, argv, 0, NULL, &env))
		return 2;
	if (!strcmp(env.args[0], "protos"))
		return check_protos(env.args[1]);
	signal(SIGINT, stop);
	signal(SIGTERM, stop);
	bpf = ht_bpf_open(&env.opts, err, sizeof(err));
	if (!bpf) {
		fprintf(stderr, "hugetrack-bpf: %s\n", err);
		return 1;
	}
	if (!strcmp(env.args[0], "dump")) {
		wait_polling(bpf, env.interval);
		status = dump(bpf, env.args + 1, env.nr_args - 1);
	} else {
		status = serve(bpf, env.args[1], env.interval);
	}
	ht_bpf_close(bpf);
	return status;
}
