// SPDX-License-Identifier: GPL-2.0
/*
 * The folio side of an event: which hugetlb folio or THP backs an address,
 * its refcount and mapcount, who else may hold it, and its tails' counts:
 * the reads the folio rules (rules.c) judge.
 */
#include <linux/hugetlb.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/pgtable.h>

#include "events.h"
#include "refcount_track.h"

/*
 * The pfn the PTE table under @pmd maps at @addr.  The PMD and the table are
 * read under RCU, which keeps a table seen in the PMD from being freed
 * (pte_free_defer(), RCU table free) where anything smaller than a PMD is
 * collapsed (7.2 on).
 */
static unsigned long pte_mapped_pfn(pmd_t *pmd, unsigned long addr)
{
	unsigned long pfn = HT_NO_PFN;
	pmd_t pmdval;
	pte_t pteval;

	rcu_read_lock();
	pmdval = READ_ONCE(*pmd);
	if (pmd_present(pmdval) && !pmd_leaf(pmdval) && !pmd_bad(pmdval)) {
		pteval = ptep_get_lockless(pte_offset_kernel(&pmdval, addr));
		if (pte_present(pteval))
			pfn = pte_pfn(pteval);
	}
	rcu_read_unlock();
	return pfn;
}

/* The PUD entry of @addr, or NULL where a table above it is missing. */
static pud_t *pud_of(struct mm_struct *mm, unsigned long addr)
{
	pgd_t *pgd = pgd_offset(mm, addr);
	p4d_t *p4d;

	if (!pgd_present(READ_ONCE(*pgd)))
		return NULL;
	p4d = p4d_offset(pgd, addr);
	if (!p4d_present(READ_ONCE(*p4d)))
		return NULL;
	return pud_offset(p4d, addr);
}

/*
 * The pfn of the entry that maps @addr at @size (a PUD or PMD leaf, else
 * a PTE), read without the page-table lock: a stale or torn entry can only
 * give a pfn that folio_of() or thp_of() rejects.
 */
static unsigned long mapped_pfn(struct mm_struct *mm, unsigned long size,
				unsigned long addr)
{
	pud_t *pud = pud_of(mm, addr), pudval;
	pmd_t pmdval;

	if (!pud)
		return HT_NO_PFN;
	pudval = READ_ONCE(*pud);
	if (!pud_present(pudval))
		return HT_NO_PFN;
	if (size == PUD_SIZE)
		return pud_leaf(pudval) ? pud_pfn(pudval) : HT_NO_PFN;
	if (pud_leaf(pudval))
		return HT_NO_PFN;
	if (size < PMD_SIZE)
		return pte_mapped_pfn(pmd_offset(pud, addr), addr);
	pmdval = READ_ONCE(*pmd_offset(pud, addr));
	return pmd_present(pmdval) && pmd_leaf(pmdval) ? pmd_pfn(pmdval) : HT_NO_PFN;
}

/*
 * Whether the hugetlb entry of @addr at @size (PUD_SIZE or PMD_SIZE) holds
 * anything: a page, or a migration, hwpoison or marker entry.  Read without
 * the page-table lock, by a caller that holds mmap_lock.
 */
bool ht_huge_entry_used(struct mm_struct *mm, unsigned long size,
			unsigned long addr)
{
	pud_t *pud = pud_of(mm, addr), pudval;

	if (!pud)
		return false;
	pudval = READ_ONCE(*pud);
	if (size == PUD_SIZE)
		return !pud_none(pudval);
	if (!pud_present(pudval) || pud_leaf(pudval))
		return false;
	return !pmd_none(READ_ONCE(*pmd_offset(pud, addr)));
}

static struct folio *folio_of(unsigned long pfn)
{
	struct folio *folio;

	if (pfn == HT_NO_PFN || !pfn_valid(pfn))
		return NULL;
	folio = page_folio(pfn_to_page(pfn));
	return folio_test_hugetlb(folio) ? folio : NULL;
}

/* The folio the page cache holds for @addr, if the mapping has one. */
static struct folio *cached_folio(struct vm_area_struct *vma, struct hstate *h,
				  unsigned long addr)
{
	struct folio *folio;

	if (!vma->vm_file)
		return NULL;
	rcu_read_lock();
	folio = xa_load(&vma->vm_file->f_mapping->i_pages,
			ht_hugetlb_cache_index(h, vma, addr));
	rcu_read_unlock();
	if (!folio || xa_is_value(folio))
		return NULL;
	return folio_test_hugetlb(folio) ? folio : NULL;
}

/*
 * The hugetlb folio at @addr and its counts: the one mapped there, or with
 * @vma given, the one the page cache would map there; pfn HT_NO_PFN if none.
 */
void ht_folio_at(struct mm_struct *mm, struct vm_area_struct *vma,
		 struct hstate *h, unsigned long addr,
		 unsigned long *pfn, int *ref, int *map)
{
	struct folio *folio = folio_of(mapped_pfn(mm, huge_page_size(h), addr));

	if (!folio && vma)
		folio = cached_folio(vma, h, addr);
	if (!folio) {
		*pfn = HT_NO_PFN;
		return;
	}
	*pfn = folio_pfn(folio);
	*ref = folio_ref_count(folio);
	*map = folio_entire_mapcount(folio);
}

/* A transparent huge page, not a hugetlb one. */
static struct folio *thp_of(struct folio *folio)
{
	return folio && folio_test_large(folio) && !folio_test_hugetlb(folio) ?
	       folio : NULL;
}

/*
 * The THP of @size mapped at @addr of @mm, read locklessly, or NULL: by a
 * PMD, or smaller (mTHP) by the PTE of @addr.
 */
struct folio *ht_thp_mapped(struct mm_struct *mm, unsigned long size, unsigned long addr)
{
	unsigned long pfn = mapped_pfn(mm, size, addr);

	if (pfn == HT_NO_PFN || !pfn_valid(pfn))
		return NULL;
	return thp_of(page_folio(pfn_to_page(pfn)));
}

/* The THP the page cache of @mapping holds at @index, or NULL. */
struct folio *ht_thp_cached(struct address_space *mapping, pgoff_t index)
{
	struct folio *folio;

	rcu_read_lock();
	folio = xa_load(&mapping->i_pages, index);
	rcu_read_unlock();
	return xa_is_value(folio) ? NULL : thp_of(folio);
}

/* A THP's counts now, as the end of an event: the head's mapcount as kpagecount. */
void ht_thp_folio(struct folio *folio, struct ht_folio_delta *delta)
{
	if (!folio) {
		delta->pfn = HT_NO_PFN;
		return;
	}
	delta->pfn = folio_pfn(folio);
	delta->ref_after = folio_ref_count(folio);
	delta->map_after = ht_head_mapcount(folio);
}

/*
 * The first non-zero refcount of the tail pages 1..@nr of the folio at
 * @pfn, or 0: what the tail_refcount rule judges (ht_rules.h).
 */
int ht_tail_refcount(unsigned long pfn, long nr)
{
	struct page *head = pfn_to_page(pfn);
	long i;
	int ref;

	for (i = 1; i <= nr; i++) {
		ref = page_ref_count(head + i);
		if (ref)
			return ref;
	}
	return 0;
}

/*
 * The mms the ledger's walk holds (get_task_mm(), ledger.c): a user each
 * that takes no reference, not counted as another task's.  Lent after the
 * mmget() and returned before the mmput(), so that a fault meanwhile sees
 * the walk's user either way as another task's, or not at all.
 */
#define MMS_LENT	4
static struct mm_struct *lent[MMS_LENT];

/* False (the walk's user then counts as another's) when every slot is taken. */
bool ht_mm_lend(struct mm_struct *mm)
{
	int i;

	for (i = 0; i < MMS_LENT; i++)
		if (!cmpxchg(&lent[i], NULL, mm))
			return true;
	return false;
}

void ht_mm_return(struct mm_struct *mm)
{
	int i;

	for (i = 0; i < MMS_LENT; i++)
		if (cmpxchg(&lent[i], mm, NULL) == mm)
			return;
}

static int users_lent(struct mm_struct *mm)
{
	int i, n = 0;

	for (i = 0; i < MMS_LENT; i++)
		n += READ_ONCE(lent[i]) == mm;
	return n;
}

/*
 * Notes in @ev, at its start or at its end, the first reason another task
 * may move its folio's refcount meanwhile.  No lock keeps a refcount still:
 * GUP-fast takes references with none, a holder drops its own at any time.
 * The delta is the event's own only when no one else can hold or take one:
 * - no other task holds the mm (mm_users, less the ledger walk's): another
 *   thread's GUP, or a remote one (process_vm_readv(), /proc/pid/mem,
 *   ptrace) under mmget(), which puts its references before its mmput().
 *   UFFDIO_COPY and UFFDIO_CONTINUE hold the mm themselves (mmget_not_zero()
 *   in fs/userfaultfd.c), one more user when the mm's own task calls them;
 * - an anonymous folio: a page-cache one is reached by read(), fallocate,
 *   and the faults and zaps of other mms, under no lock of this mm;
 * - mapped here only: another mm's zap (a child after fork) drops its
 *   mapping under its own PTL and its reference later, at its TLB flush;
 * - at the start, no reference beyond its mappings (one a mapping, at
 *   rest): one held, by a pipe after vmsplice() say, may go at any time;
 *   nor a pin (put without the mm) or an isolation for migration
 *   (isolate_hugetlb() clears hugetlb_migratable under hugetlb_lock and
 *   holds a reference until putback), at either end.
 * Fork cannot start meanwhile: it takes the mmap lock for writing, which
 * a fault or fill holds for reading (or its vma lock).  An overlapping
 * event does not matter here: what it changes is the hstate's counters;
 * any of its references on this folio would need one of the above.
 */
void ht_note_holders(struct ht_event *ev, struct mm_struct *mm, bool start)
{
	const struct ht_folio_delta *f = &ev->folio;
	int users = ev->kind != HT_EV_FAULT && current->mm == mm ? 2 : 1;
	int map = start ? f->map_before : f->map_after;
	enum ht_unjudged why;
	struct folio *folio;

	if (ev->why_ref)
		return;
	if (atomic_read(&mm->mm_users) - users_lent(mm) > users) {
		ev->why_ref = HT_UNJ_MM_USERS + 1;
		return;
	}
	if (f->pfn == HT_NO_PFN)
		return;
	folio = page_folio(pfn_to_page(f->pfn));
	if (!folio_test_anon(folio))
		why = HT_UNJ_PAGE_CACHE;
	else if (map > 1)
		why = HT_UNJ_MAPPED_ELSEWHERE;
	else if ((start && f->ref_before != map) || folio_maybe_dma_pinned(folio) ||
		 !folio_test_hugetlb_migratable(folio))
		why = HT_UNJ_HELD_REF;
	else
		return;
	ev->why_ref = why + 1;
}
