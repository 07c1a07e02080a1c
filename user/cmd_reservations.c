// SPDX-License-Identifier: GPL-2.0
/* hugetrack reservations: who holds each reserved huge page, and each hstate reconciled. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "export.h"
#include "files.h"
#include "parse.h"
#include "snapshot.h"
#include "source.h"

enum ledger_format { LEDGER_TEXT, LEDGER_JSON, LEDGER_PROM };

static const struct argp_option reservations_options[] = {
	{ "pid", 'p', "PID", 0, "Only the private mappings of this process (and the ledger)", 0 },
	{ "json", 'j', NULL, 0, "JSON: the holders and the ledger", 0 },
	{ "prom", 'P', NULL, 0, "Prometheus text exposition format: the ledger's figures", 0 },
	{ 0 }
};

struct reservations_args {
	enum ledger_format format;
	const char *pid;
};

static error_t parse_reservations(int key, char *arg, struct argp_state *state)
{
	struct reservations_args *args = state->input;

	switch (key) {
	case 'p':
		args->pid = ht_pid_arg(arg, state);
		return 0;
	case 'j':
		args->format = LEDGER_JSON;
		return 0;
	case 'P':
		args->format = LEDGER_PROM;
		return 0;
	}
	return ARGP_ERR_UNKNOWN;
}

static const char *get(const struct ht_ledger_row *r, const char *key)
{
	return ht_kv_get(&r->kv, key) ?: "-";
}

/* --pid keeps the ledger lines and that process's private mappings. */
static size_t keep_pid(struct ht_ledger_row *rows, size_t n, const char *pid)
{
	size_t i, kept = 0;

	for (i = 0; i < n; i++)
		if (!strcmp(rows[i].kind, "ledger") ||
		    (!strcmp(rows[i].kind, "private") && !strcmp(get(&rows[i], "pid"), pid)))
			rows[kept++] = rows[i];
	return kept;
}

/* Wide enough for the values: an hstate's name, a user address. */
static int width_of(const char *key)
{
	return !strcmp(key, "hstate") ? 20 : !strcmp(key, "start") ? 15 : 11;
}

static void print_kind(const struct ht_ledger_row *rows, size_t n, const char *kind,
		       const char *title, const char *const *keys, size_t nr_keys)
{
	size_t i, k;
	bool first = true;

	for (i = 0; i < n; i++) {
		if (strcmp(rows[i].kind, kind))
			continue;
		if (first) {
			printf("%s\n ", title);
			for (k = 0; k < nr_keys; k++)
				printf(" %-*s", k + 1 < nr_keys ? width_of(keys[k]) : 0, keys[k]);
			putchar('\n');
			first = false;
		}
		putchar(' ');
		for (k = 0; k < nr_keys; k++)
			printf(" %-*s", k + 1 < nr_keys ? width_of(keys[k]) : 0,
			       get(&rows[i], keys[k]));
		putchar('\n');
	}
}

static void print_text(const struct ht_ledger_row *rows, size_t n, bool reconciled)
{
	static const char *const subpool[] = { "dev", "hstate", "min", "max", "rsv", "used" };
	static const char *const file[] = { "dev", "ino", "hstate", "reserved", "cached", "outstanding" };
	static const char *const private[] = { "pid", "comm", "start", "hstate", "pages", "consumed",
					       "outstanding", "lost" };
	size_t i;

	print_kind(rows, n, "subpool", "SUBPOOLS", subpool, 6);
	print_kind(rows, n, "file", "FILES", file, 6);
	print_kind(rows, n, "private", "PRIVATE MAPPINGS", private, 8);
	printf("LEDGER\n");
	if (!reconciled)
		printf("  none: this source lists private mappings alone (the BPF backend: see --help)\n");
	for (i = 0; i < n; i++) {
		const struct ht_ledger_row *r = &rows[i];

		if (strcmp(r->kind, "ledger"))
			continue;
		printf("  %-22s resv %s = held %s, difference %s, in flight %s, lost %s: %s\n",
		       get(r, "hstate"), get(r, "global"), get(r, "sum"), get(r, "diff"),
		       get(r, "in_flight"), get(r, "lost"), ht_ledger_verdict(r));
	}
}

int cmd_reservations(int argc, char **argv)
{
	static const struct argp argp = {
		reservations_options, parse_reservations, NULL,
		"Who holds each reserved huge page: subpools (min_size=), hugetlbfs files and "
		"private mappings, and each hstate's resv_huge_pages reconciled with their sum "
		"(docs/files.md, reservations).  The module walks them for each read.  The BPF "
		"backend lists the private mappings alone (a task_vma iterator reaches them) and "
		"reconciles nothing: no BPF iterator reaches a mount's inodes (the files, half of "
		"the sum) or its subpool, and a BPF program cannot take the reserve maps' locks, "
		"so its figures are not one moment's and no ledger rule is judged.\v"
		"EXAMPLES:\n"
		"  hugetrack reservations --pid 1234\n"
		"  hugetrack reservations --prom > /var/lib/prometheus/node-exporter/ledger.prom",
		ht_common_children, NULL, NULL
	};
	struct reservations_args args = { LEDGER_TEXT, NULL };
	struct ht_ledger ledger;
	struct ht_source src;
	struct ht_ledger_row *rows;
	size_t n;
	int status;

	ht_parse_args(&argp, argc, argv, &args);
	status = ht_source_open(&src);
	if (status)
		return status;
	status = ht_ledger_load(&src, &ledger);
	if (!status && !ledger.present) {
		fprintf(stderr, "hugetrack: %s has no reservations file: load a hugetrack module that has one, or read the BPF backend's without --debugfs (hugetrack-bpf serve does not write it)\n",
			src.where);
		status = HT_EXIT_FORMAT;
	}
	ht_source_close(&src);
	if (status)
		return status;
	rows = ledger.rows;
	n = ledger.n;
	if (args.pid)
		n = keep_pid(rows, n, args.pid);
	if (args.format == LEDGER_JSON)
		status = ht_write_ledger_json(rows, n, stdout) ? HT_EXIT_IO : 0;
	else if (args.format == LEDGER_PROM)
		ht_write_ledger_prom(rows, n, stdout);
	else
		print_text(rows, n, ledger.reconciled);
	ht_ledger_free(&ledger);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "hugetrack: cannot write the reservations: %s\n", strerror(errno));
		status = HT_EXIT_IO;
	}
	return status;
}
