// SPDX-License-Identifier: GPL-2.0
/*
 * Hardware data watchpoints on each hstate's resv_huge_pages and
 * free_huge_pages.  Probes on functions miss what is inlined; a watchpoint
 * sees every write, so every change is counted by the call site that made
 * it, and a reservation count that wraps is caught at the writing
 * instruction, not at the next read.
 */
#include <linux/hugetlb.h>
#include <linux/hw_breakpoint.h>
#include <linux/kprobes.h>
#include <linux/perf_event.h>
#include <linux/seq_file.h>

#include "anomaly.h"
#include "events.h"
#include "format.h"
#include "hstates.h"
#include "inflight.h"
#include "util.h"
#include "watch.h"

#define SITES_MAX	32

struct write_site {
	unsigned long ip;	/* 0: a free slot */
	bool named;		/* name is set: the slot is complete */
	char name[HT_FRAME_LEN];
	atomic_long_t writes;
	atomic_long_t net;
	/* by the kind of event the writing task was in; the last: none */
	atomic_long_t in_kind[HT_EV_NR + 1];
};

struct watched {
	char name[32];
	struct hstate *h;
	unsigned long *counter;
	bool is_resv;
	/* the kernel writes the counters under hugetlb_lock: one writer */
	unsigned long last;
	int error;
	struct perf_event * __percpu *bp;
	atomic_long_t hits;
	atomic_long_t sites_lost;
	struct write_site sites[SITES_MAX];
};

static struct watched watched[2 * HUGE_MAX_HSTATE];
static DEFINE_PER_CPU(char [KSYM_SYMBOL_LEN], symbol_scratch);
static unsigned int nr_watched;

static struct write_site *site_of(struct watched *w, unsigned long ip)
{
	unsigned long old;
	int i;

	for (i = 0; i < SITES_MAX; i++) {
		old = READ_ONCE(w->sites[i].ip);
		if (!old && !cmpxchg(&w->sites[i].ip, 0, ip)) {
			ht_symbolize(ip, this_cpu_ptr(symbol_scratch), w->sites[i].name);
			/* readers print the name once this is seen */
			smp_store_release(&w->sites[i].named, true);
			return &w->sites[i];
		}
		if (READ_ONCE(w->sites[i].ip) == ip)
			return &w->sites[i];
	}
	return NULL;
}

/* In the #DB trap, right after the write, on the writing CPU. */
static void on_write(struct perf_event *bp, struct perf_sample_data *data,
		     struct pt_regs *regs)
{
	struct watched *w = bp->overflow_handler_context;
	unsigned long value = READ_ONCE(*w->counter);
	unsigned long nr = READ_ONCE(w->h->nr_huge_pages);
	struct write_site *site = site_of(w, instruction_pointer(regs));
	int kind = ht_current_event_kind();
	struct ht_verdict v;
	struct ht_event ev;

	atomic_long_inc(&w->hits);
	if (kind < 0)
		ht_note_untracked_write();
	if (site) {
		atomic_long_inc(&site->writes);
		atomic_long_add(value - w->last, &site->net);
		atomic_long_inc(&site->in_kind[kind < 0 ? HT_EV_NR : kind]);
	} else {
		atomic_long_inc(&w->sites_lost);
	}
	if (w->is_resv && ht_rule_resv_above_pool(w->last, value, nr, &v)) {
		ht_event_identify(&ev, HT_EV_COUNTER_WRITE, w->h);
		ev.resv_before = w->last;
		ev.resv_after = value;
		ht_anomaly_at(v.rule, &ev, v.expected, v.actual,
			      instruction_pointer(regs));
	}
	if (w->is_resv)
		ht_hstate_note_resv(w->h, value);
	WRITE_ONCE(w->last, value);
}
NOKPROBE_SYMBOL(on_write);

static void watch(struct hstate *h, unsigned long *counter, bool is_resv)
{
	struct watched *w = &watched[nr_watched++];
	struct perf_event_attr attr;

	snprintf(w->name, sizeof(w->name), "watch_%s_%lukB",
		 is_resv ? "resv" : "free", huge_page_size(h) / SZ_1K);
	w->h = h;
	w->counter = counter;
	w->is_resv = is_resv;
	w->last = READ_ONCE(*counter);
	hw_breakpoint_init(&attr);
	attr.bp_addr = (unsigned long)counter;
	attr.bp_len = HW_BREAKPOINT_LEN_8;
	attr.bp_type = HW_BREAKPOINT_W;
	w->bp = register_wide_hw_breakpoint(&attr, on_write, w);
	if (IS_ERR_PCPU(w->bp)) {
		w->error = PTR_ERR_PCPU(w->bp);
		w->bp = NULL;
		pr_warn("%s disabled: no data watchpoint (%d); counting by probes only\n",
			w->name, w->error);
		return;
	}
	if (is_resv)
		ht_hstate_set_watched(h, true);
}

/* resv of every hstate first: debug registers are few (4 on x86). */
void ht_watch_init(void)
{
	struct hstate *h;
	int i;

	for (i = 0; (h = ht_hstate(i)); i++)
		watch(h, &h->resv_huge_pages, true);
	for (i = 0; (h = ht_hstate(i)); i++)
		watch(h, &h->free_huge_pages, false);
}

void ht_watch_exit(void)
{
	unsigned int i;

	for (i = 0; i < nr_watched; i++) {
		if (!watched[i].bp)
			continue;
		if (watched[i].is_resv)
			ht_hstate_set_watched(watched[i].h, false);
		unregister_wide_hw_breakpoint(watched[i].bp);
	}
	nr_watched = 0;
}

/* Rows of the probes file. */
void ht_watch_show_probes(struct seq_file *m)
{
	unsigned int i;

	for (i = 0; i < nr_watched; i++) {
		struct watched *w = &watched[i];
		char state[24] = "active";

		if (w->error)
			snprintf(state, sizeof(state), "failed:%d", w->error);
		seq_printf(m, "%-24s %-8s %-33s %-9s %-12s %12ld %8ld\n", w->name,
			   "watch", w->is_resv ? "hstate.resv_huge_pages" :
			   "hstate.free_huge_pages", "watchpoint", state,
			   atomic_long_read(&w->hits), atomic_long_read(&w->sites_lost));
	}
}

/* "in=fault:11,none:2": the writes by the event the writer was in */
static void show_kinds(struct seq_file *m, struct write_site *site)
{
	const char *sep = "";
	long n;
	int k;

	seq_puts(m, " in=");
	for (k = 0; k <= HT_EV_NR; k++) {
		n = atomic_long_read(&site->in_kind[k]);
		if (n) {
			seq_printf(m, "%s%s:%ld", sep,
				   ht_event_kind_name(k < HT_EV_NR ? k : -1), n);
			sep = ",";
		}
	}
}

void ht_writers_show(struct seq_file *m)
{
	unsigned int i, s;

	for (i = 0; i < nr_watched; i++) {
		struct watched *w = &watched[i];

		/* pairs with site_of(): a site is shown once its name is set */
		for (s = 0; s < SITES_MAX && smp_load_acquire(&w->sites[s].named); s++) {
			seq_printf(m, "counter=%s hstate=%s site=%s writes=%ld net=%ld",
				   w->is_resv ? "resv" : "free", w->h->name,
				   w->sites[s].name,
				   atomic_long_read(&w->sites[s].writes),
				   atomic_long_read(&w->sites[s].net));
			show_kinds(m, &w->sites[s]);
			seq_putc(m, '\n');
		}
	}
}
