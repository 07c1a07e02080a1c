// SPDX-License-Identifier: GPL-2.0
/*
 * What the module's handlers read of each probed function (its layouts
 * file: "probe symbol position size type" lines), proven against the
 * running kernel's BTF: the type of that argument, or of the return value,
 * must be the one the handler reads.  Types compare after typedefs and
 * qualifiers are resolved on both sides: integers by size and sign (an enum
 * by size: the handlers read a C enum as an int), pointers by what they
 * point to, structs and unions by name.  A typedef BTF does not name (it
 * keeps only the types it needs) compares by the size the module was built
 * with.  A compiler clone (foo.isra.0) has no BTF of its own: said so, and
 * proven by the test that drives it instead.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "ht_bpf.h"

#define TYPE_DESC_MAX	160

/* @id, typedefs and qualifiers resolved, as "int64u", "ptr(struct mm_struct)"... */
static void describe_btf(const struct btf *btf, __u32 id, char *out, size_t len)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	char pointee[TYPE_DESC_MAX];

	while (id && (btf_is_typedef(t) || btf_is_mod(t))) {
		id = t->type;
		t = btf__type_by_id(btf, id);
	}
	if (!id) {
		snprintf(out, len, "void");
	} else if (btf_is_int(t)) {
		if (btf_int_encoding(t) & BTF_INT_BOOL)
			snprintf(out, len, "bool");
		else
			snprintf(out, len, "int%u%c", t->size * 8,
				 btf_int_encoding(t) & BTF_INT_SIGNED ? 's' : 'u');
	} else if (btf_is_any_enum(t)) {
		snprintf(out, len, "enum%u", t->size * 8);
	} else if (btf_is_ptr(t)) {
		describe_btf(btf, t->type, pointee, sizeof(pointee));
		if (snprintf(out, len, "ptr(%s)", pointee) >= (int)len)
			snprintf(out, len, "too deep");
	} else if (btf_is_composite(t) || btf_is_fwd(t)) {
		snprintf(out, len, "%s %s",
			 btf_is_union(t) || (btf_is_fwd(t) && btf_kflag(t)) ? "union" : "struct",
			 btf__name_by_offset(btf, t->name_off));
	} else {
		snprintf(out, len, "kind%u", btf_kind(t));
	}
}

/* C's names of the integer types, as BTF describes them */
static const struct {
	const char *c_name, *desc;
} c_integers[] = {
	{ "bool", "bool" }, { "char", "int8s" }, { "unsigned char", "int8u" },
	{ "short", "int16s" }, { "unsigned short", "int16u" },
	{ "int", "int32s" }, { "unsigned int", "int32u" },
	{ "long", "int64s" }, { "unsigned long", "int64u" },
	{ "long long", "int64s" }, { "unsigned long long", "int64u" },
};

/*
 * The module's type name described as describe_btf() would: a pointer
 * ("... *"), an aggregate by name, a C integer, else a typedef or enum the
 * kernel's BTF knows.  False if BTF does not know it.
 */
static bool describe_c(const struct btf *btf, const char *type, char *out, size_t len)
{
	char base[TYPE_DESC_MAX], inner[TYPE_DESC_MAX];
	size_t n = strlen(type), i;
	__s32 id;

	while (n && type[n - 1] == ' ')
		n--;
	if (n >= sizeof(base))
		return false;
	memcpy(base, type, n);
	base[n] = '\0';
	if (n && base[n - 1] == '*') {
		base[n - 1] = '\0';
		return describe_c(btf, base, inner, sizeof(inner)) &&
		       snprintf(out, len, "ptr(%s)", inner) < (int)len;
	}
	if (!strncmp(base, "struct ", 7) || !strncmp(base, "union ", 6)) {
		snprintf(out, len, "%s", base);
		return true;
	}
	for (i = 0; i < sizeof(c_integers) / sizeof(c_integers[0]); i++)
		if (!strcmp(base, c_integers[i].c_name)) {
			snprintf(out, len, "%s", c_integers[i].desc);
			return true;
		}
	if (!strncmp(base, "enum ", 5)) {
		id = btf__find_by_name_kind(btf, base + 5, BTF_KIND_ENUM);
		if (id < 0)
			id = btf__find_by_name_kind(btf, base + 5, BTF_KIND_ENUM64);
	} else {
		id = btf__find_by_name_kind(btf, base, BTF_KIND_TYPEDEF);
	}
	if (id < 0)
		return false;
	describe_btf(btf, id, out, len);
	return true;
}

/* An enum is read as the integer of its size. */
static bool same_type(const char *read, const char *declared)
{
	const char *e = !strncmp(read, "enum", 4) ? read : declared;
	const char *i = e == read ? declared : read;

	if (!strcmp(read, declared))
		return true;
	return !strncmp(e, "enum", 4) && !strncmp(i, "int", 3) &&
	       atoi(e + 4) == atoi(i + 3);
}

/*
 * check_layout: one line of the layouts file; returns 1 for a mismatch,
 * 0 otherwise, printing what it found.
 */
static int check_layout(const struct btf *btf, const char *probe, const char *symbol,
			const char *position, long size, const char *type, FILE *out)
{
	char read[TYPE_DESC_MAX], declared[TYPE_DESC_MAX];
	const struct btf_type *proto;
	__s32 func;
	__u32 id;
	long pos;

	if (strchr(symbol, '.')) {
		fprintf(out, "clone %s %s %s: a compiler clone has no BTF; its test drives it\n",
			symbol, position, type);
		return 0;
	}
	func = btf__find_by_name_kind(btf, symbol, BTF_KIND_FUNC);
	if (func < 0) {
		fprintf(out, "mismatch %s (%s): not a function in this kernel's BTF\n", symbol, probe);
		return 1;
	}
	proto = btf__type_by_id(btf, btf__type_by_id(btf, func)->type);
	if (!strcmp(position, "ret")) {
		id = proto->type;
	} else {
		pos = strtol(position, NULL, 10);
		if (pos < 0 || pos >= btf_vlen(proto)) {
			fprintf(out, "mismatch %s %s: the function takes %u arguments\n",
				symbol, position, btf_vlen(proto));
			return 1;
		}
		id = btf_params(proto)[pos].type;
	}
	describe_btf(btf, id, declared, sizeof(declared));
	if (describe_c(btf, type, read, sizeof(read)) ? !same_type(read, declared) :
	    !id || btf__resolve_size(btf, id) != size) {
		fprintf(out, "mismatch %s %s: read as %s (%ld bytes), declared %s (%ld bytes)\n",
			symbol, position, type, size, declared, id ? (long)btf__resolve_size(btf, id) : 0L);
		return 1;
	}
	fprintf(out, "ok %s %s %s\n", symbol, position, type);
	return 0;
}

int ht_bpf_check_protos(FILE *layouts, FILE *out, char *err, size_t errlen)
{
	char line[512], probe[64], symbol[128], position[8];
	int mismatches = 0, type_at, checked = 0;
	struct btf *btf;
	long size;

	btf = btf__parse_raw("/sys/kernel/btf/vmlinux");
	if (!btf) {
		snprintf(err, errlen, "cannot read /sys/kernel/btf/vmlinux (%s): no BTF on this kernel",
			 strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), layouts)) {
		if (line[0] == '#')
			continue;
		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "%63s %127s %7s %ld %n", probe, symbol, position, &size,
			   &type_at) != 4 || !line[type_at]) {
			snprintf(err, errlen, "not a layouts line: '%s'", line);
			btf__free(btf);
			return -1;
		}
		mismatches += check_layout(btf, probe, symbol, position, size, line + type_at, out);
		checked++;
	}
	btf__free(btf);
	if (!checked) {
		snprintf(err, errlen, "no layouts line: is the module loaded?");
		return -1;
	}
	return mismatches;
}
