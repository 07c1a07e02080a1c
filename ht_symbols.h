/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The names a probe point has had in kallsyms, newest first: one list for
 * the module's probe tables (through compat/compat.h) and the BPF loader
 * (bpf/ht_bpf.c), each attaching to the first name this kernel has.  Each
 * list is an X-macro: HT_SYMS_<POINT>(M) is M(name) for each name, so that
 * a backend wraps every name its own way.  Plain C, no kernel header.
 *
 * Debian 6.1 has the second of each pair, 6.12 the first (page -> folio
 * conversions, 6.3-6.7; userfaultfd renames, 6.6).
 */
#ifndef HT_SYMBOLS_H
#define HT_SYMBOLS_H

#define HT_SYMS_ALLOC_HUGETLB_FOLIO(M)	M("alloc_hugetlb_folio"), M("alloc_huge_page")
#define HT_SYMS_FREE_HUGETLB_FOLIO(M)	M("free_huge_folio"), M("free_huge_page")
#define HT_SYMS_REMOVE_HUGETLB_FOLIO(M)	M("remove_hugetlb_folio"), M("remove_hugetlb_page")
/* the two take their arguments in different places: BPF names each */
#define HT_SYM_HUGETLB_MFILL_PTE	"hugetlb_mfill_atomic_pte"
#define HT_SYM_HUGETLB_MCOPY_PTE	"hugetlb_mcopy_atomic_pte"
#define HT_SYMS_HUGETLB_MFILL_PTE(M)	M(HT_SYM_HUGETLB_MFILL_PTE), M(HT_SYM_HUGETLB_MCOPY_PTE)
#define HT_SYMS_MFILL_COPY(M)		M("mfill_atomic_copy"), M("mcopy_atomic")
#define HT_SYMS_MFILL_CONTINUE(M)	M("mfill_atomic_continue"), M("mcopy_continue")
#define HT_SYMS_HUGETLB_NEW_ANON_RMAP(M) \
	M("hugetlb_add_new_anon_rmap"), M("hugepage_add_new_anon_rmap")
#define HT_SYMS_HUGETLB_ANON_RMAP(M)	M("hugetlb_add_anon_rmap"), M("hugepage_add_anon_rmap")
/* 7.x: split_huge_page_to_list_to_order() is an inline wrapper of the __ one */
#define HT_SYMS_SPLIT_HUGE_PAGE(M)	M("__split_huge_page_to_list_to_order"), \
					M("split_huge_page_to_list_to_order"), \
					M("split_huge_page_to_list")
/*
 * 7.x: collapse_pte_mapped_thp(mm, addr, install_pmd) became a wrapper of
 * try_collapse_pte_mapped_thp(), same arguments, which the collapse paths
 * call directly
 */
#define HT_SYMS_COLLAPSE_PTE_MAPPED(M)	M("try_collapse_pte_mapped_thp"), M("collapse_pte_mapped_thp")
/* the per-PMD scans of MADV_COLLAPSE, renamed in 7.1 */
#define HT_SYMS_COLLAPSE_SCAN_PMD(M)	M("collapse_scan_pmd"), M("hpage_collapse_scan_pmd")
#define HT_SYMS_COLLAPSE_SCAN_FILE(M)	M("collapse_scan_file"), M("hpage_collapse_scan_file")
/*
 * 6.1 inlines retract_page_tables() into khugepaged; its per-PMD step
 * collapse_and_free_pmd() is the nearest point that stays a symbol.
 */
#define HT_SYMS_RETRACT_PAGE_TABLES(M)	M("retract_page_tables"), M("collapse_and_free_pmd")
/*
 * huge_pmd_unshare() is a wrapper for rmap's callers; the hugetlb zap path
 * calls gcc's clone of the real one, with other arguments.
 */
#define HT_SYMS_HUGE_PMD_UNSHARE_CLONE(M)	M("__huge_pmd_unshare.constprop.0.isra.0")
/* gcc splits hugetlb_acct_memory(); both kernels keep only the .part.0 clone */
#define HT_SYMS_HUGETLB_ACCT_MEMORY(M)	M("hugetlb_acct_memory"), M("hugetlb_acct_memory.part.0")

#endif /* HT_SYMBOLS_H */
