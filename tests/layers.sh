#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The module's files call only down their layers, and form no circle: read
# from the built objects (nm), each undefined symbol of one object that
# another defines is a call (or a data reference) from the first to the
# second.  Every object must be in LAYERS; a call may stay in its layer or
# go down, and tsort finds any circle.
# Argument: a directory of built objects (default: the first test kernel's).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# Bottom up, as Kbuild lists them; a file not named here fails the check.
LAYERS="
1 ring kallsyms util counters hstates inflight ht_kinds format
2 refcount_track anomaly rules events ledger ledger_audit
3 probe hugetlb_probe collapse_probe watch
4 report debugfs
5 main proto_check
"

dir=${1:-$BUILD/$(test_kernels | head -n 1)/module}
objs=$(ls "$dir"/*.o 2>/dev/null | grep -vE '/(hugetrack|hugetrack\.mod|.*\.mod)\.o$' || true)
[ -n "$objs" ] || die "no module objects in $dir: run 'make modules-all'"

layer_of() {
	echo "$LAYERS" | awk -v f="$1" '{ for (i = 2; i <= NF; i++) if ($i == f) print $1 }'
}

declare -A layer
for o in $objs; do
	f=$(basename "$o" .o)
	layer[$f]=$(layer_of "$f")
	[ -n "${layer[$f]}" ] || die "$f.o is in no layer of tests/layers.sh: add it to LAYERS"
done

# "symbol file" for each global symbol an object defines
defined=$(for o in $objs; do
	nm --defined-only "$o" | awk -v f="$(basename "$o" .o)" '$2 ~ /^[TDBRGS]$/ { print $3, f }'
done | sort)

edges=$(for o in $objs; do
	f=$(basename "$o" .o)
	nm -u "$o" | awk '{ print $2 }' | sort -u | join - <(echo "$defined") |
		awk -v f="$f" '$2 != f { print f, $2, $1 }'
done | sort -u)

status=0
while read -r from to sym; do
	[ -n "$from" ] || continue
	if [ "${layer[$from]}" -lt "${layer[$to]}" ]; then
		echo "$from.c (layer ${layer[$from]}) calls up into $to.c (layer ${layer[$to]}): $sym"
		status=1
	fi
done <<<"$edges"

# tsort names each circle on stderr
out=$(echo "$edges" | awk 'NF { print $1, $2 }' | tsort 2>&1 >/dev/null) || true
if [ -n "$out" ]; then
	echo "a circle of calls among the module's files:"
	echo "$out"
	status=1
fi
[ $status -eq 0 ] || exit 1
echo "$(echo "$objs" | wc -w) objects, $(echo "$edges" | awk 'NF { print $1, $2 }' | sort -u | wc -l) file-to-file links, all down, no circle"
