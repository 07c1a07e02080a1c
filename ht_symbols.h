/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The names a probe point has had in kallsyms, newest first: one list for
 * the module's probe tables (through compat/compat.h) and the BPF loader
 * (bpf/ht_bpf_symbols.c), each attaching to the first name this kernel
 * has.  Each list HT_SYMS_<POINT> is the initializer of an array of names.
 * Plain C, no kernel header.
 *
 * Debian 6.1 has the second of each pair, 6.12 the first (page -> folio
 * conversions, 6.3-6.7; userfaultfd renames, 6.6).
 */
#ifndef HT_SYMBOLS_H
#define HT_SYMBOLS_H

#define HT_SYMS_ALLOC_HUGETLB_FOLIO	{ "alloc_hugetlb_folio", "alloc_huge_page" }
#define HT_SYMS_FREE_HUGETLB_FOLIO	{ "free_huge_folio", "free_huge_page" }
#define HT_SYMS_REMOVE_HUGETLB_FOLIO	{ "remove_hugetlb_folio", "remove_hugetlb_page" }
/* the two take their arguments in different places: BPF has a program for each */
#define HT_SYMS_HUGETLB_MFILL_PTE	{ "hugetlb_mfill_atomic_pte", "hugetlb_mcopy_atomic_pte" }
#define HT_SYMS_MFILL_COPY	{ "mfill_atomic_copy", "mcopy_atomic" }
#define HT_SYMS_MFILL_CONTINUE	{ "mfill_atomic_continue", "mcopy_continue" }
#define HT_SYMS_HUGETLB_NEW_ANON_RMAP	\
	{ "hugetlb_add_new_anon_rmap", "hugepage_add_new_anon_rmap" }
#define HT_SYMS_HUGETLB_ANON_RMAP	{ "hugetlb_add_anon_rmap", "hugepage_add_anon_rmap" }
/* 7.x: split_huge_page_to_list_to_order() is an inline wrapper of the __ one */
#define HT_SYMS_SPLIT_HUGE_PAGE	{ "__split_huge_page_to_list_to_order",		\
				  "split_huge_page_to_list_to_order", "split_huge_page_to_list" }
/*
 * 7.x: collapse_pte_mapped_thp(mm, addr, install_pmd) became a wrapper of
 * try_collapse_pte_mapped_thp(), same arguments, which the collapse paths
 * call directly
 */
#define HT_SYMS_COLLAPSE_PTE_MAPPED	{ "try_collapse_pte_mapped_thp", "collapse_pte_mapped_thp" }
/* the per-PMD scans of MADV_COLLAPSE, renamed in 7.1 */
#define HT_SYMS_COLLAPSE_SCAN_PMD	{ "collapse_scan_pmd", "hpage_collapse_scan_pmd" }
#define HT_SYMS_COLLAPSE_SCAN_FILE	{ "collapse_scan_file", "hpage_collapse_scan_file" }
/*
 * 6.1 inlines retract_page_tables() into khugepaged; its per-PMD step
 * collapse_and_free_pmd() is the nearest point that stays a symbol.
 */
#define HT_SYMS_RETRACT_PAGE_TABLES	{ "retract_page_tables", "collapse_and_free_pmd" }
/*
 * huge_pmd_unshare() is a wrapper for rmap's callers; the hugetlb zap path
 * calls gcc's clone of the real one, with other arguments.
 */
#define HT_SYMS_HUGE_PMD_UNSHARE_CLONE	{ "__huge_pmd_unshare.constprop.0.isra.0" }
/* gcc splits hugetlb_acct_memory(); both kernels keep only the .part.0 clone */
#define HT_SYMS_HUGETLB_ACCT_MEMORY	{ "hugetlb_acct_memory", "hugetlb_acct_memory.part.0" }

#endif /* HT_SYMBOLS_H */
