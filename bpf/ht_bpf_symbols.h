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

/* One name a probe point has had, and the programs that follow it. */
struct candidate {
	const char *symbol;
	const char *entry;	/* program name */
	const char *ret;	/* program name, NULL: not followed to return */
};

struct point {
	const char *name;
	const char *group;
	bool event;		/* a kretprobe whose calls are events */
	struct candidate candidates[MAX_CANDIDATES];
};

extern const struct point ht_bpf_points[];
extern const size_t ht_bpf_nr_points;

#endif /* HT_BPF_SYMBOLS_H */
