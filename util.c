// SPDX-License-Identifier: GPL-2.0
/* Helpers of every layer: a stack frame's name, a comm fit for a line. */
#include <linux/kallsyms.h>
#include <linux/sched.h>
#include <linux/string.h>

#include "util.h"

/*
 * @ip as "symbol+off/size [module]" in @frame, or "?" where it has no
 * symbol (a trampoline): never a raw address.  Named when seen, since a
 * module on a stack may be gone by the time it is read.  @scratch holds
 * KSYM_SYMBOL_LEN bytes.
 */
void ht_symbolize(unsigned long ip, char *scratch, char *frame)
{
	sprint_symbol(scratch, ip);
	strscpy(frame, str_has_prefix(scratch, "0x") ? "?" : scratch, HT_FRAME_LEN);
}

/* @comm made safe to split on spaces and '=', into @safe. */
void ht_safe_comm(char *safe, const char *comm)
{
	int i;

	for (i = 0; i < TASK_COMM_LEN; i++)
		safe[i] = comm[i] == ' ' || comm[i] == '=' ? '_' : comm[i];
	safe[TASK_COMM_LEN - 1] = '\0';
}
