// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/hugetrack/: root-only text files, one record per line.
 * A debugfs failure leaves the module working without its files.
 */
#include <linux/debugfs.h>

#include "hugetrack.h"

static struct dentry *root;

static int probes_show(struct seq_file *m, void *v)
{
	ht_probes_show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(probes);

static int hstates_show(struct seq_file *m, void *v)
{
	ht_hstates_show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hstates);

void ht_debugfs_init(void)
{
	root = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("probes", 0400, root, NULL, &probes_fops);
	debugfs_create_file("hstates", 0400, root, NULL, &hstates_fops);
}

void ht_debugfs_exit(void)
{
	debugfs_remove_recursive(root);
}
