/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HT_EVENTS_H
#define HT_EVENTS_H

#include <linux/sched.h>
#include <linux/types.h>
#include <linux/wait.h>

#include "ht_rules.h"
#include "ht_stream.h"

struct hstate;
struct hugepage_subpool;
struct seq_file;

#define HT_NO_PFN	ULONG_MAX
#define HT_EVENT_LINE_MAX	384

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
	u8 flags;	/* HT_EVF_* (ht_rules.h) */
	u8 collapse;	/* HT_COLLAPSE_* (ht_stream.h), for kind collapse */
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

/* The life of an event, from probe context */
bool ht_event_wanted(void);
/* @h NULL: an event of no hstate (a THP collapse); the caller sets page_size. */
void ht_event_identify(struct ht_event *ev, enum ht_event_kind kind,
		       struct hstate *h);
void ht_event_begin(struct ht_event *ev, enum ht_event_kind kind,
		    struct hstate *h);
void ht_event_end(struct ht_event *ev, struct hstate *h);
void ht_event_subpool(struct ht_event *ev, struct hugepage_subpool *spool);
void ht_note_untracked_write(void);

int ht_events_init(void);
void ht_events_arm(void);
void ht_events_exit(void);

/* The events stream and the views (debugfs.c, report.c) */
extern struct wait_queue_head ht_events_wait;
int ht_events_next(struct ht_event *ev);
unsigned int ht_events_next_records(struct ht_event_rec *recs, unsigned int max);
bool ht_events_ready(void);
/* Events the stream has not read yet, of the ring's capacity. */
u64 ht_events_backlog(void);
u64 ht_events_capacity(void);
u64 ht_events_dropped(void);
long ht_task_faults_dropped(void);
void ht_recent_events_show(struct seq_file *m);
void ht_top_tasks_show(struct seq_file *m);
void ht_control_show(struct seq_file *m);
bool ht_events_recording(void);
void ht_events_set_recording(bool on);
void ht_events_set_filter(pid_t pid, const char *comm);
void ht_events_reset(void);
size_t ht_events_footprint(void);
u64 ht_events_loaded_ns(void);

/*
 * Marks around a walk that must see no hstate operation run (ledger.c): it
 * saw none if ht_events_quiet() is true of the mark taken before it.
 */
struct ht_quiet_mark {
	u64 started, untracked;
	int in_flight;
};

void ht_events_mark(struct ht_quiet_mark *mark);
bool ht_events_quiet(const struct ht_quiet_mark *before);

#endif /* HT_EVENTS_H */
