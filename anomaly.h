/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HT_ANOMALY_H
#define HT_ANOMALY_H

#include <linux/types.h>

#include "ht_kinds.h"

struct ht_counters;
struct ht_event;
struct seq_file;

/* From probe context: records @rule for @ev with the current stack. */
void ht_anomaly(enum ht_rule rule, const struct ht_event *ev,
		long expected, long actual);
/* ... from @from_ip down, where it is on the stack (a trap's instruction) */
void ht_anomaly_at(enum ht_rule rule, const struct ht_event *ev,
		   long expected, long actual, unsigned long from_ip);

/*
 * From process context: records a ledger rule, naming @holder
 * (HT_HOLDER_LEN), for the operation @ev whose stack was @stack.
 */
#define HT_HOLDER_LEN	64
void ht_anomaly_of(enum ht_rule rule, const struct ht_event *ev, long expected,
		   long actual, const char *holder, const unsigned long *stack,
		   unsigned int nr);

/* How often @rule fired since load, resets ignored */
unsigned long ht_anomalies_fired(enum ht_rule rule);

int ht_anomalies_init(void);
void ht_anomalies_exit(void);

/* Views (debugfs.c, report.c) */
void ht_anomalies_show(struct seq_file *m);
unsigned long ht_anomalies_dropped(const struct ht_counters *sum);
void ht_anomalies_reset(void);
size_t ht_anomalies_footprint(void);

#endif /* HT_ANOMALY_H */
