/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HUGETRACK_H
#define HUGETRACK_H

#include <linux/kprobes.h>
#include <linux/seq_buf.h>
#include <linux/seq_file.h>

struct hstate;

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

enum ht_event_kind {
	HT_EV_FAULT,
	HT_EV_RESERVE,
	HT_EV_UNRESERVE,
	HT_EV_VMA_CLOSE,
	HT_EV_UFFD_COPY,
	HT_EV_UFFD_CONTINUE,
	HT_EV_ZAP,
	HT_EV_FORK_COPY,
	HT_EV_TRUNCATE,
	HT_EV_HOLE_PUNCH,
	HT_EV_SUBPOOL_NEW,
	HT_EV_SUBPOOL_PUT,
	HT_EV_PMD_SHARE,
	HT_EV_NR,
	/* not a ring event: the subject of a watchpoint's anomaly */
	HT_EV_COUNTER_WRITE = HT_EV_NR
};

enum ht_rule {
	HT_RULE_RESV_UNDERFLOW,
	HT_RULE_RESV_DOUBLE_CONSUME,
	HT_RULE_RESV_UNEXPECTED_DELTA,
	HT_RULE_REF_MAP_MISMATCH,
	HT_RULE_REFCOUNT_NEAR_OVERFLOW,
	HT_RULE_TAIL_REFCOUNT,
	HT_RULE_NR
};

#define HT_NO_PFN	ULONG_MAX
#define HT_EVENT_LINE_MAX	384
#define HT_FRAME_LEN		80

/* ht_event.flags */
#define HT_EVF_SHARED		BIT(0)	/* a VM_SHARED mapping */
#define HT_EVF_NEW_FOLIO	BIT(1)	/* the folio did not exist at the start */
#define HT_EVF_OVERLAP		BIT(2)	/* another tracked operation overlapped */

/* One folio as an event saw it: at its start, and at its end. */
struct ht_folio_delta {
	unsigned long pfn;
	int ref_before, ref_after;
	int map_before, map_after;
};

/* One finished operation; the record the ring stores. */
struct ht_event {
	u64 seq;
	u64 started;	/* operations begun before this one, for overlap */
	int task_slot;	/* its entry in the in-flight table, or -1 */
	u64 untracked;	/* writes made outside any event, at its start */
	u64 time_ns;
	u64 duration_ns;
	pid_t pid;
	pid_t tid;
	u16 cpu;
	u8 kind;
	u8 flags;
	char comm[TASK_COMM_LEN];
	unsigned long page_size;
	unsigned long address;
	long pages;
	long result;
	long resv_before, resv_after;
	long free_before, free_after;
	struct ht_folio_delta folio;
	/* the hugetlbfs mount's subpool, if it has one (size=, min_size=) */
	struct hugepage_subpool *spool;
	long spool_used_before, spool_used_after;
	long spool_rsv_before, spool_rsv_after;
};

bool ht_event_wanted(void);
void ht_event_identify(struct ht_event *ev, enum ht_event_kind kind,
		       struct hstate *h);
void ht_event_begin(struct ht_event *ev, enum ht_event_kind kind,
		    struct hstate *h);
void ht_event_end(struct ht_event *ev, struct hstate *h);
void ht_event_subpool(struct ht_event *ev, struct hugepage_subpool *spool);
int ht_current_event_kind(void);
void ht_note_untracked_write(void);
const char *ht_event_kind_name(int kind);
void ht_anomaly(enum ht_rule rule, const struct ht_event *ev,
		long expected, long actual);
void ht_symbolize(unsigned long ip, char *scratch, char *frame);
void ht_anomaly_at(enum ht_rule rule, const struct ht_event *ev,
		   long expected, long actual, unsigned long from_ip);
int ht_events_init(void);
void ht_events_exit(void);
void ht_event_format(struct seq_buf *s, const struct ht_event *ev);

/* The debugfs side of events.c */
extern struct wait_queue_head ht_events_wait;
void ht_counters_show(struct seq_file *m);
void ht_anomalies_show(struct seq_file *m);
void ht_recent_events_show(struct seq_file *m);
void ht_control_show(struct seq_file *m);
void ht_summary_show(struct seq_file *m);
int ht_control_write(const char *cmd);
int ht_events_next(struct ht_event *ev);
bool ht_events_ready(void);

/* refcount_track.c */
void ht_folio_at(struct mm_struct *mm, struct vm_area_struct *vma,
		 struct hstate *h, unsigned long addr,
		 unsigned long *pfn, int *ref, int *map);
void ht_check_folio(const struct ht_event *ev);

unsigned long ht_lookup_name(const char *name);
bool ht_group_selected(const char *group);
int ht_probes_attach(void);
void ht_probes_detach(void);
void ht_probes_show(struct seq_file *m);
size_t ht_probes_footprint(void);

int ht_hstates_init(void);
struct hstate *ht_hstate(int i);
void ht_hstate_note_resv(struct hstate *h, unsigned long resv);
void ht_hstates_reset_range(void);
void ht_hstates_summary(struct seq_file *m);
void ht_hstates_show(struct seq_file *m);

/* watch.c */
void ht_watch_init(void);
void ht_watch_exit(void);
void ht_watch_show_probes(struct seq_file *m);
void ht_writers_show(struct seq_file *m);

void ht_debugfs_init(void);
void ht_debugfs_exit(void);

#endif /* HUGETRACK_H */
