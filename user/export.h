/* SPDX-License-Identifier: GPL-2.0 */
/* Snapshots and events for programs: JSON and Prometheus text. */
#ifndef HT_EXPORT_H
#define HT_EXPORT_H

#include <stdio.h>

#include "snapshot.h"

/* 0, or -1 when jansson or @out failed */
int ht_write_json(const struct ht_snapshot *s, FILE *out);
int ht_write_event_json(const struct ht_kvline *ev, FILE *out);
void ht_write_prom(const struct ht_snapshot *s, FILE *out);
/* The reservations file's rows (parse.h), validated by its parser */
int ht_write_ledger_json(const struct ht_ledger_row *rows, size_t n, FILE *out);
void ht_write_ledger_prom(const struct ht_ledger_row *rows, size_t n, FILE *out);

#endif /* HT_EXPORT_H */
