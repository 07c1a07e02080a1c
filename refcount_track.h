/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HT_REFCOUNT_TRACK_H
#define HT_REFCOUNT_TRACK_H

#include <linux/types.h>

struct address_space;
struct folio;
struct hstate;
struct ht_event;
struct ht_folio_delta;
struct mm_struct;
struct vm_area_struct;

void ht_folio_at(struct mm_struct *mm, struct vm_area_struct *vma,
		 struct hstate *h, unsigned long addr,
		 unsigned long *pfn, int *ref, int *map);
void ht_note_holders(struct ht_event *ev, struct mm_struct *mm, bool start);
/* The ledger's walk holds @mm: its user is not another task's (ht_note_holders) */
bool ht_mm_lend(struct mm_struct *mm);
void ht_mm_return(struct mm_struct *mm);
int ht_tail_refcount(unsigned long pfn, long nr);
void ht_thp_folio(struct folio *folio, struct ht_folio_delta *delta);
struct folio *ht_thp_mapped(struct mm_struct *mm, unsigned long size, unsigned long addr);
struct folio *ht_thp_cached(struct address_space *mapping, pgoff_t index);
bool ht_huge_entry_used(struct mm_struct *mm, unsigned long size,
			unsigned long addr);

#endif /* HT_REFCOUNT_TRACK_H */
