/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HUGETRACK_H
#define HUGETRACK_H

#include <linux/kprobes.h>
#include <linux/seq_file.h>

#define HT_MAX_SYMBOLS	4

enum ht_probe_state {
	HT_PROBE_UNREGISTERED,
	HT_PROBE_ACTIVE,
	HT_PROBE_MISSING,
	HT_PROBE_FAILED,
};

struct ht_probe;

/*
 * Runs in probe context: must not sleep, allocate, or take a lock the probed
 * function may hold.  @data is the kretprobe instance's data_size bytes (the
 * state carried from entry to return of one call, whatever CPU it returns
 * on), NULL for a plain kprobe.
 */
typedef void (*ht_handler_t)(struct ht_probe *probe, struct pt_regs *regs,
			     void *data);

struct ht_probe {
	/* kernel-independent name of the probe point */
	const char *name;
	const char *group;
	/* the names this point has had, newest first (compat/compat.h) */
	const char *symbols[HT_MAX_SYMBOLS];
	ht_handler_t on_entry;
	/* set: the probe is a kretprobe */
	ht_handler_t on_return;
	size_t data_size;

	/* filled in at load */
	const char *symbol;
	enum ht_probe_state state;
	int error;
	unsigned long __percpu *hits;
	union {
		struct kprobe kp;
		struct kretprobe rp;
	};
};

struct ht_probe_table {
	struct ht_probe *probes;
	unsigned int count;
};

extern struct ht_probe_table ht_hugetlb_probes;

unsigned long ht_lookup_name(const char *name);
int ht_probes_attach(void);
void ht_probes_detach(void);
void ht_probes_show(struct seq_file *m);

int ht_hstates_init(void);
void ht_hstates_show(struct seq_file *m);

void ht_debugfs_init(void);
void ht_debugfs_exit(void);

#endif /* HUGETRACK_H */
