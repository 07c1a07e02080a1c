// SPDX-License-Identifier: GPL-2.0
/*
 * The BPF backend's userspace half: resolves each probe point to the symbol
 * this kernel has (/proc/kallsyms, as the module's probe core does), loads
 * and attaches hugetrack.bpf.c, drains its ring buffer into rings like the
 * module's, and renders the module's debugfs files from them.
 */
#include <errno.h>
#include <stdarg.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "hugetrack.h"
#include "hugetrack.skel.h"
#include "ht_bpf.h"

#define RING_SIZE_DEFAULT	4096
#define RECENT_EVENTS		256
#define ANOMALIES_KEPT		64
#define TASKS_KEPT		64
#define TOP_TASKS		5
#define FRAME_LEN		80
#define MAX_CANDIDATES		3
#define MAX_FAULT_BITS		24

/* One name a probe point has had, and the programs that follow it. */
struct candidate {
	const char *symbol;
	const char *entry;	/* program name */
	const char *ret;	/* program name, NULL: not followed to return */
};

struct point {
	const char *name;
	const char *group;
	bool event;		/* a kretprobe whose calls are events */
	struct candidate candidates[MAX_CANDIDATES];
};

#define COUNTED(sym)	{ sym, "count_hit", NULL }
#define UNTRACKED(sym)	{ sym, "untracked_write", NULL }
#define POINT(name, group, ...)	{ name, group, false, { __VA_ARGS__ } }
#define CALL(name, group, ...)	{ name, group, true, { __VA_ARGS__ } }

#include "../ht_symbols.h"

/*
 * The module's probe table (hugetlb_probe.c), the renamed points' names
 * from the list both backends share (ht_symbols.h); the cookie of each
 * attachment is its row here.
 */
static const struct point points[] = {
	CALL("hugetlb_fault", "hugetlb", { "hugetlb_fault", "fault_entry", "fault_return" }),
	POINT("hugetlb_wp", "hugetlb", COUNTED("hugetlb_wp")),
	POINT("alloc_hugetlb_folio", "hugetlb", HT_SYMS_ALLOC_HUGETLB_FOLIO(COUNTED)),
	POINT("free_hugetlb_folio", "hugetlb", HT_SYMS_FREE_HUGETLB_FOLIO(UNTRACKED)),
	POINT("remove_hugetlb_folio", "hugetlb", HT_SYMS_REMOVE_HUGETLB_FOLIO(UNTRACKED)),
	CALL("reserve_pages", "hugetlb", { "hugetlb_reserve_pages", "reserve_entry", "bool_return" }),
	CALL("unreserve_pages", "hugetlb",
	     { "hugetlb_unreserve_pages", "unreserve_entry", "long_return" }),
	CALL("vma_close", "hugetlb", { "hugetlb_vm_op_close", "vma_close_entry", "void_return" }),
	POINT("acct_memory", "hugetlb", HT_SYMS_HUGETLB_ACCT_MEMORY(COUNTED)),
	POINT("restore_reserve_on_error", "hugetlb", COUNTED("restore_reserve_on_error")),
	POINT("fix_reserve_counts", "hugetlb", COUNTED("hugetlb_fix_reserve_counts")),
	POINT("return_unused_surplus", "hugetlb", COUNTED("return_unused_surplus_pages")),
	POINT("add_to_page_cache", "hugetlb",
	      { "hugetlb_add_to_page_cache", "add_to_cache_entry", "add_to_cache_return" }),
	POINT("new_anon_rmap", "hugetlb", HT_SYMS_HUGETLB_NEW_ANON_RMAP(COUNTED)),
	POINT("anon_rmap", "hugetlb", HT_SYMS_HUGETLB_ANON_RMAP(COUNTED)),
	CALL("unmap_range", "hugetlb", { "__unmap_hugepage_range", "zap_entry", "void_return" }),
	CALL("copy_page_range", "hugetlb",
	     { "copy_hugetlb_page_range", "fork_copy_entry", "int_return" }),
	POINT("pte_alloc", "hugetlb", COUNTED("huge_pte_alloc")),
	CALL("pmd_share", "hugetlb", { "huge_pmd_share", "pmd_share_entry", "void_return" }),
	POINT("pmd_unshare", "hugetlb", COUNTED("huge_pmd_unshare")),
	POINT("pmd_unshare_zap", "hugetlb", HT_SYMS_HUGE_PMD_UNSHARE_CLONE(COUNTED)),
	POINT("change_protection", "hugetlb", COUNTED("hugetlb_change_protection")),
	CALL("remove_inode_pages", "hugetlb",
	     { "remove_inode_hugepages", "remove_pages_entry", "void_return" }),
	POINT("vmdelete_list", "hugetlb", COUNTED("hugetlb_vmdelete_list")),
	POINT("fallocate", "hugetlb", COUNTED("hugetlbfs_fallocate")),
	CALL("subpool_new", "hugetlb",
	     { "hugepage_new_subpool", "subpool_new_entry", "subpool_new_return" }),
	CALL("subpool_put", "hugetlb", { "hugepage_put_subpool", "subpool_put_entry", "void_return" }),
	POINT("uffd_ioctl", "uffd", COUNTED("userfaultfd_ioctl")),
	POINT("mfill_copy", "uffd", HT_SYMS_MFILL_COPY(COUNTED)),
	POINT("mfill_continue", "uffd", HT_SYMS_MFILL_CONTINUE(COUNTED)),
	CALL("hugetlb_mfill_pte", "uffd",
	     { HT_SYM_HUGETLB_MFILL_PTE, "mfill_entry", "mfill_return" },
	     { HT_SYM_HUGETLB_MCOPY_PTE, "mcopy_entry", "mfill_return" }),
	POINT("mfill_install_pte", "uffd", COUNTED("mfill_atomic_install_pte")),
	POINT("scan_pmd", "thp", HT_SYMS_COLLAPSE_SCAN_PMD(COUNTED)),
	POINT("collapse_huge_page", "thp", COUNTED("collapse_huge_page")),
	POINT("scan_file", "thp", HT_SYMS_COLLAPSE_SCAN_FILE(COUNTED)),
	POINT("single_pmd", "thp", COUNTED("collapse_single_pmd")),
	POINT("collapse_file", "thp", COUNTED("collapse_file")),
	POINT("collapse_pte_mapped_thp", "thp", HT_SYMS_COLLAPSE_PTE_MAPPED(COUNTED)),
	POINT("retract_page_tables", "thp", HT_SYMS_RETRACT_PAGE_TABLES(COUNTED)),
	POINT("madvise_collapse", "thp", COUNTED("madvise_collapse")),
	POINT("split_huge_pmd", "thp", COUNTED("__split_huge_pmd")),
	POINT("split_huge_page", "thp", HT_SYMS_SPLIT_HUGE_PAGE(COUNTED)),
};

#define NR_POINTS	(sizeof(points) / sizeof(points[0]))
_Static_assert(NR_POINTS <= HT_MAX_POINTS, "the hits map is too small");

const char *const ht_bpf_files[] = {
	"probes", "hstates", "events", "faults", "counters", "anomalies",
	"summary", "control", NULL,
};

struct ksym {
	unsigned long long addr;
	char *name;
	char *module;	/* NULL: vmlinux */
	bool text;
};

struct anomaly {
	unsigned long long seq;
	struct ht_record rec;
	unsigned int nr_frames;
	char frames[HT_STACK_DEPTH][FRAME_LEN];
};

struct task_faults {
	unsigned int pid;	/* 0: a free slot */
	char comm[HT_COMM_LEN];
	unsigned long faults;
};

struct attached {
	const struct candidate *candidate;	/* NULL: missing */
	int error;
	struct bpf_link *entry, *ret;
};

struct fault_bit {
	unsigned long long bit;
	char name[32];
};

struct ht_bpf {
	struct hugetrack_bpf *skel;
	struct ring_buffer *rb;
	struct attached attached[NR_POINTS];
	int nr_cpus;

	struct ksym *ksyms;		/* by address */
	struct ksym **by_name;
	size_t nr_ksyms;

	/* events as the module's ring: the newest ring_size */
	struct ht_event *events;
	unsigned long long ring_size;
	unsigned long long received;	/* events ever received */
	unsigned long long consumed;	/* the events stream's cursor */
	unsigned long long consume_lost;
	unsigned long long lost_at_reset;

	struct anomaly anomalies[ANOMALIES_KEPT];
	unsigned long long nr_anomalies;

	struct task_faults tasks[TASKS_KEPT];
	unsigned long other_tasks_faults;
	long long resv_min[HT_MAX_HSTATES], resv_max[HT_MAX_HSTATES];
	unsigned long long loaded_ns;

	struct fault_bit fault_bits[MAX_FAULT_BITS];
	int nr_fault_bits;
};

static void say(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int by_address(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int by_name(const void *a, const void *b)
{
	return strcmp((*(struct ksym *const *)a)->name, (*(struct ksym *const *)b)->name);
}

/* /proc/kallsyms, sorted by address and by name. */
static int load_kallsyms(struct ht_bpf *bpf, char *err, size_t errlen)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[512], name[256], module[128], type;
	unsigned long long addr;
	size_t cap = 0, i;
	struct ksym *sym;

	if (!f) {
		say(err, errlen, "cannot read /proc/kallsyms: %s (is /proc mounted?)",
		    strerror(errno));
		return -errno;
	}
	while (fgets(line, sizeof(line), f)) {
		module[0] = '\0';
		if (sscanf(line, "%llx %c %255s [%127[^]]]", &addr, &type, name, module) < 3)
			continue;
		if (bpf->nr_ksyms == cap) {
			cap = cap ? 2 * cap : 65536;
			sym = realloc(bpf->ksyms, cap * sizeof(*sym));
			if (!sym)
				goto nomem;
			bpf->ksyms = sym;
		}
		sym = &bpf->ksyms[bpf->nr_ksyms++];
		sym->addr = addr;
		sym->name = strdup(name);
		sym->module = module[0] ? strdup(module) : NULL;
		sym->text = strchr("tTwW", type) != NULL;
		if (!sym->name || (module[0] && !sym->module))
			goto nomem;
	}
	fclose(f);
	qsort(bpf->ksyms, bpf->nr_ksyms, sizeof(*bpf->ksyms), by_address);
	bpf->by_name = calloc(bpf->nr_ksyms, sizeof(*bpf->by_name));
	if (!bpf->by_name)
		goto nomem_closed;
	for (i = 0; i < bpf->nr_ksyms; i++)
		bpf->by_name[i] = &bpf->ksyms[i];
	qsort(bpf->by_name, bpf->nr_ksyms, sizeof(*bpf->by_name), by_name);
	return 0;
nomem:
	fclose(f);
nomem_closed:
	say(err, errlen, "out of memory reading /proc/kallsyms");
	return -ENOMEM;
}

/* The address of vmlinux symbol @name, 0 if it has none. */
static unsigned long long ksym_addr(const struct ht_bpf *bpf, const char *name)
{
	struct ksym key = { .name = (char *)name }, *keyp = &key, **found;

	found = bsearch(&keyp, bpf->by_name, bpf->nr_ksyms, sizeof(*bpf->by_name), by_name);
	return found && !(*found)->module ? (*found)->addr : 0;
}

/* "symbol+off/size [module]" as the kernel's sprint_symbol(), "?" if none. */
static void symbolize(const struct ht_bpf *bpf, unsigned long long ip, char *frame)
{
	size_t lo = 0, hi = bpf->nr_ksyms, mid, next;
	const struct ksym *sym;

	while (hi - lo > 1) {
		mid = (lo + hi) / 2;
		if (bpf->ksyms[mid].addr <= ip)
			lo = mid;
		else
			hi = mid;
	}
	sym = &bpf->ksyms[lo];
	for (next = lo + 1; next < bpf->nr_ksyms && bpf->ksyms[next].addr == sym->addr; next++)
		;
	if (!bpf->nr_ksyms || sym->addr > ip || !sym->text || next == bpf->nr_ksyms) {
		snprintf(frame, FRAME_LEN, "?");
		return;
	}
	snprintf(frame, FRAME_LEN, "%s+0x%llx/0x%llx%s%s%s", sym->name, ip - sym->addr,
		 bpf->ksyms[next].addr - sym->addr, sym->module ? " [" : "",
		 sym->module ?: "", sym->module ? "]" : "");
}

/* VM_FAULT_* bit names, from this kernel's BTF (enum vm_fault_reason). */
static void load_fault_bits(struct ht_bpf *bpf)
{
	struct btf *btf = btf__load_vmlinux_btf();
	const struct btf_type *t;
	const struct btf_enum *e;
	const char *name;
	int id, i;

	if (!btf)
		return;
	id = btf__find_by_name_kind(btf, "vm_fault_reason", BTF_KIND_ENUM);
	t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	for (i = 0, e = t ? btf_enum(t) : NULL; t && i < btf_vlen(t); i++, e++) {
		unsigned int v = e->val;

		name = btf__name_by_offset(btf, e->name_off);
		if (!v || (v & (v - 1)) || strncmp(name, "VM_FAULT_", 9) ||
		    bpf->nr_fault_bits == MAX_FAULT_BITS)
			continue;
		bpf->fault_bits[bpf->nr_fault_bits].bit = v;
		snprintf(bpf->fault_bits[bpf->nr_fault_bits++].name,
			 sizeof(bpf->fault_bits[0].name), "%s", name + 9);
	}
	btf__free(btf);
}

static const struct candidate *resolve(const struct ht_bpf *bpf, const struct point *p)
{
	int i;

	for (i = 0; i < MAX_CANDIDATES && p->candidates[i].symbol; i++)
		if (ksym_addr(bpf, p->candidates[i].symbol))
			return &p->candidates[i];
	return NULL;
}

static bool program_used(const struct ht_bpf *bpf, const char *prog)
{
	const struct candidate *c;
	size_t i;

	for (i = 0; i < NR_POINTS; i++) {
		c = bpf->attached[i].candidate;
		if (c && (!strcmp(c->entry, prog) || (c->ret && !strcmp(c->ret, prog))))
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

	for (i = 0; i < NR_POINTS; i++)
		bpf->attached[i].candidate = resolve(bpf, &points[i]);
	bpf_object__for_each_program(prog, bpf->skel->obj) {
		if (prog == bpf->skel->progs.read_hstates)
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

	if (!a->candidate)
		return;
	if (a->candidate->ret) {
		a->ret = attach_one(bpf, a->candidate->ret, a->candidate->symbol, i, true);
		if (!a->ret)
			goto failed;
	}
	a->entry = attach_one(bpf, a->candidate->entry, a->candidate->symbol, i, false);
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

	ro->hstates_addr = ksym_addr(bpf, "hstates");
	ro->max_hstate_addr = ksym_addr(bpf, "hugetlb_max_hstate");
	ro->page_offset_base_addr = ksym_addr(bpf, "page_offset_base");
	ro->vmemmap_base_addr = ksym_addr(bpf, "vmemmap_base");
	ro->pgtable_l5_addr = ksym_addr(bpf, "__pgtable_l5_enabled");
	if (ro->hstates_addr && ro->max_hstate_addr && ro->page_offset_base_addr &&
	    ro->vmemmap_base_addr)
		return 0;
	say(err, errlen, "/proc/kallsyms lacks the address of hstates, hugetlb_max_hstate, page_offset_base or vmemmap_base: it shows addresses to root only (kptr_restrict), and needs CONFIG_KALLSYMS_ALL");
	return -ENOENT;
}

static int handle_record(void *ctx, void *data, size_t size);

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
	if (load_kallsyms(bpf, err, errlen))
		goto fail;
	load_fault_bits(bpf);
	bpf->skel = hugetrack_bpf__open();
	if (!bpf->skel) {
		say(err, errlen, "cannot open the BPF object: %s", strerror(errno));
		goto fail;
	}
	if (set_kernel_addresses(bpf, err, errlen))
		goto fail;
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
	for (i = 0; i < NR_POINTS; i++)
		attach_point(bpf, i);
	if (!bpf->attached[0].entry) {
		say(err, errlen, "cannot attach to hugetlb_fault: %s (is CONFIG_KPROBES on?)",
		    strerror(-bpf->attached[0].error));
		goto fail;
	}
	bpf->rb = ring_buffer__new(bpf_map__fd(bpf->skel->maps.records), handle_record, bpf, NULL);
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
	ht_bpf_close(bpf);
	return NULL;
}

void ht_bpf_close(struct ht_bpf *bpf)
{
	size_t i;

	if (!bpf)
		return;
	ring_buffer__free(bpf->rb);
	for (i = 0; i < NR_POINTS; i++) {
		bpf_link__destroy(bpf->attached[i].entry);
		bpf_link__destroy(bpf->attached[i].ret);
	}
	hugetrack_bpf__destroy(bpf->skel);
	for (i = 0; i < bpf->nr_ksyms; i++) {
		free(bpf->ksyms[i].name);
		free(bpf->ksyms[i].module);
	}
	free(bpf->ksyms);
	free(bpf->by_name);
	free(bpf->events);
	free(bpf);
}

static int hstate_index(const struct ht_bpf *bpf, const struct ht_event *ev)
{
	int i;

	for (i = 0; i < (int)bpf->skel->bss->nr_hstate_view; i++)
		if (bpf->skel->bss->hstate_view[i].size_kb == ev->page_size >> 10)
			return i;
	return -1;
}

static void note_resv(struct ht_bpf *bpf, const struct ht_event *ev)
{
	int i = hstate_index(bpf, ev);

	if (i < 0)
		return;
	if (ev->resv_after < bpf->resv_min[i])
		bpf->resv_min[i] = ev->resv_after;
	if (ev->resv_after > bpf->resv_max[i])
		bpf->resv_max[i] = ev->resv_after;
}

static void count_task_fault(struct ht_bpf *bpf, const struct ht_event *ev)
{
	struct task_faults *t;

	for (t = bpf->tasks; t < bpf->tasks + TASKS_KEPT; t++) {
		if (!t->pid) {
			t->pid = ev->pid;
			memcpy(t->comm, ev->comm, HT_COMM_LEN);
		}
		if (t->pid == ev->pid) {
			t->faults++;
			return;
		}
	}
	bpf->other_tasks_faults++;
}

/* Symbolized now: a module on the stack may be gone when it is read. */
static void keep_anomaly(struct ht_bpf *bpf, const struct ht_record *rec)
{
	struct anomaly *a = &bpf->anomalies[bpf->nr_anomalies % ANOMALIES_KEPT];
	__u64 ips[HT_STACK_DEPTH] = {};

	a->seq = ++bpf->nr_anomalies;
	a->rec = *rec;
	a->nr_frames = 0;
	if (rec->stack_id < 0)
		return;
	if (bpf_map_lookup_elem(bpf_map__fd(bpf->skel->maps.stacks), &(__u32){ rec->stack_id },
				ips))
		return;
	while (a->nr_frames < HT_STACK_DEPTH && ips[a->nr_frames]) {
		symbolize(bpf, ips[a->nr_frames], a->frames[a->nr_frames]);
		a->nr_frames++;
	}
}

static int handle_record(void *ctx, void *data, size_t size)
{
	const struct ht_record *rec = data;
	struct ht_bpf *bpf = ctx;

	if (size < sizeof(*rec))
		return 0;
	if (rec->type == HT_REC_ANOMALY) {
		keep_anomaly(bpf, rec);
		return 0;
	}
	bpf->events[bpf->received++ % bpf->ring_size] = rec->ev;
	note_resv(bpf, &rec->ev);
	if (rec->ev.kind == HT_EV_FAULT)
		count_task_fault(bpf, &rec->ev);
	return 0;
}

int ht_bpf_poll(struct ht_bpf *bpf, int timeout_ms)
{
	int n = ring_buffer__poll(bpf->rb, timeout_ms);

	return n < 0 ? n : 0;
}

static void format_result(const struct ht_bpf *bpf, const struct ht_event *ev, FILE *out)
{
	const char *sep = "";
	int i;

	if (ev->kind != HT_EV_FAULT || !ev->result) {
		fprintf(out, " result=%lld", (long long)ev->result);
		return;
	}
	fputs(" result=", out);
	for (i = 0; i < bpf->nr_fault_bits; i++) {
		if (ev->result & bpf->fault_bits[i].bit) {
			fprintf(out, "%s%s", sep, bpf->fault_bits[i].name);
			sep = "|";
		}
	}
	if (!*sep)
		fprintf(out, "0x%llx", (unsigned long long)ev->result);
}

/* The module's ht_event_format(), byte for byte. */
static void format_event(const struct ht_bpf *bpf, const struct ht_event *ev, FILE *out)
{
	char comm[HT_COMM_LEN];
	int i;

	for (i = 0; i < HT_COMM_LEN; i++)
		comm[i] = ev->comm[i] == ' ' || ev->comm[i] == '=' ? '_' : ev->comm[i];
	comm[HT_COMM_LEN - 1] = '\0';
	fprintf(out, "seq=%llu time_ns=%llu cpu=%u pid=%u tid=%u comm=%s kind=%s page_kb=%llu addr=0x%llx pages=%lld",
		(unsigned long long)ev->seq, (unsigned long long)ev->time_ns, ev->cpu, ev->pid,
		ev->tid, comm, ev->kind < HT_EV_NR ? ht_kind_names[ev->kind] : "none",
		(unsigned long long)ev->page_size >> 10, (unsigned long long)ev->address,
		(long long)ev->pages);
	format_result(bpf, ev, out);
	fprintf(out, " resv=%lld->%lld free=%lld->%lld", (long long)ev->resv_before,
		(long long)ev->resv_after, (long long)ev->free_before, (long long)ev->free_after);
	if (ev->flags & HT_EVF_SPOOL)
		fprintf(out, " spool_used=%lld->%lld spool_rsv=%lld->%lld",
			(long long)ev->spool_used_before, (long long)ev->spool_used_after,
			(long long)ev->spool_rsv_before, (long long)ev->spool_rsv_after);
	else
		fputs(" spool_used=- spool_rsv=-", out);
	if (ev->pfn == HT_NO_PFN)
		fputs(" pfn=- ref=- map=-", out);
	else
		fprintf(out, " pfn=0x%llx ref=%d->%d map=%d->%d", (unsigned long long)ev->pfn,
			ev->ref_before, ev->ref_after, ev->map_before, ev->map_after);
	fprintf(out, " flags=%s%s%s dur_ns=%llu\n",
		ev->flags & HT_EVF_SHARED ? "shared" : "private",
		ev->flags & HT_EVF_NEW_FOLIO ? ",new" : "",
		ev->flags & HT_EVF_OVERLAP ? ",overlap" : "",
		(unsigned long long)ev->duration_ns);
}

static unsigned long long oldest_kept(const struct ht_bpf *bpf)
{
	return bpf->received > bpf->ring_size ? bpf->received - bpf->ring_size : 0;
}

static void show_events(struct ht_bpf *bpf, FILE *out)
{
	unsigned long long oldest = oldest_kept(bpf);

	if (bpf->consumed < oldest) {
		bpf->consume_lost += oldest - bpf->consumed;
		bpf->consumed = oldest;
	}
	for (; bpf->consumed < bpf->received; bpf->consumed++)
		format_event(bpf, &bpf->events[bpf->consumed % bpf->ring_size], out);
}

static void show_faults(struct ht_bpf *bpf, FILE *out)
{
	unsigned long long i = bpf->received > RECENT_EVENTS ? bpf->received - RECENT_EVENTS : 0;

	for (; i < bpf->received; i++)
		format_event(bpf, &bpf->events[i % bpf->ring_size], out);
}

static void show_anomalies(struct ht_bpf *bpf, FILE *out)
{
	unsigned long long i = bpf->nr_anomalies > ANOMALIES_KEPT ?
			       bpf->nr_anomalies - ANOMALIES_KEPT : 0;
	const struct anomaly *a;
	unsigned int f;

	for (; i < bpf->nr_anomalies; i++) {
		a = &bpf->anomalies[i % ANOMALIES_KEPT];
		fprintf(out, "anomaly=%llu rule=%s expected=%lld actual=%lld ", a->seq,
			a->rec.rule < HT_RULE_NR ? ht_rule_names[a->rec.rule] : "none",
			(long long)a->rec.expected, (long long)a->rec.actual);
		format_event(bpf, &a->rec.ev, out);
		for (f = 0; f < a->nr_frames; f++)
			fprintf(out, "  %s\n", a->frames[f]);
	}
}

/* Sums a per-CPU array map's slots, as the module sums its per-CPU counters. */
static int sum_percpu(const struct ht_bpf *bpf, const struct bpf_map *map,
		      unsigned long long *sum, unsigned int slots)
{
	__u64 values[bpf->nr_cpus];
	unsigned int slot;
	int cpu;

	for (slot = 0; slot < slots; slot++) {
		if (bpf_map_lookup_elem(bpf_map__fd(map), &slot, values))
			return -errno;
		for (sum[slot] = 0, cpu = 0; cpu < bpf->nr_cpus; cpu++)
			sum[slot] += values[cpu];
	}
	return 0;
}

/* Anomalies recorded but no longer kept */
static unsigned long long anomalies_dropped(const struct ht_bpf *bpf)
{
	return bpf->nr_anomalies > ANOMALIES_KEPT ? bpf->nr_anomalies - ANOMALIES_KEPT : 0;
}

static unsigned long long events_dropped(struct ht_bpf *bpf, const unsigned long long *c)
{
	unsigned long long oldest = oldest_kept(bpf);

	return c[HT_CTR_EVENTS_LOST] + bpf->consume_lost +
	       (oldest > bpf->consumed ? oldest - bpf->consumed : 0);
}

static int show_counters(struct ht_bpf *bpf, FILE *out)
{
	unsigned long long c[HT_CTR_NR];
	int i, e = sum_percpu(bpf, bpf->skel->maps.counters, c, HT_CTR_NR);

	if (e)
		return e;
	for (i = 0; i < HT_EV_NR; i++)
		fprintf(out, "events_%s %llu\n", ht_kind_names[i], c[HT_CTR_EVENTS + i]);
	fprintf(out, "events_dropped %llu\n", events_dropped(bpf, c));
	fprintf(out, "resv_reserved %llu\n", c[HT_CTR_RESV_RESERVED]);
	fprintf(out, "resv_unreserved %llu\n", c[HT_CTR_RESV_UNRESERVED]);
	fprintf(out, "resv_consumed %llu\n", c[HT_CTR_RESV_CONSUMED]);
	fprintf(out, "resv_restored %llu\n", c[HT_CTR_RESV_RESTORED]);
	for (i = 0; i < HT_RULE_NR; i++)
		fprintf(out, "anomaly_%s %llu\n", ht_rule_names[i], c[HT_CTR_ANOMALIES + i]);
	fprintf(out, "judged_resv %llu\njudged_ref %llu\n", c[HT_CTR_JUDGED_RESV],
		c[HT_CTR_JUDGED_REF]);
	for (i = 0; i < HT_UNJ_NR; i++)
		fprintf(out, "unjudged_%s %llu\n", ht_unjudged_names[i], c[HT_CTR_UNJUDGED + i]);
	fprintf(out, "not_followed %llu\nanomalies_dropped %llu\ntask_faults_dropped %lu\n",
		c[HT_CTR_NOT_FOLLOWED], anomalies_dropped(bpf), bpf->other_tasks_faults);
	return 0;
}

/* The module's show_judgements() and capacity line, for the summary. */
static void show_judgements(struct ht_bpf *bpf, const unsigned long long *c, FILE *out)
{
	unsigned long long total = 0;
	const char *sep = ": ";
	int i;

	for (i = 0; i < HT_UNJ_NR; i++)
		total += c[HT_CTR_UNJUDGED + i];
	fprintf(out, "judged: resv %llu, ref %llu; unjudged %llu", c[HT_CTR_JUDGED_RESV],
		c[HT_CTR_JUDGED_REF], total);
	for (i = 0; i < HT_UNJ_NR; i++) {
		if (c[HT_CTR_UNJUDGED + i]) {
			fprintf(out, "%s%s %llu", sep, ht_unjudged_names[i], c[HT_CTR_UNJUDGED + i]);
			sep = ", ";
		}
	}
	fprintf(out, "\ncapacity: not followed %llu operations, anomalies dropped %llu, task faults dropped %lu\n",
		c[HT_CTR_NOT_FOLLOWED], anomalies_dropped(bpf), bpf->other_tasks_faults);
}

/*
 * The module's missed column counts what the kprobe core could not hand
 * over; BPF does not see those (libbpf's kretprobes have the kernel's
 * default maxactive): 0 here, see the README.
 */
static int show_probes(struct ht_bpf *bpf, FILE *out)
{
	unsigned long long hits[NR_POINTS];
	const struct attached *a;
	char state[24];
	size_t i;
	int e = sum_percpu(bpf, bpf->skel->maps.hits, hits, NR_POINTS);

	if (e)
		return e;
	fprintf(out, "%-24s %-8s %-33s %-9s %-12s %12s %8s\n", "# probe", "group",
		"symbol", "type", "state", "hits", "missed");
	for (i = 0; i < NR_POINTS; i++) {
		a = &bpf->attached[i];
		if (!a->candidate)
			snprintf(state, sizeof(state), "missing");
		else if (a->error)
			snprintf(state, sizeof(state), "failed:%d", a->error);
		else
			snprintf(state, sizeof(state), "active");
		fprintf(out, "%-24s %-8s %-33s %-9s %-12s %12llu %8u\n", points[i].name,
			points[i].group, a->candidate ? a->candidate->symbol : "-",
			points[i].event ? "kretprobe" : "kprobe", state, hits[i], 0);
	}
	return 0;
}

/* Runs read_hstates(): BPF reads struct hstate, userspace cannot. */
static int read_hstates(struct ht_bpf *bpf)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);

	if (bpf_prog_test_run_opts(bpf_program__fd(bpf->skel->progs.read_hstates), &opts))
		return -errno;
	return 0;
}

static int show_hstates(struct ht_bpf *bpf, FILE *out)
{
	const struct ht_hstate_view *h;
	unsigned int i;
	int e = read_hstates(bpf);

	if (e)
		return e;
	fprintf(out, "%-20s %9s %9s %9s %9s %9s %10s\n", "# hstate", "size_kb", "nr",
		"free", "resv", "surplus", "overcommit");
	for (i = 0; i < bpf->skel->bss->nr_hstate_view; i++) {
		h = &bpf->skel->bss->hstate_view[i];
		fprintf(out, "%-20s %9llu %9llu %9llu %9llu %9llu %10llu\n", h->name,
			(unsigned long long)h->size_kb, (unsigned long long)h->nr,
			(unsigned long long)h->free, (unsigned long long)h->resv,
			(unsigned long long)h->surplus, (unsigned long long)h->overcommit);
	}
	return 0;
}

static void show_control(struct ht_bpf *bpf, FILE *out)
{
	const struct hugetrack_bpf__data *d = bpf->skel->data;
	const struct hugetrack_bpf__bss *b = bpf->skel->bss;

	fprintf(out, "recording %s\nfilter_pid %u\nfilter_comm %.*s\n",
		d->recording ? "enabled" : "disabled", b->filter_pid, HT_COMM_LEN,
		b->filter_comm[0] ? b->filter_comm : "-");
}

static void show_top_tasks(struct ht_bpf *bpf, FILE *out)
{
	bool shown[TASKS_KEPT] = { false };
	unsigned long best_faults;
	int i, n, best;

	fputs("top tasks by faults:\n", out);
	for (n = 0; n < TOP_TASKS; n++) {
		best = -1;
		best_faults = 0;
		for (i = 0; i < TASKS_KEPT; i++) {
			if (!shown[i] && bpf->tasks[i].pid && bpf->tasks[i].faults > best_faults) {
				best = i;
				best_faults = bpf->tasks[i].faults;
			}
		}
		if (best < 0)
			break;
		shown[best] = true;
		fprintf(out, "  pid %u %.*s: %lu faults\n", bpf->tasks[best].pid, HT_COMM_LEN,
			bpf->tasks[best].comm, best_faults);
	}
	if (bpf->other_tasks_faults)
		fprintf(out, "  other tasks: %lu faults\n", bpf->other_tasks_faults);
}

/* What was allocated at load, in the kernel and here; nothing is after. */
static unsigned long long footprint(const struct ht_bpf *bpf)
{
	const struct bpf_map *map;
	unsigned long long bytes = bpf->ring_size * sizeof(struct ht_event) +
				   sizeof(*bpf);

	bpf_object__for_each_map(map, bpf->skel->obj)
		bytes += (unsigned long long)bpf_map__max_entries(map) *
			 (bpf_map__key_size(map) + bpf_map__value_size(map));
	return bytes;
}

static int show_summary(struct ht_bpf *bpf, FILE *out)
{
	const struct ht_hstate_view *h;
	unsigned long long c[HT_CTR_NR], total = 0;
	struct utsname u;
	unsigned int i;
	int e = sum_percpu(bpf, bpf->skel->maps.counters, c, HT_CTR_NR);

	if (!e)
		e = read_hstates(bpf);
	if (e)
		return e;
	uname(&u);
	fprintf(out, "hugetrack %s (bpf) on %s, loaded %llu s ago, %llu bytes preallocated\n",
		HUGETRACK_VERSION, u.release, (now_ns() - bpf->loaded_ns) / 1000000000ULL,
		footprint(bpf));
	fprintf(out, "recording %s, events dropped %llu\n",
		bpf->skel->data->recording ? "enabled" : "disabled", events_dropped(bpf, c));
	for (i = 0; i < bpf->skel->bss->nr_hstate_view; i++) {
		h = &bpf->skel->bss->hstate_view[i];
		fprintf(out, "%s: nr %llu free %llu resv %llu (since load or reset: min %lld, max %lld) surplus %llu\n",
			h->name, (unsigned long long)h->nr, (unsigned long long)h->free,
			(unsigned long long)h->resv, bpf->resv_min[i], bpf->resv_max[i],
			(unsigned long long)h->surplus);
	}
	for (i = 0; i < HT_RULE_NR; i++)
		total += c[HT_CTR_ANOMALIES + i];
	fprintf(out, "anomalies: %llu", total);
	for (i = 0; i < HT_RULE_NR; i++)
		if (c[HT_CTR_ANOMALIES + i])
			fprintf(out, ", %s %llu", ht_rule_names[i], c[HT_CTR_ANOMALIES + i]);
	fputs("\n", out);
	show_judgements(bpf, c, out);
	show_top_tasks(bpf, out);
	return 0;
}

int ht_bpf_render(struct ht_bpf *bpf, const char *name, FILE *out)
{
	ring_buffer__consume(bpf->rb);
	if (!strcmp(name, "probes"))
		return show_probes(bpf, out);
	if (!strcmp(name, "hstates"))
		return show_hstates(bpf, out);
	if (!strcmp(name, "counters"))
		return show_counters(bpf, out);
	if (!strcmp(name, "summary"))
		return show_summary(bpf, out);
	if (!strcmp(name, "events"))
		show_events(bpf, out);
	else if (!strcmp(name, "faults"))
		show_faults(bpf, out);
	else if (!strcmp(name, "anomalies"))
		show_anomalies(bpf, out);
	else if (!strcmp(name, "control"))
		show_control(bpf, out);
	else
		return -ENOENT;
	return 0;
}

/* Counters, anomalies, drop count, summary's ranges and tasks: since now. */
static int reset(struct ht_bpf *bpf)
{
	__u64 zeros[bpf->nr_cpus];
	unsigned int slot, i;

	memset(zeros, 0, sizeof(zeros));
	ring_buffer__consume(bpf->rb);
	for (slot = 0; slot < HT_CTR_NR; slot++)
		if (bpf_map_update_elem(bpf_map__fd(bpf->skel->maps.counters), &slot, zeros, 0))
			return -errno;
	bpf->nr_anomalies = 0;
	bpf->consume_lost = 0;
	if (bpf->consumed < oldest_kept(bpf))
		bpf->consumed = oldest_kept(bpf);
	memset(bpf->tasks, 0, sizeof(bpf->tasks));
	bpf->other_tasks_faults = 0;
	if (read_hstates(bpf))
		return 0;
	for (i = 0; i < bpf->skel->bss->nr_hstate_view; i++)
		bpf->resv_min[i] = bpf->resv_max[i] = bpf->skel->bss->hstate_view[i].resv;
	return 0;
}

static void set_filter(struct ht_bpf *bpf, unsigned int pid, const char *comm)
{
	char *filter = bpf->skel->bss->filter_comm;

	bpf->skel->bss->filter_pid = pid;
	memset(filter, 0, HT_COMM_LEN);
	memcpy(filter, comm, strnlen(comm, HT_COMM_LEN - 1));
}

/* The module's ht_control_write(): the whole command, or -EINVAL. */
int ht_bpf_control(struct ht_bpf *bpf, const char *cmd)
{
	const char *arg;
	char *end;
	long pid;

	if (!strcmp(cmd, "reset"))
		return reset(bpf);
	if (!strcmp(cmd, "enable") || !strcmp(cmd, "disable")) {
		bpf->skel->data->recording = cmd[0] == 'e';
	} else if (!strcmp(cmd, "filter clear")) {
		set_filter(bpf, 0, "");
	} else if (!strncmp(cmd, "filter pid ", 11)) {
		arg = cmd + 11;
		errno = 0;
		pid = strtol(arg, &end, 10);
		if (*arg < '0' || *arg > '9' || *end || errno || pid <= 0 || pid > INT_MAX)
			return -EINVAL;
		set_filter(bpf, pid, "");
	} else if (!strncmp(cmd, "filter comm ", 12)) {
		arg = cmd + 12;
		if (!*arg || strlen(arg) >= HT_COMM_LEN || strpbrk(arg, " \t\n"))
			return -EINVAL;
		set_filter(bpf, 0, arg);
	} else {
		return -EINVAL;
	}
	return 0;
}
