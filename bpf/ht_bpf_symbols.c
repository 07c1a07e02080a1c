// SPDX-License-Identifier: GPL-2.0
/*
 * The symbol names of each probe point (ht_bpf_symbols.h), kept apart from
 * the loader so that the list can be changed, or shared, on its own.
 */
#include <linux/types.h>

#include "ht_bpf_shared.h"
#include "ht_bpf_symbols.h"

/* the programs of a point that only counts its hits, or its writes */
#define COUNTED		"count_hit"
#define UNTRACKED	"untracked_write"

/* ...: the point's names, the initializer of its symbols */
#define POINT(point, grp, prog, ...) \
	{ .name = point, .group = grp, .entry = { prog }, .symbols = __VA_ARGS__ }
/* followed to its return @ret_prog */
#define FOLLOWED(point, grp, prog, ret_prog, ...) \
	{ .name = point, .group = grp, .entry = { prog }, .ret = ret_prog, .symbols = __VA_ARGS__ }
/* followed to its return, and its calls are events */
#define CALL(point, grp, prog, ret_prog, ...)						\
	{ .name = point, .group = grp, .event = true, .entry = { prog }, .ret = ret_prog,	\
	  .symbols = __VA_ARGS__ }

#include "../ht_symbols.h"

/*
 * The module's probe table (hugetlb_probe.c), the renamed points' names
 * from the list both backends share (ht_symbols.h); the cookie of each
 * attachment is its row here.
 */
const struct point ht_bpf_points[] = {
	CALL("hugetlb_fault", "hugetlb", "fault_entry", "fault_return", { "hugetlb_fault" }),
	POINT("hugetlb_wp", "hugetlb", COUNTED, { "hugetlb_wp" }),
	POINT("alloc_hugetlb_folio", "hugetlb", COUNTED, HT_SYMS_ALLOC_HUGETLB_FOLIO),
	POINT("free_hugetlb_folio", "hugetlb", UNTRACKED, HT_SYMS_FREE_HUGETLB_FOLIO),
	POINT("remove_hugetlb_folio", "hugetlb", UNTRACKED, HT_SYMS_REMOVE_HUGETLB_FOLIO),
	CALL("reserve_pages", "hugetlb", "reserve_entry", "reserve_return",
	     { "hugetlb_reserve_pages" }),
	CALL("unreserve_pages", "hugetlb", "unreserve_entry", "long_return",
	     { "hugetlb_unreserve_pages" }),
	CALL("vma_close", "hugetlb", "vma_close_entry", "void_return", { "hugetlb_vm_op_close" }),
	POINT("acct_memory", "hugetlb", COUNTED, HT_SYMS_HUGETLB_ACCT_MEMORY),
	POINT("restore_reserve_on_error", "hugetlb", COUNTED, { "restore_reserve_on_error" }),
	POINT("fix_reserve_counts", "hugetlb", COUNTED, { "hugetlb_fix_reserve_counts" }),
	POINT("return_unused_surplus", "hugetlb", COUNTED, { "return_unused_surplus_pages" }),
	FOLLOWED("add_to_page_cache", "hugetlb", "add_to_cache_entry", "add_to_cache_return",
	         { "hugetlb_add_to_page_cache" }),
	POINT("new_anon_rmap", "hugetlb", COUNTED, HT_SYMS_HUGETLB_NEW_ANON_RMAP),
	POINT("anon_rmap", "hugetlb", COUNTED, HT_SYMS_HUGETLB_ANON_RMAP),
	CALL("unmap_range", "hugetlb", "zap_entry", "void_return", { "__unmap_hugepage_range" }),
	CALL("copy_page_range", "hugetlb", "fork_copy_entry", "int_return",
	     { "copy_hugetlb_page_range" }),
	POINT("pte_alloc", "hugetlb", COUNTED, { "huge_pte_alloc" }),
	CALL("pmd_share", "hugetlb", "pmd_share_entry", "void_return", { "huge_pmd_share" }),
	POINT("pmd_unshare", "hugetlb", COUNTED, { "huge_pmd_unshare" }),
	POINT("pmd_unshare_zap", "hugetlb", COUNTED, HT_SYMS_HUGE_PMD_UNSHARE_CLONE),
	POINT("change_protection", "hugetlb", COUNTED, { "hugetlb_change_protection" }),
	CALL("remove_inode_pages", "hugetlb", "remove_pages_entry", "void_return",
	     { "remove_inode_hugepages" }),
	POINT("vmdelete_list", "hugetlb", COUNTED, { "hugetlb_vmdelete_list" }),
	POINT("fallocate", "hugetlb", COUNTED, { "hugetlbfs_fallocate" }),
	CALL("subpool_new", "hugetlb", "subpool_new_entry", "subpool_new_return",
	     { "hugepage_new_subpool" }),
	CALL("subpool_put", "hugetlb", "subpool_put_entry", "void_return",
	     { "hugepage_put_subpool" }),
	POINT("uffd_ioctl", "uffd", COUNTED, { "userfaultfd_ioctl" }),
	POINT("mfill_copy", "uffd", COUNTED, HT_SYMS_MFILL_COPY),
	POINT("mfill_continue", "uffd", COUNTED, HT_SYMS_MFILL_CONTINUE),
	{ .name = "hugetlb_mfill_pte", .group = "uffd", .event = true,
	  .symbols = HT_SYMS_HUGETLB_MFILL_PTE, .entry = { "mfill_entry", "mcopy_entry" },
	  .ret = "mfill_return" },
	POINT("mfill_install_pte", "uffd", COUNTED, { "mfill_atomic_install_pte" }),
	POINT("scan_pmd", "thp", COUNTED, HT_SYMS_COLLAPSE_SCAN_PMD),
	POINT("collapse_huge_page", "thp", COUNTED, { "collapse_huge_page" }),
	POINT("scan_file", "thp", COUNTED, HT_SYMS_COLLAPSE_SCAN_FILE),
	POINT("single_pmd", "thp", COUNTED, { "collapse_single_pmd" }),
	POINT("collapse_file", "thp", COUNTED, { "collapse_file" }),
	POINT("collapse_pte_mapped_thp", "thp", COUNTED, HT_SYMS_COLLAPSE_PTE_MAPPED),
	POINT("retract_page_tables", "thp", COUNTED, HT_SYMS_RETRACT_PAGE_TABLES),
	POINT("madvise_collapse", "thp", COUNTED, { "madvise_collapse" }),
	POINT("split_huge_pmd", "thp", COUNTED, { "__split_huge_pmd" }),
	POINT("split_huge_page", "thp", COUNTED, HT_SYMS_SPLIT_HUGE_PAGE),
};

const size_t ht_bpf_nr_points = sizeof(ht_bpf_points) / sizeof(ht_bpf_points[0]);
_Static_assert(sizeof(ht_bpf_points) / sizeof(ht_bpf_points[0]) <= HT_MAX_POINTS,
	       "the hits map is too small");
