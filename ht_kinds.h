/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kinds of events and the anomaly rules, with the names the files show:
 * one list for the module and its BPF backend (bpf/), so that both print
 * the same names in the same order.  Plain C, no kernel header: the BPF
 * program and the userspace library include it too.
 */
#ifndef HT_KINDS_H
#define HT_KINDS_H

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
	HT_EV_COLLAPSE,
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
	/* the ledger's (the module's audits, ledger_audit.c) */
	HT_RULE_RESV_LEAK,
	HT_RULE_RESV_DEFICIT,
	HT_RULE_RESV_LOST,
	HT_RULE_SUBPOOL_USED_LEAK,
	HT_RULE_NR
};

/*
 * Why a before/after comparison was not judged: another task may have moved
 * what it compares during the event (the rules' comments say which lock
 * would have to hold, and why it does not).  The first that applies counts.
 */
enum ht_unjudged {
	HT_UNJ_UNARMED,		/* began before every probe and watchpoint was armed */
	HT_UNJ_OVERLAP,		/* resv: another operation, or a write outside any, ran meanwhile */
	HT_UNJ_UNWATCHED,	/* resv: no watchpoint sees the writes made outside events */
	HT_UNJ_LOCK_BUSY,	/* resv: hugetlb_lock held at the end: a write may be uncounted */
	HT_UNJ_PAGE_CACHE,	/* ref: a page-cache folio: read() and other mms reach it */
	HT_UNJ_MM_USERS,	/* ref: another task holds the mm: its GUP takes references */
	HT_UNJ_MAPPED_ELSEWHERE,	/* ref: another mm maps the folio too (a fork) */
	HT_UNJ_HELD_REF,	/* ref: references beyond its mappings: a get, a pin, an isolation */
	HT_UNJ_NR
};

/* The names the files show (ht_kinds.c) */
extern const char *const ht_kind_names[HT_EV_NR + 1];
extern const char *const ht_rule_names[HT_RULE_NR];
extern const char *const ht_unjudged_names[HT_UNJ_NR];

/*
 * Where a reservation change counts: made or dropped by a mapping's or a
 * file's life (1), else consumed or given back by mapping (and, 6.7 on,
 * unmapping) a page.
 */
static inline int ht_kind_is_reservation_life(int kind)
{
	switch (kind) {
	case HT_EV_RESERVE:
	case HT_EV_UNRESERVE:
	case HT_EV_VMA_CLOSE:
	case HT_EV_TRUNCATE:
	case HT_EV_HOLE_PUNCH:
	case HT_EV_SUBPOOL_NEW:
	case HT_EV_SUBPOOL_PUT:
		return 1;
	default:
		return 0;
	}
}

#endif /* HT_KINDS_H */
