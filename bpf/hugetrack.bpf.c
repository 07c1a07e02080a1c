// SPDX-License-Identifier: GPL-2.0
/*
 * hugetrack's BPF backend: the module's events, counters and rules from
 * kprobes, with every struct read through CO-RE so that one object runs on
 * each kernel that has BTF.  Userspace (ht_bpf.c) attaches each program to
 * the symbol this kernel has and gives it the probe point as its cookie.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "ht_bpf_shared.h"

#define PAGE_SHIFT	12
#define PMD_SHIFT	21
#define PUD_SHIFT	30
#define PUD_SIZE	(1ULL << PUD_SHIFT)
#define PTRS_PER_TABLE	512
#define PTE_PRESENT	0x1ULL
#define PTE_PSE		0x80ULL
#define PTE_PFN_MASK	0x000ffffffffff000ULL
#define VM_SHARED	0x8ULL
#define VM_MAYSHARE	0x80ULL
#define VM_HUGETLB	0x00400000ULL
#define HPAGE_RESV_OWNER	0x1ULL
#define HPAGE_RESV_MASK		0x3ULL
#define MINORBITS	20
#define LLONG_MAX	0x7fffffffffffffffLL
#define XA_CHUNK_MASK	63
#define XA_MAX_DEPTH	11	/* 64-bit indices, 6 bits a level */

/*
 * Kernel globals that BTF does not describe (Debian's BTF encodes per-CPU
 * variables only): their addresses, from /proc/kallsyms, set before load.
 */
const volatile __u64 hstates_addr;
const volatile __u64 max_hstate_addr;
const volatile __u64 page_offset_base_addr;
const volatile __u64 vmemmap_base_addr;
const volatile __u64 pgtable_l5_addr;	/* 0: 4-level page tables only */
const volatile int refcount_threshold = 0x3fffffff;
/*
 * hugetlb_reserve_pages() returns long where the kernel's BTF says so (the
 * loader reads it; 6.17 on): the pages added to the reservation map, or
 * -errno; else bool, true on success.
 */
const volatile bool reserve_returns_long;

/* Set by userspace: the control file's state. */
__u32 recording = 1;
__u32 filter_pid;
char filter_comm[HT_COMM_LEN];

/* Overlap detection, as the module's events.c. */
__u64 in_flight;
__u64 started;
__u64 untracked;
__u64 event_seq;
/* The module's armed_after: set by userspace once every program is attached. */
__u64 armed_after = ~0ULL;
/* References the page cache takes on a hugetlb folio: measured, not assumed */
__u32 cache_refs;

struct ht_hstate_view hstate_view[HT_MAX_HSTATES];
__u32 nr_hstate_view;

struct call_key {
	__u32 tid;
	__u32 point;
};

/* One call between its entry and its return: per task, never per CPU. */
struct call {
	struct ht_event_rec ev;
	struct hstate *h;
	struct mm_struct *mm;
	struct hugepage_subpool *spool;
	struct folio *folio;	/* hugetlb_add_to_page_cache() */
	__s32 folio_ref;
	__u32 why_ref;		/* the module's ht_event.why_ref */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct call_key);
	__type(value, struct call);
} calls SEC(".maps");

/* Too big for the BPF stack: a call is built here, then stored. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct call);
} call_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HT_CTR_NR);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HT_MAX_POINTS);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

#define RECORDS_BYTES	(1 << 20)
/*
 * A wakeup of the reader per event costs the faulting task more than the
 * event: the reader is woken once a quarter of the ring waits (or for an
 * anomaly), and drains the rest when its poll times out (ht_bpf_poll()).
 */
#define RECORDS_WAKE_AT	(RECORDS_BYTES / 4)

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, RECORDS_BYTES);
} records SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 256);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, HT_STACK_DEPTH * sizeof(__u64));
} stacks SEC(".maps");

/*
 * Until 6.2 the entire mapcount of a compound page was page[1].
 * compound_mapcount; the folio conversion of the compound-page fields made
 * it folio->_entire_mapcount.
 */
struct page___compound_mapcount {
	atomic_t compound_mapcount;
} __attribute__((preserve_access_index));

/* 6.1's UFFDIO_COPY mode, before uffd_flags_t (6.6) replaced it. */
enum mcopy_atomic_mode___old {
	MCOPY_ATOMIC_CONTINUE___old = 2,
};

static void count(__u32 slot, __u64 n)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &slot);

	if (c)
		*c += n;
}

static bool wanted(void)
{
	char comm[HT_COMM_LEN];
	int i;

	if (!recording)
		return false;
	if (filter_pid && filter_pid != bpf_get_current_pid_tgid() >> 32)
		return false;
	if (!filter_comm[0])
		return true;
	bpf_get_current_comm(comm, sizeof(comm));
	for (i = 0; i < HT_COMM_LEN; i++) {
		if (comm[i] != filter_comm[i])
			return false;
		if (!comm[i])
			break;
	}
	return true;
}

static struct call_key key_of(void *ctx)
{
	struct call_key key = {
		.tid = (__u32)bpf_get_current_pid_tgid(),
		.point = bpf_get_attach_cookie(ctx),
	};

	return key;
}

static __u64 read_u64(__u64 addr)
{
	__u64 value = 0;

	bpf_probe_read_kernel(&value, sizeof(value), (void *)addr);
	return value;
}

/* A page table entry's next table, as a kernel address; 0 if not present. */
static __u64 next_table(__u64 table, __u64 addr, int shift)
{
	__u64 entry = read_u64(table + ((addr >> shift) & (PTRS_PER_TABLE - 1)) * 8);

	if (!(entry & PTE_PRESENT) || (entry & PTE_PSE))
		return 0;
	return (entry & PTE_PFN_MASK) + read_u64(page_offset_base_addr);
}

/*
 * The entry that maps @addr's huge page, walked without the page-table lock
 * as the module does (x86-64, 4 or 5 levels): 0 where none is, a migration
 * entry where the page is migrating.
 */
static __u64 huge_entry(struct mm_struct *mm, __u64 addr, __u64 page_size)
{
	__u64 table = (__u64)BPF_CORE_READ(mm, pgd);
	int shift = page_size == PUD_SIZE ? PUD_SHIFT : PMD_SHIFT;
	__u32 l5 = 0;

	if (pgtable_l5_addr)
		bpf_probe_read_kernel(&l5, sizeof(l5), (void *)pgtable_l5_addr);
	if (l5)
		table = next_table(table, addr, 48);
	if (table)
		table = next_table(table, addr, 39);
	if (table && shift == PMD_SHIFT)
		table = next_table(table, addr, PUD_SHIFT);
	if (!table)
		return 0;
	return read_u64(table + ((addr >> shift) & (PTRS_PER_TABLE - 1)) * 8);
}

/* The pfn of the huge page mapped at @addr. */
static __u64 mapped_pfn(struct mm_struct *mm, __u64 addr, __u64 page_size)
{
	__u64 entry = huge_entry(mm, addr, page_size);

	if ((entry & (PTE_PRESENT | PTE_PSE)) != (PTE_PRESENT | PTE_PSE))
		return HT_NO_PFN;
	return (entry & PTE_PFN_MASK) >> PAGE_SHIFT;
}

static struct page *pfn_page(__u64 pfn)
{
	return (struct page *)(read_u64(vmemmap_base_addr) +
			       pfn * bpf_core_type_size(struct page));
}

static int entire_mapcount(struct page *head)
{
	struct page___compound_mapcount *tail;

	if (bpf_core_field_exists(struct folio, _entire_mapcount))
		return BPF_CORE_READ((struct folio *)head, _entire_mapcount.counter) + 1;
	tail = (void *)head + bpf_core_type_size(struct page);
	return BPF_CORE_READ(tail, compound_mapcount.counter) + 1;
}

static bool xa_is_node(__u64 entry)
{
	return (entry & 3) == 2 && entry > 4096;
}

/*
 * The module's cached_folio(): the folio the page cache holds for @addr,
 * walking the mapping's xarray as xa_load() does, without its RCU read
 * lock: a node freed meanwhile can only give a pfn of another page, never
 * a fault (bpf_probe_read_kernel).  The index is in huge pages, or in base
 * pages where the page cache takes a reference per base page (6.7 on);
 * until a page was added since load, that is not known: no lookup.
 */
static __u64 cached_pfn(struct vm_area_struct *vma, __u64 addr, __u64 page_size)
{
	struct address_space *mapping = BPF_CORE_READ(vma, vm_file, f_mapping);
	int order = page_size == PUD_SIZE ? PUD_SHIFT - PAGE_SHIFT : PMD_SHIFT - PAGE_SHIFT;
	__u64 index, entry, node;
	int depth;

	if (!cache_refs)
		return HT_NO_PFN;
	index = ((addr - BPF_CORE_READ(vma, vm_start)) >> (order + PAGE_SHIFT)) +
		(BPF_CORE_READ(vma, vm_pgoff) >> order);
	if (cache_refs > 1)
		index <<= order;
	entry = (__u64)BPF_CORE_READ(mapping, i_pages.xa_head);
	if (!xa_is_node(entry) && index)
		return HT_NO_PFN;
	for (depth = 0; depth < XA_MAX_DEPTH && xa_is_node(entry); depth++) {
		node = entry - 2;
		entry = read_u64(node + bpf_core_field_offset(struct xa_node, slots) +
				 ((index >> BPF_CORE_READ((struct xa_node *)node, shift)) &
				  XA_CHUNK_MASK) * sizeof(__u64));
	}
	if (!entry || (entry & 3))
		return HT_NO_PFN;
	return (entry - read_u64(vmemmap_base_addr)) / bpf_core_type_size(struct page);
}

/*
 * The hugetlb folio at @addr and its counts: the one mapped there, or with
 * @vma given, the one the page cache would map there.
 */
static __always_inline void folio_at(struct mm_struct *mm,
				     struct vm_area_struct *vma, __u64 addr,
				     __u64 page_size, __u64 *pfn, __s32 *ref,
				     __s32 *map)
{
	struct page *head;

	*pfn = mapped_pfn(mm, addr, page_size);
	if (*pfn == HT_NO_PFN && vma)
		*pfn = cached_pfn(vma, addr, page_size);
	if (*pfn == HT_NO_PFN)
		return;
	head = pfn_page(*pfn);
	*ref = BPF_CORE_READ(head, _refcount.counter);
	*map = entire_mapcount(head);
}

/* hstate_inode(): the hstate of a hugetlbfs inode's mount */
static struct hugetlbfs_sb_info *inode_sbi(struct inode *inode)
{
	return BPF_CORE_READ(inode, i_sb, s_fs_info);
}

static struct inode *vma_inode(struct vm_area_struct *vma)
{
	return BPF_CORE_READ(vma, vm_file, f_inode);
}

static __u64 hstate_page_size(struct hstate *h)
{
	return 1ULL << (BPF_CORE_READ(h, order) + PAGE_SHIFT);
}

static struct call *new_call(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&call_scratch, &zero);
}

/* NULL when the task filter or a disable leaves the call out. */
static struct call *new_event_call(void)
{
	return wanted() ? new_call() : NULL;
}

static void note_subpool(struct call *c, struct hugepage_subpool *spool)
{
	c->spool = spool;
	if (!spool)
		return;
	c->ev.flags |= HT_EVF_SPOOL;
	c->ev.spool_used_before = BPF_CORE_READ(spool, used_hpages);
	c->ev.spool_rsv_before = BPF_CORE_READ(spool, rsv_hpages);
}

/* Who, when, and the hstate's counters once the event is seen in flight. */
static void begin(struct call *c, enum ht_event_kind kind, struct hstate *h)
{
	struct ht_event_rec *ev = &c->ev;
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	__builtin_memset(c, 0, sizeof(*c));
	c->h = h;
	ev->kind = kind;
	ev->time_ns = bpf_ktime_get_ns();
	ev->pid = pid_tgid >> 32;
	ev->tid = (__u32)pid_tgid;
	bpf_get_current_comm(ev->comm, sizeof(ev->comm));
	ev->page_size = hstate_page_size(h);
	ev->pfn = HT_NO_PFN;
	ev->started = __sync_fetch_and_add(&started, 1) + 1;
	ev->untracked = untracked;
	if (__sync_fetch_and_add(&in_flight, 1))
		ev->flags |= HT_EVF_OVERLAP;
	ev->resv_before = BPF_CORE_READ(h, resv_huge_pages);
	ev->free_before = BPF_CORE_READ(h, free_huge_pages);
}

static void store(void *ctx, struct call *c)
{
	struct call_key key = key_of(ctx);

	if (bpf_map_update_elem(&calls, &key, c, BPF_ANY)) {
		__sync_fetch_and_add(&in_flight, -1);
		count(HT_CTR_NOT_FOLLOWED, 1);
	}
}

/*
 * The module's ht_note_holders() (refcount_track.c says why each holder
 * bars the judgement): mm users, page cache, mapped elsewhere, a reference
 * held at the start, a pin, an isolation.
 */
static void note_holders(struct call *c, bool start)
{
	struct ht_event_rec *ev = &c->ev;
	struct mm_struct *mm = c->mm;
	__u64 users = 1, migratable;
	struct page *head;
	int map = start ? ev->map_before : ev->map_after;

	if (c->why_ref)
		return;
	if (ev->kind != HT_EV_FAULT &&
	    (struct mm_struct *)BPF_CORE_READ((struct task_struct *)bpf_get_current_task(), mm) == mm)
		users = 2;
	/* a local: CO-RE relocates the kernel's types only, not struct call */
	if (BPF_CORE_READ(mm, mm_users.counter) > users) {
		c->why_ref = HT_UNJ_MM_USERS + 1;
		return;
	}
	if (ev->pfn == HT_NO_PFN)
		return;
	head = pfn_page(ev->pfn);
	migratable = 1ULL << bpf_core_enum_value(enum hugetlb_page_flags, HPG_migratable);
	if (!((__u64)BPF_CORE_READ(head, mapping) & 1))
		c->why_ref = HT_UNJ_PAGE_CACHE + 1;
	else if (map > 1)
		c->why_ref = HT_UNJ_MAPPED_ELSEWHERE + 1;
	else if ((start && ev->ref_before != map) ||
		 BPF_CORE_READ((struct folio *)head, _pincount.counter) > 0 ||
		 !(BPF_CORE_READ(head, private) & migratable))
		c->why_ref = HT_UNJ_HELD_REF + 1;
}

static __u64 vma_flags(struct vm_area_struct *vma)
{
	return BPF_CORE_READ(vma, vm_flags) & VM_SHARED ? HT_EVF_SHARED : 0;
}

/* A call that maps a huge page at @addr of @vma: a fault or a uffd fill. */
static void start_folio_call(void *ctx, enum ht_event_kind kind,
			     struct vm_area_struct *vma, __u64 addr)
{
	struct inode *inode = vma_inode(vma);
	struct hugetlbfs_sb_info *sbi = inode_sbi(inode);
	struct call *c = new_event_call();

	if (!c || !sbi)
		return;
	begin(c, kind, BPF_CORE_READ(sbi, hstate));
	c->mm = BPF_CORE_READ(vma, vm_mm);
	c->ev.address = addr & ~(c->ev.page_size - 1);
	c->ev.pages = 1;
	c->ev.flags |= vma_flags(vma);
	note_subpool(c, BPF_CORE_READ(sbi, spool));
	folio_at(c->mm, vma, c->ev.address, c->ev.page_size, &c->ev.pfn,
		 &c->ev.ref_before, &c->ev.map_before);
	note_holders(c, true);
	store(ctx, c);
}

/* Starts the event of a call that changes @sbi's hstate counters. */
static struct call *start_hstate_call(enum ht_event_kind kind, struct hstate *h,
				      struct hugepage_subpool *spool, __u8 flags)
{
	struct call *c = new_event_call();

	if (!c || !h)
		return NULL;
	begin(c, kind, h);
	note_subpool(c, spool);
	c->ev.flags |= flags;
	return c;
}

static struct call *start_inode_call(enum ht_event_kind kind, struct inode *inode,
				     __u8 flags)
{
	struct hugetlbfs_sb_info *sbi = inode_sbi(inode);

	if (!sbi)
		return NULL;
	return start_hstate_call(kind, BPF_CORE_READ(sbi, hstate),
				 BPF_CORE_READ(sbi, spool), flags);
}

/* ... of a call on a whole vma. */
static struct call *start_vma_call(enum ht_event_kind kind, struct vm_area_struct *vma)
{
	struct inode *inode = vma_inode(vma);
	struct call *c = start_inode_call(kind, inode, vma_flags(vma));
	__u64 start = BPF_CORE_READ(vma, vm_start);

	if (!c)
		return NULL;
	c->ev.address = start;
	c->ev.pages = (BPF_CORE_READ(vma, vm_end) - start) / c->ev.page_size;
	return c;
}

static void submit(struct ht_event_rec *ev, __u32 type, __u32 rule,
		   __s64 expected, __s64 actual, __s64 stack_id)
{
	struct ht_record *rec = bpf_ringbuf_reserve(&records, sizeof(*rec), 0);

	if (!rec) {
		count(HT_CTR_EVENTS_LOST, 1);
		return;
	}
	rec->type = type;
	rec->rule = rule;
	rec->expected = expected;
	rec->actual = actual;
	rec->stack_id = stack_id;
	__builtin_memcpy(&rec->ev, ev, sizeof(*ev));
	bpf_ringbuf_submit(rec, type == HT_REC_ANOMALY ||
			   bpf_ringbuf_query(&records, BPF_RB_AVAIL_DATA) >= RECORDS_WAKE_AT ?
			   BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
}

static void anomaly(void *ctx, struct ht_event_rec *ev, enum ht_rule rule,
		    __s64 expected, __s64 actual)
{
	count(HT_CTR_ANOMALIES + rule, 1);
	submit(ev, HT_REC_ANOMALY, rule, expected, actual,
	       bpf_get_stackid(ctx, &stacks, 0));
}

/* Where a reservation change counts, as the module's count_event(). */
static void count_event(struct ht_event_rec *ev)
{
	__s64 delta = ev->resv_after - ev->resv_before;

	count(HT_CTR_EVENTS + ev->kind, 1);
	if (ht_kind_is_reservation_life(ev->kind))
		count(delta > 0 ? HT_CTR_RESV_RESERVED : HT_CTR_RESV_UNRESERVED,
		      delta > 0 ? delta : -delta);
	else
		count(delta < 0 ? HT_CTR_RESV_CONSUMED : HT_CTR_RESV_RESTORED,
		      delta < 0 ? -delta : delta);
}

/* The kernel's result bits, for the rule book's ht_event_ok() */
static bool succeeded(struct ht_event_rec *ev)
{
	__u64 failed = bpf_core_enum_value(enum vm_fault_reason, VM_FAULT_OOM) |
		       bpf_core_enum_value(enum vm_fault_reason, VM_FAULT_SIGBUS) |
		       bpf_core_enum_value(enum vm_fault_reason, VM_FAULT_SIGSEGV) |
		       bpf_core_enum_value(enum vm_fault_reason, VM_FAULT_HWPOISON) |
		       bpf_core_enum_value(enum vm_fault_reason, VM_FAULT_HWPOISON_LARGE) |
		       bpf_core_enum_value(enum vm_fault_reason, VM_FAULT_FALLBACK) |
		       bpf_core_enum_value(enum vm_fault_reason, VM_FAULT_RETRY);

	return ht_event_ok(ev->kind, ev->flags, ev->result, failed,
			   reserve_returns_long ? ev->result >= 0 : ev->result != 0);
}

static void rule_event_of(struct ht_event_rec *ev, struct ht_rule_event *e)
{
	e->kind = ev->kind;
	e->flags = ev->flags;
	e->pages = ev->pages;
	e->ok = succeeded(ev);
	e->resv_before = ev->resv_before;
	e->resv_after = ev->resv_after;
	e->ref_before = ev->ref_before;
	e->ref_after = ev->ref_after;
	e->map_before = ev->map_before;
	e->map_after = ev->map_after;
}

static bool armed(struct ht_event_rec *ev)
{
	return ev->started > armed_after;
}

/*
 * The rule book's ht_resv_unjudged(): the kprobes on free_huge_folio() and
 * remove_hugetlb_folio() count an untracked write before it is made, so
 * every write is seen and lock_busy never applies.
 */
static void check_resv_delta(void *ctx, struct ht_event_rec *ev, struct ht_rule_event *e)
{
	int why = ht_resv_unjudged(armed(ev), ev->flags, 1);
	struct ht_verdict v;

	if (why != HT_UNJ_NR) {
		count(HT_CTR_UNJUDGED + why, 1);
		return;
	}
	count(HT_CTR_JUDGED_RESV, 1);
	if (ht_rule_resv_delta(e, &v))
		anomaly(ctx, ev, v.rule, v.expected, v.actual);
}

/* Refs follow maps where no other holder was found; thresholds always. */
static void check_folio(void *ctx, struct call *c, struct ht_rule_event *e)
{
	struct ht_event_rec *ev = &c->ev;
	int why = ht_ref_unjudged(armed(ev), c->why_ref);
	struct ht_verdict v;

	if (why != HT_UNJ_NR) {
		count(HT_CTR_UNJUDGED + why, 1);
	} else {
		count(HT_CTR_JUDGED_REF, 1);
		if (ht_rule_ref_map(e, &v))
			anomaly(ctx, ev, v.rule, v.expected, v.actual);
	}
	if (ht_rule_refcount_near_overflow(e, refcount_threshold, &v))
		anomaly(ctx, ev, v.rule, v.expected, v.actual);
}

static void check_tails(void *ctx, struct ht_event_rec *ev)
{
	struct page *head = pfn_page(ev->pfn), *tail;
	__s64 tails = ht_tails_checked(ev->page_size, 1UL << PAGE_SHIFT);
	struct ht_verdict v;
	int i;

	for (i = 1; i <= HT_TAILS_CHECKED && i <= tails; i++) {
		tail = (void *)head + i * bpf_core_type_size(struct page);
		if (ht_rule_tail_refcount(BPF_CORE_READ(tail, _refcount.counter), &v)) {
			anomaly(ctx, ev, v.rule, v.expected, v.actual);
			break;
		}
	}
}

/* The module's ht_event_end(), then its rules. */
static void finish(void *ctx, struct call *c, __s64 result)
{
	struct hugepage_subpool *spool = c->spool;
	struct ht_event_rec *ev = &c->ev;
	struct hstate *h = c->h;
	struct ht_rule_event e;
	struct ht_verdict v;
	unsigned int checks;

	ev->result = result;
	ev->resv_after = BPF_CORE_READ(h, resv_huge_pages);
	ev->free_after = BPF_CORE_READ(h, free_huge_pages);
	if (spool) {
		ev->spool_used_after = BPF_CORE_READ(spool, used_hpages);
		ev->spool_rsv_after = BPF_CORE_READ(spool, rsv_hpages);
	}
	if (__sync_fetch_and_add(&in_flight, -1) != 1 || started != ev->started ||
	    untracked != ev->untracked)
		ev->flags |= HT_EVF_OVERLAP;
	ev->duration_ns = bpf_ktime_get_ns() - ev->time_ns;
	ev->cpu = bpf_get_smp_processor_id();
	ev->seq = __sync_fetch_and_add(&event_seq, 1) + 1;
	submit(ev, HT_REC_EVENT, 0, 0, 0, -1);
	count_event(ev);

	rule_event_of(ev, &e);
	if (!ht_resv_wrapped(&e))
		check_resv_delta(ctx, ev, &e);
	else if (ht_rule_resv_underflow(&e, &v))
		anomaly(ctx, ev, v.rule, v.expected, v.actual);
	checks = ht_folio_checks(&e, ev->pfn != HT_NO_PFN);
	if (checks & HT_CHECK_REFS)
		check_folio(ctx, c, &e);
	if (checks & HT_CHECK_TAILS)
		check_tails(ctx, ev);
}

static struct call *ended_call(void *ctx)
{
	struct call_key key = key_of(ctx);

	return bpf_map_lookup_elem(&calls, &key);
}

static void forget_call(void *ctx)
{
	struct call_key key = key_of(ctx);

	bpf_map_delete_elem(&calls, &key);
}

static void hit(void *ctx)
{
	__u32 point = bpf_get_attach_cookie(ctx);
	__u64 *n = bpf_map_lookup_elem(&hits, &point);

	if (n)
		*n += 1;
}

static int finish_hstate_call(void *ctx, __s64 result)
{
	struct call *c = ended_call(ctx);

	if (c) {
		finish(ctx, c, result);
		forget_call(ctx);
	}
	return 0;
}

/* The vma may be gone (VM_FAULT_RETRY dropped the mmap lock): only mm. */
static int finish_folio_call(void *ctx, __s64 result)
{
	struct call *c = ended_call(ctx);
	struct ht_event_rec *ev;
	__u64 pfn;
	__s32 ref = 0, map = 0;

	if (!c)
		return 0;
	ev = &c->ev;
	folio_at(c->mm, NULL, ev->address, ev->page_size, &pfn, &ref, &map);
	if (pfn != HT_NO_PFN && pfn != ev->pfn) {
		ev->flags |= HT_EVF_NEW_FOLIO;
		ev->ref_before = 0;
		ev->map_before = 0;
		if (c->why_ref != HT_UNJ_MM_USERS + 1)
			c->why_ref = 0;
	}
	ev->pfn = pfn;
	ev->ref_after = ref;
	ev->map_after = map;
	note_holders(c, false);
	finish(ctx, c, result);
	forget_call(ctx);
	return 0;
}

/* A point that only counts its calls. */
SEC("kprobe")
int count_hit(struct pt_regs *ctx)
{
	hit(ctx);
	return 0;
}

/*
 * free_huge_folio / remove_hugetlb_folio: they change the counters outside
 * any event (a page freed after a zap), where the module has its data
 * watchpoint: events that straddle one are marked overlap.
 */
SEC("kprobe")
int untracked_write(struct pt_regs *ctx)
{
	hit(ctx);
	__sync_fetch_and_add(&untracked, 1);
	return 0;
}

/* hugetlb_fault(mm, vma, address, flags) */
SEC("kprobe")
int BPF_KPROBE(fault_entry, struct mm_struct *mm, struct vm_area_struct *vma,
	       unsigned long address)
{
	hit(ctx);
	start_folio_call(ctx, HT_EV_FAULT, vma, address);
	return 0;
}

/* vm_fault_t is 32 bits: the upper half of the register is not defined. */
SEC("kretprobe")
int BPF_KRETPROBE(fault_return, long ret)
{
	return finish_folio_call(ctx, (__u32)ret);
}

/* hugetlb_mfill_atomic_pte(dst_pte, dst_vma, dst_addr, src_addr, flags, foliop) */
SEC("kprobe")
int BPF_KPROBE(mfill_entry, pte_t *dst_pte, struct vm_area_struct *vma,
	       unsigned long addr, unsigned long src, unsigned long flags)
{
	/* MFILL_ATOMIC_MODE_MASK: the four modes fit 2 bits */
	bool cont = (flags & 3) ==
		    bpf_core_enum_value(enum mfill_atomic_mode, MFILL_ATOMIC_CONTINUE);

	hit(ctx);
	start_folio_call(ctx, cont ? HT_EV_UFFD_CONTINUE : HT_EV_UFFD_COPY, vma, addr);
	return 0;
}

/*
 * Until 6.6: hugetlb_mcopy_atomic_pte(dst_mm, dst_pte, dst_vma, dst_addr,
 * src_addr, mode, pagep, wp_copy); mode is the sixth argument, past what
 * BPF_KPROBE names: x86-64 passes it in r9.
 */
SEC("kprobe")
int BPF_KPROBE(mcopy_entry, struct mm_struct *mm, pte_t *dst_pte,
	       struct vm_area_struct *vma, unsigned long addr)
{
	bool cont = (int)ctx->r9 == bpf_core_enum_value(enum mcopy_atomic_mode___old,
							 MCOPY_ATOMIC_CONTINUE___old);

	hit(ctx);
	start_folio_call(ctx, cont ? HT_EV_UFFD_CONTINUE : HT_EV_UFFD_COPY, vma, addr);
	return 0;
}

/* An int errno, sign-extended. */
SEC("kretprobe")
int BPF_KRETPROBE(mfill_return, long ret)
{
	return finish_folio_call(ctx, (int)ret);
}

/* hugetlb_reserve_pages(inode, from, to, vma, vm_flags) */
SEC("kprobe")
int BPF_KPROBE(reserve_entry, struct inode *inode, long from, long to,
	       struct vm_area_struct *vma, unsigned long vm_flags)
{
	struct call *c;

	hit(ctx);
	c = start_inode_call(HT_EV_RESERVE, inode,
			     vm_flags & VM_SHARED ? HT_EVF_SHARED : 0);
	if (!c)
		return 0;
	c->ev.address = vma ? BPF_CORE_READ(vma, vm_start) : 0;
	c->ev.pages = to - from;
	store(ctx, c);
	return 0;
}

/* hugetlb_unreserve_pages(inode, start, end, freed) */
SEC("kprobe")
int BPF_KPROBE(unreserve_entry, struct inode *inode, long start, long end,
	       long freed)
{
	struct call *c;

	hit(ctx);
	c = start_inode_call(HT_EV_UNRESERVE, inode, HT_EVF_SHARED);
	if (!c)
		return 0;
	c->ev.pages = freed;
	store(ctx, c);
	return 0;
}

/* hugetlb_vm_op_close(vma): a private mapping gives back what it did not use */
SEC("kprobe")
int BPF_KPROBE(vma_close_entry, struct vm_area_struct *vma)
{
	struct call *c;

	hit(ctx);
	c = start_vma_call(HT_EV_VMA_CLOSE, vma);
	if (c)
		store(ctx, c);
	return 0;
}

/* __unmap_hugepage_range(tlb, vma, start, end, ref_page, zap_flags) */
SEC("kprobe")
int BPF_KPROBE(zap_entry, void *tlb, struct vm_area_struct *vma,
	       unsigned long start, unsigned long end)
{
	struct call *c;

	hit(ctx);
	c = start_vma_call(HT_EV_ZAP, vma);
	if (!c)
		return 0;
	c->ev.address = start;
	c->ev.pages = (end - start) / c->ev.page_size;
	store(ctx, c);
	return 0;
}

/* copy_hugetlb_page_range(dst, src, dst_vma, src_vma): fork */
SEC("kprobe")
int BPF_KPROBE(fork_copy_entry, void *dst, void *src, void *dst_vma,
	       struct vm_area_struct *src_vma)
{
	struct call *c;

	hit(ctx);
	c = start_vma_call(HT_EV_FORK_COPY, src_vma);
	if (c)
		store(ctx, c);
	return 0;
}

/*
 * remove_inode_hugepages(inode, lstart, lend): byte offsets, lend LLONG_MAX
 * for a truncation, else a hole punch; the event's address is lstart.
 */
SEC("kprobe")
int BPF_KPROBE(remove_pages_entry, struct inode *inode, long start, long end)
{
	bool truncate = end == LLONG_MAX;
	struct call *c;

	hit(ctx);
	c = start_inode_call(truncate ? HT_EV_TRUNCATE : HT_EV_HOLE_PUNCH, inode,
			     HT_EVF_SHARED);
	if (!c)
		return 0;
	c->ev.address = start;
	c->ev.pages = truncate ? 0 : (__u64)(end - start) / c->ev.page_size;
	store(ctx, c);
	return 0;
}

/* huge_pmd_share(mm, vma, addr, pud): a fault's page table may share a PMD page */
SEC("kprobe")
int BPF_KPROBE(pmd_share_entry, void *mm, struct vm_area_struct *vma,
	       unsigned long addr)
{
	struct call *c;

	hit(ctx);
	c = start_vma_call(HT_EV_PMD_SHARE, vma);
	if (!c)
		return 0;
	c->ev.address = addr & ~(PUD_SIZE - 1);
	c->ev.pages = PUD_SIZE / c->ev.page_size;
	store(ctx, c);
	return 0;
}

/* hugepage_new_subpool(h, max_hpages, min_hpages): size= or min_size= */
SEC("kprobe")
int BPF_KPROBE(subpool_new_entry, struct hstate *h, long max_hpages,
	       long min_hpages)
{
	struct call *c;

	hit(ctx);
	c = start_hstate_call(HT_EV_SUBPOOL_NEW, h, NULL, HT_EVF_SHARED);
	if (!c)
		return 0;
	c->ev.pages = min_hpages;
	store(ctx, c);
	return 0;
}

/* The new subpool, or NULL: its figures, not its address. */
SEC("kretprobe")
int BPF_KRETPROBE(subpool_new_return, struct hugepage_subpool *spool)
{
	struct call *c = ended_call(ctx);

	if (!c)
		return 0;
	note_subpool(c, spool);
	return finish_hstate_call(ctx, spool ? 0 : -12 /* -ENOMEM */);
}

/* hugepage_put_subpool(spool): it may free the subpool: no figures read. */
SEC("kprobe")
int BPF_KPROBE(subpool_put_entry, struct hugepage_subpool *spool)
{
	struct call *c;

	hit(ctx);
	/* the module's subpool_put_entry() says why */
	if (!spool)
		return 0;
	c = start_hstate_call(HT_EV_SUBPOOL_PUT, BPF_CORE_READ(spool, hstate), NULL,
			      HT_EVF_SHARED);
	if (!c)
		return 0;
	c->ev.pages = BPF_CORE_READ(spool, min_hpages);
	store(ctx, c);
	return 0;
}

/* A bool return defines only the low byte of the return register. */
SEC("kretprobe")
int BPF_KRETPROBE(reserve_return, long ret)
{
	return finish_hstate_call(ctx, reserve_returns_long ? ret : (__u8)ret);
}

SEC("kretprobe")
int BPF_KRETPROBE(long_return, long ret)
{
	return finish_hstate_call(ctx, ret);
}

SEC("kretprobe")
int BPF_KRETPROBE(int_return, long ret)
{
	return finish_hstate_call(ctx, (int)ret);
}

SEC("kretprobe")
int BPF_KRETPROBE(void_return)
{
	return finish_hstate_call(ctx, 0);
}

/*
 * hugetlb_add_to_page_cache(folio, mapping, idx): the references the page
 * cache takes, one per base page where it indexes base pages (6.7 on),
 * else one; cached_pfn() needs the number to index the page cache.
 */
SEC("kprobe")
int BPF_KPROBE(add_to_cache_entry, struct folio *folio)
{
	struct call_key key = key_of(ctx);
	struct call *c = new_call();

	hit(ctx);
	if (!c)
		return 0;
	c->folio = folio;
	c->folio_ref = BPF_CORE_READ(folio, _refcount.counter);
	bpf_map_update_elem(&calls, &key, c, BPF_ANY);
	return 0;
}

SEC("kretprobe")
int BPF_KRETPROBE(add_to_cache_return, long ret)
{
	struct call *c = ended_call(ctx);
	struct folio *folio;

	if (!c)
		return 0;
	folio = c->folio;
	if (!(int)ret)
		cache_refs = BPF_CORE_READ(folio, _refcount.counter) - c->folio_ref;
	forget_call(ctx);
	return 0;
}

/*
 * Run by userspace (BPF_PROG_TEST_RUN): copies each hstate's counters,
 * read locklessly as sysfs reads them.
 */
SEC("raw_tp")
int read_hstates(void *ctx)
{
	struct hstate *h;
	int nr = 0, i;

	bpf_probe_read_kernel(&nr, sizeof(nr), (void *)max_hstate_addr);
	for (i = 0; i < HT_MAX_HSTATES && i < nr; i++) {
		h = (void *)(hstates_addr + i * bpf_core_type_size(struct hstate));
		BPF_CORE_READ_STR_INTO(&hstate_view[i].name, h, name);
		hstate_view[i].size_kb = hstate_page_size(h) >> 10;
		hstate_view[i].nr = BPF_CORE_READ(h, nr_huge_pages);
		hstate_view[i].free = BPF_CORE_READ(h, free_huge_pages);
		hstate_view[i].resv = BPF_CORE_READ(h, resv_huge_pages);
		hstate_view[i].surplus = BPF_CORE_READ(h, surplus_huge_pages);
		hstate_view[i].overcommit = BPF_CORE_READ(h, nr_overcommit_huge_pages);
	}
	nr_hstate_view = i;
	return 0;
}

/*
 * The module's private lines of the reservations file (ledger.c), read by a
 * task_vma iterator: a private mapping that owns its reservation, its
 * reserve map's entries (the consumed pages) and those with nothing mapped.
 * The iterator holds the task's mmap_lock, which keeps the mapping and its
 * page tables; the reserve map's lock cannot be taken here, so a fault that
 * adds an entry meanwhile may be half seen: these lines are a report, never
 * judged.
 */
struct private_tally {
	struct mm_struct *mm;
	__u64 vm_start, page_size;
	int shift;
	long from, to, eof;	/* the mapping's reserve-map indices, the file's end */
	__u64 head, link;	/* the list of regions, the one being read */
	long index, end;	/* the page being read in that region, its end */
	long consumed, lost;
};

/* 0, read where the verifier must not know it (ledger_private()) */
__u64 tally_unknown_zero;

/* Reserve-map steps (a page or a region) read of one mapping at most. */
#define TALLY_STEPS_MAX	(1 << 20)

static long tally_step(__u64 step, void *data)
{
	struct private_tally *t = data;
	struct file_region *rg;
	long from, to;

	if (t->index < t->end) {
		t->consumed++;
		t->lost += t->index < t->eof &&
			   !huge_entry(t->mm, t->vm_start + ((t->index - t->from) << t->shift),
				       t->page_size);
		t->index++;
		return 0;
	}
	t->link = read_u64(t->link);
	if (!t->link || t->link == t->head)
		return 1;
	rg = (void *)(t->link - bpf_core_field_offset(struct file_region, link));
	from = BPF_CORE_READ(rg, from);
	to = BPF_CORE_READ(rg, to);
	/* regions are sorted: none after this one is in the mapping */
	if (from >= t->to)
		return 1;
	t->index = from > t->from ? from : t->from;
	t->end = to < t->to ? to : t->to;
	return 0;
}

SEC("iter/task_vma")
int ledger_private(struct bpf_iter__task_vma *ctx)
{
	struct vm_area_struct *vma = ctx->vma;
	struct task_struct *task = ctx->task;
	struct private_tally t = {};
	char comm[HT_COMM_LEN];
	struct inode *inode;
	struct hstate *h;
	__u64 priv, pgoff, size, flags;
	__u32 dev;
	int i;

	if (!vma || !task)
		return 0;
	/* every thread group once, by its leader; a vfork child shares its parent's mm */
	if (BPF_CORE_READ(task, pid) != BPF_CORE_READ(task, tgid) ||
	    BPF_CORE_READ(task, vfork_done))
		return 0;
	flags = BPF_CORE_READ(vma, vm_flags);
	priv = (__u64)BPF_CORE_READ(vma, vm_private_data);
	if (!(flags & VM_HUGETLB) || (flags & VM_MAYSHARE) || !(priv & HPAGE_RESV_OWNER))
		return 0;
	inode = vma_inode(vma);
	h = BPF_CORE_READ(inode_sbi(inode), hstate);
	t.mm = BPF_CORE_READ(vma, vm_mm);
	t.vm_start = BPF_CORE_READ(vma, vm_start);
	t.shift = BPF_CORE_READ(h, order) + PAGE_SHIFT;
	t.page_size = 1ULL << t.shift;
	pgoff = BPF_CORE_READ(vma, vm_pgoff) >> (t.shift - PAGE_SHIFT);
	t.from = pgoff;
	t.to = ((BPF_CORE_READ(vma, vm_end) - t.vm_start) >> t.shift) + pgoff;
	size = BPF_CORE_READ(inode, i_size);
	t.eof = (size + t.page_size - 1) >> t.shift;
	t.head = (priv & ~HPAGE_RESV_MASK) + bpf_core_field_offset(struct resv_map, regions);
	t.link = t.head;
	/*
	 * Until 6.8 the verifier checked a bpf_loop() callback once, with the
	 * caller's stack as it was at the call: the page branch, with an index
	 * and end it knew to be 0, was dead to it and removed.  Figures it
	 * cannot know keep that branch.
	 */
	t.index = t.end = tally_unknown_zero;
	if (bpf_loop(TALLY_STEPS_MAX, tally_step, &t, 0) == TALLY_STEPS_MAX)
		BPF_SEQ_PRINTF(ctx->meta->seq, "# the next mapping's reserve map has more than %d entries: not all are counted\n",
			       TALLY_STEPS_MAX);
	BPF_CORE_READ_STR_INTO(&comm, task, comm);
	for (i = 0; i < HT_COMM_LEN; i++)
		if (comm[i] == ' ' || comm[i] == '=')
			comm[i] = '_';
	dev = BPF_CORE_READ(inode, i_sb, s_dev);
	BPF_SEQ_PRINTF(ctx->meta->seq, "private pid=%d comm=%s start=0x%lx end=0x%lx dev=%u:%u ino=%lu hstate=%s pages=%ld consumed=%ld outstanding=%ld lost=%ld\n",
		       BPF_CORE_READ(task, tgid), comm, t.vm_start, BPF_CORE_READ(vma, vm_end),
		       dev >> MINORBITS, dev & ((1U << MINORBITS) - 1), BPF_CORE_READ(inode, i_ino),
		       (void *)h + bpf_core_field_offset(struct hstate, name), t.to - t.from,
		       t.consumed, t.to - t.from - t.consumed, t.lost);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
