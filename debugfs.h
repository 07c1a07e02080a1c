/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HT_DEBUGFS_H
#define HT_DEBUGFS_H

/* /sys/kernel/debug/hugetrack/; a failure leaves the module working. */
void ht_debugfs_init(void);
void ht_debugfs_exit(void);

#endif /* HT_DEBUGFS_H */
