// SPDX-License-Identifier: GPL-2.0
/*
 * hugetrack: the reader of the hugetrack module's debugfs files.
 * The commands: top, events, snapshot, check, record, plot.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *what;
} commands[] = {
	{ "top", cmd_top, "a live view: hstates, event rates, anomalies, windows, probe health" },
	{ "events", cmd_events, "follow the event stream (--json, --kind, --pid)" },
	{ "snapshot", cmd_snapshot, "everything once (--json, --prom)" },
	{ "reservations", cmd_reservations, "who holds each reserved huge page, each hstate reconciled (--json, --prom, --pid)" },
	{ "check", cmd_check, "exit 1 and report if an anomaly was recorded" },
	{ "record", cmd_record, "record a CSV time series (-o FILE.csv)" },
	{ "plot", cmd_plot, "draw a recorded CSV as SVG (FILE.csv -o FILE.svg)" },
};

#define NR_COMMANDS	(sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "Usage: hugetrack COMMAND [OPTION...]\n"
		"Reads the hugetrack module's files in " HT_DEBUGFS_DEFAULT ",\n"
		"or with --backend bpf runs the BPF backend (no module; root and BTF).\n"
		"BPF cannot set the module's data watchpoints: no writers file, and a\n"
		"reservation count wrapped and put back inside one call goes unseen\n"
		"(every difference and why: docs/bpf.md, installed as\n"
		"/usr/share/doc/hugetrack/docs/bpf.md.gz).\n\n");
	for (i = 0; i < NR_COMMANDS; i++)
		fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].what);
	fprintf(out, "\n'hugetrack COMMAND --help' for its options; man hugetrack.\n"
		"Exit status: 0 ok, 1 check found an anomaly, 2 usage, 3 not root,\n"
		"4 debugfs not mounted, 5 module not loaded, 6 unexpected file format,\n"
		"7 read or write error, 8 the BPF backend cannot start.\n");
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return HT_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("%s\n", argp_program_version);
		return 0;
	}
	for (i = 0; i < NR_COMMANDS; i++) {
		if (!strcmp(argv[1], commands[i].name)) {
			char name[32];

			/* argp's messages then say "hugetrack top: ..." */
			snprintf(name, sizeof(name), "hugetrack %s", commands[i].name);
			argv[1] = name;
			return commands[i].run(argc - 1, argv + 1);
		}
	}
	fprintf(stderr, "hugetrack: unknown command '%s': try 'hugetrack --help'\n", argv[1]);
	return HT_EXIT_USAGE;
}
