// SPDX-License-Identifier: GPL-2.0
/* Names to addresses, for what the kernel does not export. */
#include <linux/kprobes.h>

#include "kallsyms.h"

static unsigned long (*kallsyms_lookup_name_fn)(const char *name);

/* Not exported since 5.7: a kprobe on it tells where it is. */
static int find_kallsyms_lookup_name(void)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	int err;

	err = register_kprobe(&kp);
	if (err)
		return err;
	kallsyms_lookup_name_fn = (void *)ht_function_start((unsigned long)kp.addr);
	unregister_kprobe(&kp);
	return 0;
}

unsigned long ht_lookup_name(const char *name)
{
	return kallsyms_lookup_name_fn(name);
}

int ht_kallsyms_init(void)
{
	int err = find_kallsyms_lookup_name();

	if (err)
		pr_err("cannot find kallsyms_lookup_name (%d): are kprobes enabled?\n", err);
	return err;
}
