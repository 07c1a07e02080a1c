// SPDX-License-Identifier: GPL-2.0
/*
 * The probe points on the hugetlb, userfaultfd and THP-collapse paths, and
 * the live view of each hstate's page counters.
 */
#include <linux/hugetlb.h>
#include <linux/module.h>

#include "hugetrack.h"

#define HT_POINT(point, grp, ...) \
	{ .name = point, .group = grp, .symbols = __VA_ARGS__ }

static struct ht_probe probes[] = {
	/* hugetlb faults, allocation and reservations */
	HT_POINT("hugetlb_fault", "hugetlb", { "hugetlb_fault" }),
	HT_POINT("hugetlb_wp", "hugetlb", { "hugetlb_wp" }),
	HT_POINT("alloc_hugetlb_folio", "hugetlb", HT_SYMS_ALLOC_HUGETLB_FOLIO),
	HT_POINT("free_hugetlb_folio", "hugetlb", HT_SYMS_FREE_HUGETLB_FOLIO),
	HT_POINT("remove_hugetlb_folio", "hugetlb", HT_SYMS_REMOVE_HUGETLB_FOLIO),
	HT_POINT("reserve_pages", "hugetlb", { "hugetlb_reserve_pages" }),
	HT_POINT("unreserve_pages", "hugetlb", { "hugetlb_unreserve_pages" }),
	HT_POINT("acct_memory", "hugetlb", HT_SYMS_HUGETLB_ACCT_MEMORY),
	HT_POINT("restore_reserve_on_error", "hugetlb", { "restore_reserve_on_error" }),
	HT_POINT("fix_reserve_counts", "hugetlb", { "hugetlb_fix_reserve_counts" }),
	HT_POINT("return_unused_surplus", "hugetlb", { "return_unused_surplus_pages" }),
	HT_POINT("add_to_page_cache", "hugetlb", { "hugetlb_add_to_page_cache" }),
	HT_POINT("new_anon_rmap", "hugetlb", HT_SYMS_HUGETLB_NEW_ANON_RMAP),
	HT_POINT("anon_rmap", "hugetlb", HT_SYMS_HUGETLB_ANON_RMAP),
	/* hugetlb page tables: zap, fork, sharing, protection */
	HT_POINT("unmap_range", "hugetlb", { "__unmap_hugepage_range" }),
	HT_POINT("copy_page_range", "hugetlb", { "copy_hugetlb_page_range" }),
	HT_POINT("pte_alloc", "hugetlb", { "huge_pte_alloc" }),
	HT_POINT("pmd_share", "hugetlb", { "huge_pmd_share" }),
	HT_POINT("pmd_unshare", "hugetlb", { "huge_pmd_unshare" }),
	HT_POINT("change_protection", "hugetlb", { "hugetlb_change_protection" }),
	/* hugetlbfs: truncation, hole punch, fallocate */
	HT_POINT("remove_inode_pages", "hugetlb", { "remove_inode_hugepages" }),
	HT_POINT("vmdelete_list", "hugetlb", { "hugetlb_vmdelete_list" }),
	HT_POINT("fallocate", "hugetlb", { "hugetlbfs_fallocate" }),
	/* userfaultfd */
	HT_POINT("uffd_ioctl", "uffd", { "userfaultfd_ioctl" }),
	HT_POINT("mfill_copy", "uffd", HT_SYMS_MFILL_COPY),
	HT_POINT("mfill_continue", "uffd", HT_SYMS_MFILL_CONTINUE),
	HT_POINT("hugetlb_mfill_pte", "uffd", HT_SYMS_HUGETLB_MFILL_PTE),
	HT_POINT("mfill_install_pte", "uffd", { "mfill_atomic_install_pte" }),
	/* THP collapse and split */
	HT_POINT("scan_pmd", "thp", { "hpage_collapse_scan_pmd" }),
	HT_POINT("collapse_huge_page", "thp", { "collapse_huge_page" }),
	HT_POINT("scan_file", "thp", { "hpage_collapse_scan_file" }),
	HT_POINT("collapse_file", "thp", { "collapse_file" }),
	HT_POINT("collapse_pte_mapped_thp", "thp", { "collapse_pte_mapped_thp" }),
	HT_POINT("retract_page_tables", "thp", HT_SYMS_RETRACT_PAGE_TABLES),
	HT_POINT("madvise_collapse", "thp", { "madvise_collapse" }),
	HT_POINT("split_huge_pmd", "thp", { "__split_huge_pmd" }),
	HT_POINT("split_huge_page", "thp", HT_SYMS_SPLIT_HUGE_PAGE),
};

struct ht_probe_table ht_hugetlb_probes = {
	.probes = probes,
	.count = ARRAY_SIZE(probes),
};

/* Neither is exported; KALLSYMS_ALL lists them. */
static struct hstate *hstate_array;
static int *nr_hstates;

int ht_hstates_init(void)
{
	hstate_array = (struct hstate *)ht_lookup_name("hstates");
	nr_hstates = (int *)ht_lookup_name("hugetlb_max_hstate");
	if (hstate_array && nr_hstates)
		return 0;
	pr_warn("hstates unreadable: kallsyms lacks hstates or hugetlb_max_hstate (CONFIG_KALLSYMS_ALL?)\n");
	hstate_array = NULL;
	return -ENOENT;
}

/* Lockless, as sysfs reads them: each value is current, the row may be torn. */
void ht_hstates_show(struct seq_file *m)
{
	int i, count = hstate_array ? READ_ONCE(*nr_hstates) : 0;

	seq_printf(m, "%-20s %9s %9s %9s %9s %9s %10s\n", "# hstate", "size_kb",
		   "nr", "free", "resv", "surplus", "overcommit");
	for (i = 0; i < count && i < HUGE_MAX_HSTATE; i++) {
		struct hstate *h = &hstate_array[i];

		seq_printf(m, "%-20s %9lu %9lu %9lu %9lu %9lu %10lu\n", h->name,
			   huge_page_size(h) / SZ_1K,
			   READ_ONCE(h->nr_huge_pages),
			   READ_ONCE(h->free_huge_pages),
			   READ_ONCE(h->resv_huge_pages),
			   READ_ONCE(h->surplus_huge_pages),
			   READ_ONCE(h->nr_overcommit_huge_pages));
	}
}
