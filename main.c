// SPDX-License-Identifier: GPL-2.0
/*
 * hugetrack: watches hugetlb reservation and page accounting, userfaultfd
 * fills and THP collapse on a stock kernel, through kprobes.  Sets up the
 * layers bottom up: names, rings, probes, hstates and their watchpoints,
 * then the files.
 */
#include <linux/module.h>

#include "anomaly.h"
#include "collapse_probe.h"
#include "debugfs.h"
#include "events.h"
#include "hstates.h"
#include "hugetlb_probe.h"
#include "kallsyms.h"
#include "ledger_audit.h"
#include "probe.h"
#include "watch.h"

/* In the order the probes file shows them. */
static struct ht_probe_table *const probe_tables[] = {
	&ht_hugetlb_probes,
	&ht_thp_probes,
};

static int __init hugetrack_init(void)
{
	int err;

	err = ht_kallsyms_init();
	if (err)
		return err;
	err = ht_events_init();
	if (err)
		return err;
	err = ht_anomalies_init();
	if (err)
		goto err_events;
	err = ht_ledger_audit_init();
	if (err)
		goto err_anomalies;
	err = ht_probes_attach(probe_tables, ARRAY_SIZE(probe_tables));
	if (err)
		goto err_audit;
	if (!ht_hstates_init() && ht_group_selected("watch"))
		ht_watch_init();
	/* from now on, every write outside an event is seen */
	ht_events_arm();
	ht_ledger_audit_arm();
	ht_debugfs_init();
	pr_info("version " HUGETRACK_VERSION " loaded\n");
	return 0;

err_audit:
	ht_ledger_audit_exit();
err_anomalies:
	ht_anomalies_exit();
err_events:
	ht_events_exit();
	return err;
}

static void __exit hugetrack_exit(void)
{
	ht_debugfs_exit();
	/* no event may end once the watchpoints are gone */
	ht_probes_detach();
	ht_watch_exit();
	ht_ledger_audit_exit();
	ht_anomalies_exit();
	ht_events_exit();
}

module_init(hugetrack_init);
module_exit(hugetrack_exit);

MODULE_DESCRIPTION("Tracks hugetlb reservations, fault refcounts and THP collapse");
MODULE_LICENSE("GPL");
MODULE_VERSION(HUGETRACK_VERSION);
