/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HT_HUGETLB_PROBE_H
#define HT_HUGETLB_PROBE_H

#include "probe.h"

/* The points on the hugetlb and userfaultfd paths, with their handlers. */
extern struct ht_probe_table ht_hugetlb_probes;

#endif /* HT_HUGETLB_PROBE_H */
