// SPDX-License-Identifier: GPL-2.0
/*
 * The rule book (ht_rules.h) on the host: a table of events, each with the
 * verdicts and unjudged reasons the backends must come to, judged in the
 * order both of them apply the rules.  TAP output; exit 1 on any failure.
 */
#include <stdio.h>
#include <string.h>

#include "../../ht_rules.h"

#define THRESHOLD	1000u
#define MAX_VERDICTS	4
#define NONE		(-1)	/* not reached: an earlier step decided */

struct judgement {
	int resv_unjudged;	/* HT_UNJ_*, HT_UNJ_NR: judged; NONE: wrapped */
	int ref_unjudged;	/* the same, NONE: no ref judgement */
	unsigned int checks;
	int nr;
	struct ht_verdict verdicts[MAX_VERDICTS];
};

struct rule_case {
	const char *name;
	struct ht_rule_event ev;
	int armed, watched;
	unsigned int why_ref;
	int has_folio;
	int tail_ref;		/* the first tail's refcount the backend reads */
	struct judgement want;
};

static void add(struct judgement *j, const struct ht_verdict *v)
{
	if (j->nr < MAX_VERDICTS)
		j->verdicts[j->nr++] = *v;
}

/* As the module's ht_event_end() and the BPF program's finish() apply them. */
static void judge(const struct rule_case *c, struct judgement *j)
{
	const struct ht_rule_event *e = &c->ev;
	struct ht_verdict v;

	memset(j, 0, sizeof(*j));
	j->resv_unjudged = NONE;
	j->ref_unjudged = NONE;
	if (ht_resv_wrapped(e)) {
		if (ht_rule_resv_underflow(e, &v))
			add(j, &v);
	} else {
		j->resv_unjudged = ht_resv_unjudged(c->armed, e->flags, c->watched);
		if (j->resv_unjudged == HT_UNJ_NR && ht_rule_resv_delta(e, &v))
			add(j, &v);
	}
	j->checks = ht_folio_checks(e, c->has_folio);
	if (j->checks & HT_CHECK_REFS) {
		j->ref_unjudged = ht_ref_unjudged(c->armed, c->why_ref);
		if (j->ref_unjudged == HT_UNJ_NR && ht_rule_ref_map(e, &v))
			add(j, &v);
		if (ht_rule_refcount_near_overflow(e, THRESHOLD, &v))
			add(j, &v);
	}
	if ((j->checks & HT_CHECK_TAILS) && ht_rule_tail_refcount(c->tail_ref, &v))
		add(j, &v);
}

#define V(r, x, a)	{ .rule = HT_RULE_##r, .expected = (x), .actual = (a) }
#define JUDGED		.armed = 1, .watched = 1
#define OWN		HT_UNJ_NR
#define WANT(resv, ref, chk)	\
	{ .resv_unjudged = (resv), .ref_unjudged = (ref), .checks = (chk) }
#define WANT1(resv, ref, chk, v1)					\
	{ .resv_unjudged = (resv), .ref_unjudged = (ref), .checks = (chk),	\
	  .nr = 1, .verdicts = { v1 } }
#define WANT2(resv, ref, chk, v1, v2)					\
	{ .resv_unjudged = (resv), .ref_unjudged = (ref), .checks = (chk),	\
	  .nr = 2, .verdicts = { v1, v2 } }

/* A fault that mapped a new folio, resv 10 -> @after, ref/map 0 -> 1/1. */
#define NEW_FAULT(after)						\
	{ .kind = HT_EV_FAULT, .flags = HT_EVF_NEW_FOLIO, .pages = 1, .ok = 1,	\
	  .resv_before = 10, .resv_after = (after), .ref_after = 1, .map_after = 1 }

static const struct rule_case cases[] = {
	{ "fault, new folio, consumes one reservation", NEW_FAULT(9), JUDGED, .has_folio = 1,
	  .want = WANT(OWN, OWN, HT_CHECK_REFS | HT_CHECK_TAILS) },
	{ "fault, new folio, no reservation (MAP_NORESERVE)", NEW_FAULT(10), JUDGED, .has_folio = 1,
	  .want = WANT(OWN, OWN, HT_CHECK_REFS | HT_CHECK_TAILS) },
	{ "fault consumes two: resv_double_consume", NEW_FAULT(8), JUDGED, .has_folio = 1,
	  .want = WANT1(OWN, OWN, HT_CHECK_REFS | HT_CHECK_TAILS, V(RESV_DOUBLE_CONSUME, -1, -2)) },
	{ "failed uffd_copy consumes one: resv_double_consume",
	  { .kind = HT_EV_UFFD_COPY, .pages = 1, .ok = 0, .resv_before = 5, .resv_after = 4 },
	  JUDGED, .want = WANT1(OWN, NONE, 0, V(RESV_DOUBLE_CONSUME, 0, -1)) },
	{ "fault on an existing folio consumes one: resv_unexpected_delta",
	  { .kind = HT_EV_FAULT, .pages = 1, .ok = 1, .resv_before = 5, .resv_after = 4,
	    .ref_before = 1, .ref_after = 2, .map_before = 1, .map_after = 2 },
	  JUDGED, .has_folio = 1,
	  .want = WANT1(OWN, OWN, HT_CHECK_REFS, V(RESV_UNEXPECTED_DELTA, 0, -1)) },
	{ "fault raises the count: resv_unexpected_delta", NEW_FAULT(11), JUDGED, .has_folio = 1,
	  .want = WANT1(OWN, OWN, HT_CHECK_REFS | HT_CHECK_TAILS, V(RESV_UNEXPECTED_DELTA, 0, 1)) },
	{ "reserve of 4 adds 4",
	  { .kind = HT_EV_RESERVE, .pages = 4, .ok = 1, .resv_before = 0, .resv_after = 4 },
	  JUDGED, .want = WANT(OWN, NONE, 0) },
	{ "reserve of 4 adds 5: resv_unexpected_delta",
	  { .kind = HT_EV_RESERVE, .pages = 4, .ok = 1, .resv_before = 0, .resv_after = 5 },
	  JUDGED, .want = WANT1(OWN, NONE, 0, V(RESV_UNEXPECTED_DELTA, 4, 5)) },
	{ "failed reserve adds one: resv_unexpected_delta",
	  { .kind = HT_EV_RESERVE, .pages = 4, .ok = 0, .resv_before = 0, .resv_after = 1 },
	  JUDGED, .want = WANT1(OWN, NONE, 0, V(RESV_UNEXPECTED_DELTA, 0, 1)) },
	{ "private vma_close gives back its 3 unused",
	  { .kind = HT_EV_VMA_CLOSE, .pages = 3, .resv_before = 3, .resv_after = 0 },
	  JUDGED, .want = WANT(OWN, NONE, 0) },
	{ "shared vma_close gives back one: resv_unexpected_delta",
	  { .kind = HT_EV_VMA_CLOSE, .flags = HT_EVF_SHARED, .pages = 3, .resv_before = 3,
	    .resv_after = 2 },
	  JUDGED, .want = WANT1(OWN, NONE, 0, V(RESV_UNEXPECTED_DELTA, 0, -1)) },
	{ "truncate drops any number",
	  { .kind = HT_EV_TRUNCATE, .flags = HT_EVF_SHARED, .resv_before = 900, .resv_after = 0 },
	  JUDGED, .want = WANT(OWN, NONE, 0) },
	{ "hole punch adds one: resv_unexpected_delta",
	  { .kind = HT_EV_HOLE_PUNCH, .flags = HT_EVF_SHARED, .pages = 2, .resv_before = 1,
	    .resv_after = 2 },
	  JUDGED, .want = WANT1(OWN, NONE, 0, V(RESV_UNEXPECTED_DELTA, 0, 1)) },
	{ "zap of 2 restores 2 (6.7 on)",
	  { .kind = HT_EV_ZAP, .pages = 2, .resv_before = 0, .resv_after = 2 },
	  JUDGED, .want = WANT(OWN, NONE, 0) },
	{ "zap with a negative page count restores one: resv_unexpected_delta",
	  { .kind = HT_EV_ZAP, .pages = -3, .resv_before = 0, .resv_after = 1 },
	  JUDGED, .want = WANT1(OWN, NONE, 0, V(RESV_UNEXPECTED_DELTA, 0, 1)) },
	{ "subpool_new with min_size 2 reserves exactly 2",
	  { .kind = HT_EV_SUBPOOL_NEW, .flags = HT_EVF_SHARED, .pages = 2, .resv_before = 0,
	    .resv_after = 2 },
	  JUDGED, .want = WANT(OWN, NONE, 0) },
	{ "subpool_new with min_size 2 reserves 1: resv_unexpected_delta",
	  { .kind = HT_EV_SUBPOOL_NEW, .flags = HT_EVF_SHARED, .pages = 2, .resv_before = 0,
	    .resv_after = 1 },
	  JUDGED, .want = WANT1(OWN, NONE, 0, V(RESV_UNEXPECTED_DELTA, 2, 1)) },
	{ "subpool_put gives back 3 of min_size 2: resv_unexpected_delta",
	  { .kind = HT_EV_SUBPOOL_PUT, .flags = HT_EVF_SHARED, .pages = 2, .resv_before = 3,
	    .resv_after = 0 },
	  JUDGED, .want = WANT1(OWN, NONE, 0, V(RESV_UNEXPECTED_DELTA, -2, -3)) },
	{ "fork_copy changes nothing",
	  { .kind = HT_EV_FORK_COPY, .resv_before = 1, .resv_after = 1 },
	  JUDGED, .want = WANT(OWN, NONE, 0) },
	{ "uffd_continue takes one: resv_unexpected_delta",
	  { .kind = HT_EV_UFFD_CONTINUE, .pages = 1, .ok = 1, .resv_before = 1, .resv_after = 0,
	    .ref_before = 2, .ref_after = 3, .map_before = 0, .map_after = 1 },
	  JUDGED, .has_folio = 1,
	  .want = WANT1(OWN, OWN, HT_CHECK_REFS, V(RESV_UNEXPECTED_DELTA, 0, -1)) },
	{ "wrapped below 0: resv_underflow, delta not judged",
	  { .kind = HT_EV_ZAP, .pages = 1, .resv_before = 0, .resv_after = -1 },
	  JUDGED, .want = WANT1(NONE, NONE, 0, V(RESV_UNDERFLOW, 0, -1)) },
	{ "still wrapped: no second resv_underflow",
	  { .kind = HT_EV_ZAP, .pages = 1, .resv_before = -1, .resv_after = -2 },
	  JUDGED, .want = WANT(NONE, NONE, 0) },
	{ "begun before arming: unarmed, however wrong",
	  NEW_FAULT(5), .armed = 0, .watched = 1, .has_folio = 1,
	  .want = WANT(HT_UNJ_UNARMED, HT_UNJ_UNARMED, HT_CHECK_REFS | HT_CHECK_TAILS) },
	{ "overlapped: overlap before unwatched",
	  { .kind = HT_EV_RESERVE, .flags = HT_EVF_OVERLAP | HT_EVF_LOCK_BUSY, .pages = 1,
	    .ok = 1, .resv_before = 0, .resv_after = 9 },
	  .armed = 1, .watched = 0, .want = WANT(HT_UNJ_OVERLAP, NONE, 0) },
	{ "no watchpoint: unwatched before lock_busy",
	  { .kind = HT_EV_RESERVE, .flags = HT_EVF_LOCK_BUSY, .pages = 1, .ok = 1,
	    .resv_after = 9 },
	  .armed = 1, .watched = 0, .want = WANT(HT_UNJ_UNWATCHED, NONE, 0) },
	{ "hugetlb_lock held at the end: lock_busy",
	  { .kind = HT_EV_RESERVE, .flags = HT_EVF_LOCK_BUSY, .pages = 1, .ok = 1,
	    .resv_after = 9 },
	  JUDGED, .want = WANT(HT_UNJ_LOCK_BUSY, NONE, 0) },
	{ "ref delta 2 for one mapping: ref_map_mismatch",
	  { .kind = HT_EV_FAULT, .flags = HT_EVF_NEW_FOLIO, .pages = 1, .ok = 1,
	    .resv_before = 1, .resv_after = 0, .ref_after = 2, .map_after = 1 },
	  JUDGED, .has_folio = 1,
	  .want = WANT1(OWN, OWN, HT_CHECK_REFS | HT_CHECK_TAILS, V(REF_MAP_MISMATCH, 1, 2)) },
	{ "another holder: the ref delta is not judged",
	  { .kind = HT_EV_FAULT, .flags = HT_EVF_NEW_FOLIO, .pages = 1, .ok = 1,
	    .resv_before = 1, .resv_after = 0, .ref_after = 2, .map_after = 1 },
	  JUDGED, .why_ref = HT_UNJ_PAGE_CACHE + 1, .has_folio = 1,
	  .want = WANT(OWN, HT_UNJ_PAGE_CACHE, HT_CHECK_REFS | HT_CHECK_TAILS) },
	{ "a reason out of range is no reason",
	  { .kind = HT_EV_FAULT, .pages = 1, .ok = 1, .resv_before = 1, .resv_after = 1,
	    .ref_before = 1, .ref_after = 1, .map_before = 1, .map_after = 1 },
	  JUDGED, .why_ref = HT_UNJ_NR + 1, .has_folio = 1,
	  .want = WANT(OWN, OWN, HT_CHECK_REFS) },
	{ "refcount above the threshold, and a mismatch",
	  { .kind = HT_EV_FAULT, .pages = 1, .ok = 1, .resv_before = 1, .resv_after = 1,
	    .ref_before = 1000, .ref_after = 1002, .map_before = 1, .map_after = 2 },
	  JUDGED, .has_folio = 1,
	  .want = WANT2(OWN, OWN, HT_CHECK_REFS, V(REF_MAP_MISMATCH, 1, 2),
			 V(REFCOUNT_NEAR_OVERFLOW, 1000, 1002)) },
	{ "mapcount above the threshold",
	  { .kind = HT_EV_FAULT, .pages = 1, .ok = 1, .resv_before = 1, .resv_after = 1,
	    .ref_before = -5, .ref_after = -4, .map_before = 1000, .map_after = 1001 },
	  .armed = 0, .watched = 1, .has_folio = 1,
	  .want = WANT1(HT_UNJ_UNARMED, HT_UNJ_UNARMED, HT_CHECK_REFS,
			 V(REFCOUNT_NEAR_OVERFLOW, 1000, 1001)) },
	{ "a new folio with a tail reference: tail_refcount",
	  NEW_FAULT(9), JUDGED, .has_folio = 1, .tail_ref = 3,
	  .want = WANT1(OWN, OWN, HT_CHECK_REFS | HT_CHECK_TAILS, V(TAIL_REFCOUNT, 0, 3)) },
	{ "an existing folio's tails are not read",
	  { .kind = HT_EV_FAULT, .pages = 1, .ok = 1, .resv_before = 1, .resv_after = 1,
	    .ref_before = 1, .ref_after = 2, .map_before = 1, .map_after = 2 },
	  JUDGED, .has_folio = 1, .tail_ref = 3, .want = WANT(OWN, OWN, HT_CHECK_REFS) },
	{ "a failed fault: no folio rule",
	  { .kind = HT_EV_FAULT, .flags = HT_EVF_NEW_FOLIO, .pages = 1, .ok = 0,
	    .resv_before = 1, .resv_after = 1, .ref_after = 9, .map_after = 1 },
	  JUDGED, .has_folio = 1, .tail_ref = 3, .want = WANT(OWN, NONE, 0) },
	{ "no folio seen: no folio rule",
	  NEW_FAULT(9), JUDGED, .has_folio = 0, .tail_ref = 3, .want = WANT(OWN, NONE, 0) },
	{ "a collapse that made a THP: tails only",
	  { .kind = HT_EV_COLLAPSE, .flags = HT_EVF_NO_HSTATE | HT_EVF_NEW_FOLIO, .pages = 1,
	    .ok = 1, .ref_after = 5, .map_after = 1 },
	  JUDGED, .has_folio = 1, .tail_ref = 1,
	  .want = WANT1(OWN, NONE, HT_CHECK_TAILS, V(TAIL_REFCOUNT, 0, 1)) },
};

static int tests, failures;

static void result(int ok, const char *name)
{
	tests++;
	if (!ok)
		failures++;
	printf("%sok %d %s\n", ok ? "" : "not ok ", tests, name);
}

static int same(const struct judgement *a, const struct judgement *b)
{
	int i;

	if (a->resv_unjudged != b->resv_unjudged || a->ref_unjudged != b->ref_unjudged ||
	    a->checks != b->checks || a->nr != b->nr)
		return 0;
	for (i = 0; i < a->nr; i++)
		if (a->verdicts[i].rule != b->verdicts[i].rule ||
		    a->verdicts[i].expected != b->verdicts[i].expected ||
		    a->verdicts[i].actual != b->verdicts[i].actual)
			return 0;
	return 1;
}

static void show(const char *what, const struct judgement *j)
{
	int i;

	printf("#   %s: resv %d ref %d checks %#x", what, j->resv_unjudged, j->ref_unjudged,
	       j->checks);
	for (i = 0; i < j->nr; i++)
		printf(" %s(%ld,%ld)", ht_rule_names[j->verdicts[i].rule],
		       j->verdicts[i].expected, j->verdicts[i].actual);
	printf("\n");
}

static void table(void)
{
	struct judgement got;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		judge(&cases[i], &got);
		result(same(&got, &cases[i].want), cases[i].name);
		if (!same(&got, &cases[i].want)) {
			show("want", &cases[i].want);
			show("got", &got);
		}
	}
}

/* The pieces the backends call on their own. */
static void pieces(void)
{
	struct ht_verdict v = { 0 };
	unsigned long failed = 0x3;
	long lo, hi;

	result(ht_event_ok(HT_EV_FAULT, 0, 0x100, failed, 0) &&
	       !ht_event_ok(HT_EV_FAULT, 0, 0x2, failed, 1),
	       "a fault succeeded unless an error or retry bit is set");
	result(ht_event_ok(HT_EV_RESERVE, 0, 0, failed, 1) &&
	       !ht_event_ok(HT_EV_RESERVE, 0, 1, failed, 0),
	       "a reservation succeeded as the kernel's result says");
	result(ht_event_ok(HT_EV_COLLAPSE, HT_EVF_NEW_FOLIO, 3, failed, 0) &&
	       !ht_event_ok(HT_EV_COLLAPSE, 0, 1, failed, 1),
	       "a collapse succeeded when it made a THP");
	result(ht_event_ok(HT_EV_ZAP, 0, 0, failed, 0) &&
	       !ht_event_ok(HT_EV_ZAP, 0, -12, failed, 1), "other calls succeed on 0");
	result(ht_tails_checked(2UL << 20, 4096) == 511 &&
	       ht_tails_checked(1UL << 30, 4096) == HT_TAILS_CHECKED &&
	       ht_tails_checked(64UL << 10, 4096) == 15 &&
	       ht_tails_checked(4096, 4096) == 0,
	       "tails read: all of 2 MiB and of a 64 KiB mTHP, 511 of 1 GiB");
	result(ht_rule_resv_above_pool(5, 6, 5, &v) && v.rule == HT_RULE_RESV_UNDERFLOW &&
	       v.expected == 5 && v.actual == 6, "a write above nr_huge_pages: resv_underflow");
	result(!ht_rule_resv_above_pool(6, 7, 5, &v) && !ht_rule_resv_above_pool(4, 5, 5, &v),
	       "above nr_huge_pages: once when it crosses, never at nr");
	result(ht_rule_resv_above_pool(3, (unsigned long)-1, 5, &v) && v.actual == -1,
	       "a write that wraps below 0 is above nr_huge_pages");
	ht_expected_resv_delta(&(struct ht_rule_event){ .kind = HT_EV_UNRESERVE }, &lo, &hi);
	result(lo == -__LONG_MAX__ - 1 && hi == 0, "unreserve: any drop, no rise");
	result(!ht_count_above(-5, 0) && !ht_count_above(0, 0) && ht_count_above(1, 0),
	       "a count at or below 0 is never above a threshold");
	result(!ht_count_above(0x7fffffff, 0xffffffffu),
	       "a threshold above INT_MAX is never crossed");
}

int main(void)
{
	table();
	pieces();
	printf("1..%d\n", tests);
	if (failures)
		printf("# %d of %d failed\n", failures, tests);
	return !!failures;
}
