// SPDX-License-Identifier: GPL-2.0
/*
 * The probe core: resolves each probe point to the symbol this kernel has,
 * registers it, counts its hits, and undoes all of it at unload.
 */
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/slab.h>

#include "kallsyms.h"
#include "probe.h"

/* As tracefs caps its kprobe_events: each instance is allocated at load. */
#define MAXACTIVE_MAX	4096
/*
 * A call that waits on userspace (a fault on a userfaultfd range, until
 * the range's handler fills the page) holds its instance meanwhile: a
 * thousand tasks waiting so must not leave every other call unfollowed.
 */
#define WAITING_CALLS	1024

static unsigned int kretprobe_maxactive = 128;
module_param(kretprobe_maxactive, uint, 0444);
MODULE_PARM_DESC(kretprobe_maxactive,
		 "Calls a kretprobe can follow at once, 1 to " __stringify(MAXACTIVE_MAX)
		 " (hugetlb_fault: at least " __stringify(WAITING_CALLS)
		 "); more are counted as missed [DEFAULT: 128]");

#define ALL_GROUPS	"hugetlb,uffd,thp,watch"

static char *groups = ALL_GROUPS;
module_param(groups, charp, 0444);
MODULE_PARM_DESC(groups,
		 "Probe groups to register, comma-separated: hugetlb, uffd, thp, watch (the data watchpoints) [DEFAULT: "
		 ALL_GROUPS "]");

/* The probe groups; a probe's group is one of these strings. */
static const char *const group_names[] = { "hugetlb", "uffd", "thp", "watch" };
static unsigned long groups_selected;

static int group_index(const char *name, size_t len)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(group_names); i++)
		if (strlen(group_names[i]) == len && !strncmp(group_names[i], name, len))
			return i;
	return -1;
}

/* groups= into groups_selected; an unknown or empty name refuses the load. */
static int parse_groups(void)
{
	const char *name = groups;
	size_t len;
	int i;

	groups_selected = 0;
	for (;;) {
		len = strcspn(name, ",");
		i = group_index(name, len);
		if (i < 0) {
			pr_err("groups=%s: unknown probe group '%.*s': choose from " ALL_GROUPS "\n",
			       groups, (int)len, name);
			return -EINVAL;
		}
		groups_selected |= BIT(i);
		if (!name[len])
			return 0;
		name += len + 1;
	}
}

bool ht_group_selected(const char *group)
{
	int i = group_index(group, strlen(group));

	return i >= 0 && (groups_selected & BIT(i));
}

/* Handed in at attach: the probe tables, in the order they are shown. */
static struct ht_probe_table *const *tables;
static unsigned int nr_tables;

static int kprobe_entry(struct kprobe *kp, struct pt_regs *regs)
{
	struct ht_probe *probe = container_of(kp, struct ht_probe, kp);

	this_cpu_inc(*probe->hits);
	if (probe->on_entry)
		probe->on_entry(probe, regs, NULL);
	return 0;
}
NOKPROBE_SYMBOL(kprobe_entry);

static struct ht_probe *kretprobe_owner(struct kretprobe_instance *ri)
{
	return container_of(get_kretprobe(ri), struct ht_probe, rp);
}
NOKPROBE_SYMBOL(kretprobe_owner);

static int kretprobe_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct ht_probe *probe = kretprobe_owner(ri);

	this_cpu_inc(*probe->hits);
	return probe->on_entry ? probe->on_entry(probe, regs, ri->data) : 0;
}
NOKPROBE_SYMBOL(kretprobe_entry);

static int kretprobe_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct ht_probe *probe = kretprobe_owner(ri);

	probe->on_return(probe, regs, ri->data);
	return 0;
}
NOKPROBE_SYMBOL(kretprobe_return);

static const char *resolve_symbol(const struct ht_probe *probe)
{
	int i;

	for (i = 0; i < HT_MAX_SYMBOLS && probe->symbols[i]; i++)
		if (ht_lookup_name(probe->symbols[i]))
			return probe->symbols[i];
	return NULL;
}

static int register_probe(struct ht_probe *probe)
{
	if (probe->on_return) {
		probe->rp.kp.symbol_name = probe->symbol;
		probe->rp.entry_handler = kretprobe_entry;
		probe->rp.handler = kretprobe_return;
		probe->rp.data_size = probe->data_size;
		probe->rp.maxactive = probe->waits ? max(kretprobe_maxactive, WAITING_CALLS) :
						     kretprobe_maxactive;
		return register_kretprobe(&probe->rp);
	}
	probe->kp.symbol_name = probe->symbol;
	probe->kp.pre_handler = kprobe_entry;
	return register_kprobe(&probe->kp);
}

/* A probe point this kernel lacks is not an error: say so once and go on. */
static void attach_probe(struct ht_probe *probe)
{
	if (!ht_group_selected(probe->group)) {
		probe->state = HT_PROBE_OFF;
		return;
	}
	probe->symbol = resolve_symbol(probe);
	if (!probe->symbol) {
		probe->state = HT_PROBE_MISSING;
		pr_info("probe %s disabled: this kernel has no %s%s\n", probe->name,
			probe->symbols[0], probe->symbols[1] ? " or its older names" : "");
		return;
	}
	probe->error = register_probe(probe);
	if (probe->error) {
		probe->state = HT_PROBE_FAILED;
		pr_warn("probe %s disabled: registering %s failed (%d)\n",
			probe->name, probe->symbol, probe->error);
		return;
	}
	probe->state = HT_PROBE_ACTIVE;
}

/* Every probe point of every table, in order; NULL after the last. */
static struct ht_probe *next_probe(struct ht_probe *probe)
{
	unsigned int t = 0;

	if (probe) {
		while (probe < tables[t]->probes ||
		       probe >= tables[t]->probes + tables[t]->count)
			t++;
		if (++probe < tables[t]->probes + tables[t]->count)
			return probe;
		t++;
	}
	for (; t < nr_tables; t++)
		if (tables[t]->count)
			return tables[t]->probes;
	return NULL;
}

#define for_each_probe(probe) \
	for (probe = next_probe(NULL); probe; probe = next_probe(probe))

/* Preallocated at load, so that unload batches without allocating. */
static struct kprobe **kprobe_batch;
static struct kretprobe **kretprobe_batch;

static void free_probe_storage(void)
{
	struct ht_probe *probe;

	for_each_probe(probe) {
		free_percpu(probe->hits);
		probe->hits = NULL;
	}
	kfree(kprobe_batch);
	kfree(kretprobe_batch);
	kprobe_batch = NULL;
	kretprobe_batch = NULL;
}

static int alloc_probe_storage(void)
{
	struct ht_probe *probe;
	unsigned int total = 0;

	for_each_probe(probe) {
		probe->hits = alloc_percpu(unsigned long);
		if (!probe->hits)
			goto nomem;
		total++;
	}
	kprobe_batch = kcalloc(total, sizeof(*kprobe_batch), GFP_KERNEL);
	kretprobe_batch = kcalloc(total, sizeof(*kretprobe_batch), GFP_KERNEL);
	if (kprobe_batch && kretprobe_batch)
		return 0;
nomem:
	free_probe_storage();
	return -ENOMEM;
}

int ht_probes_attach(struct ht_probe_table *const *probe_tables, unsigned int nr)
{
	struct ht_probe *probe;
	unsigned int active = 0;
	int err;

	if (!kretprobe_maxactive || kretprobe_maxactive > MAXACTIVE_MAX) {
		pr_err("kretprobe_maxactive=%u: must be from 1 to %d\n",
		       kretprobe_maxactive, MAXACTIVE_MAX);
		return -EINVAL;
	}
	err = parse_groups();
	if (err)
		return err;
	if (strcmp(groups, ALL_GROUPS))
		pr_info("groups=%s: the probes of other groups are off\n", groups);
	tables = probe_tables;
	nr_tables = nr;
	err = alloc_probe_storage();
	if (err)
		return err;
	for_each_probe(probe) {
		attach_probe(probe);
		active += probe->state == HT_PROBE_ACTIVE;
	}
	if (!active) {
		pr_err("no probe could be registered on this kernel with groups=%s\n", groups);
		free_probe_storage();
		return -ENOENT;
	}
	return 0;
}

/* Batched, so that unload waits for one RCU grace period, not one a probe. */
void ht_probes_detach(void)
{
	struct ht_probe *probe;
	unsigned int nr_kprobes = 0, nr_kretprobes = 0;

	for_each_probe(probe) {
		if (probe->state != HT_PROBE_ACTIVE)
			continue;
		if (probe->on_return)
			kretprobe_batch[nr_kretprobes++] = &probe->rp;
		else
			kprobe_batch[nr_kprobes++] = &probe->kp;
		probe->state = HT_PROBE_UNREGISTERED;
	}
	if (nr_kprobes)
		unregister_kprobes(kprobe_batch, nr_kprobes);
	if (nr_kretprobes)
		unregister_kretprobes(kretprobe_batch, nr_kretprobes);
	free_probe_storage();
}

/* Hit counters and kretprobe instances, as registered. */
size_t ht_probes_footprint(void)
{
	struct ht_probe *probe;
	size_t bytes = 0;

	for_each_probe(probe) {
		bytes += num_possible_cpus() * sizeof(unsigned long);
		if (probe->state == HT_PROBE_ACTIVE && probe->on_return)
			bytes += probe->rp.maxactive *
				 (sizeof(struct kretprobe_instance) + probe->data_size);
	}
	return bytes;
}

static const char *const state_names[] = {
	[HT_PROBE_UNREGISTERED] = "unregistered",
	[HT_PROBE_ACTIVE] = "active",
	[HT_PROBE_MISSING] = "missing",
	[HT_PROBE_FAILED] = "failed",
	[HT_PROBE_OFF] = "off",
};

static unsigned long sum_hits(const struct ht_probe *probe)
{
	unsigned long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += *per_cpu_ptr(probe->hits, cpu);
	return sum;
}

static unsigned long missed(const struct ht_probe *probe)
{
	if (probe->state != HT_PROBE_ACTIVE)
		return 0;
	if (probe->on_return)
		return probe->rp.nmissed + probe->rp.kp.nmissed;
	return probe->kp.nmissed;
}

static unsigned long total_missed(void)
{
	struct ht_probe *probe;
	unsigned long sum = 0;

	for_each_probe(probe)
		sum += missed(probe);
	return sum;
}

/* The kprobe core's counts only grow: counters show them since the last reset. */
static unsigned long missed_at_reset;

unsigned long ht_probes_missed(void)
{
	return total_missed() - READ_ONCE(missed_at_reset);
}

void ht_probes_reset_missed(void)
{
	WRITE_ONCE(missed_at_reset, total_missed());
}

void ht_probes_show(struct seq_file *m)
{
	struct ht_probe *probe;

	seq_printf(m, "%-24s %-8s %-33s %-9s %-12s %12s %8s\n", "# probe", "group",
		   "symbol", "type", "state", "hits", "missed");
	for_each_probe(probe) {
		char state[24];

		if (probe->state == HT_PROBE_FAILED)
			snprintf(state, sizeof(state), "failed:%d", probe->error);
		else
			strscpy(state, state_names[probe->state], sizeof(state));
		seq_printf(m, "%-24s %-8s %-33s %-9s %-12s %12lu %8lu\n",
			   probe->name, probe->group, probe->symbol ?: "-",
			   probe->on_return ? "kretprobe" : "kprobe", state,
			   sum_hits(probe), missed(probe));
	}
}

/*
 * One line per argument (or return value) a handler reads of a resolved
 * symbol: what hugetrack-bpf protos compares with the kernel's BTF.
 */
void ht_probes_show_layouts(struct seq_file *m)
{
	const struct ht_read *read;
	struct ht_probe *probe;

	seq_puts(m, "# probe symbol position size type\n");
	for_each_probe(probe) {
		if (!probe->symbol || !probe->reads)
			continue;
		for (read = probe->reads; read->type; read++)
			seq_printf(m, "%s %s %s %u %s\n", probe->name, probe->symbol,
				   read->position, read->size, read->type);
	}
}
