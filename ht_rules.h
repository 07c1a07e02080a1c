/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rule book: every anomaly rule as a pure function of what an event
 * saw, the reasons a before/after comparison is not judged, and which reads
 * the folio rules need.  The module (rules.c, watch.c) and the BPF program
 * (bpf/hugetrack.bpf.c) only read memory and emit the verdict their own
 * way; tests/rules/ runs these on the host.  Plain C, no kernel header, as
 * ht_kinds.h.
 */
#ifndef HT_RULES_H
#define HT_RULES_H

#include "ht_kinds.h"

/*
 * Inlined everywhere, so that the BPF verifier sees no calls; the kernel,
 * bpf_helpers.h and glibc define it, a bare host compiler may not.
 */
#ifndef __always_inline
#define __always_inline inline
#endif

/* ht_event.flags */
#define HT_EVF_SHARED		(1 << 0)	/* a VM_SHARED mapping */
#define HT_EVF_NEW_FOLIO	(1 << 1)	/* the folio did not exist at the start */
#define HT_EVF_OVERLAP		(1 << 2)	/* another tracked operation overlapped */
#define HT_EVF_NO_HSTATE	(1 << 3)	/* not a hugetlb event: no resv/free */
#define HT_EVF_LOCK_BUSY	(1 << 4)	/* hugetlb_lock was held at its end (not shown) */

/* Tail pages read per folio: all of a 2 MiB one, the head of a 1 GiB one. */
#define HT_TAILS_CHECKED	511

/* What the rules judge of one event, as its backend read it. */
struct ht_rule_event {
	int kind;
	unsigned int flags;
	long pages;
	int ok;		/* ht_event_ok() */
	long resv_before, resv_after;
	int ref_before, ref_after;
	int map_before, map_after;
};

/* A rule broken: what it expected, and what was seen. */
struct ht_verdict {
	int rule;
	long expected, actual;
};

static __always_inline int ht_verdict(struct ht_verdict *v, int rule, long expected, long actual)
{
	v->rule = rule;
	v->expected = expected;
	v->actual = actual;
	return 1;
}

/* A fault or a uffd fill: it maps a huge page. */
static __always_inline int ht_kind_maps_a_folio(int kind)
{
	return kind == HT_EV_FAULT || kind == HT_EV_UFFD_COPY ||
	       kind == HT_EV_UFFD_CONTINUE;
}

/*
 * Whether the operation succeeded.  What a result means is the kernel's:
 * @fault_failed holds its VM_FAULT error and retry bits, @reserve_ok its
 * reading of hugetlb_reserve_pages()'s result (bool or long by kernel).
 */
static __always_inline int ht_event_ok(int kind, unsigned int flags, long result,
				       unsigned long fault_failed, int reserve_ok)
{
	switch (kind) {
	case HT_EV_COLLAPSE:
		return !!(flags & HT_EVF_NEW_FOLIO);
	case HT_EV_FAULT:
		return !((unsigned long)result & fault_failed);
	case HT_EV_RESERVE:
		return reserve_ok;
	default:
		return !result;
	}
}

/*
 * Below 0 is wrong at any moment, whatever another task does: judged
 * always, once when it wraps, not at every event while it stays wrapped.
 * A wrapped count is not judged for its delta.
 */
static __always_inline int ht_resv_wrapped(const struct ht_rule_event *e)
{
	return e->resv_after < 0;
}

static __always_inline int ht_rule_resv_underflow(const struct ht_rule_event *e, struct ht_verdict *v)
{
	return e->resv_after < 0 && e->resv_before >= 0 &&
	       ht_verdict(v, HT_RULE_RESV_UNDERFLOW, 0, e->resv_after);
}

/*
 * A write that takes resv_huge_pages above nr_huge_pages: judged by a
 * watchpoint alone, in the writer's hugetlb_lock section, where @before,
 * @after and @nr are one moment; once when it crosses.
 */
static __always_inline int ht_rule_resv_above_pool(unsigned long before, unsigned long after,
						   unsigned long nr, struct ht_verdict *v)
{
	return after > nr && before <= nr &&
	       ht_verdict(v, HT_RULE_RESV_UNDERFLOW, (long)nr, (long)after);
}

/*
 * Why an event's resv delta may hold another task's writes, or HT_UNJ_NR:
 * the first that applies.  The delta is the event's own when it began once
 * everything was armed, no other event or untracked write ran meanwhile,
 * every write of the count is seen (@watched), and hugetlb_lock was free
 * once the counters were read (the module's rules.c says why each holds).
 */
static __always_inline int ht_resv_unjudged(int armed, unsigned int flags, int watched)
{
	if (!armed)
		return HT_UNJ_UNARMED;
	if (flags & HT_EVF_OVERLAP)
		return HT_UNJ_OVERLAP;
	if (!watched)
		return HT_UNJ_UNWATCHED;
	if (flags & HT_EVF_LOCK_BUSY)
		return HT_UNJ_LOCK_BUSY;
	return HT_UNJ_NR;
}

/*
 * Mapping one huge page consumes at most one reservation, and a failed
 * attempt none (seed: UFFDIO_COPY onto a page already in the page cache).
 */
static __always_inline int ht_rule_resv_consumption(const struct ht_rule_event *e, struct ht_verdict *v)
{
	long delta = e->resv_after - e->resv_before;

	if (!ht_kind_maps_a_folio(e->kind))
		return 0;
	if (delta < -1)
		return ht_verdict(v, HT_RULE_RESV_DOUBLE_CONSUME, -1, delta);
	if (delta < 0 && !e->ok)
		return ht_verdict(v, HT_RULE_RESV_DOUBLE_CONSUME, 0, delta);
	return 0;
}

/*
 * The change of resv_huge_pages each operation may make, from
 * Documentation/mm/hugetlbfs_reserv.rst (its sections in brackets): only
 * what holds on every path, so that a correct kernel never trips it.
 */
static __always_inline void ht_expected_resv_delta(const struct ht_rule_event *e, long *lo, long *hi)
{
	long pages = e->pages > 0 ? e->pages : 0;

	*lo = 0;
	*hi = 0;
	switch (e->kind) {
	case HT_EV_FAULT:
	case HT_EV_UFFD_COPY:
		/* [Consuming Reservations], [Reservation Cleanup in Error Paths] */
		if (e->ok && (e->flags & HT_EVF_NEW_FOLIO))
			*lo = -1;
		break;
	case HT_EV_RESERVE:
		/* [Creating Reservations]: none on failure, at most the range */
		if (e->ok)
			*hi = pages;
		break;
	case HT_EV_VMA_CLOSE:
		/* [Reservation Map Location]: a private map's unused ones go */
		if (!(e->flags & HT_EVF_SHARED))
			*lo = -pages;
		break;
	case HT_EV_UNRESERVE:
	case HT_EV_TRUNCATE:
	case HT_EV_HOLE_PUNCH:
		/* [Freeing Huge Pages], [Reservation Map Modifications] */
		*lo = -__LONG_MAX__ - 1;
		break;
	case HT_EV_ZAP:
		/* 6.7 on, freeing a private page restores its reservation */
		*hi = pages;
		break;
	case HT_EV_SUBPOOL_NEW:
		/* [Subpool Reservations]: exactly min_size */
		*lo = pages;
		*hi = pages;
		break;
	case HT_EV_SUBPOOL_PUT:
		*lo = -pages;
		break;
	default:
		/* uffd_continue, fork_copy ([COW and Reservations]), pmd_share */
		break;
	}
}

/* For a delta that is the event's own alone (ht_resv_unjudged()). */
static __always_inline int ht_rule_resv_delta(const struct ht_rule_event *e, struct ht_verdict *v)
{
	long delta = e->resv_after - e->resv_before, lo, hi;

	if (ht_rule_resv_consumption(e, v))
		return 1;
	ht_expected_resv_delta(e, &lo, &hi);
	if (delta < lo)
		return ht_verdict(v, HT_RULE_RESV_UNEXPECTED_DELTA, lo, delta);
	if (delta > hi)
		return ht_verdict(v, HT_RULE_RESV_UNEXPECTED_DELTA, hi, delta);
	return 0;
}

/* The folio rules an event needs, and so the reads its backend makes. */
#define HT_CHECK_REFS	(1 << 0)	/* its counts, already read */
#define HT_CHECK_TAILS	(1 << 1)	/* up to HT_TAILS_CHECKED struct pages */

/*
 * A successful event that saw a folio: a fault or fill judges its counts;
 * the tails are read once, at the folio's first mapping (on every fault
 * they would cost more than all the rest of the event: make bench), and at
 * a collapse that made a THP.
 */
static __always_inline unsigned int ht_folio_checks(const struct ht_rule_event *e, int has_folio)
{
	if (!has_folio || !e->ok)
		return 0;
	if (ht_kind_maps_a_folio(e->kind))
		return HT_CHECK_REFS |
		       (e->flags & HT_EVF_NEW_FOLIO ? HT_CHECK_TAILS : 0);
	return e->kind == HT_EV_COLLAPSE ? HT_CHECK_TAILS : 0;
}

/*
 * Why the refcount delta is not judged, or HT_UNJ_NR: @why_ref is
 * HT_UNJ_* + 1 that the backend's reads of the folio's holders found, 0 for
 * none (the module's ht_note_holders() says why each bars it).
 */
static __always_inline int ht_ref_unjudged(int armed, unsigned int why_ref)
{
	if (!armed)
		return HT_UNJ_UNARMED;
	if (why_ref && why_ref <= HT_UNJ_NR)
		return why_ref - 1;
	return HT_UNJ_NR;
}

/* Every mapping the fault added holds one folio reference. */
static __always_inline int ht_rule_ref_map(const struct ht_rule_event *e, struct ht_verdict *v)
{
	int want = e->map_after - e->map_before;
	int got = e->ref_after - e->ref_before;

	return got != want && ht_verdict(v, HT_RULE_REF_MAP_MISMATCH, want, got);
}

/* A negative count is another rule's business, not this one's. */
static __always_inline int ht_count_above(int count, unsigned int threshold)
{
	return count > 0 && (unsigned int)count > threshold;
}

/* Judged always: a count above @threshold is wrong at any moment. */
static __always_inline int ht_rule_refcount_near_overflow(const struct ht_rule_event *e,
							  unsigned int threshold, struct ht_verdict *v)
{
	if (ht_count_above(e->ref_after, threshold))
		return ht_verdict(v, HT_RULE_REFCOUNT_NEAR_OVERFLOW, threshold, e->ref_after);
	if (ht_count_above(e->map_after, threshold))
		return ht_verdict(v, HT_RULE_REFCOUNT_NEAR_OVERFLOW, threshold, e->map_after);
	return 0;
}

/* The tail pages to read of a folio of @page_size. */
static __always_inline long ht_tails_checked(unsigned long page_size, unsigned long base_page_size)
{
	long nr = (long)(page_size / base_page_size) - 1;

	return nr < HT_TAILS_CHECKED ? nr : HT_TAILS_CHECKED;
}

/*
 * Every tail page of a folio has refcount 0.  Judged always, with no lock:
 * a tail's count is 0 from the folio's allocation on, and every speculative
 * reference (get_page_unless_zero(), folio_try_get()) is refused on a zero
 * count, so no correct task can make it non-zero.
 */
static __always_inline int ht_rule_tail_refcount(int ref, struct ht_verdict *v)
{
	return ref && ht_verdict(v, HT_RULE_TAIL_REFCOUNT, 0, ref);
}

#endif /* HT_RULES_H */
