/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The BPF backend's probe points: each with the kernel symbols it has had,
 * newest first, and the programs of hugetrack.bpf.c that follow it.  The
 * table is in ht_bpf_symbols.c; the cookie of each attachment is its row.
 */
#ifndef HT_BPF_SYMBOLS_H
#define HT_BPF_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>

#define MAX_CANDIDATES		3

struct point {
	const char *name;
	const char *group;
	bool event;		/* a kretprobe whose calls are events */
	/* the names it has had, newest first (ht_symbols.h) */
	const char *symbols[MAX_CANDIDATES];
	/* the program of each name; where there is none, the first's */
	const char *entry[MAX_CANDIDATES];
	const char *ret;	/* program name, NULL: not followed to return */
};

/* The name of a point this kernel has, and the programs that follow it. */
struct candidate {
	const char *symbol;	/* NULL: none (missing) */
	const char *entry;
	const char *ret;
};

extern const struct point ht_bpf_points[];
extern const size_t ht_bpf_nr_points;

#endif /* HT_BPF_SYMBOLS_H */
