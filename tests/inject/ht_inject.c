// SPDX-License-Identifier: GPL-2.0
/*
 * ht_inject: test-only.  Breaks hugetlb folio accounting on purpose, for the
 * tasks named comm=, so that the tests can prove hugetrack flags it at once.
 *
 * mode=extra_ref  one more folio reference, taken while a fault maps a new
 *                 anonymous hugetlb folio (rule ref_map_mismatch)
 * mode=tail_ref   a reference on the folio's first tail page (tail_refcount)
 * mode=resv_bump  a fault that maps a new anonymous folio also raises the
 *                 hstate's resv_huge_pages by 5, until unload
 *                 (resv_unexpected_delta)
 * mode=resv_take  such a fault also takes one more reservation, given back
 *                 at unload (resv_double_consume)
 * mode=resv_wrap  at the first fault, the hstate's resv_huge_pages wraps
 *                 below zero and is put back at once, without hugetlb_lock:
 *                 only a watchpoint sees it (resv_underflow)
 * mode=hold       holds each call of the function hold_symbol= made by those
 *                 tasks for hold_ms= (busy-waiting: probe context cannot
 *                 sleep), so that another task can run into the same range
 *                 meanwhile (a race window, made wide)
 * mode=leak       at load, an allocation that nothing points to: for
 *                 kmemleak to report (the debug kernel's leak check)
 *
 * The references are dropped when the task unmaps, before the folio can be
 * freed, and at unload.
 */
#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/hugetlb.h>
#include <linux/kprobes.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>

static char *mode = "extra_ref";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode, "extra_ref, tail_ref, resv_bump, resv_take, resv_wrap, hold or leak [DEFAULT: extra_ref]");

static char *comm = "hugefault";
module_param(comm, charp, 0444);
MODULE_PARM_DESC(comm, "Inject into tasks of this name [DEFAULT: hugefault]");

static char *hold_symbol = "collapse_pte_mapped_thp";
module_param(hold_symbol, charp, 0444);
MODULE_PARM_DESC(hold_symbol, "mode=hold: the function to hold [DEFAULT: collapse_pte_mapped_thp]");

#define HOLD_MS_MAX	2000
static unsigned int hold_ms = 1000;
module_param(hold_ms, uint, 0444);
MODULE_PARM_DESC(hold_ms, "mode=hold: how long, up to " __stringify(HOLD_MS_MAX) " ms [DEFAULT: 1000]");

#define MAX_HELD	64

static struct page *held[MAX_HELD];
static atomic_t nr_held = ATOMIC_INIT(0);
static bool tail_mode;
static long resv_nudge;	/* resv_bump, resv_take: added in the fault, taken at unload */
static struct hstate *bumped;

static bool targeted(void)
{
	return !strncmp(current->comm, comm, TASK_COMM_LEN);
}

/* hugetlb_add_new_anon_rmap(folio, ...) / hugepage_add_new_anon_rmap(page, ...) */
static int on_new_anon_rmap(struct kprobe *kp, struct pt_regs *regs)
{
	struct page *head = (struct page *)regs_get_kernel_argument(regs, 0);
	int slot;

	if (!targeted())
		return 0;
	if (resv_nudge) {
		struct vm_area_struct *vma = (struct vm_area_struct *)regs_get_kernel_argument(regs, 1);

		if (!cmpxchg(&bumped, NULL, hstate_vma(vma)))
			WRITE_ONCE(bumped->resv_huge_pages, bumped->resv_huge_pages + resv_nudge);
		return 0;
	}
	slot = atomic_inc_return(&nr_held) - 1;
	if (slot >= MAX_HELD)
		return 0;
	held[slot] = tail_mode ? head + 1 : head;
	page_ref_inc(held[slot]);
	return 0;
}

static void release_all(void)
{
	struct page *page;
	int i;

	for (i = 0; i < MAX_HELD; i++) {
		page = xchg(&held[i], NULL);
		if (page)
			page_ref_dec(page);
	}
}

static int on_unmap(struct kprobe *kp, struct pt_regs *regs)
{
	if (targeted())
		release_all();
	return 0;
}

/* hugetlb_fault(mm, vma, address, flags) */
static int on_fault(struct kprobe *kp, struct pt_regs *regs)
{
	static atomic_t done = ATOMIC_INIT(0);
	struct vm_area_struct *vma = (struct vm_area_struct *)regs_get_kernel_argument(regs, 1);
	struct hstate *h;
	unsigned long saved;

	if (!targeted() || atomic_xchg(&done, 1))
		return 0;
	h = hstate_vma(vma);
	saved = READ_ONCE(h->resv_huge_pages);
	WRITE_ONCE(h->resv_huge_pages, -1UL);
	WRITE_ONCE(h->resv_huge_pages, saved);
	return 0;
}

static int on_hold(struct kprobe *kp, struct pt_regs *regs)
{
	if (targeted())
		mdelay(hold_ms);
	return 0;
}

static struct kprobe hold_probe = { .pre_handler = on_hold };

#define LEAK_SIZE	96

/* Not __init: kmemleak's stack of the object must name a function that stays. */
static noinline void leak_one(void)
{
	void *lost = kmalloc(LEAK_SIZE, GFP_KERNEL);

	pr_info("ht_inject: %s %d bytes for kmemleak\n", lost ? "leaked" : "could not leak",
		LEAK_SIZE);
}

static struct kprobe rmap_probe = { .pre_handler = on_new_anon_rmap };
static struct kprobe fault_probe = {
	.symbol_name = "hugetlb_fault",
	.pre_handler = on_fault,
};
static struct kprobe unmap_probe = {
	.symbol_name = "__unmap_hugepage_range",
	.pre_handler = on_unmap,
};

static int __init ht_inject_init(void)
{
	static const char * const rmap_names[] = {
		"hugetlb_add_new_anon_rmap", "hugepage_add_new_anon_rmap",
	};
	int err = -ENOENT, i;

	if (!strcmp(mode, "resv_wrap"))
		return register_kprobe(&fault_probe);
	if (!strcmp(mode, "hold")) {
		if (hold_ms > HOLD_MS_MAX)
			return -EINVAL;
		hold_probe.symbol_name = hold_symbol;
		return register_kprobe(&hold_probe);
	}
	if (!strcmp(mode, "leak")) {
		leak_one();
		return 0;
	}
	if (!strcmp(mode, "resv_bump"))
		resv_nudge = 5;
	else if (!strcmp(mode, "resv_take"))
		resv_nudge = -1;
	else if (strcmp(mode, "extra_ref") && strcmp(mode, "tail_ref")) {
		pr_err("ht_inject: mode must be extra_ref, tail_ref, resv_bump, resv_take, resv_wrap, hold or leak\n");
		return -EINVAL;
	}
	tail_mode = !strcmp(mode, "tail_ref");
	for (i = 0; i < ARRAY_SIZE(rmap_names) && err; i++) {
		rmap_probe.symbol_name = rmap_names[i];
		rmap_probe.addr = NULL;
		err = register_kprobe(&rmap_probe);
	}
	if (err)
		return err;
	err = register_kprobe(&unmap_probe);
	if (err)
		unregister_kprobe(&rmap_probe);
	return err;
}

static void __exit ht_inject_exit(void)
{
	if (!strcmp(mode, "resv_wrap")) {
		unregister_kprobe(&fault_probe);
		return;
	}
	if (!strcmp(mode, "hold")) {
		unregister_kprobe(&hold_probe);
		return;
	}
	if (!strcmp(mode, "leak"))
		return;
	unregister_kprobe(&unmap_probe);
	unregister_kprobe(&rmap_probe);
	release_all();
	if (bumped)
		WRITE_ONCE(bumped->resv_huge_pages, bumped->resv_huge_pages - resv_nudge);
}

module_init(ht_inject_init);
module_exit(ht_inject_exit);
MODULE_DESCRIPTION("hugetrack test: injects folio accounting errors");
MODULE_LICENSE("GPL");
