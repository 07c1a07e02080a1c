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
 * mode=resv_keep  a zap of a private mapping that owns its reservation does
 *                 not give the reservations of the pages it frees back, as
 *                 6.1 did not at MADV_DONTNEED (the ledger's resv_lost)
 * mode=spool_giveback  a reserve that cannot fit its mount's size= fails,
 *                 and gives one reservation back to the mount's subpool
 *                 (rsv_hpages) that it never took from it, until unload
 *                 (the ledger's resv_deficit): unload before the umount
 * mode=spool_leak  a reserve on a mount with size= charges one page more to
 *                 the mount's subpool (used_hpages) than it reserves, until
 *                 unload (the ledger's subpool_used_leak): unload before
 *                 the umount
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
#include <linux/hugetlb.h>
#include <linux/kprobes.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>

static char *mode = "extra_ref";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode, "extra_ref, tail_ref, resv_bump, resv_take, resv_wrap, resv_keep, spool_giveback, spool_leak, hold or leak [DEFAULT: extra_ref]");

static char *comm = "hugefault";
module_param(comm, charp, 0444);
MODULE_PARM_DESC(comm, "Inject into tasks of this name [DEFAULT: hugefault]");

static char *hold_symbol = "collapse_pte_mapped_thp";
module_param(hold_symbol, charp, 0444);
MODULE_PARM_DESC(hold_symbol, "mode=hold: the function to hold [DEFAULT: collapse_pte_mapped_thp]");

#define HOLD_MS_MAX	10000
static unsigned int hold_ms = 1000;
module_param(hold_ms, uint, 0644);
MODULE_PARM_DESC(hold_ms, "mode=hold: how long, up to " __stringify(HOLD_MS_MAX) " ms; a write of 0 ends a hold [DEFAULT: 1000]");

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

/*
 * Until the clock says so, not mdelay(): under TCG the delay loop's
 * calibration can be far off (6.1's hold was no hold).
 */
static int on_hold(struct kprobe *kp, struct pt_regs *regs)
{
	u64 start = ktime_get_mono_fast_ns();

	if (!targeted())
		return 0;
	while (ktime_get_mono_fast_ns() - start <
	       (u64)min_t(unsigned int, READ_ONCE(hold_ms), HOLD_MS_MAX) * NSEC_PER_MSEC)
		cpu_relax();
	return 0;
}

static struct kprobe hold_probe = { .pre_handler = on_hold };

/* mm/hugetlb.c's HPAGE_RESV_OWNER, in vm_private_data with the reserve map */
#define RESV_OWNER	1UL

/* __unmap_hugepage_range(tlb, vma, start, end, ...): the vma, while it runs */
static int on_zap(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct vm_area_struct *vma = (struct vm_area_struct *)regs_get_kernel_argument(regs, 1);
	unsigned long priv = (unsigned long)vma->vm_private_data;

	if (!targeted() || (vma->vm_flags & VM_MAYSHARE) || !(priv & RESV_OWNER))
		return 1;
	/* not the owner while it zaps: it restores no reservation */
	vma->vm_private_data = (void *)(priv & ~RESV_OWNER);
	*(struct vm_area_struct **)ri->data = vma;
	return 0;
}

static int on_zapped(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct vm_area_struct *vma = *(struct vm_area_struct **)ri->data;

	vma->vm_private_data = (void *)((unsigned long)vma->vm_private_data | RESV_OWNER);
	return 0;
}

static struct kretprobe zap_probe = {
	.kp.symbol_name = "__unmap_hugepage_range",
	.entry_handler = on_zap,
	.handler = on_zapped,
	.data_size = sizeof(struct vm_area_struct *),
	.maxactive = 64,
};

/* spool_giveback, spool_leak: the subpool given one, and its field */
static struct hugepage_subpool *given_to;
static long *spool_field(struct hugepage_subpool *spool)
{
	return !strcmp(mode, "spool_leak") ? &spool->used_hpages : &spool->rsv_hpages;
}

static void spool_add(struct hugepage_subpool *spool, long n)
{
	unsigned long flags;

	spin_lock_irqsave(&spool->lock, flags);
	*spool_field(spool) += n;
	spin_unlock_irqrestore(&spool->lock, flags);
}

/*
 * hugetlb_reserve_pages(inode, from, to, ...) on a mount with size=:
 * spool_giveback takes one that cannot fit (it fails, whatever its return
 * type on this kernel), spool_leak any
 */
static int on_reserve(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct inode *inode = (struct inode *)regs_get_kernel_argument(regs, 0);
	long pages = regs_get_kernel_argument(regs, 2) - regs_get_kernel_argument(regs, 1);
	struct hugetlbfs_sb_info *sbinfo = HUGETLBFS_SB(inode->i_sb);
	struct hugepage_subpool *spool = sbinfo ? sbinfo->spool : NULL;
	bool fits;

	if (!targeted() || !spool || spool->max_hpages == -1 || READ_ONCE(given_to))
		return 1;
	fits = READ_ONCE(spool->used_hpages) + pages <= spool->max_hpages;
	if (fits != !strcmp(mode, "spool_leak"))
		return 1;
	*(struct hugepage_subpool **)ri->data = spool;
	return 0;
}

static int on_reserved(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct hugepage_subpool *spool = *(struct hugepage_subpool **)ri->data;

	if (!cmpxchg(&given_to, NULL, spool))
		spool_add(spool, 1);
	return 0;
}

static struct kretprobe reserve_probe = {
	.kp.symbol_name = "hugetlb_reserve_pages",
	.entry_handler = on_reserve,
	.handler = on_reserved,
	.data_size = sizeof(struct hugepage_subpool *),
	.maxactive = 16,
};

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
	if (!strcmp(mode, "resv_keep"))
		return register_kretprobe(&zap_probe);
	if (!strcmp(mode, "spool_giveback") || !strcmp(mode, "spool_leak"))
		return register_kretprobe(&reserve_probe);
	if (!strcmp(mode, "resv_bump"))
		resv_nudge = 5;
	else if (!strcmp(mode, "resv_take"))
		resv_nudge = -1;
	else if (strcmp(mode, "extra_ref") && strcmp(mode, "tail_ref")) {
		pr_err("ht_inject: mode must be extra_ref, tail_ref, resv_bump, resv_take, resv_wrap, resv_keep, spool_giveback, spool_leak, hold or leak\n");
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
	if (!strcmp(mode, "resv_keep")) {
		unregister_kretprobe(&zap_probe);
		return;
	}
	if (!strcmp(mode, "spool_giveback") || !strcmp(mode, "spool_leak")) {
		unregister_kretprobe(&reserve_probe);
		if (given_to)
			spool_add(given_to, -1);
		return;
	}
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
