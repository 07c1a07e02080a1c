/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HT_COLLAPSE_PROBE_H
#define HT_COLLAPSE_PROBE_H

#include "probe.h"

/* The points of THP collapse, with their handlers. */
extern struct ht_probe_table ht_thp_probes;

#endif /* HT_COLLAPSE_PROBE_H */
