/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HUGETRACK_H
#define HUGETRACK_H

#include <linux/kprobes.h>
#include <linux/seq_buf.h>
#include <linux/seq_file.h>

#include "ht_rules.h"

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
	/* the names this point has had, newest first (ht_symbols.h) */
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

/* A candidate list of ht_symbols.h, as the symbols of a struct ht_probe */
#define HT_SYMBOL_NAME(name)	name
#define HT_SYMBOLS(list)	{ list(HT_SYMBOL_NAME) }

#define HT_POINT(point, grp, ...) \
	{ .name = point, .group = grp, .symbols = __VA_ARGS__ }

/* A point whose entry @entry sees. */
#define HT_PROBE(point, grp, entry, ...) \
	{ .name = point, .group = grp, .symbols = __VA_ARGS__, .on_entry = entry }

/* A point followed from entry to return, with per-call state @call_type. */
#define HT_CALL(point, grp, call_type, entry, ret, ...)			\
	{ .name = point, .group = grp, .symbols = __VA_ARGS__,		\
	  .on_entry = entry, .on_return = ret, .data_size = sizeof(call_type) }

/* A point whose return @ret sees, with no state of its own. */
#define HT_RETURN(point, grp, ret, ...) \
	{ .name = point, .group = grp, .symbols = __VA_ARGS__, .on_return = ret }

struct ht_probe_table {
	struct ht_probe *probes;
	unsigned int count;
};

extern struct ht_probe_table ht_hugetlb_probes;
extern struct ht_probe_table ht_thp_probes;

#define HT_NO_PFN	ULONG_MAX
#define HT_EVENT_LINE_MAX	384
#define HT_FRAME_LEN		80

/* ht_event.collapse: how a collapse attempt came about */
#define HT_COLLAPSE_KHUGEPAGED	BIT(0)	/* else MADV_COLLAPSE */
#define HT_COLLAPSE_UFFD	BIT(1)	/* the VMA is userfaultfd-armed */
#define HT_COLLAPSE_FILE	BIT(2)	/* page cache (shmem), else anonymous */

/*
 * Race windows: an operation in flight on a range of an mm (side a) that
 * another one (side b) reaches.
 */
enum ht_window {
	HT_WIN_UFFD_COPY_RETRY_VS_FAULT,
	HT_WIN_COLLAPSE_VS_UFFD_FILL,
	HT_WIN_PMD_UNSHARE_VS_FAULT,
	HT_WIN_NR
};

/* Operations tracked in flight that are not events (ht_op_claim()). */
enum ht_op_kind {
	HT_OP_COPY_RETRY = HT_EV_NR + 1,	/* UFFDIO_COPY between -ENOENT and retry */
	HT_OP_COLLAPSE_PTE_MAPPED,		/* collapse_pte_mapped_thp() */
	HT_OP_MADVISE_COLLAPSE,			/* madvise_collapse() */
};

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
	u8 collapse;	/* HT_COLLAPSE_*, for kind collapse */
	pid_t owner;	/* kind collapse: the tgid of the mm's owner */
	char comm[TASK_COMM_LEN];
	unsigned long page_size;
	unsigned long address;
	long pages;
	long result;
	long resv_before, resv_after;
	long free_before, free_after;
	struct ht_folio_delta folio;
	u8 why_ref;	/* HT_UNJ_* + 1 that bars the ref judgement; 0: none */
	/* the hugetlbfs mount's subpool, if it has one (size=, min_size=) */
	struct hugepage_subpool *spool;
	long spool_used_before, spool_used_after;
	long spool_rsv_before, spool_rsv_after;
};

bool ht_event_wanted(void);
/* @h NULL: an event of no hstate (a THP collapse); the caller sets page_size. */
void ht_event_identify(struct ht_event *ev, enum ht_event_kind kind,
		       struct hstate *h);
void ht_event_begin(struct ht_event *ev, enum ht_event_kind kind,
		    struct hstate *h);
void ht_event_end(struct ht_event *ev, struct hstate *h);
void ht_event_subpool(struct ht_event *ev, struct hugepage_subpool *spool);
void ht_events_arm(void);
bool ht_event_armed(const struct ht_event *ev);
void ht_count_unjudged(enum ht_unjudged why);
void ht_count_judged_ref(void);
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
void ht_safe_comm(char *safe, const char *comm);

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

/* inflight.c: operations in flight, by task and by (mm, range) */
int ht_op_claim(u8 kind, u64 started);
void ht_op_release(int slot);
int ht_current_op(u8 kind);
void ht_op_set_flag(int slot, bool flag);
bool ht_op_flag(int slot);
void ht_window_open(int slot, enum ht_window window, struct mm_struct *mm,
		    unsigned long start, unsigned long end);
void ht_window_reach(enum ht_window window, struct mm_struct *mm,
		     unsigned long start, unsigned long end);
int ht_current_event_kind(void);
void ht_windows_show(struct seq_file *m);
void ht_windows_counters(struct seq_file *m);
void ht_windows_summary(struct seq_file *m);
void ht_inflight_reset(void);
unsigned long ht_ops_not_followed(void);
size_t ht_inflight_footprint(void);

/* refcount_track.c */
void ht_folio_at(struct mm_struct *mm, struct vm_area_struct *vma,
		 struct hstate *h, unsigned long addr,
		 unsigned long *pfn, int *ref, int *map);
void ht_note_holders(struct ht_event *ev, struct mm_struct *mm, bool start);
void ht_check_folio(const struct ht_event *ev, const struct ht_rule_event *e);
void ht_thp_folio(struct folio *folio, struct ht_folio_delta *delta);
struct folio *ht_thp_mapped(struct mm_struct *mm, unsigned long addr);
struct folio *ht_thp_cached(struct address_space *mapping, pgoff_t index);
void ht_check_tails(const struct ht_event *ev);

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
bool ht_watch_sees(struct hstate *h);
void ht_watch_show_probes(struct seq_file *m);
void ht_writers_show(struct seq_file *m);

void ht_debugfs_init(void);
void ht_debugfs_exit(void);

#endif /* HUGETRACK_H */
