/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HT_KALLSYMS_H
#define HT_KALLSYMS_H

/* First at load: everything else may look names up. */
int ht_kallsyms_init(void);
/* The address of kernel symbol @name, 0 if it has none. */
unsigned long ht_lookup_name(const char *name);

#endif /* HT_KALLSYMS_H */
