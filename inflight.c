// SPDX-License-Identifier: GPL-2.0
/*
 * Operations in flight, in one preallocated table: by task, so that a write
 * the watchpoint sees is joined to the event its task was in; and by (mm,
 * range), so that an operation that reaches a range another task's
 * operation is working on counts as a race window reached.  Coverage only:
 * a window hit is a fact about the workload, never an alarm.
 */
#include <linux/hash.h>
#include <linux/kallsyms.h>
#include <linux/seq_file.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/stacktrace.h>

#include "inflight.h"
#include "util.h"

/*
 * Twice the faults hugetlb_fault's probe follows at once (probe.c's
 * WAITING_CALLS): a thousand tasks asleep in userfaultfd faults and the
 * calls of the others fit.
 */
#define IN_FLIGHT_BITS	11
#define IN_FLIGHT_KEPT	(1 << IN_FLIGHT_BITS)
/*
 * A task's operations are in the IN_FLIGHT_REACH slots from its hash, so
 * that finding one costs the same however many tasks are in flight.  At
 * half load, a run of 32 taken slots holds back one operation in 200 runs
 * of a thousand (16 slots: one in two runs).
 */
#define IN_FLIGHT_REACH	32
#define WINDOW_STACK	16

/*
 * A slot belongs to the task that claimed it (its owner): only that task
 * writes it.  The window fields are published by an odd generation (open)
 * and retired by the next, even one: a reader copies them between two
 * reads of the generation and keeps the copy only if it did not move.
 */
struct in_flight_op {
	u64 started;
	u8 kind;
	bool flag;
	struct mm_struct *mm;
	unsigned long start, end;
	/* the window this operation is side a of, while gen is odd */
	u32 gen;
	u32 hit_gen;	/* the generation already counted: one hit per opening */
	u8 window;
	pid_t tid;
	char comm[TASK_COMM_LEN];
	unsigned int nr_frames;
	unsigned long stack[WINDOW_STACK];
};

/* NULL: a free slot; apart from the slots, so that a search reads few lines */
static struct task_struct *op_owner[IN_FLIGHT_KEPT];
static struct in_flight_op in_flight_ops[IN_FLIGHT_KEPT];

/* The slots current's operations can be in: @n of IN_FLIGHT_REACH from its hash */
#define for_each_current_slot(i, n)					\
	for ((n) = 0, (i) = hash_ptr(current, IN_FLIGHT_BITS); (n) < IN_FLIGHT_REACH; \
	     (n)++, (i) = ((i) + 1) & (IN_FLIGHT_KEPT - 1))
/* Operations that found the table full: their writes count as untracked. */
static atomic_long_t not_followed = ATOMIC_LONG_INIT(0);

/* One side of a hit, as the windows file shows it. */
struct window_side {
	pid_t tid;
	char comm[TASK_COMM_LEN];
	unsigned int nr_frames;
	char frames[WINDOW_STACK][HT_FRAME_LEN];
};

/* The last hit is rewritten under seq (odd while it changes). */
struct window_record {
	atomic_long_t hits;
	atomic_t busy;
	u32 seq;
	u64 time_ns;
	unsigned long addr;
	struct window_side a, b;
	char symbol[KSYM_SYMBOL_LEN];
};

static struct window_record windows[HT_WIN_NR];

/* Operations that are side a of each window now: most faults meet none. */
static atomic_t windows_open[HT_WIN_NR];

static const char *const window_names[HT_WIN_NR] = {
	[HT_WIN_UFFD_COPY_RETRY_VS_FAULT] = "uffd_copy_retry_vs_fault",
	[HT_WIN_COLLAPSE_VS_UFFD_FILL] = "collapse_vs_uffd_fill",
	[HT_WIN_PMD_UNSHARE_VS_FAULT] = "pmd_unshare_vs_fault",
};

/* A slot for current's operation of @kind, or -1 when its slots are full. */
int ht_op_claim(u8 kind, u64 started)
{
	struct in_flight_op *op;
	unsigned int i, n;

	for_each_current_slot(i, n) {
		if (!READ_ONCE(op_owner[i]) && !cmpxchg(&op_owner[i], NULL, current)) {
			op = &in_flight_ops[i];
			op->kind = kind;
			op->flag = false;
			op->mm = NULL;
			WRITE_ONCE(op->started, started);
			return i;
		}
	}
	atomic_long_inc(&not_followed);
	return -1;
}

unsigned long ht_ops_not_followed(void)
{
	return atomic_long_read(&not_followed);
}

void ht_op_release(int slot)
{
	struct in_flight_op *op;

	if (slot < 0)
		return;
	op = &in_flight_ops[slot];
	if (op->gen & 1) {
		/* the window closes (odd to even); pairs with reach_op()'s acquire */
		smp_store_release(&op->gen, op->gen + 1);
		atomic_dec(&windows_open[op->window]);
	}
	/* the slot's kind and number stay valid until it is seen free */
	smp_store_release(&op_owner[slot], NULL);
}

/* The slot of current's innermost operation of @kind, or -1. */
int ht_current_op(u8 kind)
{
	unsigned int i, n;
	u64 newest = 0;
	int slot = -1;

	for_each_current_slot(i, n) {
		if (READ_ONCE(op_owner[i]) == current &&
		    in_flight_ops[i].kind == kind &&
		    in_flight_ops[i].started >= newest) {
			newest = in_flight_ops[i].started;
			slot = i;
		}
	}
	return slot;
}

/* The kind of the innermost event current is in, or -1. */
int ht_current_event_kind(void)
{
	unsigned int i, n;
	u64 newest = 0;
	int kind = -1;

	for_each_current_slot(i, n) {
		if (READ_ONCE(op_owner[i]) == current &&
		    in_flight_ops[i].kind < HT_EV_NR &&
		    READ_ONCE(in_flight_ops[i].started) >= newest) {
			newest = in_flight_ops[i].started;
			kind = in_flight_ops[i].kind;
		}
	}
	return kind;
}

void ht_op_set_flag(int slot, bool flag)
{
	if (slot >= 0)
		in_flight_ops[slot].flag = flag;
}

bool ht_op_flag(int slot)
{
	return slot >= 0 && in_flight_ops[slot].flag;
}

/*
 * From now until the slot is released, the operation is side a of @window
 * on [start, end) of @mm; its stack is taken now, to be named at a hit.
 */
void ht_window_open(int slot, enum ht_window window, struct mm_struct *mm,
		    unsigned long start, unsigned long end)
{
	struct in_flight_op *op;

	if (slot < 0 || (in_flight_ops[slot].gen & 1))
		return;
	op = &in_flight_ops[slot];
	op->mm = mm;
	op->start = start;
	op->end = end;
	op->window = window;
	op->tid = current->pid;
	strscpy_pad(op->comm, current->comm, sizeof(op->comm));
	op->nr_frames = stack_trace_save(op->stack, WINDOW_STACK, 2);
	atomic_inc(&windows_open[window]);
	/* pairs with reach_op()'s acquire: the fields before the opening */
	smp_store_release(&op->gen, op->gen + 1);
}

static void name_frames(struct window_record *w, struct window_side *side,
			const unsigned long *stack, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		ht_symbolize(stack[i], w->symbol, side->frames[i]);
	side->nr_frames = nr;
}

/* Side b is current, side a the copy of @op taken by reach_op(). */
static void record_hit(enum ht_window window, const struct in_flight_op *op,
		       unsigned long addr)
{
	struct window_record *w = &windows[window];
	unsigned long stack[WINDOW_STACK];
	unsigned int nr;

	atomic_long_inc(&w->hits);
	/* a hit on another CPU is being written: this one is only counted */
	if (atomic_xchg(&w->busy, 1))
		return;
	nr = stack_trace_save(stack, WINDOW_STACK, 2);
	WRITE_ONCE(w->seq, w->seq + 1);
	/* the odd number before any byte of the record changes */
	smp_wmb();
	w->time_ns = ktime_get_ns();
	w->addr = addr;
	w->a.tid = op->tid;
	ht_safe_comm(w->a.comm, op->comm);
	name_frames(w, &w->a, op->stack, op->nr_frames);
	w->b.tid = current->pid;
	ht_safe_comm(w->b.comm, current->comm);
	name_frames(w, &w->b, stack, nr);
	/* every byte of the record before the even number */
	smp_wmb();
	WRITE_ONCE(w->seq, w->seq + 1);
	atomic_set_release(&w->busy, 0);
}

/* A copy of slot @i if it is side a of @window over @mm, [start, end), open. */
static bool reach_op(int i, enum ht_window window, struct mm_struct *mm,
		     unsigned long start, unsigned long end,
		     struct in_flight_op *copy)
{
	struct in_flight_op *op = &in_flight_ops[i];
	/* pairs with ht_window_open()'s release: the fields it published */
	u32 gen = smp_load_acquire(&op->gen);

	if (!(gen & 1) || READ_ONCE(op->window) != window ||
	    READ_ONCE(op->mm) != mm || READ_ONCE(op_owner[i]) == current)
		return false;
	memcpy(copy, op, sizeof(*copy));
	/* the copy before the re-check: a release or reopening since shows */
	smp_rmb();
	if (READ_ONCE(op->gen) != gen || READ_ONCE(op->hit_gen) == gen)
		return false;
	if (copy->start >= end || start >= copy->end)
		return false;
	return cmpxchg(&op->hit_gen, copy->hit_gen, gen) == copy->hit_gen;
}

/*
 * Current starts an operation on [start, end) of @mm: each operation that
 * is side a of @window there is hit, once per opening.
 */
void ht_window_reach(enum ht_window window, struct mm_struct *mm,
		     unsigned long start, unsigned long end)
{
	struct in_flight_op copy;
	int i;

	if (!atomic_read(&windows_open[window]))
		return;
	for (i = 0; i < IN_FLIGHT_KEPT; i++)
		if (reach_op(i, window, mm, start, end, &copy))
			record_hit(window, &copy, start);
}

/* counters: window_<name> hits */
void ht_windows_counters(struct seq_file *m)
{
	int i;

	for (i = 0; i < HT_WIN_NR; i++)
		seq_printf(m, "window_%s %ld\n", window_names[i],
			   atomic_long_read(&windows[i].hits));
}

/* summary: one line */
void ht_windows_summary(struct seq_file *m)
{
	int i;

	seq_puts(m, "windows:");
	for (i = 0; i < HT_WIN_NR; i++)
		seq_printf(m, " %s %ld", window_names[i],
			   atomic_long_read(&windows[i].hits));
	seq_putc(m, '\n');
}

static void show_side(struct seq_file *m, const char *name,
		      const struct window_side *side)
{
	unsigned int i;

	for (i = 0; i < side->nr_frames; i++)
		seq_printf(m, "  %s: %s\n", name, side->frames[i]);
}

/* One block a window, always all of them. */
void ht_windows_show(struct seq_file *m)
{
	struct window_record *copy;
	u32 seq;
	int i;

	/* too big for the stack */
	copy = kmalloc(sizeof(*copy), GFP_KERNEL);
	if (!copy)
		return;
	for (i = 0; i < HT_WIN_NR; i++) {
		do {
			/* pairs with record_hit()'s write barriers */
			seq = smp_load_acquire(&windows[i].seq);
			memcpy(copy, &windows[i], sizeof(*copy));
			/* the copy before the re-check */
			smp_rmb();
		} while ((seq & 1) || READ_ONCE(windows[i].seq) != seq);
		seq_printf(m, "window=%s hits=%ld", window_names[i],
			   atomic_long_read(&windows[i].hits));
		if (!copy->time_ns) {
			seq_puts(m, " last_ns=- addr=- pid_a=- comm_a=- pid_b=- comm_b=-\n");
			continue;
		}
		seq_printf(m, " last_ns=%llu addr=%#lx pid_a=%d comm_a=%s pid_b=%d comm_b=%s\n",
			   copy->time_ns, copy->addr, copy->a.tid, copy->a.comm,
			   copy->b.tid, copy->b.comm);
		show_side(m, "a", &copy->a);
		show_side(m, "b", &copy->b);
	}
	kfree(copy);
}

/*
 * The count of operations not followed, and the windows' hits and records:
 * a record being written by a hit keeps it (the hit is newer than the reset).
 */
void ht_inflight_reset(void)
{
	int i;

	atomic_long_set(&not_followed, 0);
	for (i = 0; i < HT_WIN_NR; i++) {
		atomic_long_set(&windows[i].hits, 0);
		if (atomic_xchg(&windows[i].busy, 1))
			continue;
		WRITE_ONCE(windows[i].seq, windows[i].seq + 1);
		/* as record_hit(): odd number, the change, even number */
		smp_wmb();
		windows[i].time_ns = 0;
		/* the change before the even number */
		smp_wmb();
		WRITE_ONCE(windows[i].seq, windows[i].seq + 1);
		atomic_set_release(&windows[i].busy, 0);
	}
}

size_t ht_inflight_footprint(void)
{
	return sizeof(op_owner) + sizeof(in_flight_ops) + sizeof(windows);
}
