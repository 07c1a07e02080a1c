/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HT_COUNTERS_H
#define HT_COUNTERS_H

#include <linux/percpu.h>

#include "ht_kinds.h"

/* Counted per CPU by the parts that see each thing; summed by the views. */
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

DECLARE_PER_CPU(struct ht_counters, ht_cpu_counters);

/* Views (report.c) */
void ht_counters_sum(struct ht_counters *sum);
void ht_counters_reset(void);
size_t ht_counters_footprint(void);

#endif /* HT_COUNTERS_H */
