/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the BPF backend's library (ht_bpf.h): the handle, and what its
 * files call of each other.  Calls go down only:
 *
 *	ht_bpf_load.c		open, attach, close
 *	ht_bpf_control.c	the control file's commands
 *	ht_bpf_render.c		the module's files, rendered
 *	ht_bpf_poll.c		draining the ring buffer, reading the maps
 *	ht_bpf_kallsyms.c	/proc/kallsyms: addresses, stack frames
 *	ht_bpf_symbols.c	the probe points' symbol names (data only)
 */
#ifndef HT_BPF_INTERNAL_H
#define HT_BPF_INTERNAL_H

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include <bpf/libbpf.h>

#include "../ht_event_text.h"
#include "ht_bpf.h"
#include "ht_bpf_shared.h"
#include "ht_bpf_symbols.h"

#define ANOMALIES_KEPT		64
#define TASKS_KEPT		64
#define FRAME_LEN		80

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
	struct candidate candidate;	/* .symbol NULL: missing */
	int error;
	struct bpf_link *entry, *ret;
};

struct ht_bpf {
	struct hugetrack_bpf *skel;
	struct ring_buffer *rb;
	struct attached attached[HT_MAX_POINTS];	/* ht_bpf_nr_points used */
	struct bpf_link *ledger_iter;	/* attached at the first read */
	int nr_cpus;

	struct ksym *ksyms;		/* by address; ht_bpf_kallsyms.c's */
	struct ksym **by_name;
	size_t nr_ksyms;

	/* events as the module's ring: the newest ring_size */
	struct ht_event_rec *events;
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

	/* what the module's stream header says: the fault bits, from BTF */
	struct ht_stream_names names;
};

static inline void say(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static inline void say(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static inline unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* ht_bpf_kallsyms.c */
int ht_bpf_load_kallsyms(struct ht_bpf *bpf, char *err, size_t errlen);
void ht_bpf_free_kallsyms(struct ht_bpf *bpf);
/* The address of vmlinux symbol @name, 0 if it has none. */
unsigned long long ht_bpf_ksym_addr(const struct ht_bpf *bpf, const char *name);
/* "symbol+off/size [module]" as the kernel's sprint_symbol(), "?" if none. */
void ht_bpf_symbolize(const struct ht_bpf *bpf, unsigned long long ip, char *frame);

/* ht_bpf_poll.c */
/* ring_buffer__new()'s callback: an event or an anomaly into the rings */
int ht_bpf_handle_record(void *ctx, void *data, size_t size);
/* The seq of the oldest event the ring still holds. */
unsigned long long ht_bpf_oldest_kept(const struct ht_bpf *bpf);
/* Sums a per-CPU array map's slots, as the module sums its per-CPU counters. */
int ht_bpf_sum_percpu(const struct ht_bpf *bpf, const struct bpf_map *map,
		      unsigned long long *sum, unsigned int slots);
/* Runs read_hstates(): BPF reads struct hstate, userspace cannot. */
int ht_bpf_read_hstates(struct ht_bpf *bpf);
/* The private lines of the module's reservations file, by ledger_private(). */
int ht_bpf_read_private(struct ht_bpf *bpf, FILE *out);

#endif /* HT_BPF_INTERNAL_H */
