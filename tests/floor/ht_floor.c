// SPDX-License-Identifier: GPL-2.0
/*
 * ht_floor: test-only, for the benchmark.  Registers kprobes and kretprobes
 * with empty handlers on the symbols it is given: what any kprobe-based
 * tracer pays before it does anything, the floor hugetrack's cost is
 * measured against.
 *
 * probes=SYMBOL:TYPE[,SYMBOL:TYPE...]  TYPE kprobe or kretprobe; the bench
 * fills it from hugetrack's own probes file, so the floor follows the module.
 */
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/string.h>

/* More than hugetrack's points, with room for those to come. */
#define PROBES_MAX	128

static char *probes[PROBES_MAX];
static unsigned int nr_probes;
module_param_array(probes, charp, &nr_probes, 0444);
MODULE_PARM_DESC(probes, "SYMBOL:kprobe or SYMBOL:kretprobe, comma-separated, up to "
		 __stringify(PROBES_MAX) " [DEFAULT: none]");

static unsigned int kretprobe_maxactive = 128;
module_param(kretprobe_maxactive, uint, 0444);
MODULE_PARM_DESC(kretprobe_maxactive, "As hugetrack's [DEFAULT: 128]");

/* probes= split into symbol names and types */
static char symbols[PROBES_MAX][KSYM_NAME_LEN];
static struct kprobe kps[PROBES_MAX];
static struct kretprobe rps[PROBES_MAX];
static struct kprobe *kp_list[PROBES_MAX];
static struct kretprobe *rp_list[PROBES_MAX];
static unsigned int nr_kps, nr_rps;

static int empty_pre(struct kprobe *kp, struct pt_regs *regs)
{
	return 0;
}
NOKPROBE_SYMBOL(empty_pre);

static int empty_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return 0;
}
NOKPROBE_SYMBOL(empty_ret);

/* -EINVAL on an entry that is not SYMBOL:kprobe or SYMBOL:kretprobe */
static int parse(void)
{
	unsigned int i;
	char *type;

	for (i = 0; i < nr_probes; i++) {
		type = strchr(probes[i], ':');
		if (!type || type == probes[i] || type - probes[i] >= KSYM_NAME_LEN)
			goto bad;
		strscpy(symbols[i], probes[i], type - probes[i] + 1);
		if (!strcmp(type + 1, "kprobe")) {
			kps[nr_kps].symbol_name = symbols[i];
			kps[nr_kps].pre_handler = empty_pre;
			kp_list[nr_kps] = &kps[nr_kps];
			nr_kps++;
		} else if (!strcmp(type + 1, "kretprobe")) {
			rps[nr_rps].kp.symbol_name = symbols[i];
			rps[nr_rps].handler = empty_ret;
			rps[nr_rps].maxactive = kretprobe_maxactive;
			rp_list[nr_rps] = &rps[nr_rps];
			nr_rps++;
		} else {
			goto bad;
		}
	}
	return 0;
bad:
	pr_err("ht_floor: probes= takes SYMBOL:kprobe or SYMBOL:kretprobe entries, not '%s'\n",
	       probes[i]);
	return -EINVAL;
}

static int __init ht_floor_init(void)
{
	int err;

	if (!nr_probes) {
		pr_err("ht_floor: give probes=SYMBOL:TYPE,... (from hugetrack's probes file)\n");
		return -EINVAL;
	}
	err = parse();
	if (err)
		return err;
	err = nr_kps ? register_kprobes(kp_list, nr_kps) : 0;
	if (!err && nr_rps) {
		err = register_kretprobes(rp_list, nr_rps);
		if (err && nr_kps)
			unregister_kprobes(kp_list, nr_kps);
	}
	if (err) {
		pr_err("ht_floor: cannot register the probes (%d)\n", err);
		return err;
	}
	pr_info("ht_floor: %u kprobes, %u kretprobes with empty handlers\n", nr_kps, nr_rps);
	return 0;
}

static void __exit ht_floor_exit(void)
{
	if (nr_kps)
		unregister_kprobes(kp_list, nr_kps);
	if (nr_rps)
		unregister_kretprobes(rp_list, nr_rps);
}

module_init(ht_floor_init);
module_exit(ht_floor_exit);
MODULE_DESCRIPTION("hugetrack bench: the same probes with empty handlers");
MODULE_LICENSE("GPL");
