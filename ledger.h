/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HT_LEDGER_H
#define HT_LEDGER_H

#include <linux/hugetlb.h>
#include <linux/types.h>

struct seq_file;

/* Each hstate's side of the reconciliation. */
struct ht_ledger_tally {
	long global;		/* resv_huge_pages, read inside the walk's marks */
	long sum;		/* pages the holders hold */
	long in_progress;	/* region_chg()s without their region_add() */
	long lost;		/* private pages whose reservation is gone */
	long used_diff;		/* subpools' used_hpages less what their mounts hold */
	unsigned long holders;
	/* the first private mapping found with a page lost, for a rule to name */
	pid_t lost_pid;
	unsigned long lost_start, lost_end;
	dev_t used_dev;		/* the first mount whose subpool used more */
};

#define HT_LEDGER_MOUNTS	16

/* A mount with a subpool, and what its files and mappings hold of it. */
struct ht_ledger_mount {
	/* compared with a mapping's, never followed after the mount's walk */
	struct hugepage_subpool *spool;
	dev_t dev;
	struct hstate *h;
	long min, max, rsv, used;
	/*
	 * What should be charged to used_hpages (counted with size= only):
	 * its files' and private mappings' outstanding reservations, and the
	 * folios in use that were charged to it; -1: not counted.
	 */
	long held;
};

/* What one walk of every holder found, by hstate (the registry's order). */
struct ht_ledger {
	struct ht_ledger_tally tally[HUGE_MAX_HSTATE];
	unsigned long unvisited;	/* tasks whose mappings could not be read */
	struct ht_ledger_mount mounts[HT_LEDGER_MOUNTS];
	unsigned int nr_mounts;
	unsigned long mounts_unheld;	/* mounts beyond the table: not judged */
	long in_flight;			/* operations in flight after the walk */
	bool quiet;			/* no operation ran during the walk */
};

/*
 * Walks every holder, in process context (it sleeps), writing one line per
 * holder to @m unless it is NULL, until a walk saw no operation run, a few
 * times at most.
 */
void ht_ledger_walk(struct ht_ledger *ledger, struct seq_file *m);
/* Nothing in flight, during the walk or in @t's reserve maps: comparable. */
bool ht_ledger_judged(const struct ht_ledger *ledger, const struct ht_ledger_tally *t);
void ht_ledger_show(struct seq_file *m);

#endif /* HT_LEDGER_H */
