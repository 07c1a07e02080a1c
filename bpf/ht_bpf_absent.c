// SPDX-License-Identifier: GPL-2.0
/*
 * The BPF backend's library for a reader built without the BPF toolchain
 * (make user WITH_BPF=0, where clang or bpftool is missing): the same API,
 * which answers that the backend is not in this build.  The module's files
 * and a 'hugetrack-bpf serve' directory are read as usual.
 */
#include <errno.h>
#include <stdio.h>

#include "ht_bpf.h"

const char *const ht_bpf_files[] = { NULL };

struct ht_bpf *ht_bpf_open(const struct ht_bpf_options *opts, char *err,
			   size_t errlen)
{
	(void)opts;
	snprintf(err, errlen,
		 "this reader was built without the BPF backend (no clang or bpftool at build time): use the module, a 'hugetrack-bpf serve' directory (--debugfs DIR), or rebuild with clang, bpftool and libbpf-dev installed");
	return NULL;
}

int ht_bpf_render(struct ht_bpf *bpf, const char *name, FILE *out)
{
	(void)bpf, (void)name, (void)out;
	return -ENOENT;
}

int ht_bpf_control(struct ht_bpf *bpf, const char *cmd)
{
	(void)bpf, (void)cmd;
	return -EINVAL;
}

int ht_bpf_poll(struct ht_bpf *bpf, int timeout_ms)
{
	(void)bpf, (void)timeout_ms;
	return 0;
}

void ht_bpf_close(struct ht_bpf *bpf)
{
	(void)bpf;
}
