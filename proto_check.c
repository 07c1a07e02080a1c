// SPDX-License-Identifier: GPL-2.0
/*
 * The argument layouts the handlers read, proven against the target
 * kernel's headers at build time: for each probed function that a header
 * declares, its type must be the one the handler's comment and argument
 * positions assume (compat/compat.h where the kernels differ).  A mismatch
 * is a build error naming the function.  Static functions have no
 * declaration to check: in the guest, t-10 compares what each handler reads
 * (the probe tables' HT_READS(), the layouts file) with every probed
 * symbol's BTF prototype (hugetrack-bpf protos).
 */
#include <linux/build_bug.h>
#include <linux/hugetlb.h>
#include <linux/mm.h>

#define HT_PROTO(fn, ...)						\
	static_assert(__same_type(&fn, (__VA_ARGS__)NULL),		\
		      #fn "(): its prototype is not the one its handler reads")

HT_PROTO(hugetlb_fault, vm_fault_t (*)(struct mm_struct *, struct vm_area_struct *,
				       unsigned long, unsigned int));
HT_PROTO(hugetlb_reserve_pages, ht_proto_reserve *);
HT_PROTO(hugetlb_unreserve_pages, long (*)(struct inode *, long, long, long));
HT_PROTO(copy_hugetlb_page_range, int (*)(struct mm_struct *, struct mm_struct *,
					  struct vm_area_struct *, struct vm_area_struct *));
HT_PROTO(huge_pte_alloc, pte_t *(*)(struct mm_struct *, struct vm_area_struct *,
				    unsigned long, unsigned long));
HT_PROTO(huge_pmd_share, pte_t *(*)(struct mm_struct *, struct vm_area_struct *,
				    unsigned long, pud_t *));
HT_PROTO(huge_pmd_unshare, ht_proto_pmd_unshare *);
HT_PROTO(hugepage_new_subpool, struct hugepage_subpool *(*)(struct hstate *, long, long));
HT_PROTO(hugepage_put_subpool, void (*)(struct hugepage_subpool *));
HT_PROTO(HT_MFILL_FN, ht_proto_mfill *);
