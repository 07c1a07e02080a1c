// SPDX-License-Identifier: GPL-2.0
/*
 * The life of an event: the task filter, its start and end as probe
 * handlers see them, the ring they publish it into without a lock, the
 * overlap and arming that say whose counters' deltas are whose, and the
 * rules judged at its end (rules.c).
 */
#include <linux/hash.h>
#include <linux/hugetlb.h>
#include <linux/irq_work.h>
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/seqlock.h>
#include <linux/wait.h>

#include "counters.h"
#include "events.h"
#include "format.h"
#include "hstates.h"
#include "inflight.h"
#include "ring.h"
#include "rules.h"

static unsigned int ring_size = 4096;
module_param(ring_size, uint, 0444);
MODULE_PARM_DESC(ring_size,
		 "Events the ring keeps for the events and faults files, a power of 2 from 64 to 1048576 [DEFAULT: 4096]");

#define RECENT_EVENTS	256
#define TASKS_BITS	6
#define TASKS_KEPT	(1 << TASKS_BITS)
/*
 * A process's slot is one of the TASKS_REACH from the hash of its pid, so
 * that a fault finds it in the same time however many processes faulted.
 */
#define TASKS_REACH	16
#define TOP_TASKS	5

/*
 * Faults by process, for the summary; a process whose slots are all taken
 * is counted apart.  A slot is never freed until reset: a pid's search
 * ends at its own slot or at a free one.
 */
struct task_faults {
	pid_t pid;	/* 0: a free slot */
	char comm[TASK_COMM_LEN];
	atomic_long_t faults;
};

static struct task_faults task_faults[TASKS_KEPT];
static atomic_long_t other_tasks_faults;
static u64 loaded_ns;

static struct ht_ring events;

/* The events file consumes: one cursor for all its readers. */
static DEFINE_MUTEX(consume_lock);
static u64 consume_next = 1;
static u64 consume_lost;

DECLARE_WAIT_QUEUE_HEAD(ht_events_wait);

/* Probe context cannot wake a reader (the waitqueue lock): defer it. */
static void wake_readers(struct irq_work *work)
{
	wake_up_interruptible(&ht_events_wait);
}

static DEFINE_IRQ_WORK(wake_work, wake_readers);

/*
 * The global counters move for every task: deltas are only ours alone.
 * Other events are seen by their start; writes outside any event (a page
 * freed at the TLB flush after a zap) by the watchpoint.
 */
static atomic_t in_flight = ATOMIC_INIT(0);
static atomic64_t started = ATOMIC64_INIT(0);
static atomic64_t untracked_writes = ATOMIC64_INIT(0);

/*
 * The number of the last operation begun before every probe and watchpoint
 * was armed: until then a write outside any event may go unseen, so no
 * event begun by then is judged.  Those begun after that overlap the
 * operations still in flight from before (in_flight, or the watchpoint's
 * untracked writes): the overlap rules cover them.
 */
static u64 armed_after = U64_MAX;
/* hugetlb_lock (hstates.c), at arming */
static spinlock_t *hugetlb_lock_p;

void ht_events_arm(void)
{
	hugetlb_lock_p = ht_hugetlb_lock();
	WRITE_ONCE(armed_after, atomic64_read(&started));
}

static bool event_armed(const struct ht_event *ev)
{
	return ev->started > READ_ONCE(armed_after);
}

void ht_note_untracked_write(void)
{
	atomic64_inc(&untracked_writes);
}

void ht_events_mark(struct ht_quiet_mark *mark)
{
	mark->in_flight = atomic_read(&in_flight);
	mark->started = atomic64_read(&started);
	mark->untracked = atomic64_read(&untracked_writes);
	/* before the walk's reads */
	smp_mb();
}

/*
 * None was in flight at @before or is now, none began since, and the
 * watchpoint saw no write of a watched counter outside one.
 */
bool ht_events_quiet(const struct ht_quiet_mark *before)
{
	struct ht_quiet_mark now;

	/* after the walk's reads */
	smp_mb();
	ht_events_mark(&now);
	return !before->in_flight && !now.in_flight &&
	       now.started == before->started && now.untracked == before->untracked;
}

static bool recording = true;
static DEFINE_SEQLOCK(filter_lock);
static pid_t filter_pid;
static char filter_comm[TASK_COMM_LEN];

bool ht_event_wanted(void)
{
	unsigned int seq;
	bool wanted;

	if (!READ_ONCE(recording))
		return false;
	do {
		seq = read_seqbegin(&filter_lock);
		wanted = (!filter_pid || filter_pid == current->tgid) &&
			 (!filter_comm[0] ||
			  !strncmp(filter_comm, current->comm, TASK_COMM_LEN));
	} while (read_seqretry(&filter_lock, seq));
	return wanted;
}

/*
 * Who, when, and the hstate's counters now.  Also called in the watchpoint's
 * #DB trap, an NMI-like context that may have interrupted a timekeeping
 * update on this CPU: the clock is the NMI-safe CLOCK_MONOTONIC reader.
 */
void ht_event_identify(struct ht_event *ev, enum ht_event_kind kind,
		       struct hstate *h)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	ev->time_ns = ktime_get_mono_fast_ns();
	ev->pid = current->tgid;
	ev->tid = current->pid;
	/*
	 * A task's comm is kept NUL-padded (__set_task_comm()): a copy of the
	 * whole array is the same bytes, without a string copy's scan.
	 */
	memcpy(ev->comm, current->comm, sizeof(ev->comm));
	ev->comm[sizeof(ev->comm) - 1] = '\0';
	ev->folio.pfn = HT_NO_PFN;
	if (!h) {
		ev->flags = HT_EVF_NO_HSTATE;
		return;
	}
	ev->page_size = huge_page_size(h);
	ev->resv_before = READ_ONCE(h->resv_huge_pages);
	ev->free_before = READ_ONCE(h->free_huge_pages);
	ev->resv_after = ev->resv_before;
	ev->free_after = ev->free_before;
}

/*
 * An event of no hstate changes no hugetlb counter: it neither overlaps
 * the others nor is overlapped.  Any other is counted in flight before the
 * counters are read, and judged at its end after they are read again: an
 * operation that wrote them in between cannot begin and end unseen in the
 * gap (fully ordered atomics).
 */
void ht_event_begin(struct ht_event *ev, enum ht_event_kind kind,
		    struct hstate *h)
{
	u64 untracked = 0, number;
	bool overlap = false;

	if (h) {
		untracked = atomic64_read(&untracked_writes);
		overlap = atomic_inc_return(&in_flight) > 1;
		number = atomic64_inc_return(&started);
	} else {
		number = atomic64_read(&started);
	}
	ht_event_identify(ev, kind, h);
	ev->started = number;
	ev->untracked = untracked;
	if (overlap)
		ev->flags |= HT_EVF_OVERLAP;
	ev->task_slot = ht_op_claim(kind, ev->started);
}

/*
 * Where a reservation change counts: made or dropped by a mapping's or a
 * file's life, consumed or given back by mapping (and, 6.7 on, unmapping)
 * a page.
 */
static void count_event(const struct ht_event *ev)
{
	struct ht_counters *c = this_cpu_ptr(&ht_cpu_counters);
	long delta = ev->resv_after - ev->resv_before;

	c->events[ev->kind]++;
	if (ev->kind == HT_EV_COLLAPSE) {
		if (ev->result >= 0 && ev->result < HT_SCAN_RESULTS_MAX)
			c->collapse_results[ev->result]++;
		c->collapse_new += ht_event_succeeded(ev);
	} else if (ht_kind_is_reservation_life(ev->kind)) {
		if (delta > 0)
			c->resv_reserved += delta;
		else
			c->resv_unreserved -= delta;
	} else if (delta < 0) {
		c->resv_consumed -= delta;
	} else {
		c->resv_restored += delta;
	}
}

/* Lockless like the hstate counters: each value is current. */
void ht_event_subpool(struct ht_event *ev, struct hugepage_subpool *spool)
{
	ev->spool = spool;
	if (!spool)
		return;
	ev->spool_used_before = READ_ONCE(spool->used_hpages);
	ev->spool_rsv_before = READ_ONCE(spool->rsv_hpages);
}

static void count_task_fault(const struct ht_event *ev)
{
	unsigned int i = hash_32(ev->pid, TASKS_BITS), n;
	struct task_faults *t;
	pid_t old;

	for (n = 0; n < TASKS_REACH; n++, i = (i + 1) & (TASKS_KEPT - 1)) {
		t = &task_faults[i];
		old = READ_ONCE(t->pid);
		if (!old) {
			old = cmpxchg(&t->pid, 0, ev->pid);
			if (!old) {
				memcpy(t->comm, ev->comm, TASK_COMM_LEN);
				old = ev->pid;
			}
		}
		if (old == ev->pid) {
			atomic_long_inc(&t->faults);
			return;
		}
	}
	atomic_long_inc(&other_tasks_faults);
}

/* The hstate's side of an event's end: its counters, and whether they are its own. */
static void end_hstate_event(struct ht_event *ev, struct hstate *h)
{
	ev->resv_after = READ_ONCE(h->resv_huge_pages);
	ev->free_after = READ_ONCE(h->free_huge_pages);
	if (ev->spool) {
		ev->spool_used_after = READ_ONCE(ev->spool->used_hpages);
		ev->spool_rsv_after = READ_ONCE(ev->spool->rsv_hpages);
	}
	/*
	 * The counters before the lock word: a write they show was made under
	 * hugetlb_lock, and counted before its release; held now, a writer
	 * may be between its write and its count (rules.c).
	 */
	smp_rmb();
	if (!hugetlb_lock_p || ht_spinlock_held(hugetlb_lock_p))
		ev->flags |= HT_EVF_LOCK_BUSY;
	/* after the counters and the lock word (fully ordered): see ht_event_begin() */
	if (atomic_dec_return(&in_flight) ||
	    atomic64_read(&started) != ev->started ||
	    atomic64_read(&untracked_writes) != ev->untracked)
		ev->flags |= HT_EVF_OVERLAP;
}

void ht_event_end(struct ht_event *ev, struct hstate *h)
{
	ht_op_release(ev->task_slot);
	if (h)
		end_hstate_event(ev, h);
	ev->duration_ns = ktime_get_mono_fast_ns() - ev->time_ns;
	ev->cpu = raw_smp_processor_id();
	ht_ring_publish(&events, ev);
	count_event(ev);
	if (ev->kind == HT_EV_FAULT)
		count_task_fault(ev);
	if (wq_has_sleeper(&ht_events_wait))
		irq_work_queue(&wake_work);
	ht_rules_judge(ev, h, event_armed(ev));
}

/* The stream's next event under consume_lock: 0, or -EAGAIN when there is none. */
static int consume_next_event(struct ht_event *ev)
{
	int err;

	lockdep_assert_held(&consume_lock);
	while ((err = ht_ring_read(&events, consume_next, &ev->seq)) == -ENOENT) {
		u64 oldest = ht_ring_oldest(&events);

		consume_lost += oldest - consume_next;
		consume_next = oldest;
	}
	if (!err)
		consume_next++;
	return err;
}

/* The events stream: 0 and the next event, or -EAGAIN when there is none. */
int ht_events_next(struct ht_event *ev)
{
	int err;

	mutex_lock(&consume_lock);
	err = consume_next_event(ev);
	mutex_unlock(&consume_lock);
	return err;
}

/* The same stream, up to @max events at once as records: how many. */
unsigned int ht_events_next_records(struct ht_event_rec *recs, unsigned int max)
{
	struct ht_event ev;
	unsigned int n = 0;

	mutex_lock(&consume_lock);
	while (n < max && !consume_next_event(&ev))
		ht_event_record(&recs[n++], &ev);
	mutex_unlock(&consume_lock);
	return n;
}

bool ht_events_ready(void)
{
	return ht_ring_head(&events) >= READ_ONCE(consume_next);
}

u64 ht_events_backlog(void)
{
	u64 head = ht_ring_head(&events), next = READ_ONCE(consume_next);

	return head >= next ? head - next + 1 : 0;
}

u64 ht_events_capacity(void)
{
	return ring_size;
}

/* Lost by the events stream: overwritten before it was read. */
u64 ht_events_dropped(void)
{
	u64 oldest, lost;

	mutex_lock(&consume_lock);
	oldest = ht_ring_oldest(&events);
	lost = consume_lost + (oldest > consume_next ? oldest - consume_next : 0);
	mutex_unlock(&consume_lock);
	return lost;
}

void ht_recent_events_show(struct seq_file *m)
{
	u64 head = ht_ring_head(&events), seq;
	struct ht_event ev;

	seq = head > RECENT_EVENTS ? head - RECENT_EVENTS + 1 : 1;
	for (; seq <= head; seq++)
		if (!ht_ring_read(&events, seq, &ev.seq))
			ht_seq_event(m, &ev);
}

void ht_control_show(struct seq_file *m)
{
	unsigned int seq;
	char comm[TASK_COMM_LEN];
	pid_t pid;

	do {
		seq = read_seqbegin(&filter_lock);
		pid = filter_pid;
		memcpy(comm, filter_comm, sizeof(comm));
	} while (read_seqretry(&filter_lock, seq));
	seq_printf(m, "recording %s\nfilter_pid %d\nfilter_comm %s\n",
		   READ_ONCE(recording) ? "enabled" : "disabled", pid,
		   comm[0] ? comm : "-");
}

void ht_top_tasks_show(struct seq_file *m)
{
	bool shown[TASKS_KEPT] = {};
	long best_faults, f;
	int i, n, best;

	seq_puts(m, "top tasks by faults:\n");
	for (n = 0; n < TOP_TASKS; n++) {
		best = -1;
		best_faults = 0;
		for (i = 0; i < TASKS_KEPT; i++) {
			f = atomic_long_read(&task_faults[i].faults);
			if (!shown[i] && READ_ONCE(task_faults[i].pid) && f > best_faults) {
				best = i;
				best_faults = f;
			}
		}
		if (best < 0)
			break;
		shown[best] = true;
		seq_printf(m, "  pid %d %s: %ld faults\n", task_faults[best].pid,
			   task_faults[best].comm, best_faults);
	}
	if (atomic_long_read(&other_tasks_faults))
		seq_printf(m, "  other tasks: %ld faults\n",
			   atomic_long_read(&other_tasks_faults));
}

void ht_events_set_filter(pid_t pid, const char *comm)
{
	write_seqlock(&filter_lock);
	filter_pid = pid;
	strscpy_pad(filter_comm, comm, sizeof(filter_comm));
	write_sequnlock(&filter_lock);
}

int ht_events_init(void)
{
	if (ring_size < 64 || ring_size > SZ_1M || !is_power_of_2(ring_size)) {
		pr_err("ring_size=%u: must be a power of 2 from 64 to 1048576\n", ring_size);
		return -EINVAL;
	}
	loaded_ns = ktime_get_ns();
	return ht_ring_init(&events, ring_size, sizeof(struct ht_event));
}

void ht_events_exit(void)
{
	irq_work_sync(&wake_work);
	ht_ring_free(&events);
}

u64 ht_events_loaded_ns(void)
{
	return loaded_ns;
}

bool ht_events_recording(void)
{
	return READ_ONCE(recording);
}

void ht_events_set_recording(bool on)
{
	WRITE_ONCE(recording, on);
}

long ht_task_faults_dropped(void)
{
	return atomic_long_read(&other_tasks_faults);
}

/*
 * What was overwritten unread until now is no longer counted as dropped;
 * the faults by process start again.
 */
void ht_events_reset(void)
{
	mutex_lock(&consume_lock);
	consume_lost = 0;
	consume_next = max(consume_next, ht_ring_oldest(&events));
	mutex_unlock(&consume_lock);
	memset(task_faults, 0, sizeof(task_faults));
	atomic_long_set(&other_tasks_faults, 0);
}

/* The ring and the faults by process, allocated at load. */
size_t ht_events_footprint(void)
{
	return ht_ring_footprint(&events) + sizeof(task_faults);
}
