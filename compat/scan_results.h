/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Part of compat/compat.h: the names of khugepaged's scan results, from the
 * kernel's own list, through its EM()/EMe() X-macro convention.
 */
#ifndef HUGETRACK_SCAN_RESULTS_H
#define HUGETRACK_SCAN_RESULTS_H

#include <trace/events/huge_memory.h>

/*
 * khugepaged's enum scan_result, by value.  It is private to
 * mm/khugepaged.c; its trace header (include/trace/events/huge_memory.h,
 * in every headers package) lists the same names in the same order as
 * SCAN_STATUS, which the kernels have changed much (6.5 appended
 * SCAN_COPY_MC and SCAN_PAGE_FILLED; 7.x merged SCAN_PMD_NULL and
 * SCAN_PMD_NONE into SCAN_NO_PTE_TABLE, dropped SCAN_PAGE_RO, added
 * SCAN_PAGE_LAZYFREE and SCAN_PAGE_DIRTY_OR_WRITEBACK; 7.3 renamed
 * SCAN_PTE_UFFD_WP): the names are taken from it.
 */
#define HT_SCAN_RESULTS_MAX	48

/* One SCAN_STATUS item: the enum's name, and the trace's text for it. */
struct ht_scan_status {
	const char *name;
	const char *text;
};

static inline const char *ht_scan_result_name(long result)
{
#undef EM
#undef EMe
#define EM(a, b)	{ #a, b },
#define EMe(a, b)	{ #a, b }
	static const struct ht_scan_status results[] = { SCAN_STATUS };
#undef EM
#undef EMe

	BUILD_BUG_ON(ARRAY_SIZE(results) > HT_SCAN_RESULTS_MAX);
	return result >= 0 && result < ARRAY_SIZE(results) ? results[result].name : NULL;
}

#endif /* HUGETRACK_SCAN_RESULTS_H */
