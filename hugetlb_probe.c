// SPDX-License-Identifier: GPL-2.0
/*
 * The probe points on the hugetlb and userfaultfd paths, with the sides of
 * the race windows they take.
 */
#include <linux/hugetlb.h>
#include <linux/module.h>

#include "events.h"
#include "hugetlb_probe.h"
#include "inflight.h"
#include "ledger_audit.h"
#include "refcount_track.h"

/* State of one call, kept in its kretprobe instance across sleeps. */
struct folio_call {
	struct ht_event ev;
	struct hstate *h;
	struct mm_struct *mm;
};

struct hstate_call {
	struct ht_event ev;
	struct hstate *h;
};

static unsigned long arg(struct pt_regs *regs, unsigned int n)
{
	return regs_get_kernel_argument(regs, n);
}

/* None once the mount is going away (put_super clears s_fs_info). */
static struct hugepage_subpool *inode_subpool(struct inode *inode)
{
	struct hugetlbfs_sb_info *sbi = HUGETLBFS_SB(inode->i_sb);

	return sbi ? sbi->spool : NULL;
}

static u8 mapping_flags(vm_flags_t vm_flags)
{
	return vm_flags & VM_SHARED ? HT_EVF_SHARED : 0;
}

/* A call that maps a huge page at @addr of @vma: a fault or a uffd fill. */
static void start_folio_call(struct folio_call *call, enum ht_event_kind kind,
			     struct vm_area_struct *vma, unsigned long addr)
{
	struct ht_event *ev = &call->ev;

	call->mm = vma->vm_mm;
	call->h = hstate_vma(vma);
	ht_event_begin(ev, kind, call->h);
	ev->address = addr & huge_page_mask(call->h);
	ev->pages = 1;
	ev->flags |= mapping_flags(vma->vm_flags);
	ht_event_subpool(ev, inode_subpool(file_inode(vma->vm_file)));
	ht_folio_at(call->mm, vma, call->h, ev->address, &ev->folio.pfn,
		    &ev->folio.ref_before, &ev->folio.map_before);
	ht_note_holders(ev, call->mm, true);
}

/*
 * The vma may be gone by now (a fault that returns VM_FAULT_RETRY dropped
 * the mmap lock): only the mm, which the caller holds, is used.
 */
static void finish_folio_call(struct folio_call *call, long result)
{
	struct ht_folio_delta *folio = &call->ev.folio;
	unsigned long pfn;
	int ref, map;

	call->ev.result = result;
	ht_folio_at(call->mm, NULL, call->h, call->ev.address, &pfn, &ref, &map);
	if (pfn != HT_NO_PFN && pfn != folio->pfn) {
		/* a folio that did not exist at the start counts from 0/0 */
		call->ev.flags |= HT_EVF_NEW_FOLIO;
		folio->ref_before = 0;
		folio->map_before = 0;
		/* what the start saw of another folio does not bar this one's */
		if (call->ev.why_ref != HT_UNJ_MM_USERS + 1)
			call->ev.why_ref = 0;
	}
	folio->pfn = pfn;
	folio->ref_after = ref;
	folio->map_after = map;
	ht_note_holders(&call->ev, call->mm, false);
	ht_event_end(&call->ev, call->h);
	ht_ledger_note(&call->ev);
}
NOKPROBE_SYMBOL(finish_folio_call);

/*
 * hugetlb_fault(mm, vma, address, flags): side b of uffd_copy_retry_vs_fault
 * when it lands on a page a UFFDIO_COPY is about to retry.
 */
static int fault_entry(struct ht_probe *probe, struct pt_regs *regs, void *data)
{
	struct folio_call *call = data;

	if (!ht_event_wanted())
		return 1;
	start_folio_call(call, HT_EV_FAULT, (struct vm_area_struct *)arg(regs, 1),
			 arg(regs, 2));
	ht_window_reach(HT_WIN_UFFD_COPY_RETRY_VS_FAULT, call->mm, call->ev.address,
			call->ev.address + call->ev.page_size);
	return 0;
}
NOKPROBE_SYMBOL(fault_entry);

/* vm_fault_t is 32 bits: the upper half of the register is not defined. */
static int fault_return(struct ht_probe *probe, struct pt_regs *regs, void *data)
{
	finish_folio_call(data, (u32)regs_return_value(regs));
	return 0;
}
NOKPROBE_SYMBOL(fault_return);

/*
 * The hugetlb step of UFFDIO_COPY / UFFDIO_CONTINUE (compat/compat.h); a
 * call after -ENOENT is the retry that closes the task's window.
 */
static int mfill_entry(struct ht_probe *probe, struct pt_regs *regs, void *data)
{
	ht_op_release(ht_current_op(HT_OP_COPY_RETRY));
	if (!ht_event_wanted())
		return 1;
	start_folio_call(data, ht_mfill_is_continue(arg(regs, HT_MFILL_ARG_MODE)) ?
			 HT_EV_UFFD_CONTINUE : HT_EV_UFFD_COPY,
			 (struct vm_area_struct *)arg(regs, HT_MFILL_ARG_VMA),
			 arg(regs, HT_MFILL_ARG_ADDR));
	return 0;
}
NOKPROBE_SYMBOL(mfill_entry);

/*
 * An int errno, sign-extended.  -ENOENT: UFFDIO_COPY dropped its locks to
 * copy the source and will call again; until then, the page is side a of
 * uffd_copy_retry_vs_fault.
 */
static int mfill_return(struct ht_probe *probe, struct pt_regs *regs, void *data)
{
	struct folio_call *call = data;

	finish_folio_call(call, (int)regs_return_value(regs));
	if (call->ev.kind == HT_EV_UFFD_COPY && call->ev.result == -ENOENT)
		ht_window_open(ht_op_claim(HT_OP_COPY_RETRY, 0),
			       HT_WIN_UFFD_COPY_RETRY_VS_FAULT, call->mm,
			       call->ev.address, call->ev.address + call->ev.page_size);
	return 0;
}
NOKPROBE_SYMBOL(mfill_return);

/* The end of UFFDIO_COPY: a retry that did not come (the copy failed) never will. */
static int copy_ioctl_return(struct ht_probe *probe, struct pt_regs *regs, void *data)
{
	ht_op_release(ht_current_op(HT_OP_COPY_RETRY));
	return 0;
}
NOKPROBE_SYMBOL(copy_ioctl_return);

/*
 * huge_pte_alloc(mm, vma, addr, sz) in a fault: the page table it returns
 * may be a shared PMD page, valid only once the fault holds its lock; the
 * fault is side a of pmd_unshare_vs_fault on the PUD range until it ends.
 */
static int pte_alloc_entry(struct ht_probe *probe, struct pt_regs *regs, void *data)
{
	struct vm_area_struct *vma = (struct vm_area_struct *)arg(regs, 1);
	unsigned long pud = arg(regs, 2) & PUD_MASK;

	/* only where a PMD page may be shared can it be unshared (want_pmd_share()) */
	if (!(vma->vm_flags & VM_MAYSHARE) || pud < vma->vm_start ||
	    pud + PUD_SIZE > vma->vm_end)
		return 0;
	ht_window_open(ht_current_op(HT_EV_FAULT), HT_WIN_PMD_UNSHARE_VS_FAULT,
		       (struct mm_struct *)arg(regs, 0), pud, pud + PUD_SIZE);
	return 0;
}
NOKPROBE_SYMBOL(pte_alloc_entry);

static void unshare(struct mm_struct *mm, unsigned long addr)
{
	unsigned long pud = addr & PUD_MASK;

	if (ht_event_wanted())
		ht_window_reach(HT_WIN_PMD_UNSHARE_VS_FAULT, mm, pud, pud + PUD_SIZE);
}

/*
 * huge_pmd_unshare(tlb or mm, vma, addr, ptep) (compat/compat.h): side b
 * of pmd_unshare_vs_fault
 */
static int pmd_unshare_entry(struct ht_probe *probe, struct pt_regs *regs, void *data)
{
	unshare(ht_pmd_unshare_mm((struct vm_area_struct *)arg(regs, 1),
				  (struct mm_struct *)arg(regs, 0)), arg(regs, 2));
	return 0;
}
NOKPROBE_SYMBOL(pmd_unshare_entry);

/* Its clone, which the zap path calls (compat/compat.h) */
static int pmd_unshare_clone_entry(struct ht_probe *probe, struct pt_regs *regs,
				   void *data)
{
	unshare((struct mm_struct *)arg(regs, HT_UNSHARE_CLONE_ARG_MM),
		arg(regs, HT_UNSHARE_CLONE_ARG_ADDR));
	return 0;
}
NOKPROBE_SYMBOL(pmd_unshare_clone_entry);

/*
 * mfill_atomic_install_pte(): a uffd fill maps a page (compat/compat.h);
 * side b of collapse_vs_uffd_fill.
 */
static int install_pte_entry(struct ht_probe *probe, struct pt_regs *regs, void *data)
{
	struct vm_area_struct *vma = (struct vm_area_struct *)arg(regs, HT_INSTALL_PTE_ARG_VMA);
	unsigned long addr = arg(regs, HT_INSTALL_PTE_ARG_ADDR);

	if (ht_event_wanted())
		ht_window_reach(HT_WIN_COLLAPSE_VS_UFFD_FILL, vma->vm_mm, addr,
				addr + PAGE_SIZE);
	return 0;
}
NOKPROBE_SYMBOL(install_pte_entry);

/* Starts the event of a call that changes @h's counters. */
static struct ht_event *start_hstate_call(void *data, enum ht_event_kind kind,
					  struct hstate *h,
					  struct hugepage_subpool *spool, u8 flags)
{
	struct hstate_call *call = data;

	call->h = h;
	ht_event_begin(&call->ev, kind, h);
	ht_event_subpool(&call->ev, spool);
	call->ev.flags |= flags;
	return &call->ev;
}

/* ... of a call on a whole vma. */
static struct ht_event *start_vma_call(void *data, enum ht_event_kind kind,
				       struct vm_area_struct *vma)
{
	struct ht_event *ev = start_hstate_call(data, kind, hstate_vma(vma),
						inode_subpool(file_inode(vma->vm_file)),
						mapping_flags(vma->vm_flags));

	ev->address = vma->vm_start;
	ev->pages = (vma->vm_end - vma->vm_start) / ev->page_size;
	return ev;
}

/*
 * hugetlb_reserve_pages(inode, from, to, vma, vm_flags): vma_flags_t in
 * 7.x, one word with the same bits
 */
static int reserve_entry(struct ht_probe *probe, struct pt_regs *regs, void *data)
{
	struct inode *inode = (struct inode *)arg(regs, 0);
	struct vm_area_struct *vma = (struct vm_area_struct *)arg(regs, 3);
	struct ht_event *ev;

	if (!ht_event_wanted())
		return 1;
	ev = start_hstate_call(data, HT_EV_RESERVE, hstate_inode(inode),
			       inode_subpool(inode), mapping_flags(arg(regs, 4)));
	ev->address = vma ? vma->vm_start : 0;
	ev->pages = arg(regs, 2) - arg(regs, 1);
	return 0;
}
NOKPROBE_SYMBOL(reserve_entry);

/* hugetlb_unreserve_pages(inode, start, end, freed) */
static int unreserve_entry(struct ht_probe *probe, struct pt_regs *regs, void *data)
{
	struct inode *inode = (struct inode *)arg(regs, 0);

	if (!ht_event_wanted())
		return 1;
	start_hstate_call(data, HT_EV_UNRESERVE, hstate_inode(inode),
			  inode_subpool(inode), HT_EVF_SHARED)->pages = arg(regs, 3);
	return 0;
}
NOKPROBE_SYMBOL(unreserve_entry);

/* hugetlb_vm_op_close(vma): a private mapping gives back what it did not use */
static int vma_close_entry(struct ht_probe *probe, struct pt_regs *regs, void *data)
{
	if (!ht_event_wanted())
		return 1;
	start_vma_call(data, HT_EV_VMA_CLOSE, (struct vm_area_struct *)arg(regs, 0));
	return 0;
}
NOKPROBE_SYMBOL(vma_close_entry);

/* __unmap_hugepage_range(tlb, vma, start, end, ref_page, zap_flags) */
static int zap_entry(struct ht_probe *probe, struct pt_regs *regs, void *data)
{
	struct ht_event *ev;

	if (!ht_event_wanted())
		return 1;
	ev = start_vma_call(data, HT_EV_ZAP, (struct vm_area_struct *)arg(regs, 1));
	ev->address = arg(regs, 2);
	ev->pages = (arg(regs, 3) - arg(regs, 2)) / ev->page_size;
	return 0;
}
NOKPROBE_SYMBOL(zap_entry);

/* copy_hugetlb_page_range(dst, src, dst_vma, src_vma): fork */
static int fork_copy_entry(struct ht_probe *probe, struct pt_regs *regs, void *data)
{
	if (!ht_event_wanted())
		return 1;
	start_vma_call(data, HT_EV_FORK_COPY, (struct vm_area_struct *)arg(regs, 3));
	return 0;
}
NOKPROBE_SYMBOL(fork_copy_entry);

/*
 * remove_inode_hugepages(inode, lstart, lend): byte offsets, lend LLONG_MAX
 * for a truncation, else a hole punch; the event's address is lstart.
 */
static int remove_pages_entry(struct ht_probe *probe, struct pt_regs *regs,
			      void *data)
{
	struct inode *inode = (struct inode *)arg(regs, 0);
	loff_t start = arg(regs, 1), end = arg(regs, 2);
	bool truncate = end == LLONG_MAX;
	struct ht_event *ev;

	if (!ht_event_wanted())
		return 1;
	ev = start_hstate_call(data, truncate ? HT_EV_TRUNCATE : HT_EV_HOLE_PUNCH,
			       hstate_inode(inode), inode_subpool(inode), HT_EVF_SHARED);
	ev->address = start;
	ev->pages = truncate ? 0 : (end - start) / ev->page_size;
	return 0;
}
NOKPROBE_SYMBOL(remove_pages_entry);

/* huge_pmd_share(mm, vma, addr, pud): a fault's page table may share a PMD page */
static int pmd_share_entry(struct ht_probe *probe, struct pt_regs *regs, void *data)
{
	struct ht_event *ev;

	if (!ht_event_wanted())
		return 1;
	ev = start_vma_call(data, HT_EV_PMD_SHARE, (struct vm_area_struct *)arg(regs, 1));
	ev->address = arg(regs, 2) & PUD_MASK;
	ev->pages = PUD_SIZE / ev->page_size;
	return 0;
}
NOKPROBE_SYMBOL(pmd_share_entry);

/* hugepage_new_subpool(h, max_hpages, min_hpages): a mount with size= or min_size= */
static int subpool_new_entry(struct ht_probe *probe, struct pt_regs *regs, void *data)
{
	if (!ht_event_wanted())
		return 1;
	start_hstate_call(data, HT_EV_SUBPOOL_NEW, (struct hstate *)arg(regs, 0),
			  NULL, HT_EVF_SHARED)->pages = (long)arg(regs, 2);
	return 0;
}
NOKPROBE_SYMBOL(subpool_new_entry);

/* The new subpool, or NULL: its figures, not its address. */
static int subpool_new_return(struct ht_probe *probe, struct pt_regs *regs, void *data)
{
	struct hugepage_subpool *spool = (struct hugepage_subpool *)regs_return_value(regs);
	struct hstate_call *call = data;

	call->ev.result = spool ? 0 : -ENOMEM;
	ht_event_subpool(&call->ev, spool);
	ht_event_end(&call->ev, call->h);
	ht_ledger_note(&call->ev);
	return 0;
}
NOKPROBE_SYMBOL(subpool_new_return);

/*
 * hugepage_put_subpool(spool): at umount.  It may free the subpool: its
 * figures are not read.  7.3 calls it for every mount, with NULL for one
 * without size= or min_size= (it returns at once): no event.
 */
static int subpool_put_entry(struct ht_probe *probe, struct pt_regs *regs, void *data)
{
	struct hugepage_subpool *spool = (struct hugepage_subpool *)arg(regs, 0);

	if (!spool || !ht_event_wanted())
		return 1;
	start_hstate_call(data, HT_EV_SUBPOOL_PUT, spool->hstate, NULL,
			  HT_EVF_SHARED)->pages = spool->min_hpages;
	return 0;
}
NOKPROBE_SYMBOL(subpool_put_entry);

static int finish_hstate_call(void *data, long result)
{
	struct hstate_call *call = data;

	call->ev.result = result;
	ht_event_end(&call->ev, call->h);
	ht_ledger_note(&call->ev);
	return 0;
}
NOKPROBE_SYMBOL(finish_hstate_call);

/* bool or long by kernel (compat/compat.h) */
static int reserve_return(struct ht_probe *probe, struct pt_regs *regs, void *data)
{
	return finish_hstate_call(data, ht_reserve_result(regs_return_value(regs)));
}
NOKPROBE_SYMBOL(reserve_return);

static int long_return(struct ht_probe *probe, struct pt_regs *regs, void *data)
{
	return finish_hstate_call(data, regs_return_value(regs));
}
NOKPROBE_SYMBOL(long_return);

static int int_return(struct ht_probe *probe, struct pt_regs *regs, void *data)
{
	return finish_hstate_call(data, (int)regs_return_value(regs));
}
NOKPROBE_SYMBOL(int_return);

static int void_return(struct ht_probe *probe, struct pt_regs *regs, void *data)
{
	return finish_hstate_call(data, 0);
}
NOKPROBE_SYMBOL(void_return);

static struct ht_probe probes[] = {
	/* hugetlb faults, allocation and reservations */
	HT_WAITING_CALL("hugetlb_fault", "hugetlb", struct folio_call, fault_entry, fault_return,
			HT_READS(HT_READ(1, struct vm_area_struct *), HT_READ(2, unsigned long),
			HT_READ(ret, vm_fault_t)), { "hugetlb_fault" }),
	HT_POINT("hugetlb_wp", "hugetlb", { "hugetlb_wp" }),
	HT_POINT("alloc_hugetlb_folio", "hugetlb", HT_SYMS_ALLOC_HUGETLB_FOLIO),
	HT_POINT("free_hugetlb_folio", "hugetlb", HT_SYMS_FREE_HUGETLB_FOLIO),
	HT_POINT("remove_hugetlb_folio", "hugetlb", HT_SYMS_REMOVE_HUGETLB_FOLIO),
	HT_CALL("reserve_pages", "hugetlb", struct hstate_call, reserve_entry, reserve_return,
		HT_READS(HT_READ(0, struct inode *), HT_READ(1, long), HT_READ(2, long),
		HT_READ(3, struct vm_area_struct *), HT_READ(4, HT_RESERVE_FLAGS_T),
		HT_READ(ret, HT_RESERVE_RESULT_T)), { "hugetlb_reserve_pages" }),
	HT_CALL("unreserve_pages", "hugetlb", struct hstate_call, unreserve_entry, long_return,
		HT_READS(HT_READ(0, struct inode *), HT_READ(3, long), HT_READ(ret, long)),
		{ "hugetlb_unreserve_pages" }),
	HT_CALL("vma_close", "hugetlb", struct hstate_call, vma_close_entry, void_return,
		HT_READS(HT_READ(0, struct vm_area_struct *)), { "hugetlb_vm_op_close" }),
	HT_POINT("acct_memory", "hugetlb", HT_SYMS_HUGETLB_ACCT_MEMORY),
	HT_POINT("restore_reserve_on_error", "hugetlb", { "restore_reserve_on_error" }),
	HT_POINT("fix_reserve_counts", "hugetlb", { "hugetlb_fix_reserve_counts" }),
	HT_POINT("return_unused_surplus", "hugetlb", { "return_unused_surplus_pages" }),
	HT_POINT("add_to_page_cache", "hugetlb", { "hugetlb_add_to_page_cache" }),
	HT_POINT("new_anon_rmap", "hugetlb", HT_SYMS_HUGETLB_NEW_ANON_RMAP),
	HT_POINT("anon_rmap", "hugetlb", HT_SYMS_HUGETLB_ANON_RMAP),
	/* hugetlb page tables: zap, fork, sharing, protection */
	HT_CALL("unmap_range", "hugetlb", struct hstate_call, zap_entry, void_return,
		HT_READS(HT_READ(1, struct vm_area_struct *), HT_READ(2, unsigned long),
		HT_READ(3, unsigned long)), { "__unmap_hugepage_range" }),
	HT_CALL("copy_page_range", "hugetlb", struct hstate_call, fork_copy_entry, int_return,
		HT_READS(HT_READ(3, struct vm_area_struct *), HT_READ(ret, int)),
		{ "copy_hugetlb_page_range" }),
	HT_PROBE("pte_alloc", "hugetlb", pte_alloc_entry,
		 HT_READS(HT_READ(0, struct mm_struct *), HT_READ(1, struct vm_area_struct *),
		 HT_READ(2, unsigned long)), { "huge_pte_alloc" }),
	HT_CALL("pmd_share", "hugetlb", struct hstate_call, pmd_share_entry, void_return,
		HT_READS(HT_READ(1, struct vm_area_struct *), HT_READ(2, unsigned long)),
		{ "huge_pmd_share" }),
	HT_PROBE("pmd_unshare", "hugetlb", pmd_unshare_entry,
		 HT_READS(HT_READ(0, HT_PMD_UNSHARE_ARG0_T), HT_READ(1, struct vm_area_struct *),
		 HT_READ(2, unsigned long)), { "huge_pmd_unshare" }),
	HT_PROBE("pmd_unshare_zap", "hugetlb", pmd_unshare_clone_entry,
		 HT_READS(HT_READ(HT_UNSHARE_CLONE_ARG_MM, struct mm_struct *),
		 HT_READ(HT_UNSHARE_CLONE_ARG_ADDR, unsigned long)),
		 HT_SYMS_HUGE_PMD_UNSHARE_CLONE),
	HT_POINT("change_protection", "hugetlb", { "hugetlb_change_protection" }),
	/* hugetlbfs: truncation, hole punch, fallocate */
	HT_CALL("remove_inode_pages", "hugetlb", struct hstate_call, remove_pages_entry,
		void_return, HT_READS(HT_READ(0, struct inode *), HT_READ(1, loff_t), HT_READ(2, loff_t)),
		{ "remove_inode_hugepages" }),
	HT_POINT("vmdelete_list", "hugetlb", { "hugetlb_vmdelete_list" }),
	HT_POINT("fallocate", "hugetlb", { "hugetlbfs_fallocate" }),
	HT_CALL("subpool_new", "hugetlb", struct hstate_call, subpool_new_entry,
		subpool_new_return, HT_READS(HT_READ(0, struct hstate *), HT_READ(2, long),
		HT_READ(ret, struct hugepage_subpool *)), { "hugepage_new_subpool" }),
	HT_CALL("subpool_put", "hugetlb", struct hstate_call, subpool_put_entry, void_return,
		HT_READS(HT_READ(0, struct hugepage_subpool *)), { "hugepage_put_subpool" }),
	/* userfaultfd */
	HT_POINT("uffd_ioctl", "uffd", { "userfaultfd_ioctl" }),
	HT_RETURN("mfill_copy", "uffd", copy_ioctl_return, HT_SYMS_MFILL_COPY),
	HT_POINT("mfill_continue", "uffd", HT_SYMS_MFILL_CONTINUE),
	HT_CALL("hugetlb_mfill_pte", "uffd", struct folio_call, mfill_entry, mfill_return,
		HT_READS(HT_READ(HT_MFILL_ARG_VMA, struct vm_area_struct *),
		HT_READ(HT_MFILL_ARG_ADDR, unsigned long),
		HT_READ(HT_MFILL_ARG_MODE, HT_MFILL_MODE_T), HT_READ(ret, int)),
		HT_SYMS_HUGETLB_MFILL_PTE),
	HT_PROBE("mfill_install_pte", "uffd", install_pte_entry,
		 HT_READS(HT_READ(HT_INSTALL_PTE_ARG_VMA, struct vm_area_struct *),
		 HT_READ(HT_INSTALL_PTE_ARG_ADDR, unsigned long)), { "mfill_atomic_install_pte" }),
};

struct ht_probe_table ht_hugetlb_probes = {
	.probes = probes,
	.count = ARRAY_SIZE(probes),
};
