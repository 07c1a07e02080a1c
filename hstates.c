// SPDX-License-Identifier: GPL-2.0
/*
 * The registry of the kernel's hstates: found by name at load, their
 * counters' range since load, and whether a watchpoint sees their writes.
 */
#include <linux/hugetlb.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>

#include "hstates.h"
#include "kallsyms.h"

/* None is exported; KALLSYMS_ALL lists them. */
static struct hstate *hstate_array;
static int *nr_hstates;
static spinlock_t *hugetlb_lock_p;

/* hugetlb_fault_mutex_table[num_fault_mutexes], held by each fault and fill */
static struct mutex **fault_mutexes;
static int *nr_fault_mutexes;

spinlock_t *ht_hugetlb_lock(void)
{
	return hugetlb_lock_p;
}

/*
 * Is a fault or fill between taking a page and mapping it, anywhere?  Any
 * of the fault mutexes held says so (which page, the kernel's hash would
 * tell; a held one is enough): what began before the probes were armed is
 * seen no other way.  Unknown (true) without the table.
 */
bool ht_hugetlb_faulting(void)
{
	struct mutex *table;
	int i, nr;

	if (!fault_mutexes || !nr_fault_mutexes)
		return true;
	table = READ_ONCE(*fault_mutexes);
	nr = READ_ONCE(*nr_fault_mutexes);
	for (i = 0; table && i < nr; i++)
		if (mutex_is_locked(&table[i]))
			return true;
	return !table;
}

int ht_hstates_init(void)
{
	hstate_array = (struct hstate *)ht_lookup_name("hstates");
	nr_hstates = (int *)ht_lookup_name("hugetlb_max_hstate");
	hugetlb_lock_p = (spinlock_t *)ht_lookup_name("hugetlb_lock");
	fault_mutexes = (struct mutex **)ht_lookup_name("hugetlb_fault_mutex_table");
	nr_fault_mutexes = (int *)ht_lookup_name("num_fault_mutexes");
	if (!fault_mutexes || !nr_fault_mutexes)
		pr_warn("hugetlb_fault_mutex_table or num_fault_mutexes not in kallsyms: the ledger is not judged\n");
	if (!hugetlb_lock_p)
		pr_warn("hugetlb_lock not in kallsyms: reservation deltas are not judged, nor subpools' used pages\n");
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
