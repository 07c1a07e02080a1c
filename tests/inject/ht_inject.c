// SPDX-License-Identifier: GPL-2.0
/*
 * ht_inject: test-only.  Breaks hugetlb folio accounting on purpose, for the
 * tasks named comm=, so that the tests can prove hugetrack flags it at once.
 *
 * mode=extra_ref  one more folio reference, taken while a fault maps a new
 *                 anonymous hugetlb folio (rule ref_map_mismatch)
 * mode=tail_ref   a reference on the folio's first tail page (tail_refcount)
 *
 * The references are dropped when the task unmaps, before the folio can be
 * freed, and at unload.
 */
#include <linux/atomic.h>
#include <linux/kprobes.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>

static char *mode = "extra_ref";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode, "extra_ref or tail_ref [DEFAULT: extra_ref]");

static char *comm = "hugefault";
module_param(comm, charp, 0444);
MODULE_PARM_DESC(comm, "Inject into tasks of this name [DEFAULT: hugefault]");

#define MAX_HELD	64

static struct page *held[MAX_HELD];
static atomic_t nr_held = ATOMIC_INIT(0);
static bool tail_mode;

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

static struct kprobe rmap_probe = { .pre_handler = on_new_anon_rmap };
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

	if (strcmp(mode, "extra_ref") && strcmp(mode, "tail_ref")) {
		pr_err("ht_inject: mode must be extra_ref or tail_ref\n");
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
	unregister_kprobe(&unmap_probe);
	unregister_kprobe(&rmap_probe);
	release_all();
}

module_init(ht_inject_init);
module_exit(ht_inject_exit);
MODULE_DESCRIPTION("hugetrack test: injects folio accounting errors");
MODULE_LICENSE("GPL");
