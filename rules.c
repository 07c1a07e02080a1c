// SPDX-License-Identifier: GPL-2.0
/*
 * The module's side of the rule book (ht_rules.h): what each rule is given
 * of an event, the counts of what was judged and what not, and the anomaly
 * each broken rule records.
 */
#include <linux/hugetlb.h>
#include <linux/mm.h>
#include <linux/module.h>

#include "anomaly.h"
#include "counters.h"
#include "events.h"
#include "hstates.h"
#include "refcount_track.h"
#include "rules.h"

static unsigned int refcount_threshold = INT_MAX / 2;
module_param(refcount_threshold, uint, 0444);
MODULE_PARM_DESC(refcount_threshold,
		 "refcount_near_overflow fires when a hugetlb folio's refcount or mapcount exceeds this [DEFAULT: 1073741823 (INT_MAX/2)]");

bool ht_event_succeeded(const struct ht_event *ev)
{
	return ht_event_ok(ev->kind, ev->flags, ev->result,
			   (__force unsigned long)(VM_FAULT_ERROR | VM_FAULT_RETRY),
			   ht_reserve_ok(ev->result));
}

static void rule_event_of(const struct ht_event *ev, struct ht_rule_event *e)
{
	*e = (struct ht_rule_event) {
		.kind = ev->kind, .flags = ev->flags, .pages = ev->pages,
		.ok = ht_event_succeeded(ev),
		.resv_before = ev->resv_before, .resv_after = ev->resv_after,
		.ref_before = ev->folio.ref_before, .ref_after = ev->folio.ref_after,
		.map_before = ev->folio.map_before, .map_after = ev->folio.map_after,
	};
}

static void report(const struct ht_event *ev, const struct ht_verdict *v)
{
	ht_anomaly(v->rule, ev, v->expected, v->actual);
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
 * was free once the counters were read (events.c, end_hstate_event()).
 * The same on 6.1 and 6.12: neither writes the count outside hugetlb_lock.
 */
static void check_resv_delta(const struct ht_event *ev, const struct ht_rule_event *e,
			     struct hstate *h, bool armed)
{
	enum ht_unjudged why = ht_resv_unjudged(armed, ev->flags, ht_hstate_watched(h));
	struct ht_verdict v;

	if (why != HT_UNJ_NR) {
		this_cpu_inc(ht_cpu_counters.unjudged[why]);
		return;
	}
	this_cpu_inc(ht_cpu_counters.judged_resv);
	if (ht_rule_resv_delta(e, &v))
		report(ev, &v);
}

/*
 * Above nr_huge_pages is judged by the watchpoint alone, in the writer's
 * hugetlb_lock section: read here, nr and resv are two moments.
 */
static void check_hstate_event(const struct ht_event *ev, const struct ht_rule_event *e,
			       struct hstate *h, bool armed)
{
	struct ht_verdict v;

	ht_hstate_note_resv(h, ev->resv_after);
	if (!ht_resv_wrapped(e))
		check_resv_delta(ev, e, h, armed);
	else if (ht_rule_resv_underflow(e, &v))
		report(ev, &v);
}

/*
 * After a successful fault or fill: the refcount follows the mapcount where
 * ht_note_holders() found no other holder; the thresholds always.
 */
static void check_folio(const struct ht_event *ev, const struct ht_rule_event *e,
			bool armed)
{
	enum ht_unjudged why = ht_ref_unjudged(armed, ev->why_ref);
	struct ht_verdict v;

	if (why != HT_UNJ_NR) {
		this_cpu_inc(ht_cpu_counters.unjudged[why]);
	} else {
		this_cpu_inc(ht_cpu_counters.judged_ref);
		if (ht_rule_ref_map(e, &v))
			report(ev, &v);
	}
	if (ht_rule_refcount_near_overflow(e, refcount_threshold, &v))
		report(ev, &v);
}

void ht_rules_judge(const struct ht_event *ev, struct hstate *h, bool armed)
{
	struct ht_rule_event e;
	struct ht_verdict v;
	unsigned int checks;

	rule_event_of(ev, &e);
	if (h)
		check_hstate_event(ev, &e, h, armed);
	checks = ht_folio_checks(&e, ev->folio.pfn != HT_NO_PFN);
	if (checks & HT_CHECK_REFS)
		check_folio(ev, &e, armed);
	if ((checks & HT_CHECK_TAILS) &&
	    ht_rule_tail_refcount(ht_tail_refcount(ev->folio.pfn,
						   ht_tails_checked(ev->page_size, PAGE_SIZE)),
				  &v))
		report(ev, &v);
}
