/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What hugetrack.bpf.c and its userspace library (ht_bpf*.c) share: the
 * records of the ring buffer, the counters' slots, the probe points.  The
 * kinds, rules and flags are the module's (../ht_kinds.h, ../ht_rules.h),
 * so that both backends print the same names and judge by the same rules;
 * an event is the module's binary stream's record (../ht_stream.h).
 */
#ifndef HT_BPF_SHARED_H
#define HT_BPF_SHARED_H

#include "../ht_rules.h"
#include "../ht_stream.h"

#define HT_COMM_LEN		HT_STREAM_COMM_LEN
#define HT_HSTATE_NAME_LEN	32
/* HUGE_MAX_HSTATE on x86: 2 MiB and 1 GiB */
#define HT_MAX_HSTATES		2
#define HT_NO_PFN		HT_STREAM_NO_PFN
#define HT_STACK_DEPTH		16

/* Slots of the per-CPU counters map. */
enum ht_counter_slot {
	HT_CTR_EVENTS,
	HT_CTR_ANOMALIES = HT_CTR_EVENTS + HT_EV_NR,
	HT_CTR_RESV_RESERVED = HT_CTR_ANOMALIES + HT_RULE_NR,
	HT_CTR_RESV_UNRESERVED,
	HT_CTR_RESV_CONSUMED,
	HT_CTR_RESV_RESTORED,
	HT_CTR_EVENTS_LOST,	/* the ring buffer was full */
	HT_CTR_JUDGED_RESV,
	HT_CTR_JUDGED_REF,
	HT_CTR_UNJUDGED,	/* by reason, HT_UNJ_NR of them */
	HT_CTR_NOT_FOLLOWED = HT_CTR_UNJUDGED + HT_UNJ_NR,	/* the calls map was full */
	HT_CTR_NR
};

/* Probe points: each program learns its point from its attach cookie. */
#define HT_MAX_POINTS		64

enum ht_record_type {
	HT_REC_EVENT,
	HT_REC_ANOMALY,
};

/* What the ring buffer carries: an event, or an anomaly with its event. */
struct ht_record {
	__u32 type;
	__u32 rule;
	__s64 expected;
	__s64 actual;
	__s64 stack_id;		/* in the stacks map; < 0: none */
	struct ht_event_rec ev;
};

/* One hstate as read_hstates() copies it. */
struct ht_hstate_view {
	char name[HT_HSTATE_NAME_LEN];
	__u64 size_kb;
	__u64 nr, free, resv, surplus, overcommit;
};

#endif /* HT_BPF_SHARED_H */
