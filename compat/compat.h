/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels hugetrack runs on lives here, so that
 * the rest of the module reads as if there were only one kernel.
 *
 * Probe points that were renamed are spelled as candidate lists, newest name
 * first (ht_symbols.h, shared with the BPF loader): the probe core registers
 * the first one this kernel has.
 */
#ifndef HUGETRACK_COMPAT_H
#define HUGETRACK_COMPAT_H

#include <linux/err.h>
#include <linux/hugetlb.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/types.h>
#include <linux/uaccess.h>
#include <linux/userfaultfd_k.h>
#ifdef CONFIG_X86
#include <asm/ibt.h>
#endif

/* The names each renamed probe point has had (HT_SYMS_*): one list for both backends. */
#include "../ht_symbols.h"

/*
 * An error in a __percpu pointer, which is a named address space of its
 * own where the kernel has USE_X86_SEG_SUPPORT (7.2, gcc-16): a plain cast
 * warns.  include/linux/err.h has these where it needs them.
 */
#ifndef IS_ERR_PCPU
#define IS_ERR_PCPU(ptr)	(IS_ERR((const void *)(__force const unsigned long)(ptr)))
#define PTR_ERR_PCPU(ptr)	(PTR_ERR((const void *)(__force const unsigned long)(ptr)))
#endif

/*
 * The type of VM_FAULT_RESULT_TRACE's bits: u32 where Kbuild finds it casts
 * them so (COMPAT_FAULT_TRACE_U32: 7.3), else vm_fault_t.
 */
#ifdef COMPAT_FAULT_TRACE_U32
#define HT_FAULT_BIT_T	u32
#else
#define HT_FAULT_BIT_T	vm_fault_t
#endif

/*
 * ENDBR64 (or its sealed NOP): the inline __is_endbr(u32) where Kbuild
 * finds is_endbr() taking a u32 * (COMPAT_IS_ENDBR_PTR: out of line and
 * not exported: 7.2 and 7.3), else the inline is_endbr(u32).
 */
#ifdef COMPAT_IS_ENDBR_PTR
#define ht_is_endbr(insn)	__is_endbr(insn)
#else
#define ht_is_endbr(insn)	is_endbr(insn)
#endif

/*
 * Whether a spinlock_t is held by anyone, without taking it: on PREEMPT_RT
 * it is an rt_mutex (held while it has an owner), else a raw spinlock.
 */
static inline bool ht_spinlock_held(spinlock_t *lock)
{
#ifdef CONFIG_PREEMPT_RT
	return rt_mutex_base_is_locked(&lock->lock);
#else
	return raw_spin_is_locked(&lock->rlock);
#endif
}

/*
 * With IBT, a function-entry kprobe sits after the ENDBR64 that starts the
 * function (arch_adjust_kprobe_addr()); an indirect call must land on the
 * ENDBR64 itself, so step back over it.
 */
static inline unsigned long ht_function_start(unsigned long probe_addr)
{
#ifdef CONFIG_X86_KERNEL_IBT
	u32 insn;

	if (!copy_from_kernel_nofault(&insn, (void *)(probe_addr - ENDBR_INSN_SIZE),
				      sizeof(insn)) &&
	    ht_is_endbr(insn))
		return probe_addr - ENDBR_INSN_SIZE;
#endif
	return probe_addr;
}

/* The reserve-map index of the huge page at @addr: in huge pages. */
static inline pgoff_t ht_hugetlb_resv_index(struct hstate *h,
					    struct vm_area_struct *vma,
					    unsigned long addr)
{
	return ((addr - vma->vm_start) >> huge_page_shift(h)) +
	       (vma->vm_pgoff >> huge_page_order(h));
}

/*
 * The page-cache index of huge page @idx of a file.  Kbuild defines
 * COMPAT_HUGETLB_CACHE_BASE_INDEX where the kernel indexes the hugetlb page
 * cache in base pages ("mm/filemap: remove hugetlb special casing in
 * filemap.c", 6.7, backported by some distributions).
 */
static inline pgoff_t ht_hugetlb_cache_pos(struct hstate *h, pgoff_t idx)
{
#ifdef COMPAT_HUGETLB_CACHE_BASE_INDEX
	idx <<= huge_page_order(h);
#endif
	return idx;
}

/* The page-cache index of the huge page at @addr. */
static inline pgoff_t ht_hugetlb_cache_index(struct hstate *h,
					     struct vm_area_struct *vma,
					     unsigned long addr)
{
	return ht_hugetlb_cache_pos(h, ht_hugetlb_resv_index(h, vma, addr));
}

/*
 * The reserve map of a hugetlbfs inode: in its hugetlbfs_inode_info where
 * Kbuild finds it there (COMPAT_HUGETLBFS_INODE_RESV_MAP), else in the
 * private data of the address space embedded in the inode (as
 * inode_resv_map() reads it), renamed i_private_data where Kbuild finds
 * that (COMPAT_MAPPING_I_PRIVATE_DATA: 6.12).
 */
static inline struct resv_map *ht_inode_resv_map(struct inode *inode)
{
#if defined(COMPAT_HUGETLBFS_INODE_RESV_MAP)
	return READ_ONCE(HUGETLBFS_I(inode)->resv_map);
#elif defined(COMPAT_MAPPING_I_PRIVATE_DATA)
	return READ_ONCE(inode->i_data.i_private_data);
#else
	return READ_ONCE(inode->i_data.private_data);
#endif
}

/*
 * A private mapping's vm_private_data: its reserve map, with these flags in
 * the low bits (mm/hugetlb.c's HPAGE_RESV_*, the same on every kernel
 * hugetrack knows).  HT_HPAGE_RESV_OWNER: the mapping reserved its pages.
 */
#define HT_HPAGE_RESV_OWNER	(1UL << 0)
#define HT_HPAGE_RESV_MASK	(HT_HPAGE_RESV_OWNER | (1UL << 1))

/*
 * The hugetlb step of UFFDIO_COPY and UFFDIO_CONTINUE.  Kbuild defines
 * COMPAT_UFFD_FLAGS where the kernel has uffd_flags_t (6.6 on):
 *   hugetlb_mfill_atomic_pte(dst_pte, dst_vma, dst_addr, src_addr, flags, foliop)
 * else
 *   hugetlb_mcopy_atomic_pte(dst_mm, dst_pte, dst_vma, dst_addr, src_addr,
 *                            mode, pagep, wp_copy)
 */
#ifdef COMPAT_UFFD_FLAGS
#define HT_MFILL_ARG_VMA	1
#define HT_MFILL_ARG_ADDR	2
#define HT_MFILL_ARG_MODE	4
#define HT_MFILL_FN		hugetlb_mfill_atomic_pte
#define HT_MFILL_MODE_T		uffd_flags_t
typedef int ht_proto_mfill(pte_t *dst_pte, struct vm_area_struct *dst_vma,
			   unsigned long dst_addr, unsigned long src_addr,
			   HT_MFILL_MODE_T flags, struct folio **foliop);

static inline bool ht_mfill_is_continue(unsigned long mode)
{
	return uffd_flags_mode_is((__force uffd_flags_t)(unsigned int)mode,
				  MFILL_ATOMIC_CONTINUE);
}
#else
#define HT_MFILL_ARG_VMA	2
#define HT_MFILL_ARG_ADDR	3
#define HT_MFILL_ARG_MODE	5
#define HT_MFILL_FN		hugetlb_mcopy_atomic_pte
#define HT_MFILL_MODE_T		enum mcopy_atomic_mode
typedef int ht_proto_mfill(struct mm_struct *dst_mm, pte_t *dst_pte,
			   struct vm_area_struct *dst_vma, unsigned long dst_addr,
			   unsigned long src_addr, HT_MFILL_MODE_T mode,
			   struct page **pagep, bool wp_copy);

static inline bool ht_mfill_is_continue(unsigned long mode)
{
	return (enum mcopy_atomic_mode)mode == MCOPY_ATOMIC_CONTINUE;
}
#endif

/*
 * mfill_atomic_install_pte(): the PTE step of every non-hugetlb uffd fill.
 * Kbuild defines COMPAT_INSTALL_PTE_MM where the header declares it with
 * its mm argument (6.1):
 *   mfill_atomic_install_pte(dst_mm, dst_pmd, dst_vma, dst_addr, page, newly_allocated, wp_copy)
 * else (6.6 on; static in mm/userfaultfd.c since 7.x, so no longer declared)
 *   mfill_atomic_install_pte(dst_pmd, dst_vma, dst_addr, page, [newly_allocated,] flags)
 */
#ifdef COMPAT_INSTALL_PTE_MM
#define HT_INSTALL_PTE_ARG_VMA	2
#define HT_INSTALL_PTE_ARG_ADDR	3
#else
#define HT_INSTALL_PTE_ARG_VMA	1
#define HT_INSTALL_PTE_ARG_ADDR	2
#endif

/*
 * huge_pmd_unshare(tlb, vma, addr, ptep) where Kbuild finds its mmu_gather
 * argument (COMPAT_PMD_UNSHARE_TLB: 6.1.167, 6.12.117, 7.x), else
 * huge_pmd_unshare(mm, vma, addr, ptep): the mm of the vma in both.
 */
#ifdef COMPAT_PMD_UNSHARE_TLB
#define HT_PMD_UNSHARE_ARG0_T	struct mmu_gather *
typedef int ht_proto_pmd_unshare(HT_PMD_UNSHARE_ARG0_T tlb, struct vm_area_struct *vma,
				 unsigned long addr, pte_t *ptep);

static inline struct mm_struct *ht_pmd_unshare_mm(struct vm_area_struct *vma,
						  struct mm_struct *arg0)
{
	return vma->vm_mm;
}
#else
#define HT_PMD_UNSHARE_ARG0_T	struct mm_struct *
typedef int ht_proto_pmd_unshare(HT_PMD_UNSHARE_ARG0_T mm, struct vm_area_struct *vma,
				 unsigned long addr, pte_t *ptep);

static inline struct mm_struct *ht_pmd_unshare_mm(struct vm_area_struct *vma,
						  struct mm_struct *arg0)
{
	return arg0;
}
#endif

/*
 * hugetlb_reserve_pages()'s flags: vma_flags_t where Kbuild finds it
 * (COMPAT_RESERVE_VMA_FLAGS, 7.x; one word, with the bits of vm_flags_t),
 * else vm_flags_t.
 */
#ifdef COMPAT_RESERVE_VMA_FLAGS
#define HT_RESERVE_FLAGS_T	vma_flags_t
#else
#define HT_RESERVE_FLAGS_T	vm_flags_t
#endif

/*
 * gcc's clone __huge_pmd_unshare.constprop.0.isra.0 (HT_SYMS_HUGE_PMD_UNSHARE_CLONE)
 * takes (tlb, mm, file, addr, ptep) on 6.1 and 6.12, read from their
 * disassembly (docs/probe-points.md).  7.x's zap path calls
 * huge_pmd_unshare() itself, and its clone __huge_pmd_unshare.isra.0
 * (hugetlb_unshare_pmds() only) is not probed: its arguments are unproven.
 */
#define HT_UNSHARE_CLONE_ARG_MM		1
#define HT_UNSHARE_CLONE_ARG_ADDR	3

/*
 * hugetlb_reserve_pages() returns long where Kbuild finds it so
 * (COMPAT_RESERVE_PAGES_LONG, 6.17 on): the pages it added to the
 * reservation map (0 or more), or -errno; else bool, true on success.
 */
#ifdef COMPAT_RESERVE_PAGES_LONG
#define HT_RESERVE_RESULT_T	long
typedef long ht_proto_reserve(struct inode *inode, long from, long to,
			      struct vm_area_struct *vma, HT_RESERVE_FLAGS_T flags);

static inline long ht_reserve_result(unsigned long retval)
{
	return retval;
}

static inline bool ht_reserve_ok(long result)
{
	return result >= 0;
}
#else
#define HT_RESERVE_RESULT_T	bool
typedef bool ht_proto_reserve(struct inode *inode, long from, long to,
			      struct vm_area_struct *vma, HT_RESERVE_FLAGS_T flags);

/* A bool return defines only the low byte of the return register. */
static inline long ht_reserve_result(unsigned long retval)
{
	return (u8)retval;
}

static inline bool ht_reserve_ok(long result)
{
	return result;
}
#endif

/*
 * khugepaged's anonymous collapse, collapse_huge_page(mm, address,
 * referenced, unmapped, cc[, order]): with the order of the folio it makes
 * where Kbuild finds the mTHP collapse counters (COMPAT_COLLAPSE_ORDER:
 * 7.2 on, which collapse every enabled anonymous size), else PMD order.
 */
#ifdef COMPAT_COLLAPSE_ORDER
#define HT_READS_COLLAPSE_ANON							\
	HT_READS(HT_READ(0, struct mm_struct *), HT_READ(1, unsigned long),	\
		 HT_READ(5, unsigned int), HT_READ(ret, int))

static inline unsigned int ht_collapse_order(struct pt_regs *regs)
{
	return regs_get_kernel_argument(regs, 5);
}
#else
#define HT_READS_COLLAPSE_ANON							\
	HT_READS(HT_READ(0, struct mm_struct *), HT_READ(1, unsigned long),	\
		 HT_READ(ret, int))

static inline unsigned int ht_collapse_order(struct pt_regs *regs)
{
	return HPAGE_PMD_ORDER;
}
#endif

#include "scan_results.h"

/*
 * The mapcount /proc/kpagecount shows for a THP's head page: page_mapcount()
 * where the kernel still has it (Kbuild: COMPAT_PAGE_MAPCOUNT), else
 * what folio_precise_page_mapcount() (fs/proc/internal.h, 6.12) adds up.
 */
static inline int ht_head_mapcount(struct folio *folio)
{
#ifdef COMPAT_PAGE_MAPCOUNT
	return page_mapcount(&folio->page);
#else
	return atomic_read(&folio->_mapcount) + 1 + folio_entire_mapcount(folio);
#endif
}

/* The tgid of the task memcg keeps as @mm's owner, 0 without memcg. */
static inline pid_t ht_memcg_owner_pid(struct mm_struct *mm)
{
	pid_t pid = 0;
#ifdef CONFIG_MEMCG
	struct task_struct *owner;

	rcu_read_lock();
	owner = rcu_dereference(mm->owner);
	if (owner)
		pid = owner->tgid;
	rcu_read_unlock();
#endif
	return pid;
}

/*
 * The tgid of the task that owns @mm, 0 if unknown: the caller's, when it is
 * its own mm (MADV_COLLAPSE), which a kernel without CONFIG_MEMCG
 * (6.12-debug) knows too; else (khugepaged's) memcg's.
 */
static inline pid_t ht_mm_owner_pid(struct mm_struct *mm)
{
	return mm == current->mm ? current->tgid : ht_memcg_owner_pid(mm);
}

#endif /* HUGETRACK_COMPAT_H */
