/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HT_LEDGER_AUDIT_H
#define HT_LEDGER_AUDIT_H

#include <linux/types.h>

struct ht_event;
struct seq_file;

/* From probe context, after @ev ended: audits soon if it can change ownership. */
void ht_ledger_note(const struct ht_event *ev);

int ht_ledger_audit_init(void);
/* Audits from now on: the first sets the baseline. */
void ht_ledger_audit_arm(void);
void ht_ledger_audit_exit(void);

/* Views (report.c) */
void ht_ledger_audit_counters(struct seq_file *m);
/* For control: off, pending (queued or running) or idle */
void ht_ledger_audit_state(struct seq_file *m);
unsigned long ht_ledger_suspects_dropped(void);
void ht_ledger_audit_reset(void);
size_t ht_ledger_audit_footprint(void);

#endif /* HT_LEDGER_AUDIT_H */
