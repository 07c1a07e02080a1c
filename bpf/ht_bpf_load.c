// SPDX-License-Identifier: GPL-2.0
/*
 * The BPF backend's start and end: checks that this kernel can run it,
 * resolves each probe point to the symbol this kernel has (/proc/kallsyms,
 * as the module's probe core does), loads hugetrack.bpf.c with only the
 * programs of those symbols, and attaches them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

/* the skeleton names ht_bpf_shared.h's types: after it */
#include "ht_bpf_internal.h"
#include "hugetrack.skel.h"

#define RING_SIZE_DEFAULT	4096

/* VM_FAULT_* bit names, from this kernel's BTF (enum vm_fault_reason). */
static void load_fault_bits(struct ht_bpf *bpf, const struct btf *btf)
{
	struct ht_stream_names *n = &bpf->names;
	const struct btf_type *t;
	const struct btf_enum *e;
	const char *name;
	int id, i;

	id = btf__find_by_name_kind(btf, "vm_fault_reason", BTF_KIND_ENUM);
	t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	for (i = 0, e = t ? btf_enum(t) : NULL; t && i < btf_vlen(t); i++, e++) {
		unsigned int v = e->val;

		name = btf__name_by_offset(btf, e->name_off);
		if (!v || (v & (v - 1)) || strncmp(name, "VM_FAULT_", 9) ||
		    n->nr_fault_bits == HT_STREAM_FAULT_BITS)
			continue;
		n->fault_bits[n->nr_fault_bits].bit = v;
		snprintf(n->fault_bits[n->nr_fault_bits++].name,
			 sizeof(n->fault_bits[0].name), "%s", name + 9);
	}
}

/* Whether hugetlb_reserve_pages() returns more than a bool (long: 6.17 on). */
static bool reserve_returns_long(const struct btf *btf)
{
	int id = btf__find_by_name_kind(btf, "hugetlb_reserve_pages", BTF_KIND_FUNC);

	return id > 0 &&
	       btf__resolve_size(btf, btf__type_by_id(btf, btf__type_by_id(btf, id)->type)->type) > 1;
}

/* The first of @p's names this kernel has, with its programs. */
static struct candidate resolve(const struct ht_bpf *bpf, const struct point *p)
{
	struct candidate c = { .symbol = NULL };
	int i;

	for (i = 0; i < MAX_CANDIDATES && p->symbols[i]; i++) {
		if (ht_bpf_ksym_addr(bpf, p->symbols[i])) {
			c.symbol = p->symbols[i];
			c.entry = p->entry[i] ? p->entry[i] : p->entry[0];
			c.ret = p->ret;
			break;
		}
	}
	return c;
}

static bool program_used(const struct ht_bpf *bpf, const char *prog)
{
	const struct candidate *c;
	size_t i;

	for (i = 0; i < ht_bpf_nr_points; i++) {
		c = &bpf->attached[i].candidate;
		if (c->symbol && (!strcmp(c->entry, prog) || (c->ret && !strcmp(c->ret, prog))))
			return true;
	}
	return false;
}

/*
 * Each point keeps the program of the name this kernel has; the others are
 * not loaded (their CO-RE relocations name types this kernel lacks).
 */
static void choose_programs(struct ht_bpf *bpf)
{
	struct bpf_program *prog;
	size_t i;

	for (i = 0; i < ht_bpf_nr_points; i++)
		bpf->attached[i].candidate = resolve(bpf, &ht_bpf_points[i]);
	bpf_object__for_each_program(prog, bpf->skel->obj) {
		if (prog == bpf->skel->progs.read_hstates || prog == bpf->skel->progs.ledger_private)
			bpf_program__set_autoattach(prog, false);
		else
			bpf_program__set_autoload(prog, program_used(bpf, bpf_program__name(prog)));
	}
}

static struct bpf_link *attach_one(struct ht_bpf *bpf, const char *prog_name,
				   const char *symbol, size_t point, bool retprobe)
{
	LIBBPF_OPTS(bpf_kprobe_opts, opts, .bpf_cookie = point, .retprobe = retprobe);
	struct bpf_program *prog;

	prog = bpf_object__find_program_by_name(bpf->skel->obj, prog_name);
	if (!prog) {
		errno = ENOENT;
		return NULL;
	}
	return bpf_program__attach_kprobe_opts(prog, symbol, &opts);
}

/* The return first: an entry whose return is not followed would leak. */
static void attach_point(struct ht_bpf *bpf, size_t i)
{
	struct attached *a = &bpf->attached[i];

	if (!a->candidate.symbol)
		return;
	if (a->candidate.ret) {
		a->ret = attach_one(bpf, a->candidate.ret, a->candidate.symbol, i, true);
		if (!a->ret)
			goto failed;
	}
	a->entry = attach_one(bpf, a->candidate.entry, a->candidate.symbol, i, false);
	if (a->entry)
		return;
failed:
	a->error = -errno;
	bpf_link__destroy(a->ret);
	a->ret = NULL;
}

static int set_kernel_addresses(struct ht_bpf *bpf, char *err, size_t errlen)
{
	struct hugetrack_bpf__rodata *ro = bpf->skel->rodata;

	ro->hstates_addr = ht_bpf_ksym_addr(bpf, "hstates");
	ro->max_hstate_addr = ht_bpf_ksym_addr(bpf, "hugetlb_max_hstate");
	ro->page_offset_base_addr = ht_bpf_ksym_addr(bpf, "page_offset_base");
	ro->vmemmap_base_addr = ht_bpf_ksym_addr(bpf, "vmemmap_base");
	ro->pgtable_l5_addr = ht_bpf_ksym_addr(bpf, "__pgtable_l5_enabled");
	if (ro->hstates_addr && ro->max_hstate_addr && ro->page_offset_base_addr &&
	    ro->vmemmap_base_addr)
		return 0;
	say(err, errlen, "/proc/kallsyms lacks the address of hstates, hugetlb_max_hstate, page_offset_base or vmemmap_base: it shows addresses to root only (kptr_restrict), and needs CONFIG_KALLSYMS_ALL");
	return -ENOENT;
}

/* Lockdown's highest level forbids BPF reads of kernel memory. */
static bool locked_down_confidentiality(void)
{
	FILE *f = fopen("/sys/kernel/security/lockdown", "r");
	char levels[128] = "";

	if (!f)
		return false;
	if (!fgets(levels, sizeof(levels), f))
		levels[0] = '\0';
	fclose(f);
	return strstr(levels, "[confidentiality]") != NULL;
}

static int check_environment(char *err, size_t errlen)
{
	if (geteuid()) {
		say(err, errlen, "the BPF backend needs root (CAP_BPF, CAP_PERFMON and kernel addresses): run it as root, or use the module backend");
		return -EPERM;
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		say(err, errlen, "this kernel has no BTF (/sys/kernel/btf/vmlinux: %s): the BPF backend needs CONFIG_DEBUG_INFO_BTF; use the module backend",
		    strerror(errno));
		return -ENOENT;
	}
	return 0;
}

struct ht_bpf *ht_bpf_open(const struct ht_bpf_options *opts, char *err, size_t errlen)
{
	struct ht_bpf_options o = { .refcount_threshold = -1 };
	struct btf *btf = NULL;
	struct ht_bpf *bpf;
	size_t i;
	int e;

	if (opts)
		o = *opts;
	if (check_environment(err, errlen))
		return NULL;
	if (!o.verbose)
		libbpf_set_print(NULL);
	bpf = calloc(1, sizeof(*bpf));
	if (!bpf) {
		say(err, errlen, "out of memory");
		return NULL;
	}
	bpf->ring_size = o.ring_size ?: RING_SIZE_DEFAULT;
	bpf->events = calloc(bpf->ring_size, sizeof(*bpf->events));
	bpf->nr_cpus = libbpf_num_possible_cpus();
	if (!bpf->events || bpf->nr_cpus <= 0) {
		say(err, errlen, "out of memory for %llu events", bpf->ring_size);
		goto fail;
	}
	if (ht_bpf_load_kallsyms(bpf, err, errlen))
		goto fail;
	btf = btf__load_vmlinux_btf();
	if (!btf) {
		say(err, errlen, "cannot read this kernel's BTF (%s): the BPF backend needs it; use the module backend",
		    strerror(errno));
		goto fail;
	}
	load_fault_bits(bpf, btf);
	bpf->skel = hugetrack_bpf__open();
	if (!bpf->skel) {
		say(err, errlen, "cannot open the BPF object: %s", strerror(errno));
		goto fail;
	}
	if (set_kernel_addresses(bpf, err, errlen))
		goto fail;
	bpf->skel->rodata->reserve_returns_long = reserve_returns_long(btf);
	btf__free(btf);
	btf = NULL;
	if (o.refcount_threshold >= 0)
		bpf->skel->rodata->refcount_threshold = o.refcount_threshold;
	choose_programs(bpf);
	e = hugetrack_bpf__load(bpf->skel);
	if (e && locked_down_confidentiality()) {
		say(err, errlen, "the kernel refused the BPF programs (%s): it is locked down for confidentiality (/sys/kernel/security/lockdown), where BPF may not read kernel memory and no unsigned module loads: boot with lockdown=integrity or none",
		    strerror(-e));
		goto fail;
	}
	if (e) {
		say(err, errlen, "cannot load the BPF programs: %s (hugetrack-bpf -v shows the verifier's log)",
		    strerror(-e));
		goto fail;
	}
	for (i = 0; i < ht_bpf_nr_points; i++)
		attach_point(bpf, i);
	if (!bpf->attached[0].entry) {
		say(err, errlen, "cannot attach to hugetlb_fault: %s (is CONFIG_KPROBES on?)",
		    strerror(-bpf->attached[0].error));
		goto fail;
	}
	bpf->rb = ring_buffer__new(bpf_map__fd(bpf->skel->maps.records), ht_bpf_handle_record, bpf, NULL);
	if (!bpf->rb) {
		say(err, errlen, "cannot open the ring buffer: %s", strerror(errno));
		goto fail;
	}
	bpf->loaded_ns = now_ns();
	/* every program attached: what begins from now on is judged */
	bpf->skel->data->armed_after = __atomic_load_n(&bpf->skel->bss->started, __ATOMIC_SEQ_CST);
	ht_bpf_control(bpf, "reset");
	return bpf;
fail:
	btf__free(btf);
	ht_bpf_close(bpf);
	return NULL;
}

void ht_bpf_close(struct ht_bpf *bpf)
{
	size_t i;

	if (!bpf)
		return;
	ring_buffer__free(bpf->rb);
	bpf_link__destroy(bpf->ledger_iter);
	for (i = 0; i < ht_bpf_nr_points; i++) {
		bpf_link__destroy(bpf->attached[i].entry);
		bpf_link__destroy(bpf->attached[i].ret);
	}
	hugetrack_bpf__destroy(bpf->skel);
	ht_bpf_free_kallsyms(bpf);
	free(bpf->events);
	free(bpf);
}
