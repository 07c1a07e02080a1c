// SPDX-License-Identifier: GPL-2.0
/*
 * THP collapse: one event per attempt, khugepaged's (collapse_huge_page(),
 * collapse_file()) or MADV_COLLAPSE's on each PMD range of its vma
 * (hpage_collapse_scan_pmd(), hpage_collapse_scan_file(), which call the
 * former; collapse_scan_*() since 7.1, which 7.2 inlines into
 * collapse_single_pmd(): that is the point there); and
 * collapse_pte_mapped_thp() as side a of the collapse_vs_uffd_fill window.
 */
#include <linux/huge_mm.h>
#include <linux/mm.h>
#include <linux/userfaultfd_k.h>

#include "collapse_probe.h"
#include "events.h"
#include "inflight.h"
#include "refcount_track.h"

/* State of one attempt, kept in its kretprobe instance across sleeps. */
struct collapse_call {
	struct ht_event ev;
	struct mm_struct *mm;
	/* a file collapse: the page cache that gets the new folio, where */
	struct address_space *mapping;
	pgoff_t index;
};

/* Of a call that claims an in-flight slot and nothing else. */
struct op_call {
	int slot;
};

static unsigned long arg(struct pt_regs *regs, unsigned int n)
{
	return regs_get_kernel_argument(regs, n);
}

/* Only khugepaged collapses from a kernel thread; MADV_COLLAPSE from its caller. */
static bool from_khugepaged(void)
{
	return current->flags & PF_KTHREAD;
}

/* The THP at the range: mapped by a PMD, or in the file's page cache. */
static void thp_now(struct collapse_call *call, struct ht_folio_delta *folio)
{
	ht_thp_folio(call->mapping ? ht_thp_cached(call->mapping, call->index) :
		     ht_thp_mapped(call->mm, call->ev.page_size, call->ev.address), folio);
}

static void note_thp_before(struct collapse_call *call)
{
	struct ht_folio_delta *folio = &call->ev.folio;

	thp_now(call, folio);
	folio->ref_before = folio->ref_after;
	folio->map_before = folio->map_after;
}

/*
 * Into a folio of @order at @addr aligned to its size; @mapping: a file
 * collapse, into its page cache at @index
 */
static void start_collapse(struct collapse_call *call, struct mm_struct *mm,
			   unsigned long addr, unsigned int order, u8 how,
			   struct address_space *mapping, pgoff_t index)
{
	struct ht_event *ev = &call->ev;

	ht_event_begin(ev, HT_EV_COLLAPSE, NULL);
	ev->page_size = PAGE_SIZE << order;
	ev->address = ALIGN_DOWN(addr, ev->page_size);
	ev->pages = 1;
	ev->collapse = how | (from_khugepaged() ? HT_COLLAPSE_KHUGEPAGED : 0);
	ev->owner = ht_mm_owner_pid(mm);
	call->mm = mm;
	call->mapping = mapping;
	call->index = index;
	note_thp_before(call);
}

static u8 armed(struct vm_area_struct *vma)
{
	return vma && userfaultfd_armed(vma) ? HT_COLLAPSE_UFFD : 0;
}

/*
 * hpage_collapse_scan_pmd(mm, vma, address, mmap_locked, cc), mmap_lock
 * held; collapse_scan_pmd() has lock_dropped for mmap_locked
 */
static int scan_pmd_entry(struct ht_probe *probe, struct pt_regs *regs, void *data)
{
	if (from_khugepaged() || !ht_event_wanted())
		return 1;
	start_collapse(data, (struct mm_struct *)arg(regs, 0), arg(regs, 2), HPAGE_PMD_ORDER,
		       armed((struct vm_area_struct *)arg(regs, 1)), NULL, 0);
	return 0;
}
NOKPROBE_SYMBOL(scan_pmd_entry);

/*
 * collapse_huge_page(mm, address, referenced, unmapped, cc[, order]), into
 * a folio of that order (compat.h): entered with mmap_lock held for read
 * (it drops it) on 6.x, so the vma can be looked up; without it on 7.x,
 * where the lookup is under RCU (mtree_load()), which the handler's
 * disabled preemption extends over the read of a vma that stays one
 * (SLAB_TYPESAFE_BY_RCU): at worst a stale one, and so a stale uffd=.
 */
static int collapse_anon_entry(struct ht_probe *probe, struct pt_regs *regs,
			       void *data)
{
	struct mm_struct *mm = (struct mm_struct *)arg(regs, 0);

	if (!from_khugepaged() || !ht_event_wanted())
		return 1;
	start_collapse(data, mm, arg(regs, 1), ht_collapse_order(regs),
		       armed(vma_lookup(mm, arg(regs, 1))), NULL, 0);
	return 0;
}
NOKPROBE_SYMBOL(collapse_anon_entry);

/*
 * hpage_collapse_scan_file() and collapse_file() take (mm, addr, file,
 * start, cc), without mmap_lock: MADV_COLLAPSE's vma was seen armed or not
 * at madvise_collapse(); khugepaged collapses the file, not a vma (uffd=0).
 */
static void start_file_collapse(struct collapse_call *call, struct pt_regs *regs)
{
	struct file *file = (struct file *)arg(regs, 2);
	u8 how = HT_COLLAPSE_FILE;

	if (ht_op_flag(ht_current_op(HT_OP_MADVISE_COLLAPSE)))
		how |= HT_COLLAPSE_UFFD;
	start_collapse(call, (struct mm_struct *)arg(regs, 0), arg(regs, 1), HPAGE_PMD_ORDER,
		       how, file->f_mapping, arg(regs, 3));
	call->ev.flags |= HT_EVF_SHARED;
}

/* what start_file_collapse() and collapse_return read */
#define HT_READS_FILE_COLLAPSE							\
	HT_READS(HT_READ(0, struct mm_struct *), HT_READ(1, unsigned long),	\
		 HT_READ(2, struct file *), HT_READ(3, pgoff_t), HT_READ(ret, int))

static int scan_file_entry(struct ht_probe *probe, struct pt_regs *regs, void *data)
{
	if (from_khugepaged() || !ht_event_wanted())
		return 1;
	start_file_collapse(data, regs);
	return 0;
}
NOKPROBE_SYMBOL(scan_file_entry);

static int collapse_file_entry(struct ht_probe *probe, struct pt_regs *regs,
			       void *data)
{
	if (!from_khugepaged() || !ht_event_wanted())
		return 1;
	start_file_collapse(data, regs);
	return 0;
}
NOKPROBE_SYMBOL(collapse_file_entry);

/*
 * A SCAN_* result.  A THP that was not there at the start is the
 * attempt's (flags=new), counted from 0; the caller still holds the file.
 */
static int collapse_return(struct ht_probe *probe, struct pt_regs *regs, void *data)
{
	struct collapse_call *call = data;
	struct ht_folio_delta *folio = &call->ev.folio, now;

	call->ev.result = (int)regs_return_value(regs);
	thp_now(call, &now);
	if (now.pfn != HT_NO_PFN && now.pfn != folio->pfn) {
		call->ev.flags |= HT_EVF_NEW_FOLIO;
		now.ref_before = 0;
		now.map_before = 0;
	} else {
		now.ref_before = folio->ref_before;
		now.map_before = folio->map_before;
	}
	*folio = now;
	ht_event_end(&call->ev, NULL);
	return 0;
}
NOKPROBE_SYMBOL(collapse_return);

/* madvise_collapse(vma, prev, start, end), mmap_lock held: is the vma armed? */
static int madvise_collapse_entry(struct ht_probe *probe, struct pt_regs *regs,
				  void *data)
{
	struct op_call *call = data;

	if (!ht_event_wanted())
		return 1;
	call->slot = ht_op_claim(HT_OP_MADVISE_COLLAPSE, 0);
	ht_op_set_flag(call->slot, armed((struct vm_area_struct *)arg(regs, 0)));
	return 0;
}
NOKPROBE_SYMBOL(madvise_collapse_entry);

/* collapse_pte_mapped_thp(mm, addr, install_pmd): side a of collapse_vs_uffd_fill */
static int pte_mapped_entry(struct ht_probe *probe, struct pt_regs *regs, void *data)
{
	struct op_call *call = data;
	unsigned long haddr = arg(regs, 1) & HPAGE_PMD_MASK;

	if (!ht_event_wanted())
		return 1;
	call->slot = ht_op_claim(HT_OP_COLLAPSE_PTE_MAPPED, 0);
	ht_window_open(call->slot, HT_WIN_COLLAPSE_VS_UFFD_FILL,
		       (struct mm_struct *)arg(regs, 0), haddr, haddr + HPAGE_PMD_SIZE);
	return 0;
}
NOKPROBE_SYMBOL(pte_mapped_entry);

static int op_return(struct ht_probe *probe, struct pt_regs *regs, void *data)
{
	struct op_call *call = data;

	ht_op_release(call->slot);
	return 0;
}
NOKPROBE_SYMBOL(op_return);

enum { SCAN_PMD_POINT, SCAN_FILE_POINT };

static int single_pmd_entry(struct ht_probe *probe, struct pt_regs *regs, void *data);

static struct ht_probe probes[] = {
	[SCAN_PMD_POINT] = HT_CALL("scan_pmd", "thp", struct collapse_call, scan_pmd_entry,
				   collapse_return, HT_READS(HT_READ(0, struct mm_struct *),
				   HT_READ(1, struct vm_area_struct *),
				   HT_READ(2, unsigned long), HT_READ(ret, int)),
				   HT_SYMS_COLLAPSE_SCAN_PMD),
	[SCAN_FILE_POINT] = HT_CALL("scan_file", "thp", struct collapse_call, scan_file_entry,
				    collapse_return, HT_READS_FILE_COLLAPSE,
				    HT_SYMS_COLLAPSE_SCAN_FILE),
	HT_CALL("single_pmd", "thp", struct collapse_call, single_pmd_entry, collapse_return,
		HT_READS(HT_READ(0, unsigned long), HT_READ(1, struct vm_area_struct *), HT_READ(ret, int)),
		{ "collapse_single_pmd" }),
	HT_CALL("collapse_huge_page", "thp", struct collapse_call, collapse_anon_entry,
		collapse_return, HT_READS_COLLAPSE_ANON, { "collapse_huge_page" }),
	HT_CALL("collapse_file", "thp", struct collapse_call, collapse_file_entry,
		collapse_return, HT_READS_FILE_COLLAPSE, { "collapse_file" }),
	HT_CALL("collapse_pte_mapped_thp", "thp", struct op_call, pte_mapped_entry, op_return,
		HT_READS(HT_READ(0, struct mm_struct *), HT_READ(1, unsigned long)),
		HT_SYMS_COLLAPSE_PTE_MAPPED),
	HT_POINT("retract_page_tables", "thp", HT_SYMS_RETRACT_PAGE_TABLES),
	HT_CALL("madvise_collapse", "thp", struct op_call, madvise_collapse_entry, op_return,
		HT_READS(HT_READ(0, struct vm_area_struct *)), { "madvise_collapse" }),
	HT_POINT("split_huge_pmd", "thp", { "__split_huge_pmd" }),
	HT_POINT("split_huge_page", "thp", HT_SYMS_SPLIT_HUGE_PAGE),
};

/* The scans are the per-PMD points where they have a symbol. */
static bool scans_probed(void)
{
	return probes[SCAN_PMD_POINT].state == HT_PROBE_ACTIVE ||
	       probes[SCAN_FILE_POINT].state == HT_PROBE_ACTIVE;
}

/*
 * collapse_single_pmd(addr, vma, lock_dropped, cc), mmap_lock held: one
 * MADV_COLLAPSE attempt, where the scans it calls have no symbol (7.2).
 * Where they do, they are the point (and take khugepaged's attempts).
 */
static int single_pmd_entry(struct ht_probe *probe, struct pt_regs *regs, void *data)
{
	struct vm_area_struct *vma = (struct vm_area_struct *)arg(regs, 1);
	struct collapse_call *call = data;
	unsigned long addr = arg(regs, 0);

	if (from_khugepaged() || !ht_event_wanted() || scans_probed())
		return 1;
	if (vma_is_anonymous(vma)) {
		start_collapse(call, vma->vm_mm, addr, HPAGE_PMD_ORDER, armed(vma), NULL, 0);
		return 0;
	}
	start_collapse(call, vma->vm_mm, addr, HPAGE_PMD_ORDER, HT_COLLAPSE_FILE | armed(vma),
		       vma->vm_file->f_mapping, linear_page_index(vma, addr));
	call->ev.flags |= HT_EVF_SHARED;
	return 0;
}
NOKPROBE_SYMBOL(single_pmd_entry);

struct ht_probe_table ht_thp_probes = {
	.probes = probes,
	.count = ARRAY_SIZE(probes),
};
