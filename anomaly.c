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
#include <linux/string.h>

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
	char holder[HT_HOLDER_LEN];	/* a ledger rule's holder; "" for others */
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
/* Per rule, since load: a reset does not clear it (ledger_audit.c reads it) */
static atomic_long_t fired[HT_RULE_NR];

/*
 * Fills @scratch's record of @rule for @ev with @nr frames of the stack in
 * @scratch, from @first on.  Called with irqs off and @scratch busy.
 */
static void fill(struct anomaly_scratch *scratch, enum ht_rule rule,
		   const struct ht_event *ev, long expected, long actual,
		   const char *holder, unsigned int first, unsigned int nr)
{
	struct ht_anomaly *a = &scratch->record;

	a->rule = rule;
	a->expected = expected;
	a->actual = actual;
	strscpy(a->holder, holder, sizeof(a->holder));
	a->ev = *ev;
	for (a->nr_frames = 0; first + a->nr_frames < nr && a->nr_frames < STACK_DEPTH;
	     a->nr_frames++)
		ht_symbolize(scratch->stack[first + a->nr_frames], scratch->symbol,
			     a->frames[a->nr_frames]);
}

/*
 * A stack saved in a return handler starts in the probe's machinery, up to
 * the trampoline that stands for the probed function's return address:
 * its frames are dropped, the probed function's caller is the first.
 */
static void drop_probe_frames(struct ht_anomaly *a)
{
	unsigned int i, first = 0;

	for (i = 0; i < a->nr_frames; i++)
		if (strstr(a->frames[i], "rethook_trampoline") ||
		    strstr(a->frames[i], "kretprobe_trampoline"))
			first = i + 1;
	if (first == a->nr_frames)
		return;
	memmove(a->frames, a->frames + first, (a->nr_frames - first) * sizeof(a->frames[0]));
	a->nr_frames -= first;
}

static void count(enum ht_rule rule, const struct ht_event *ev, long expected, long actual)
{
	this_cpu_inc(ht_cpu_counters.anomalies[rule]);
	atomic_long_inc(&fired[rule]);
	pr_warn_ratelimited("anomaly %s: pid %d (%s) %s at %#lx: expected %ld, got %ld\n",
			    ht_rule_names[rule], ev->pid, ev->comm,
			    ht_kind_names[ev->kind], ev->address, expected, actual);
}

/* This CPU's scratch, with irqs off, or NULL (counted) when it is in use. */
static struct anomaly_scratch *get_scratch(unsigned long *flags)
{
	struct anomaly_scratch *scratch;

	local_irq_save(*flags);
	scratch = this_cpu_ptr(&anomaly_scratch);
	if (!scratch->busy) {
		scratch->busy = true;
		return scratch;
	}
	this_cpu_inc(ht_cpu_counters.anomalies_unrecorded);
	local_irq_restore(*flags);
	return NULL;
}

static void put_scratch(struct anomaly_scratch *scratch, unsigned long flags)
{
	scratch->busy = false;
	local_irq_restore(flags);
}

/*
 * Records @rule for @ev with the current stack, from @from_ip down when it
 * is on it (a trap's interrupted instruction).
 */
void ht_anomaly_at(enum ht_rule rule, const struct ht_event *ev, long expected,
		   long actual, unsigned long from_ip)
{
	struct anomaly_scratch *scratch;
	unsigned int i, first = 0, nr;
	unsigned long flags;

	count(rule, ev, expected, actual);
	scratch = get_scratch(&flags);
	if (!scratch)
		return;
	nr = stack_trace_save(scratch->stack, ARRAY_SIZE(scratch->stack), 2);
	for (i = 0; from_ip && i < nr; i++)
		if (scratch->stack[i] == from_ip)
			first = i;
	fill(scratch, rule, ev, expected, actual, "", first, nr);
	ht_ring_publish(&anomalies, &scratch->record);
	put_scratch(scratch, flags);
}

void ht_anomaly_of(enum ht_rule rule, const struct ht_event *ev, long expected,
		   long actual, const char *holder, const unsigned long *stack,
		   unsigned int nr)
{
	struct anomaly_scratch *scratch;
	unsigned long flags;

	count(rule, ev, expected, actual);
	scratch = get_scratch(&flags);
	if (!scratch)
		return;
	nr = min_t(unsigned int, nr, ARRAY_SIZE(scratch->stack));
	memcpy(scratch->stack, stack, nr * sizeof(*stack));
	fill(scratch, rule, ev, expected, actual, holder, 0, nr);
	drop_probe_frames(&scratch->record);
	ht_ring_publish(&anomalies, &scratch->record);
	put_scratch(scratch, flags);
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
		if (a->holder[0])
			seq_printf(m, "holder=%s ", a->holder);
		ht_seq_event(m, &a->ev);
		for (i = 0; i < a->nr_frames; i++)
			seq_printf(m, "  %s\n", a->frames[i]);
	}
	kfree(a);
}

unsigned long ht_anomalies_fired(enum ht_rule rule)
{
	return atomic_long_read(&fired[rule]);
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
