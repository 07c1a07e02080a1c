/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The binary events stream: the record of one finished operation, in fixed
 * sizes, as the module's events_bin file hands it out and as the BPF
 * program (bpf/) hands it to its library; the reader (user/) decodes both
 * and prints them with one formatter (ht_event_text.c).  Plain C, no
 * header: the includer brings __u64 and its kin (linux/types.h, or the BPF
 * program's vmlinux.h).
 *
 * events_bin's read contract: the first read() of an open file returns the
 * header (struct ht_stream_header) alone; every later one as many whole
 * records as fit in the buffer, blocking (unless O_NONBLOCK) only while
 * none is ready.  A buffer too small for the header, then for one record,
 * is -EINVAL.  The stream is the events file's: one cursor for both, and
 * what the ring overwrote unread is counted in events_dropped and shows as
 * a gap in seq.
 */
#ifndef HT_STREAM_H
#define HT_STREAM_H

#define HT_STREAM_MAGIC		0x48544556U	/* "HTEV" */
/* A change of layout is a new version: a reader refuses one it does not know. */
#define HT_STREAM_VERSION	1

#define HT_STREAM_COMM_LEN	16
#define HT_STREAM_NO_PFN	(~0ULL)
/* ht_event_rec.flags: the rule book's HT_EVF_* (ht_rules.h), and */
#define HT_EVF_SPOOL		(1 << 7)	/* the spool_* fields are set */

/* ht_event_rec.collapse: how a collapse attempt came about */
#define HT_COLLAPSE_KHUGEPAGED	(1 << 0)	/* else MADV_COLLAPSE */
#define HT_COLLAPSE_UFFD	(1 << 1)	/* the VMA is userfaultfd-armed */
#define HT_COLLAPSE_FILE	(1 << 2)	/* page cache (shmem), else anonymous */

/* One finished operation: the module's struct ht_event, in fixed sizes. */
struct ht_event_rec {
	__u64 seq;
	__u64 time_ns;
	__u64 duration_ns;
	__u64 started;		/* operations begun before this one */
	__u64 untracked;	/* counter writes outside any event, at start */
	__u32 pid;
	__u32 tid;
	__u16 cpu;
	__u8 kind;
	__u8 flags;
	char comm[HT_STREAM_COMM_LEN];
	__u64 page_size;
	__u64 address;
	__s64 pages;
	__s64 result;
	__s64 resv_before, resv_after;
	__s64 free_before, free_after;
	__s64 spool_used_before, spool_used_after;
	__s64 spool_rsv_before, spool_rsv_after;
	__u64 pfn;
	__s32 ref_before, ref_after;
	__s32 map_before, map_after;
	__u32 owner;		/* kind collapse: the tgid of the mm's owner */
	__u8 collapse;		/* HT_COLLAPSE_*, for kind collapse */
	__u8 reserved[3];
};

#define HT_STREAM_FAULT_BITS	32
#define HT_STREAM_SCAN_RESULTS	48
#define HT_STREAM_NAME_LEN	32

/*
 * The names a record's numbers print as, which only the running kernel
 * knows: its VM_FAULT_* bits, and khugepaged's scan results by value.
 */
struct ht_stream_names {
	__u32 nr_fault_bits;
	__u32 nr_scan_results;
	struct {
		__u64 bit;
		char name[HT_STREAM_NAME_LEN];
	} fault_bits[HT_STREAM_FAULT_BITS];
	char scan_results[HT_STREAM_SCAN_RESULTS][HT_STREAM_NAME_LEN];
};

/* The first read of events_bin. */
struct ht_stream_header {
	__u32 magic;		/* HT_STREAM_MAGIC */
	__u32 version;		/* HT_STREAM_VERSION */
	__u32 header_size;	/* sizeof(struct ht_stream_header) */
	__u32 record_size;	/* sizeof(struct ht_event_rec) */
	struct ht_stream_names names;
};

#endif /* HT_STREAM_H */
