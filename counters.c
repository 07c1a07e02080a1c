// SPDX-License-Identifier: GPL-2.0
/* The per-CPU counters (counters.h): incremented without a lock. */
#include <linux/cpumask.h>
#include <linux/string.h>

#include "counters.h"

DEFINE_PER_CPU(struct ht_counters, ht_cpu_counters);

void ht_counters_sum(struct ht_counters *sum)
{
	const unsigned long *src;
	unsigned long *dst = (unsigned long *)sum;
	unsigned int cpu, i;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		src = (const unsigned long *)per_cpu_ptr(&ht_cpu_counters, cpu);
		for (i = 0; i < sizeof(*sum) / sizeof(long); i++)
			dst[i] += src[i];
	}
}

void ht_counters_reset(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		memset(per_cpu_ptr(&ht_cpu_counters, cpu), 0, sizeof(struct ht_counters));
}

size_t ht_counters_footprint(void)
{
	return num_possible_cpus() * sizeof(struct ht_counters);
}
