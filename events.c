// SPDX-License-Identifier: GPL-2.0
/*
 * Events and anomalies: preallocated rings that probe handlers publish into
 * without a lock, the per-CPU counters, and the task filter.
 */
#include <linux/hugetlb.h>
#include <linux/irq_work.h>
#include <linux/kallsyms.h>
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/seqlock.h>
#include <linux/slab.h>
#include <linux/stacktrace.h>
#include <linux/utsname.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>

#include "hugetrack.h"

static unsigned int ring_size = 4096;
module_param(ring_size, uint, 0444);
MODULE_PARM_DESC(ring_size,
		 "Events the ring keeps for the events and faults files, a power of 2 from 64 to 1048576 [DEFAULT: 4096]");

#define RECENT_EVENTS	256
#define ANOMALIES_KEPT	64
#define STACK_DEPTH	16
#define TASKS_KEPT	64
#define TOP_TASKS	5

/*
 * A ring of fixed-size records, each starting with its u64 sequence number.
 * A writer claims a number, fills the slot and publishes the number last; a
 * reader copies the slot and checks the number again, so a record that was
 * overwritten while being copied is detected, never torn.
 */
struct ht_ring {
	void *slots;
	size_t record_size;
	u64 size;
	atomic64_t head;	/* the last number claimed; the first is 1 */
};

/*
 * The stack is symbolized when the anomaly is recorded: by the time it is
 * read, a module on it may be gone and its addresses reused.
 */
struct ht_anomaly {
	u64 seq;
	enum ht_rule rule;
	long expected, actual;
	unsigned int nr_frames;
	struct ht_event ev;
	char frames[STACK_DEPTH][HT_FRAME_LEN];
};

/* Too big for a probe's stack: built per CPU, then published. */
struct anomaly_scratch {
	bool busy;
	unsigned long stack[2 * STACK_DEPTH];
	char symbol[KSYM_SYMBOL_LEN];
	struct ht_anomaly record;
};

static DEFINE_PER_CPU(struct anomaly_scratch, anomaly_scratch);

struct ht_counters {
	unsigned long events[HT_EV_NR];
	unsigned long anomalies[HT_RULE_NR];
	unsigned long resv_reserved, resv_unreserved;
	unsigned long resv_consumed, resv_restored;
	unsigned long collapse_results[HT_SCAN_RESULTS_MAX];
	unsigned long collapse_new;	/* attempts that made a THP */
	unsigned long judged_resv, judged_ref;
	unsigned long unjudged[HT_UNJ_NR];
	/* anomalies counted but not kept: the record's scratch was in use */
	unsigned long anomalies_unrecorded;
};

/* Faults by process, for the summary; a full table counts the rest apart. */
struct task_faults {
	pid_t pid;	/* 0: a free slot */
	char comm[TASK_COMM_LEN];
	atomic_long_t faults;
};

static struct task_faults task_faults[TASKS_KEPT];
static atomic_long_t other_tasks_faults;
static u64 loaded_ns;

static struct ht_ring events, anomalies;
static DEFINE_PER_CPU(struct ht_counters, counters);

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
/* hugetlb_lock: not exported; found at arming */
static spinlock_t *hugetlb_lock_p;

void ht_events_arm(void)
{
	hugetlb_lock_p = (spinlock_t *)ht_lookup_name("hugetlb_lock");
	if (!hugetlb_lock_p)
		pr_warn("hugetlb_lock not in kallsyms: reservation deltas are not judged\n");
	WRITE_ONCE(armed_after, atomic64_read(&started));
}

bool ht_event_armed(const struct ht_event *ev)
{
	return ev->started > READ_ONCE(armed_after);
}

void ht_count_unjudged(enum ht_unjudged why)
{
	this_cpu_inc(counters.unjudged[why]);
}

void ht_count_judged_ref(void)
{
	this_cpu_inc(counters.judged_ref);
}

void ht_note_untracked_write(void)
{
	atomic64_inc(&untracked_writes);
}

static bool recording = true;
static DEFINE_SEQLOCK(filter_lock);
static pid_t filter_pid;
static char filter_comm[TASK_COMM_LEN];

const char *ht_event_kind_name(int kind)
{
	return kind >= 0 && kind < HT_EV_NR ? ht_kind_names[kind] : "none";
}

static const struct {
	HT_FAULT_BIT_T bit;
	const char *name;
} fault_bits[] = { VM_FAULT_RESULT_TRACE };

static int ring_init(struct ht_ring *ring, u64 size, size_t record_size)
{
	ring->slots = vzalloc(array_size(size, record_size));
	if (!ring->slots)
		return -ENOMEM;
	ring->size = size;
	ring->record_size = record_size;
	atomic64_set(&ring->head, 0);
	return 0;
}

static u64 *ring_slot(struct ht_ring *ring, u64 seq)
{
	return ring->slots + (seq & (ring->size - 1)) * ring->record_size;
}

/* Sets the record's sequence number, then publishes a copy of it. */
static void ring_publish(struct ht_ring *ring, u64 *record)
{
	u64 seq = atomic64_inc_return(&ring->head);
	u64 *slot = ring_slot(ring, seq);

	*record = seq;
	WRITE_ONCE(*slot, 0);
	/* readers see the slot unpublished before any byte of it changes */
	smp_wmb();
	memcpy(slot + 1, record + 1, ring->record_size - sizeof(u64));
	/* pairs with ring_read()'s acquire: the bytes before the number */
	smp_store_release(slot, seq);
}

/* 0: copied; -EAGAIN: not published yet; -ENOENT: overwritten. */
static int ring_read(struct ht_ring *ring, u64 seq, u64 *record)
{
	u64 *slot = ring_slot(ring, seq);

	/* pairs with ring_publish()'s release */
	if (smp_load_acquire(slot) != seq)
		goto missed;
	memcpy(record, slot, ring->record_size);
	/* the copy before the re-check: a writer that started since shows */
	smp_rmb();
	if (READ_ONCE(*slot) == seq)
		return 0;
missed:
	return atomic64_read(&ring->head) >= seq + ring->size ? -ENOENT : -EAGAIN;
}

static u64 ring_oldest(struct ht_ring *ring)
{
	u64 head = atomic64_read(&ring->head);

	return head >= ring->size ? head - ring->size + 1 : 1;
}

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
	strscpy_pad(ev->comm, current->comm, sizeof(ev->comm));
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

static bool succeeded(const struct ht_event *ev)
{
	return ht_event_ok(ev->kind, ev->flags, ev->result,
			   (__force unsigned long)(VM_FAULT_ERROR | VM_FAULT_RETRY),
			   ht_reserve_ok(ev->result));
}

/*
 * Where a reservation change counts: made or dropped by a mapping's or a
 * file's life, consumed or given back by mapping (and, 6.7 on, unmapping)
 * a page.
 */
static void count_event(const struct ht_event *ev)
{
	struct ht_counters *c = this_cpu_ptr(&counters);
	long delta = ev->resv_after - ev->resv_before;

	c->events[ev->kind]++;
	if (ev->kind == HT_EV_COLLAPSE) {
		if (ev->result >= 0 && ev->result < HT_SCAN_RESULTS_MAX)
			c->collapse_results[ev->result]++;
		c->collapse_new += succeeded(ev);
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

static void rule_event_of(const struct ht_event *ev, struct ht_rule_event *e)
{
	*e = (struct ht_rule_event) {
		.kind = ev->kind, .flags = ev->flags, .pages = ev->pages,
		.ok = succeeded(ev),
		.resv_before = ev->resv_before, .resv_after = ev->resv_after,
		.ref_before = ev->folio.ref_before, .ref_after = ev->folio.ref_after,
		.map_before = ev->folio.map_before, .map_after = ev->folio.map_after,
	};
}

/*
 * Why @ev's resv delta may hold another task's writes (ht_resv_unjudged()).
 * Every write of resv_huge_pages is made under hugetlb_lock (both kernels:
 * dequeue_hugetlb_folio_vma(), alloc_hugetlb_folio(), free_huge_folio(),
 * gather_surplus_pages(), return_unused_surplus_pages()), by a task either
 * in a tracked event (in_flight, started) or not (the watchpoint counts it
 * in untracked_writes, in its trap, before that lock is released).  So the
 * delta is the event's own when no other event ran meanwhile, no untracked
 * write was counted, the watchpoint was armed all along, and hugetlb_lock
 * was free once the counters were read (end_hstate_event()).  The same on
 * 6.1 and 6.12: neither writes the count outside hugetlb_lock.
 */
static enum ht_unjudged resv_unsettled(const struct ht_event *ev, struct hstate *h)
{
	return ht_resv_unjudged(ht_event_armed(ev), ev->flags, ht_watch_sees(h));
}

/* The global count moves for every task: only what is the event's own is judged. */
static void check_resv_delta(const struct ht_event *ev,
			     const struct ht_rule_event *e, struct hstate *h)
{
	enum ht_unjudged why = resv_unsettled(ev, h);
	struct ht_verdict v;

	if (why != HT_UNJ_NR) {
		ht_count_unjudged(why);
		return;
	}
	this_cpu_inc(counters.judged_resv);
	if (ht_rule_resv_delta(e, &v))
		ht_anomaly(v.rule, ev, v.expected, v.actual);
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
	struct task_faults *t;
	pid_t old;

	for (t = task_faults; t < task_faults + TASKS_KEPT; t++) {
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

/* The hstate's side of an event's end: its counters, and the rules on them. */
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
	 * may be between its write and its count (resv_unsettled()).
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

/*
 * The hstate's rules (ht_rules.h).  Above nr_huge_pages is judged by the
 * watchpoint alone, in the writer's hugetlb_lock section: read here, nr and
 * resv are two moments.
 */
static void check_hstate_event(const struct ht_event *ev,
			       const struct ht_rule_event *e, struct hstate *h)
{
	struct ht_verdict v;

	ht_hstate_note_resv(h, ev->resv_after);
	if (!ht_resv_wrapped(e))
		check_resv_delta(ev, e, h);
	else if (ht_rule_resv_underflow(e, &v))
		ht_anomaly(v.rule, ev, v.expected, v.actual);
}

void ht_event_end(struct ht_event *ev, struct hstate *h)
{
	struct ht_rule_event e;
	unsigned int checks;

	ht_op_release(ev->task_slot);
	if (h)
		end_hstate_event(ev, h);
	ev->duration_ns = ktime_get_mono_fast_ns() - ev->time_ns;
	ev->cpu = raw_smp_processor_id();
	ring_publish(&events, &ev->seq);
	count_event(ev);
	if (ev->kind == HT_EV_FAULT)
		count_task_fault(ev);
	if (wq_has_sleeper(&ht_events_wait))
		irq_work_queue(&wake_work);

	rule_event_of(ev, &e);
	if (h)
		check_hstate_event(ev, &e, h);
	checks = ht_folio_checks(&e, ev->folio.pfn != HT_NO_PFN);
	if (checks & HT_CHECK_REFS)
		ht_check_folio(ev, &e);
	if (checks & HT_CHECK_TAILS)
		ht_check_tails(ev);
}

/*
 * @ip as "symbol+off/size [module]" in @frame, or "?" where it has no
 * symbol (a trampoline): never a raw address.  Named when seen, since a
 * module on a stack may be gone by the time it is read.  @scratch holds
 * KSYM_SYMBOL_LEN bytes.
 */
void ht_symbolize(unsigned long ip, char *scratch, char *frame)
{
	sprint_symbol(scratch, ip);
	strscpy(frame, str_has_prefix(scratch, "0x") ? "?" : scratch, HT_FRAME_LEN);
}

/*
 * Records @rule for @ev with the current stack, from @from_ip down when it
 * is on it (a trap's interrupted instruction), and says so in dmesg.
 */
void ht_anomaly_at(enum ht_rule rule, const struct ht_event *ev, long expected,
		   long actual, unsigned long from_ip)
{
	struct anomaly_scratch *scratch;
	struct ht_anomaly *a;
	unsigned int i, first = 0, nr;
	unsigned long flags;

	this_cpu_inc(counters.anomalies[rule]);
	pr_warn_ratelimited("anomaly %s: pid %d (%s) %s at %#lx: expected %ld, got %ld\n",
			    ht_rule_names[rule], ev->pid, ev->comm,
			    ht_kind_names[ev->kind], ev->address, expected, actual);
	local_irq_save(flags);
	scratch = this_cpu_ptr(&anomaly_scratch);
	if (scratch->busy) {
		this_cpu_inc(counters.anomalies_unrecorded);
		goto out;
	}
	scratch->busy = true;
	nr = stack_trace_save(scratch->stack, ARRAY_SIZE(scratch->stack), 2);
	for (i = 0; from_ip && i < nr; i++)
		if (scratch->stack[i] == from_ip)
			first = i;
	a = &scratch->record;
	a->rule = rule;
	a->expected = expected;
	a->actual = actual;
	a->ev = *ev;
	for (a->nr_frames = 0; first + a->nr_frames < nr && a->nr_frames < STACK_DEPTH;
	     a->nr_frames++)
		ht_symbolize(scratch->stack[first + a->nr_frames], scratch->symbol,
			     a->frames[a->nr_frames]);
	ring_publish(&anomalies, &a->seq);
	scratch->busy = false;
out:
	local_irq_restore(flags);
}

void ht_anomaly(enum ht_rule rule, const struct ht_event *ev, long expected,
		long actual)
{
	ht_anomaly_at(rule, ev, expected, actual, 0);
}

static void format_result(struct seq_buf *s, const struct ht_event *ev)
{
	const char *sep = "";
	int i;

	if (ev->kind == HT_EV_COLLAPSE && ht_scan_result_name(ev->result)) {
		seq_buf_printf(s, " result=%s", ht_scan_result_name(ev->result));
		return;
	}
	if (ev->kind != HT_EV_FAULT || !ev->result) {
		seq_buf_printf(s, " result=%ld", ev->result);
		return;
	}
	seq_buf_printf(s, "%s", " result=");
	for (i = 0; i < ARRAY_SIZE(fault_bits); i++) {
		if (ev->result & (__force long)fault_bits[i].bit) {
			seq_buf_printf(s, "%s%s", sep, fault_bits[i].name);
			sep = "|";
		}
	}
	if (!*sep)
		seq_buf_printf(s, "%#lx", ev->result);
}

/* @comm made safe to split on spaces and '=', into @safe. */
void ht_safe_comm(char *safe, const char *comm)
{
	int i;

	for (i = 0; i < TASK_COMM_LEN; i++)
		safe[i] = comm[i] == ' ' || comm[i] == '=' ? '_' : comm[i];
	safe[TASK_COMM_LEN - 1] = '\0';
}

/* The keys only a collapse has, before dur_ns. */
static void format_collapse(struct seq_buf *s, const struct ht_event *ev)
{
	seq_buf_printf(s, " path=%s owner=%d uffd=%d file=%d",
		       ev->collapse & HT_COLLAPSE_KHUGEPAGED ? "khugepaged" : "madvise",
		       ev->owner, !!(ev->collapse & HT_COLLAPSE_UFFD),
		       !!(ev->collapse & HT_COLLAPSE_FILE));
}

/* One line, key=value. */
void ht_event_format(struct seq_buf *s, const struct ht_event *ev)
{
	char comm[TASK_COMM_LEN];

	ht_safe_comm(comm, ev->comm);
	seq_buf_printf(s, "seq=%llu time_ns=%llu cpu=%u pid=%d tid=%d comm=%s kind=%s page_kb=%lu addr=%#lx pages=%ld",
		       ev->seq, ev->time_ns, ev->cpu, ev->pid, ev->tid, comm,
		       ht_kind_names[ev->kind], ev->page_size / SZ_1K, ev->address,
		       ev->pages);
	format_result(s, ev);
	if (ev->flags & HT_EVF_NO_HSTATE)
		seq_buf_printf(s, "%s", " resv=- free=-");
	else
		seq_buf_printf(s, " resv=%ld->%ld free=%ld->%ld", ev->resv_before,
			       ev->resv_after, ev->free_before, ev->free_after);
	if (ev->spool)
		seq_buf_printf(s, " spool_used=%ld->%ld spool_rsv=%ld->%ld",
			       ev->spool_used_before, ev->spool_used_after,
			       ev->spool_rsv_before, ev->spool_rsv_after);
	else
		seq_buf_printf(s, "%s", " spool_used=- spool_rsv=-");
	if (ev->folio.pfn == HT_NO_PFN)
		seq_buf_printf(s, "%s", " pfn=- ref=- map=-");
	else
		seq_buf_printf(s, " pfn=%#lx ref=%d->%d map=%d->%d", ev->folio.pfn,
			       ev->folio.ref_before, ev->folio.ref_after,
			       ev->folio.map_before, ev->folio.map_after);
	seq_buf_printf(s, " flags=%s%s%s",
		       ev->flags & HT_EVF_SHARED ? "shared" : "private",
		       ev->flags & HT_EVF_NEW_FOLIO ? ",new" : "",
		       ev->flags & HT_EVF_OVERLAP ? ",overlap" : "");
	if (ev->kind == HT_EV_COLLAPSE)
		format_collapse(s, ev);
	seq_buf_printf(s, " dur_ns=%llu\n", ev->duration_ns);
}

static void seq_event(struct seq_file *m, const struct ht_event *ev)
{
	char line[HT_EVENT_LINE_MAX];
	struct seq_buf s;

	seq_buf_init(&s, line, sizeof(line));
	ht_event_format(&s, ev);
	seq_write(m, line, seq_buf_used(&s));
}

/* The events stream: 0 and the next event, or -EAGAIN when there is none. */
int ht_events_next(struct ht_event *ev)
{
	int err;

	mutex_lock(&consume_lock);
	while ((err = ring_read(&events, consume_next, &ev->seq)) == -ENOENT) {
		u64 oldest = ring_oldest(&events);

		consume_lost += oldest - consume_next;
		consume_next = oldest;
	}
	if (!err)
		consume_next++;
	mutex_unlock(&consume_lock);
	return err;
}

bool ht_events_ready(void)
{
	return atomic64_read(&events.head) >= READ_ONCE(consume_next);
}

/* Lost by the events stream: overwritten before it was read. */
static u64 events_dropped(void)
{
	u64 oldest, lost;

	mutex_lock(&consume_lock);
	oldest = ring_oldest(&events);
	lost = consume_lost + (oldest > consume_next ? oldest - consume_next : 0);
	mutex_unlock(&consume_lock);
	return lost;
}

void ht_recent_events_show(struct seq_file *m)
{
	u64 head = atomic64_read(&events.head), seq;
	struct ht_event ev;

	seq = head > RECENT_EVENTS ? head - RECENT_EVENTS + 1 : 1;
	for (; seq <= head; seq++)
		if (!ring_read(&events, seq, &ev.seq))
			seq_event(m, &ev);
}

void ht_anomalies_show(struct seq_file *m)
{
	u64 head = atomic64_read(&anomalies.head), seq;
	struct ht_anomaly *a;
	unsigned int i;

	/* too big for the stack */
	a = kmalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return;
	for (seq = ring_oldest(&anomalies); seq <= head; seq++) {
		if (ring_read(&anomalies, seq, &a->seq))
			continue;
		seq_printf(m, "anomaly=%llu rule=%s expected=%ld actual=%ld ", a->seq,
			   ht_rule_names[a->rule], a->expected, a->actual);
		seq_event(m, &a->ev);
		for (i = 0; i < a->nr_frames; i++)
			seq_printf(m, "  %s\n", a->frames[i]);
	}
	kfree(a);
}

/* Recorded but not kept: overwritten in the ring, or never written to it. */
static unsigned long anomalies_dropped(const struct ht_counters *sum)
{
	u64 head = atomic64_read(&anomalies.head);

	return sum->anomalies_unrecorded +
	       (head > anomalies.size ? head - anomalies.size : 0);
}

static void sum_counters(struct ht_counters *sum)
{
	const unsigned long *src;
	unsigned long *dst = (unsigned long *)sum;
	unsigned int cpu, i;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		src = (const unsigned long *)per_cpu_ptr(&counters, cpu);
		for (i = 0; i < sizeof(*sum) / sizeof(long); i++)
			dst[i] += src[i];
	}
}

static void show_collapse_counters(struct seq_file *m, const struct ht_counters *sum)
{
	unsigned long attempts = sum->events[HT_EV_COLLAPSE];
	unsigned long ok = sum->collapse_new;
	unsigned int i;

	seq_printf(m, "collapse_attempts %lu\ncollapse_succeeded %lu\ncollapse_failed %lu\n",
		   attempts, ok, attempts - ok);
	for (i = 0; ht_scan_result_name(i); i++)
		seq_printf(m, "collapse_result_%s %lu\n", ht_scan_result_name(i),
			   sum->collapse_results[i]);
}

void ht_counters_show(struct seq_file *m)
{
	struct ht_counters sum;
	unsigned int i;

	sum_counters(&sum);
	for (i = 0; i < HT_EV_NR; i++)
		seq_printf(m, "events_%s %lu\n", ht_kind_names[i], sum.events[i]);
	seq_printf(m, "events_dropped %llu\n", events_dropped());
	seq_printf(m, "resv_reserved %lu\n", sum.resv_reserved);
	seq_printf(m, "resv_unreserved %lu\n", sum.resv_unreserved);
	seq_printf(m, "resv_consumed %lu\n", sum.resv_consumed);
	seq_printf(m, "resv_restored %lu\n", sum.resv_restored);
	for (i = 0; i < HT_RULE_NR; i++)
		seq_printf(m, "anomaly_%s %lu\n", ht_rule_names[i], sum.anomalies[i]);
	show_collapse_counters(m, &sum);
	ht_windows_counters(m);
	seq_printf(m, "judged_resv %lu\njudged_ref %lu\n", sum.judged_resv, sum.judged_ref);
	for (i = 0; i < HT_UNJ_NR; i++)
		seq_printf(m, "unjudged_%s %lu\n", ht_unjudged_names[i], sum.unjudged[i]);
	seq_printf(m, "not_followed %lu\nanomalies_dropped %lu\ntask_faults_dropped %ld\n",
		   ht_ops_not_followed(), anomalies_dropped(&sum),
		   atomic_long_read(&other_tasks_faults));
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

static void show_top_tasks(struct seq_file *m)
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

static void show_collapse_summary(struct seq_file *m, const struct ht_counters *sum)
{
	const char *sep = ": ";
	unsigned int i;

	seq_printf(m, "collapse: %lu attempts, %lu made a THP; results",
		   sum->events[HT_EV_COLLAPSE], sum->collapse_new);
	for (i = 0; ht_scan_result_name(i); i++) {
		if (sum->collapse_results[i]) {
			seq_printf(m, "%s%s %lu", sep, ht_scan_result_name(i),
				   sum->collapse_results[i]);
			sep = ", ";
		}
	}
	seq_puts(m, "\n");
}

/* "judged: resv 4, ref 2; unjudged 3: overlap 2, mm_users 1" */
static void show_judgements(struct seq_file *m, const struct ht_counters *sum)
{
	unsigned long total = 0;
	const char *sep = ": ";
	unsigned int i;

	for (i = 0; i < HT_UNJ_NR; i++)
		total += sum->unjudged[i];
	seq_printf(m, "judged: resv %lu, ref %lu; unjudged %lu", sum->judged_resv,
		   sum->judged_ref, total);
	for (i = 0; i < HT_UNJ_NR; i++) {
		if (sum->unjudged[i]) {
			seq_printf(m, "%s%s %lu", sep, ht_unjudged_names[i], sum->unjudged[i]);
			sep = ", ";
		}
	}
	seq_puts(m, "\n");
}

/* What the module allocated at load; it allocates nothing after. */
static size_t footprint(void)
{
	return events.size * events.record_size +
	       anomalies.size * anomalies.record_size +
	       num_possible_cpus() * (sizeof(struct anomaly_scratch) +
				      sizeof(struct ht_counters)) +
	       sizeof(task_faults) + ht_probes_footprint() +
	       ht_inflight_footprint();
}

void ht_summary_show(struct seq_file *m)
{
	struct ht_counters sum;
	unsigned long total = 0;
	unsigned int i;

	sum_counters(&sum);
	seq_printf(m, "hugetrack %s on %s, loaded %llu s ago, %zu bytes preallocated\n",
		   HUGETRACK_VERSION, init_utsname()->release,
		   (ktime_get_ns() - loaded_ns) / NSEC_PER_SEC, footprint());
	seq_printf(m, "recording %s, events dropped %llu\n",
		   READ_ONCE(recording) ? "enabled" : "disabled", events_dropped());
	ht_hstates_summary(m);
	for (i = 0; i < HT_RULE_NR; i++)
		total += sum.anomalies[i];
	seq_printf(m, "anomalies: %lu", total);
	for (i = 0; i < HT_RULE_NR; i++)
		if (sum.anomalies[i])
			seq_printf(m, ", %s %lu", ht_rule_names[i], sum.anomalies[i]);
	seq_puts(m, "\n");
	show_judgements(m, &sum);
	seq_printf(m, "capacity: not followed %lu operations, anomalies dropped %lu, task faults dropped %ld\n",
		   ht_ops_not_followed(), anomalies_dropped(&sum),
		   atomic_long_read(&other_tasks_faults));
	show_collapse_summary(m, &sum);
	ht_windows_summary(m);
	show_top_tasks(m);
}

static void reset_counters(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		memset(per_cpu_ptr(&counters, cpu), 0, sizeof(struct ht_counters));
	atomic64_set(&anomalies.head, 0);
	memset(anomalies.slots, 0, anomalies.size * anomalies.record_size);
	/* what was overwritten unread until now is no longer counted as dropped */
	mutex_lock(&consume_lock);
	consume_lost = 0;
	consume_next = max(consume_next, ring_oldest(&events));
	mutex_unlock(&consume_lock);
	memset(task_faults, 0, sizeof(task_faults));
	atomic_long_set(&other_tasks_faults, 0);
	ht_hstates_reset_range();
	ht_inflight_reset();
}

static void set_filter(pid_t pid, const char *comm)
{
	write_seqlock(&filter_lock);
	filter_pid = pid;
	strscpy_pad(filter_comm, comm, sizeof(filter_comm));
	write_sequnlock(&filter_lock);
}

/*
 * One command, whole: "reset", "enable", "disable", "filter pid <n>",
 * "filter comm <name>", "filter clear".  Anything else is -EINVAL and changes
 * nothing.
 */
int ht_control_write(const char *cmd)
{
	const char *arg;
	int pid;

	if (!strcmp(cmd, "reset")) {
		reset_counters();
	} else if (!strcmp(cmd, "enable") || !strcmp(cmd, "disable")) {
		WRITE_ONCE(recording, cmd[0] == 'e');
	} else if (!strcmp(cmd, "filter clear")) {
		set_filter(0, "");
	} else if (str_has_prefix(cmd, "filter pid ")) {
		arg = cmd + strlen("filter pid ");
		if (*arg == '+' || kstrtoint(arg, 10, &pid) || pid <= 0)
			return -EINVAL;
		set_filter(pid, "");
	} else if (str_has_prefix(cmd, "filter comm ")) {
		arg = cmd + strlen("filter comm ");
		if (!*arg || strlen(arg) >= TASK_COMM_LEN || strpbrk(arg, " \t\n"))
			return -EINVAL;
		set_filter(0, arg);
	} else {
		return -EINVAL;
	}
	return 0;
}

int ht_events_init(void)
{
	int err;

	if (ring_size < 64 || ring_size > SZ_1M || !is_power_of_2(ring_size)) {
		pr_err("ring_size=%u: must be a power of 2 from 64 to 1048576\n", ring_size);
		return -EINVAL;
	}
	err = ring_init(&events, ring_size, sizeof(struct ht_event));
	if (err)
		return err;
	err = ring_init(&anomalies, ANOMALIES_KEPT, sizeof(struct ht_anomaly));
	if (err)
		vfree(events.slots);
	loaded_ns = ktime_get_ns();
	return err;
}

void ht_events_exit(void)
{
	irq_work_sync(&wake_work);
	vfree(anomalies.slots);
	vfree(events.slots);
}
