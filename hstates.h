/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HT_HSTATES_H
#define HT_HSTATES_H

#include <linux/spinlock_types.h>
#include <linux/types.h>

struct hstate;
struct seq_file;

int ht_hstates_init(void);
/* hugetlb_lock, or NULL where kallsyms does not list it */
spinlock_t *ht_hugetlb_lock(void);
bool ht_hugetlb_faulting(void);
/* The i-th hstate, NULL past the last. */
struct hstate *ht_hstate(int i);
/* @h's i for ht_hstate(i), or -1 */
int ht_hstate_index(struct hstate *h);
void ht_hstate_note_resv(struct hstate *h, unsigned long resv);
void ht_hstate_set_watched(struct hstate *h, bool watched);
bool ht_hstate_watched(struct hstate *h);

/* Views (report.c, debugfs.c) */
void ht_hstates_reset_range(void);
void ht_hstates_summary(struct seq_file *m);
void ht_hstates_show(struct seq_file *m);

#endif /* HT_HSTATES_H */
