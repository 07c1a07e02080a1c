#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Which file calls which, and a failure if the calls go round in a circle:
# every function or variable that one object file takes from another (nm:
# undefined in the one, defined in the other) is an edge between the two.
#   callgraph.sh user         the reader's files, user/*.c
#   callgraph.sh bpf          the BPF backend's library, bpf/ht_bpf_*.c
#   callgraph.sh objects O... any objects, e.g. the module's build/<kernel>/*.o
# Several sets at once: callgraph.sh user bpf.  Prints "a.c -> b.c: names"
# per pair, then the files from the top (called by none of the others) down.
# Before any set, a circle of two files made here must be found, so that a
# broken parse of nm's output cannot pass as "no circle".
set -euo pipefail
. "$(dirname "$0")/lib.sh"

OUT=$BUILD/callgraph

# compile SET SOURCE...: the objects in $OUT/SET/, one per source
compile() {
	local set=$1 src
	shift
	rm -rf "${OUT:?}/$set"
	mkdir -p "$OUT/$set"
	for src; do
		cc -std=c11 -D_GNU_SOURCE -O0 -w -DHT_VERSION='"callgraph"' \
			-DHUGETRACK_VERSION='"callgraph"' -I"$TOP/bpf" -I"$BUILD/bpf" \
			-c "$src" -o "$OUT/$set/$(basename "${src%.c}").o"
	done
}

# edges OBJECT...: "caller.c callee.c symbol", one line per reference
edges() {
	local o
	for o; do
		nm --defined-only -g "$o" | awk -v f="$(basename "${o%.o}").c" 'NF == 3 { print "D", f, $3 }'
	done
	for o; do
		nm -u -g "$o" | awk -v f="$(basename "${o%.o}").c" '{ print "U", f, $2 }'
	done
} 2>/dev/null

# graph NAME OBJECT...: prints the pairs and the order; 1 on a circle
graph() {
	local name=$1 pairs order loop o b
	shift
	pairs=$(edges "$@" | awk '
		$1 == "D" { def[$3] = $2; next }
		$3 in def && def[$3] != $2 { print $2, def[$3], $3 }' | sort -u)
	[ -n "$pairs" ] || { echo "$name: no call between its files found: is nm's output what this script parses?"; return 1; }
	echo "$name: calls between files"
	echo "$pairs" | awk '
		{ key = $1 " -> " $2; if (!(key in names)) keys[n++] = key
		  names[key] = names[key] (names[key] == "" ? "" : ", ") $3 }
		END { for (i = 0; i < n; i++) print "  " keys[i] ": " names[keys[i]] }'
	# every file a node, then caller before callee: tsort finds any loop
	order=$( { for o; do b=$(basename "${o%.o}").c; echo "$b $b"; done
		   echo "$pairs" | awk '{ print $1, $2 }'; } | tsort 2>"$OUT/tsort.err") || true
	if [ -s "$OUT/tsort.err" ]; then
		loop=$(grep -v 'input contains a loop' "$OUT/tsort.err" | sed 's/^tsort: //' |
			awk '!seen[$0]++' | xargs)
		echo "$name: FAIL: a circle of calls through: $loop"
		return 1
	fi
	echo "$name: no circle; from the top down: $(echo "$order" | xargs)"
}

# Two files calling each other: the circle this script is for.
selftest() {
	mkdir -p "$OUT/selftest"
	printf 'void b(void);\nvoid a(void) { b(); }\n' >"$OUT/selftest/a.c"
	printf 'void a(void);\nvoid b(void) { a(); }\n' >"$OUT/selftest/b.c"
	compile selftest-objects "$OUT/selftest/a.c" "$OUT/selftest/b.c"
	if graph selftest "$OUT"/selftest-objects/*.o >"$OUT/selftest.log"; then
		cat "$OUT/selftest.log"
		die "callgraph.sh did not find the circle of a.c and b.c: it cannot be trusted"
	fi
}

[ $# -gt 0 ] || die "usage: callgraph.sh user|bpf... | objects OBJECT..."
mkdir -p "$OUT"
selftest
status=0
while [ $# -gt 0 ]; do
	case $1 in
	user)
		compile user "$TOP"/user/*.c
		graph user "$OUT"/user/*.o || status=1
		;;
	bpf)
		make -s -C "$TOP" build/bpf/hugetrack.skel.h
		mapfile -t sources < <(bpf_library_sources)
		compile bpf "${sources[@]}"
		graph bpf "$OUT"/bpf/*.o || status=1
		;;
	objects)
		shift
		graph objects "$@" || status=1
		break
		;;
	*) die "usage: callgraph.sh user|bpf... | objects OBJECT..." ;;
	esac
	shift
done
exit $status
