/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HT_PROBE_H
#define HT_PROBE_H

#include <linux/kprobes.h>
#include <linux/stringify.h>

struct seq_file;

#define HT_MAX_SYMBOLS	4

enum ht_probe_state {
	HT_PROBE_UNREGISTERED,
	HT_PROBE_ACTIVE,
	HT_PROBE_MISSING,
	HT_PROBE_FAILED,
	HT_PROBE_OFF,	/* its group is not in groups= */
};

struct ht_probe;

/*
 * Runs in probe context: must not sleep, allocate, or take a lock the probed
 * function may hold.  @data is the kretprobe instance's data_size bytes (the
 * state carried from entry to return of one call, whatever CPU it returns
 * on), NULL for a plain kprobe.  An entry handler of a kretprobe returns
 * non-zero when the call is of no interest: its return is then not followed.
 */
typedef int (*ht_handler_t)(struct ht_probe *probe, struct pt_regs *regs,
			    void *data);

struct ht_probe {
	/* kernel-independent name of the probe point */
	const char *name;
	const char *group;
	/* the names this point has had, newest first (ht_symbols.h) */
	const char *symbols[HT_MAX_SYMBOLS];
	ht_handler_t on_entry;
	/* set: the probe is a kretprobe */
	ht_handler_t on_return;
	size_t data_size;
	/* set: a call can wait on userspace, as a fault on a userfaultfd range */
	bool waits;
	/*
	 * What the handlers read of the function (HT_READS()), or NULL: the
	 * layouts file shows it, and the guest proves it against the
	 * kernel's BTF (hugetrack-bpf protos, t-10).
	 */
	const struct ht_read *reads;

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

#define HT_POINT(point, grp, ...) \
	{ .name = point, .group = grp, .symbols = __VA_ARGS__ }

/*
 * What a handler reads: argument @position ("0" first) or the return
 * value ("ret"), as @type, the type as the kernel declares it (a typedef
 * by its name), of @size bytes.
 */
struct ht_read {
	const char *position;
	const char *type;
	unsigned int size;
};

#define HT_READ(pos, type) { __stringify(pos), __stringify(type), sizeof(type) }
#define HT_READS(...) ((const struct ht_read[]){ __VA_ARGS__, {} })

/* A point whose entry @entry sees, reading @rd (HT_READS()). */
#define HT_PROBE(point, grp, entry, rd, ...)				\
	{ .name = point, .group = grp, .symbols = __VA_ARGS__, .on_entry = entry, \
	  .reads = rd }

/* A point followed from entry to return, with per-call state @call_type. */
#define HT_CALL(point, grp, call_type, entry, ret, rd, ...)		\
	{ .name = point, .group = grp, .symbols = __VA_ARGS__,		\
	  .on_entry = entry, .on_return = ret, .data_size = sizeof(call_type), \
	  .reads = rd }

/* HT_CALL() of a point whose calls can wait on userspace for as long as it likes */
#define HT_WAITING_CALL(point, grp, call_type, entry, ret, rd, ...)	\
	{ .name = point, .group = grp, .symbols = __VA_ARGS__,		\
	  .on_entry = entry, .on_return = ret, .data_size = sizeof(call_type), \
	  .reads = rd, .waits = true }

/* A point whose return @ret sees, with no state of its own. */
#define HT_RETURN(point, grp, ret, ...) \
	{ .name = point, .group = grp, .symbols = __VA_ARGS__, .on_return = ret }

struct ht_probe_table {
	struct ht_probe *probes;
	unsigned int count;
};

/*
 * Registers every probe of @tables (the probe tables of hugetlb_probe.c and
 * collapse_probe.c, handed in by main.c) whose group groups= selects;
 * fails only when no probe at all could be registered.
 */
int ht_probes_attach(struct ht_probe_table *const *tables, unsigned int nr_tables);
void ht_probes_detach(void);
bool ht_group_selected(const char *group);

/* Views (debugfs.c, report.c) */
void ht_probes_show(struct seq_file *m);
void ht_probes_show_layouts(struct seq_file *m);
size_t ht_probes_footprint(void);

/*
 * Calls the kprobe core could not hand over (a return probe's instances,
 * kretprobe_maxactive, all in use; a probe hit inside another), since load
 * or the last reset.
 */
unsigned long ht_probes_missed(void);
void ht_probes_reset_missed(void);

#endif /* HT_PROBE_H */
