/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HT_WATCH_H
#define HT_WATCH_H

struct seq_file;

/* Data watchpoints on each hstate's counters; after ht_hstates_init(). */
void ht_watch_init(void);
void ht_watch_exit(void);

/* Views (debugfs.c, report.c) */
void ht_watch_show_probes(struct seq_file *m);
void ht_writers_show(struct seq_file *m);

#endif /* HT_WATCH_H */
