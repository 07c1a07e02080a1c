// SPDX-License-Identifier: GPL-2.0
/*
 * The symbol names of each probe point (ht_bpf_symbols.h), kept apart from
 * the loader so that the list can be changed, or shared, on its own.
 */
#include <linux/types.h>

#include "ht_bpf_shared.h"
#include "ht_bpf_symbols.h"

#define COUNTED(sym)	{ sym, "count_hit", NULL }
#define UNTRACKED(sym)	{ sym, "untracked_write", NULL }
#define POINT(name, group, ...)	{ name, group, false, { __VA_ARGS__ } }
#define CALL(name, group, ...)	{ name, group, true, { __VA_ARGS__ } }

#include "../ht_symbols.h"

/*
 * The module's probe table (hugetlb_probe.c), the renamed points' names
 * from the list both backends share (ht_symbols.h); the cookie of each
 * attachment is its row here.
 */
const struct point ht_bpf_points[] = {
	CALL("hugetlb_fault", "hugetlb", { "hugetlb_fault", "fault_entry", "fault_return" }),
	POINT("hugetlb_wp", "hugetlb", COUNTED("hugetlb_wp")),
	POINT("alloc_hugetlb_folio", "hugetlb", HT_SYMS_ALLOC_HUGETLB_FOLIO(COUNTED)),
	POINT("free_hugetlb_folio", "hugetlb", HT_SYMS_FREE_HUGETLB_FOLIO(UNTRACKED)),
	POINT("remove_hugetlb_folio", "hugetlb", HT_SYMS_REMOVE_HUGETLB_FOLIO(UNTRACKED)),
	CALL("reserve_pages", "hugetlb", { "hugetlb_reserve_pages", "reserve_entry", "reserve_return" }),
	CALL("unreserve_pages", "hugetlb",
	     { "hugetlb_unreserve_pages", "unreserve_entry", "long_return" }),
	CALL("vma_close", "hugetlb", { "hugetlb_vm_op_close", "vma_close_entry", "void_return" }),
	POINT("acct_memory", "hugetlb", HT_SYMS_HUGETLB_ACCT_MEMORY(COUNTED)),
	POINT("restore_reserve_on_error", "hugetlb", COUNTED("restore_reserve_on_error")),
	POINT("fix_reserve_counts", "hugetlb", COUNTED("hugetlb_fix_reserve_counts")),
	POINT("return_unused_surplus", "hugetlb", COUNTED("return_unused_surplus_pages")),
	POINT("add_to_page_cache", "hugetlb",
	      { "hugetlb_add_to_page_cache", "add_to_cache_entry", "add_to_cache_return" }),
	POINT("new_anon_rmap", "hugetlb", HT_SYMS_HUGETLB_NEW_ANON_RMAP(COUNTED)),
	POINT("anon_rmap", "hugetlb", HT_SYMS_HUGETLB_ANON_RMAP(COUNTED)),
	CALL("unmap_range", "hugetlb", { "__unmap_hugepage_range", "zap_entry", "void_return" }),
	CALL("copy_page_range", "hugetlb",
	     { "copy_hugetlb_page_range", "fork_copy_entry", "int_return" }),
	POINT("pte_alloc", "hugetlb", COUNTED("huge_pte_alloc")),
	CALL("pmd_share", "hugetlb", { "huge_pmd_share", "pmd_share_entry", "void_return" }),
	POINT("pmd_unshare", "hugetlb", COUNTED("huge_pmd_unshare")),
	POINT("pmd_unshare_zap", "hugetlb", HT_SYMS_HUGE_PMD_UNSHARE_CLONE(COUNTED)),
	POINT("change_protection", "hugetlb", COUNTED("hugetlb_change_protection")),
	CALL("remove_inode_pages", "hugetlb",
	     { "remove_inode_hugepages", "remove_pages_entry", "void_return" }),
	POINT("vmdelete_list", "hugetlb", COUNTED("hugetlb_vmdelete_list")),
	POINT("fallocate", "hugetlb", COUNTED("hugetlbfs_fallocate")),
	CALL("subpool_new", "hugetlb",
	     { "hugepage_new_subpool", "subpool_new_entry", "subpool_new_return" }),
	CALL("subpool_put", "hugetlb", { "hugepage_put_subpool", "subpool_put_entry", "void_return" }),
	POINT("uffd_ioctl", "uffd", COUNTED("userfaultfd_ioctl")),
	POINT("mfill_copy", "uffd", HT_SYMS_MFILL_COPY(COUNTED)),
	POINT("mfill_continue", "uffd", HT_SYMS_MFILL_CONTINUE(COUNTED)),
	CALL("hugetlb_mfill_pte", "uffd",
	     { HT_SYM_HUGETLB_MFILL_PTE, "mfill_entry", "mfill_return" },
	     { HT_SYM_HUGETLB_MCOPY_PTE, "mcopy_entry", "mfill_return" }),
	POINT("mfill_install_pte", "uffd", COUNTED("mfill_atomic_install_pte")),
	POINT("scan_pmd", "thp", HT_SYMS_COLLAPSE_SCAN_PMD(COUNTED)),
	POINT("collapse_huge_page", "thp", COUNTED("collapse_huge_page")),
	POINT("scan_file", "thp", HT_SYMS_COLLAPSE_SCAN_FILE(COUNTED)),
	POINT("single_pmd", "thp", COUNTED("collapse_single_pmd")),
	POINT("collapse_file", "thp", COUNTED("collapse_file")),
	POINT("collapse_pte_mapped_thp", "thp", HT_SYMS_COLLAPSE_PTE_MAPPED(COUNTED)),
	POINT("retract_page_tables", "thp", HT_SYMS_RETRACT_PAGE_TABLES(COUNTED)),
	POINT("madvise_collapse", "thp", COUNTED("madvise_collapse")),
	POINT("split_huge_pmd", "thp", COUNTED("__split_huge_pmd")),
	POINT("split_huge_page", "thp", HT_SYMS_SPLIT_HUGE_PAGE(COUNTED)),
};

const size_t ht_bpf_nr_points = sizeof(ht_bpf_points) / sizeof(ht_bpf_points[0]);
_Static_assert(sizeof(ht_bpf_points) / sizeof(ht_bpf_points[0]) <= HT_MAX_POINTS,
	       "the hits map is too small");
