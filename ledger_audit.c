// SPDX-License-Identifier: GPL-2.0
/*
 * The ledger's audits: soon after each operation that can change who holds
 * a reservation, a walk of every holder (ledger.c) from a workqueue, in
 * process context.  Each operation since the last judged audit is kept, with
 * its stack where it can matter, as a suspect; a judged audit that finds the
 * ledger worse than the last one did flags each suspect that could have done
 * it, which names the call rather than the umount minutes later.
 *
 * A walk during which any operation ran, that a reserve map's region_chg()
 * in progress makes incomparable, or that ended with a hugetlb fault mutex
 * held (ledger.c), is not judged: the audit is retried.  A
 * difference is flagged only when a second judged walk, AUDIT_CONFIRM_MS
 * later with no operation in between, shows it too: a page freed at the TLB
 * flush after a zap, outside any event, gives its reservation back a moment
 * after the zap took it out of the reserve map.
 */
#include <linux/delay.h>
#include <linux/hugetlb.h>
#include <linux/kdev_t.h>
#include <linux/kprobes.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/stacktrace.h>
#include <linux/workqueue.h>

#include "anomaly.h"
#include "events.h"
#include "hstates.h"
#include "ledger.h"
#include "ledger_audit.h"
#include "ring.h"

static unsigned int audit_ms = 20;
module_param(audit_ms, uint, 0444);
MODULE_PARM_DESC(audit_ms, "Audit the reservation ledger this long after an operation that can change ownership, up to 10000; 0: never [DEFAULT: 20]");

#define AUDIT_MS_MAX		10000
#define SUSPECTS_KEPT		64
#define SUSPECT_FRAMES		16
#define AUDIT_TRIES		8
#define AUDIT_CONFIRM_MS	50

struct suspect {
	u64 seq;
	unsigned int nr_frames;
	unsigned long stack[SUSPECT_FRAMES];
	struct ht_event ev;
};

static struct ht_ring suspects;
/*
 * The audit's storage, allocated at load: a freed walk each audit would
 * churn the slab (on a KASAN kernel, fill its quarantine) at a million
 * events.  One audit runs at a time: a work item never runs concurrently
 * with itself.
 */
static struct ht_ledger *walks;
static struct suspect suspect_read;
/* Suspects up to this one were cleared by a judged audit. */
static u64 suspects_cleared;

/* What the last judged audit found, by hstate: the baseline of the next. */
static long last_diff[HUGE_MAX_HSTATE], last_lost[HUGE_MAX_HSTATE];
static long last_used_diff[HUGE_MAX_HSTATE];
/* Reservation anomalies the per-event rules had flagged at that audit */
static unsigned long last_resv_anomalies;

static bool audits_armed;
/* Unjudged audits in a row since a suspect arrived at tried_head */
static unsigned int tries;
static u64 tried_head;
static atomic_long_t audits, audits_judged, audits_unjudged, suspects_dropped;

static void audit(struct work_struct *work);
static DECLARE_DELAYED_WORK(audit_work, audit);

/*
 * From an operation to its audit: audit_ms, or 9 times the last walk's
 * length if that is longer, so that audits take a tenth of a CPU at most
 * however many tasks and mappings there are to walk.
 */
static unsigned long audit_delay;

static void set_audit_delay(u64 walk_ns)
{
	WRITE_ONCE(audit_delay, max(msecs_to_jiffies(audit_ms),
				    nsecs_to_jiffies(9 * walk_ns)));
}

/*
 * The operations that can change who holds a reservation, and the fills
 * that fail (their error paths give back what they took).
 */
static bool changes_ownership(const struct ht_event *ev)
{
	switch (ev->kind) {
	case HT_EV_RESERVE:
	case HT_EV_UNRESERVE:
	case HT_EV_VMA_CLOSE:
	case HT_EV_ZAP:
	case HT_EV_FORK_COPY:
	case HT_EV_TRUNCATE:
	case HT_EV_HOLE_PUNCH:
	case HT_EV_SUBPOOL_NEW:
	case HT_EV_SUBPOOL_PUT:
		return true;
	case HT_EV_FAULT:
		return ev->result & (__force long)VM_FAULT_ERROR;
	case HT_EV_UFFD_COPY:
	case HT_EV_UFFD_CONTINUE:
		return ev->result < 0;
	default:
		return false;
	}
}

/*
 * Worth its stack: an operation that moved a count the ledger reconciles,
 * failed (its error path gives back), or was on a private mapping (whose
 * reserve map is the VMA's: a zap that loses a page moves no count).  The
 * others (a shared file's mapping made or unmade, its pages reserved
 * already) are most of a workload's and named by their event alone: the
 * unwind is what a suspect costs (docs/bench.md).
 */
static bool worth_a_stack(const struct ht_event *ev)
{
	if (ev->kind == HT_EV_RESERVE ? !ht_reserve_ok(ev->result) : ev->result)
		return true;
	return !(ev->flags & HT_EVF_SHARED) || ev->resv_before != ev->resv_after ||
	       ev->spool_used_before != ev->spool_used_after ||
	       ev->spool_rsv_before != ev->spool_rsv_after;
}

void ht_ledger_note(const struct ht_event *ev)
{
	struct suspect *s;
	u64 seq;

	if (!READ_ONCE(audits_armed) || !changes_ownership(ev))
		return;
	s = container_of(ht_ring_claim(&suspects, &seq), struct suspect, seq);
	s->ev = *ev;
	s->nr_frames = worth_a_stack(ev) ?
		       stack_trace_save(s->stack, ARRAY_SIZE(s->stack), 2) : 0;
	/* pairs with ht_ring_read()'s acquire */
	smp_store_release(&s->seq, seq);
	/* a no-op while one is pending: audits coalesce */
	queue_delayed_work(system_unbound_wq, &audit_work, READ_ONCE(audit_delay));
}
NOKPROBE_SYMBOL(ht_ledger_note);

/* What an audit found worse, and of which holder. */
struct finding {
	enum ht_rule rule;
	long expected, actual;
	struct hstate *h;
	const struct ht_ledger_tally *t;
	char holder[HT_HOLDER_LEN];
};

/*
 * Could @ev have done it?  An operation of another hstate could not; nor,
 * for a page lost, one that maps or frees no page of a mapping (a truncate
 * or hole punch unmaps through zaps of their own), or one outside the
 * mapping (a zap names the range it zapped).
 */
static bool could_have(const struct finding *f, const struct ht_event *ev)
{
	const struct ht_ledger_tally *t = f->t;

	if (ev->page_size != huge_page_size(f->h))
		return false;
	if (f->rule != HT_RULE_RESV_LOST)
		return true;
	switch (ev->kind) {
	case HT_EV_RESERVE:
	case HT_EV_UNRESERVE:
	case HT_EV_VMA_CLOSE:
	case HT_EV_SUBPOOL_NEW:
	case HT_EV_SUBPOOL_PUT:
	case HT_EV_TRUNCATE:
	case HT_EV_HOLE_PUNCH:
		return false;
	default:
		return ev->address < t->lost_end &&
		       ev->address + max(ev->pages, 1L) * ev->page_size > t->lost_start;
	}
}

/*
 * Flags @f on each suspect since the last judged audit, up to @head, that
 * could have done it; on every one if none could (nothing goes unnamed).
 */
static void flag_suspects(const struct finding *f, u64 head)
{
	u64 first = max(suspects_cleared + 1, ht_ring_oldest(&suspects)), seq;
	unsigned int pass, flagged = 0;
	struct suspect *s = &suspect_read;

	for (pass = 0; pass < 2 && !flagged; pass++)
		for (seq = first; seq <= head; seq++) {
			if (ht_ring_read(&suspects, seq, &s->seq) ||
			    (!pass && !could_have(f, &s->ev)))
				continue;
			ht_anomaly_of(f->rule, &s->ev, f->expected, f->actual, f->holder,
				      s->stack, s->nr_frames);
			flagged++;
		}
}

static unsigned long resv_anomalies(void)
{
	return ht_anomalies_fired(HT_RULE_RESV_UNDERFLOW) +
	       ht_anomalies_fired(HT_RULE_RESV_DOUBLE_CONSUME) +
	       ht_anomalies_fired(HT_RULE_RESV_UNEXPECTED_DELTA);
}

/* Walks; true if judged, with what it found in @ledger. */
static bool judged_walk(struct ht_ledger *ledger)
{
	u64 start = ktime_get_ns();
	struct hstate *h;
	int i;

	ht_ledger_walk(ledger, NULL);
	set_audit_delay(ktime_get_ns() - start);
	atomic_long_inc(&audits);
	for (i = 0; (h = ht_hstate(i)); i++)
		if (!ht_ledger_judged(ledger, &ledger->tally[i]))
			goto unjudged;
	if (ledger->unvisited)
		goto unjudged;
	atomic_long_inc(&audits_judged);
	return true;
unjudged:
	atomic_long_inc(&audits_unjudged);
	return false;
}

/* What @t, hstate @i's now, shows worse than the last judged audit did */
static bool diff_worse(const struct ht_ledger_tally *t, int i)
{
	long diff = t->global - t->sum;

	return diff && diff != last_diff[i];
}

static bool lost_worse(const struct ht_ledger_tally *t, int i)
{
	return t->lost > last_lost[i];
}

static bool used_worse(const struct ht_ledger_tally *t, int i)
{
	return t->used_diff > max(last_used_diff[i], 0L);
}

static bool worse(const struct ht_ledger *now, int i)
{
	const struct ht_ledger_tally *t = &now->tally[i];

	return diff_worse(t, i) || lost_worse(t, i) || used_worse(t, i);
}

/*
 * Flags what got worse for hstate @i.  A difference in the global count that
 * the per-event rules flagged at its call since the last audit was named
 * there: it is not flagged again on the suspects that merely followed it.
 */
static void judge(const struct ht_ledger *now, int i, bool resv_flagged, u64 head)
{
	const struct ht_ledger_tally *t = &now->tally[i];
	struct finding f = { .h = ht_hstate(i), .t = t };
	long diff = t->global - t->sum;

	if (diff_worse(t, i) && !resv_flagged) {
		f.rule = diff > 0 ? HT_RULE_RESV_LEAK : HT_RULE_RESV_DEFICIT;
		f.expected = t->sum;
		f.actual = t->global;
		snprintf(f.holder, sizeof(f.holder), "hstate:%s", f.h->name);
		flag_suspects(&f, head);
	}
	if (lost_worse(t, i)) {
		f.rule = HT_RULE_RESV_LOST;
		f.expected = last_lost[i];
		f.actual = t->lost;
		snprintf(f.holder, sizeof(f.holder), "private:%d:0x%lx-0x%lx",
			 t->lost_pid, t->lost_start, t->lost_end);
		flag_suspects(&f, head);
	}
	if (used_worse(t, i)) {
		f.rule = HT_RULE_SUBPOOL_USED_LEAK;
		f.expected = max(last_used_diff[i], 0L);
		f.actual = t->used_diff;
		snprintf(f.holder, sizeof(f.holder), "subpool:%u:%u",
			 MAJOR(t->used_dev), MINOR(t->used_dev));
		flag_suspects(&f, head);
	}
	last_diff[i] = diff;
	last_lost[i] = t->lost;
	last_used_diff[i] = t->used_diff;
}

static void retry(void)
{
	if (++tries < AUDIT_TRIES)
		queue_delayed_work(system_unbound_wq, &audit_work,
				   READ_ONCE(audit_delay) << tries);
}

static void audit(struct work_struct *work)
{
	struct ht_ledger *now = &walks[0], *again = &walks[1];
	unsigned long resv_flagged;
	bool confirm = false;
	u64 head;
	int i;

	head = ht_ring_head(&suspects);
	if (head != tried_head)
		tries = 0;
	tried_head = head;
	if (!judged_walk(now)) {
		retry();
		return;
	}
	for (i = 0; ht_hstate(i); i++)
		confirm |= worse(now, i);
	if (confirm) {
		msleep(AUDIT_CONFIRM_MS);
		if (!judged_walk(again) || ht_ring_head(&suspects) != head ||
		    memcmp(again->tally, now->tally, sizeof(now->tally))) {
			retry();
			return;
		}
	}
	tries = 0;
	/*
	 * After the walks: an event leaves the in-flight count before its
	 * per-event rules run, so a quiet walk can show what a fault did
	 * before its anomaly is counted.  The rest of its handler runs with
	 * preemption off, done long before the confirmation's walk, which a
	 * difference needs (worse()).
	 */
	resv_flagged = resv_anomalies();
	for (i = 0; ht_hstate(i); i++)
		judge(now, i, resv_flagged != last_resv_anomalies, head);
	last_resv_anomalies = resv_flagged;
	/* the suspects overwritten before this audit could read them */
	if (ht_ring_oldest(&suspects) > suspects_cleared + 1)
		atomic_long_add(ht_ring_oldest(&suspects) - suspects_cleared - 1,
				&suspects_dropped);
	suspects_cleared = head;
}

int ht_ledger_audit_init(void)
{
	int err;

	if (audit_ms > AUDIT_MS_MAX) {
		pr_err("audit_ms=%u: must be from 0 to %u\n", audit_ms, AUDIT_MS_MAX);
		return -EINVAL;
	}
	walks = kmalloc_array(2, sizeof(*walks), GFP_KERNEL);
	if (!walks)
		return -ENOMEM;
	err = ht_ring_init(&suspects, SUSPECTS_KEPT, sizeof(struct suspect));
	if (err)
		kfree(walks);
	return err;
}

void ht_ledger_audit_arm(void)
{
	if (!audit_ms)
		return;
	set_audit_delay(0);
	WRITE_ONCE(audits_armed, true);
	queue_delayed_work(system_unbound_wq, &audit_work, 0);
}

/* After the probes are gone: no suspect can queue it again. */
void ht_ledger_audit_exit(void)
{
	WRITE_ONCE(audits_armed, false);
	cancel_delayed_work_sync(&audit_work);
	ht_ring_free(&suspects);
	kfree(walks);
}

void ht_ledger_audit_counters(struct seq_file *m)
{
	seq_printf(m, "ledger_audits %ld\nledger_audits_judged %ld\nledger_audits_unjudged %ld\n",
		   atomic_long_read(&audits), atomic_long_read(&audits_judged),
		   atomic_long_read(&audits_unjudged));
}

void ht_ledger_audit_state(struct seq_file *m)
{
	seq_printf(m, "ledger_audit %s\n", !audit_ms ? "off" :
		   work_busy(&audit_work.work) ? "pending" : "idle");
}

/* Suspects overwritten before an audit read them: not flagged if guilty. */
unsigned long ht_ledger_suspects_dropped(void)
{
	return atomic_long_read(&suspects_dropped);
}

void ht_ledger_audit_reset(void)
{
	atomic_long_set(&audits, 0);
	atomic_long_set(&audits_judged, 0);
	atomic_long_set(&audits_unjudged, 0);
	atomic_long_set(&suspects_dropped, 0);
}

size_t ht_ledger_audit_footprint(void)
{
	return ht_ring_footprint(&suspects) + 2 * sizeof(*walks);
}
