/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HT_REPORT_H
#define HT_REPORT_H

struct seq_file;

void ht_counters_show(struct seq_file *m);
void ht_summary_show(struct seq_file *m);
void ht_report_probes(struct seq_file *m);
int ht_control_write(const char *cmd);

#endif /* HT_REPORT_H */
