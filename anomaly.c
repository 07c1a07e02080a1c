// SPDX-License-Identifier: GPL-2.0
/*
 * Anomalies: each rule broken, recorded with the stack that broke it into
 * a preallocated ring, counted, and said in dmesg.
 */
#include <linux/irqflags.h>
#include <linux/kallsyms.h>
#include <linux/percpu.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/stacktrace.h>

#include "anomaly.h"
#include "counters.h"
#include "events.h"
#include "format.h"
#include "ring.h"
#include "util.h"

#define ANOMALIES_KEPT	64
#define STACK_DEPTH	16

/*
 * The stack is symbolized when the anomaly is recorded: by the time it is
 * read, a module on it may be gone and its addresses reused.
 */
struct ht_anomaly {
	u64 seq;
	enum ht_rule rule;
	long expected, actual;
	unsigned int nr_frames;
	struct ht_event ev;
	char frames[STACK_DEPTH][HT_FRAME_LEN];
};

/* Too big for a probe's stack: built per CPU, then published. */
struct anomaly_scratch {
	bool busy;
	unsigned long stack[2 * STACK_DEPTH];
	char symbol[KSYM_SYMBOL_LEN];
	struct ht_anomaly record;
};

static DEFINE_PER_CPU(struct anomaly_scratch, anomaly_scratch);

static struct ht_ring anomalies;

/*
 * Records @rule for @ev with the current stack, from @from_ip down when it
 * is on it (a trap's interrupted instruction), and says so in dmesg.
 */
void ht_anomaly_at(enum ht_rule rule, const struct ht_event *ev, long expected,
		   long actual, unsigned long from_ip)
{
	struct anomaly_scratch *scratch;
	struct ht_anomaly *a;
	unsigned int i, first = 0, nr;
	unsigned long flags;

	this_cpu_inc(ht_cpu_counters.anomalies[rule]);
	pr_warn_ratelimited("anomaly %s: pid %d (%s) %s at %#lx: expected %ld, got %ld\n",
			    ht_rule_names[rule], ev->pid, ev->comm,
			    ht_kind_names[ev->kind], ev->address, expected, actual);
	local_irq_save(flags);
	scratch = this_cpu_ptr(&anomaly_scratch);
	if (scratch->busy) {
		this_cpu_inc(ht_cpu_counters.anomalies_unrecorded);
		goto out;
	}
	scratch->busy = true;
	nr = stack_trace_save(scratch->stack, ARRAY_SIZE(scratch->stack), 2);
	for (i = 0; from_ip && i < nr; i++)
		if (scratch->stack[i] == from_ip)
			first = i;
	a = &scratch->record;
	a->rule = rule;
	a->expected = expected;
	a->actual = actual;
	a->ev = *ev;
	for (a->nr_frames = 0; first + a->nr_frames < nr && a->nr_frames < STACK_DEPTH;
	     a->nr_frames++)
		ht_symbolize(scratch->stack[first + a->nr_frames], scratch->symbol,
			     a->frames[a->nr_frames]);
	ht_ring_publish(&anomalies, a);
	scratch->busy = false;
out:
	local_irq_restore(flags);
}

void ht_anomaly(enum ht_rule rule, const struct ht_event *ev, long expected,
		long actual)
{
	ht_anomaly_at(rule, ev, expected, actual, 0);
}

void ht_anomalies_show(struct seq_file *m)
{
	u64 head = ht_ring_head(&anomalies), seq;
	struct ht_anomaly *a;
	unsigned int i;

	/* too big for the stack */
	a = kmalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return;
	for (seq = ht_ring_oldest(&anomalies); seq <= head; seq++) {
		if (ht_ring_read(&anomalies, seq, &a->seq))
			continue;
		seq_printf(m, "anomaly=%llu rule=%s expected=%ld actual=%ld ", a->seq,
			   ht_rule_names[a->rule], a->expected, a->actual);
		ht_seq_event(m, &a->ev);
		for (i = 0; i < a->nr_frames; i++)
			seq_printf(m, "  %s\n", a->frames[i]);
	}
	kfree(a);
}

/* Recorded but not kept: overwritten in the ring, or never written to it. */
unsigned long ht_anomalies_dropped(const struct ht_counters *sum)
{
	return sum->anomalies_unrecorded + ht_ring_overwritten(&anomalies);
}

int ht_anomalies_init(void)
{
	return ht_ring_init(&anomalies, ANOMALIES_KEPT, sizeof(struct ht_anomaly));
}

void ht_anomalies_exit(void)
{
	ht_ring_free(&anomalies);
}

void ht_anomalies_reset(void)
{
	ht_ring_clear(&anomalies);
}

size_t ht_anomalies_footprint(void)
{
	return ht_ring_footprint(&anomalies) +
	       num_possible_cpus() * sizeof(struct anomaly_scratch);
}
