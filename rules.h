/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HT_RULES_MODULE_H
#define HT_RULES_MODULE_H

#include <linux/types.h>

struct ht_event;
struct hstate;

bool ht_event_succeeded(const struct ht_event *ev);
/*
 * The rule book (ht_rules.h) on a finished event of @h (NULL: of no
 * hstate); @armed: it began once every probe and watchpoint was armed.
 */
void ht_rules_judge(const struct ht_event *ev, struct hstate *h, bool armed);

#endif /* HT_RULES_MODULE_H */
