// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/kallsyms, as the module's probe core reads it: the addresses the
 * loader needs, and the names of an anomaly's stack frames.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ht_bpf_internal.h"

struct ksym {
	unsigned long long addr;
	char *name;
	char *module;	/* NULL: vmlinux */
	bool text;
};

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
int ht_bpf_load_kallsyms(struct ht_bpf *bpf, char *err, size_t errlen)
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

void ht_bpf_free_kallsyms(struct ht_bpf *bpf)
{
	size_t i;

	for (i = 0; i < bpf->nr_ksyms; i++) {
		free(bpf->ksyms[i].name);
		free(bpf->ksyms[i].module);
	}
	free(bpf->ksyms);
	free(bpf->by_name);
}

unsigned long long ht_bpf_ksym_addr(const struct ht_bpf *bpf, const char *name)
{
	struct ksym key = { .name = (char *)name }, *keyp = &key, **found;

	found = bsearch(&keyp, bpf->by_name, bpf->nr_ksyms, sizeof(*bpf->by_name), by_name);
	return found && !(*found)->module ? (*found)->addr : 0;
}

void ht_bpf_symbolize(const struct ht_bpf *bpf, unsigned long long ip, char *frame)
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
