// SPDX-License-Identifier: GPL-2.0
/*
 * The commands of the module's control file, for the BPF backend: reset,
 * recording on and off, the task filter.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

/* the skeleton names ht_bpf_shared.h's types: after it */
#include "ht_bpf_internal.h"
#include "hugetrack.skel.h"

/* Counters, anomalies, drop count, summary's ranges and tasks: since now. */
static int ht_bpf_reset(struct ht_bpf *bpf)
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
	if (bpf->consumed < ht_bpf_oldest_kept(bpf))
		bpf->consumed = ht_bpf_oldest_kept(bpf);
	memset(bpf->tasks, 0, sizeof(bpf->tasks));
	bpf->other_tasks_faults = 0;
	if (ht_bpf_read_hstates(bpf))
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
		return ht_bpf_reset(bpf);
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
