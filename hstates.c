// SPDX-License-Identifier: GPL-2.0
/*
 * The registry of the kernel's hstates: found by name at load, their
 * counters' range since load, and whether a watchpoint sees their writes.
 */
#include <linux/hugetlb.h>
#include <linux/seq_file.h>

#include "hstates.h"
#include "kallsyms.h"

/* Neither is exported; KALLSYMS_ALL lists them. */
static struct hstate *hstate_array;
static int *nr_hstates;

int ht_hstates_init(void)
{
	hstate_array = (struct hstate *)ht_lookup_name("hstates");
	nr_hstates = (int *)ht_lookup_name("hugetlb_max_hstate");
	if (hstate_array && nr_hstates) {
		ht_hstates_reset_range();
		return 0;
	}
	pr_warn("hstates unreadable: kallsyms lacks hstates or hugetlb_max_hstate (CONFIG_KALLSYMS_ALL?)\n");
	hstate_array = NULL;
	return -ENOENT;
}

/* resv_huge_pages of each hstate: lowest and highest seen since load */
static unsigned long resv_min[HUGE_MAX_HSTATE], resv_max[HUGE_MAX_HSTATE];

static void store_min(unsigned long *slot, unsigned long value)
{
	unsigned long old = READ_ONCE(*slot);

	while (value < old && !try_cmpxchg(slot, &old, value))
		;
}

static void store_max(unsigned long *slot, unsigned long value)
{
	unsigned long old = READ_ONCE(*slot);

	while (value > old && !try_cmpxchg(slot, &old, value))
		;
}

/* The slot of @h in the registry's arrays, or -1. */
static int registry_slot(struct hstate *h)
{
	int i = h - hstate_array;

	return hstate_array && i >= 0 && i < HUGE_MAX_HSTATE ? i : -1;
}

int ht_hstate_index(struct hstate *h)
{
	return registry_slot(h);
}

void ht_hstate_note_resv(struct hstate *h, unsigned long resv)
{
	int i = registry_slot(h);

	if (i < 0)
		return;
	store_min(&resv_min[i], resv);
	store_max(&resv_max[i], resv);
}

/* Set by watch.c: a watchpoint sees every write of @h's resv_huge_pages. */
static bool resv_watched[HUGE_MAX_HSTATE];

void ht_hstate_set_watched(struct hstate *h, bool watched)
{
	int i = registry_slot(h);

	if (i >= 0)
		WRITE_ONCE(resv_watched[i], watched);
}

bool ht_hstate_watched(struct hstate *h)
{
	int i = registry_slot(h);

	return i >= 0 && READ_ONCE(resv_watched[i]);
}

/* Since now: at load and at a reset. */
void ht_hstates_reset_range(void)
{
	struct hstate *h;
	int i;

	for (i = 0; (h = ht_hstate(i)); i++) {
		WRITE_ONCE(resv_min[i], READ_ONCE(h->resv_huge_pages));
		WRITE_ONCE(resv_max[i], resv_min[i]);
	}
}

void ht_hstates_summary(struct seq_file *m)
{
	struct hstate *h;
	int i;

	for (i = 0; (h = ht_hstate(i)); i++)
		seq_printf(m, "%s: nr %lu free %lu resv %lu (since load or reset: min %lu, max %lu) surplus %lu\n",
			   h->name, READ_ONCE(h->nr_huge_pages),
			   READ_ONCE(h->free_huge_pages),
			   READ_ONCE(h->resv_huge_pages), READ_ONCE(resv_min[i]),
			   READ_ONCE(resv_max[i]), READ_ONCE(h->surplus_huge_pages));
}

/* The i-th hstate, NULL past the last. */
struct hstate *ht_hstate(int i)
{
	if (!hstate_array || i >= min(READ_ONCE(*nr_hstates), HUGE_MAX_HSTATE))
		return NULL;
	return &hstate_array[i];
}

/* Lockless, as sysfs reads them: each value is current, the row may be torn. */
void ht_hstates_show(struct seq_file *m)
{
	struct hstate *h;
	int i;

	seq_printf(m, "%-20s %9s %9s %9s %9s %9s %10s\n", "# hstate", "size_kb",
		   "nr", "free", "resv", "surplus", "overcommit");
	for (i = 0; (h = ht_hstate(i)); i++)
		seq_printf(m, "%-20s %9lu %9lu %9lu %9lu %9lu %10lu\n", h->name,
			   huge_page_size(h) / SZ_1K,
			   READ_ONCE(h->nr_huge_pages),
			   READ_ONCE(h->free_huge_pages),
			   READ_ONCE(h->resv_huge_pages),
			   READ_ONCE(h->surplus_huge_pages),
			   READ_ONCE(h->nr_overcommit_huge_pages));
}
