/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HT_INFLIGHT_H
#define HT_INFLIGHT_H

#include <linux/types.h>

#include "ht_kinds.h"

struct mm_struct;
struct seq_file;

/*
 * Race windows: an operation in flight on a range of an mm (side a) that
 * another one (side b) reaches.
 */
enum ht_window {
	HT_WIN_UFFD_COPY_RETRY_VS_FAULT,
	HT_WIN_COLLAPSE_VS_UFFD_FILL,
	HT_WIN_PMD_UNSHARE_VS_FAULT,
	HT_WIN_NR
};

/* Operations tracked in flight that are not events (ht_op_claim()). */
enum ht_op_kind {
	HT_OP_COPY_RETRY = HT_EV_NR + 1,	/* UFFDIO_COPY between -ENOENT and retry */
	HT_OP_COLLAPSE_PTE_MAPPED,		/* collapse_pte_mapped_thp() */
	HT_OP_MADVISE_COLLAPSE,			/* madvise_collapse() */
};

/* Operations in flight, by task and by (mm, range), from probe context */
int ht_op_claim(u8 kind, u64 started);
void ht_op_release(int slot);
int ht_current_op(u8 kind);
void ht_op_set_flag(int slot, bool flag);
bool ht_op_flag(int slot);
void ht_window_open(int slot, enum ht_window window, struct mm_struct *mm,
		    unsigned long start, unsigned long end);
void ht_window_reach(enum ht_window window, struct mm_struct *mm,
		     unsigned long start, unsigned long end);
int ht_current_event_kind(void);

/* Views (debugfs.c, report.c) */
void ht_windows_show(struct seq_file *m);
void ht_windows_counters(struct seq_file *m);
void ht_windows_summary(struct seq_file *m);
void ht_inflight_reset(void);
unsigned long ht_ops_not_followed(void);
size_t ht_inflight_footprint(void);

#endif /* HT_INFLIGHT_H */
