// SPDX-License-Identifier: GPL-2.0
/*
 * What the running BPF backend takes from the kernel: its ring buffer
 * drained into rings like the module's (events, anomalies with their stacks
 * symbolized, faults by task), the counters and hstates read from its
 * maps, and the private mappings' reservations from its iterator.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

/* the skeleton names ht_bpf_shared.h's types: after it */
#include "ht_bpf_internal.h"
#include "hugetrack.skel.h"

static int hstate_index(const struct ht_bpf *bpf, const struct ht_event_rec *ev)
{
	int i;

	for (i = 0; i < (int)bpf->skel->bss->nr_hstate_view; i++)
		if (bpf->skel->bss->hstate_view[i].size_kb == ev->page_size >> 10)
			return i;
	return -1;
}

static void note_resv(struct ht_bpf *bpf, const struct ht_event_rec *ev)
{
	int i = hstate_index(bpf, ev);

	if (i < 0)
		return;
	if (ev->resv_after < bpf->resv_min[i])
		bpf->resv_min[i] = ev->resv_after;
	if (ev->resv_after > bpf->resv_max[i])
		bpf->resv_max[i] = ev->resv_after;
}

static void count_task_fault(struct ht_bpf *bpf, const struct ht_event_rec *ev)
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
		ht_bpf_symbolize(bpf, ips[a->nr_frames], a->frames[a->nr_frames]);
		a->nr_frames++;
	}
}

int ht_bpf_handle_record(void *ctx, void *data, size_t size)
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

/* Waits up to @timeout_ms for a wakeup, then drains what no wakeup announced. */
int ht_bpf_poll(struct ht_bpf *bpf, int timeout_ms)
{
	int n = ring_buffer__poll(bpf->rb, timeout_ms);

	if (n >= 0)
		n = ring_buffer__consume(bpf->rb);
	return n < 0 ? n : 0;
}

unsigned long long ht_bpf_oldest_kept(const struct ht_bpf *bpf)
{
	return bpf->received > bpf->ring_size ? bpf->received - bpf->ring_size : 0;
}

int ht_bpf_sum_percpu(const struct ht_bpf *bpf, const struct bpf_map *map,
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

int ht_bpf_read_hstates(struct ht_bpf *bpf)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);

	if (bpf_prog_test_run_opts(bpf_program__fd(bpf->skel->progs.read_hstates), &opts))
		return -errno;
	return 0;
}

int ht_bpf_read_private(struct ht_bpf *bpf, FILE *out)
{
	char buf[4096];
	ssize_t n;
	int fd;

	if (!bpf->ledger_iter) {
		bpf->ledger_iter = bpf_program__attach_iter(bpf->skel->progs.ledger_private, NULL);
		if (!bpf->ledger_iter)
			return -errno;
	}
	fd = bpf_iter_create(bpf_link__fd(bpf->ledger_iter));
	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, n, out);
	n = n < 0 ? -errno : 0;
	close(fd);
	return n;
}
