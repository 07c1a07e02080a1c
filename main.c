// SPDX-License-Identifier: GPL-2.0
/*
 * hugetrack: watches hugetlb reservation and page accounting, userfaultfd
 * fills and THP collapse on a stock kernel, through kprobes.
 */
#include <linux/module.h>

#include "hugetrack.h"

static int __init hugetrack_init(void)
{
	int err;

	err = ht_events_init();
	if (err)
		return err;
	err = ht_probes_attach();
	if (err)
		goto err_events;
	if (!ht_hstates_init() && ht_group_selected("watch"))
		ht_watch_init();
	/* from now on, every write outside an event is seen */
	ht_events_arm();
	ht_debugfs_init();
	pr_info("version " HUGETRACK_VERSION " loaded\n");
	return 0;

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
	ht_events_exit();
}

module_init(hugetrack_init);
module_exit(hugetrack_exit);

MODULE_DESCRIPTION("Tracks hugetlb reservations, fault refcounts and THP collapse");
MODULE_LICENSE("GPL");
MODULE_VERSION(HUGETRACK_VERSION);
