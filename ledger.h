/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HT_LEDGER_H
#define HT_LEDGER_H

struct seq_file;

/* Walks every holder now, in process context (it sleeps). */
void ht_ledger_show(struct seq_file *m);

#endif /* HT_LEDGER_H */
