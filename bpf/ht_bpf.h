/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hugetrack's BPF backend as a library: load and attach, then render the
 * module's debugfs files, in the module's formats, from what BPF saw.
 *
 *	char err[256];
 *	struct ht_bpf *bpf = ht_bpf_open(NULL, err, sizeof(err));
 *	if (!bpf) { fprintf(stderr, "%s\n", err); exit(1); }
 *	ht_bpf_render(bpf, "counters", stdout);
 *	ht_bpf_close(bpf);
 *
 * One handle is used by one thread at a time.  Link with every ht_bpf_*.c
 * but ht_bpf_absent.c (its stand-in where there is no BPF toolchain),
 * ../ht_kinds.c, with the skeleton that "make bpf" generates into
 * build/bpf/, and -lbpf -lelf -lz.
 */
#ifndef HT_BPF_H
#define HT_BPF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct ht_bpf;

struct ht_bpf_options {
	unsigned int ring_size;		/* events kept; 0: 4096 (the module's) */
	int refcount_threshold;		/* < 0: INT_MAX / 2 (the module's) */
	bool verbose;			/* libbpf's debug output on stderr */
};

/*
 * Loads the BPF programs and attaches each probe point to the symbol this
 * kernel has.  NULL on failure, with what failed and what to do in @err.
 * @opts may be NULL.
 */
struct ht_bpf *ht_bpf_open(const struct ht_bpf_options *opts, char *err,
			   size_t errlen);

/*
 * Writes the file @name of the module's debugfs directory to @out, in the
 * module's format: "probes", "hstates", "counters", "faults", "anomalies",
 * "control", "summary", "reservations" (its private mappings only), or
 * "events" (consumes: each event is written once, to one caller).  0, or a negative errno: -ENOENT for a file this backend
 * does not have ("writers": it needs the module's data watchpoints).
 */
int ht_bpf_render(struct ht_bpf *bpf, const char *name, FILE *out);

/* The files ht_bpf_render() knows, NULL-terminated. */
extern const char *const ht_bpf_files[];

/*
 * Whether a render of @name walks every task's mappings: the walk holds
 * each mm (a reference and its mmap_lock), and a fault of that mm meanwhile
 * is judged by neither backend (unjudged_mm_users), so it is done on request
 * alone, never on a timer.
 */
bool ht_bpf_walks_tasks(const char *name);

/*
 * A command of the module's control file ("reset", "enable", "disable",
 * "filter pid N", "filter comm NAME", "filter clear"): 0, or -EINVAL with
 * nothing changed.
 */
int ht_bpf_control(struct ht_bpf *bpf, const char *cmd);

/* Takes what the kernel handed over since the last call (renders do too). */
int ht_bpf_poll(struct ht_bpf *bpf, int timeout_ms);

void ht_bpf_close(struct ht_bpf *bpf);

/*
 * Each line of the module's layouts file (@layouts) against the running
 * kernel's BTF, a verdict line each to @out: the number of mismatches, or
 * -1 and a message in @err when it cannot check (no BTF, no line).
 */
int ht_bpf_check_protos(FILE *layouts, FILE *out, char *err, size_t errlen);

#endif /* HT_BPF_H */
