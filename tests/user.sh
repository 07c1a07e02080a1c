#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host checks of the reader (user/), each one line of check.sh:
#   user.sh unit          parsers on the fixtures of each kernel, truncated,
#                         malformed and oversized input (ASan + UBSan)
#   user.sh outputs       the reader on the fixtures: JSON parses, --prom
#                         passes promtool, plot is valid SVG, errors exit right
#   user.sh artifacts DIR the same checks on what a guest handed over
#   user.sh fuzz SECONDS  libFuzzer on the parsers for that long
#   user.sh cppcheck      cppcheck finds nothing in user/
set -euo pipefail
. "$(dirname "$0")/lib.sh"

FIXTURES=$TOP/tests/fixtures
OUT=$BUILD/user-test
PROMTOOL=$BUILD/tools/promtool
SAN=(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g -O1)
CFLAGS=(-std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -DHT_VERSION="\"$(cat "$TOP/VERSION")\"")
HT_CSV=$(sed -n 's/^\t"\(time_s,.*\)"$/\1/p' "$TOP/user/parse.h")
mkdir -p "$OUT"

fixture_dirs() {
	ls -d "$FIXTURES"/*/ | sed 's:/$::'
}

# The reader with sanitizers (dynamic: ASan does not link statically), the
# BPF backend's library in it too.
asan_reader() {
	local bpf_lib
	mapfile -t bpf_lib < <(bpf_library_sources)
	make -s -C "$TOP" build/bpf/hugetrack.skel.h
	clang "${CFLAGS[@]}" "${SAN[@]}" -I"$TOP/bpf" -I"$BUILD/bpf" \
		-DHUGETRACK_VERSION="\"$(cat "$TOP/VERSION")\"" -o "$OUT/hugetrack" \
		"$TOP"/user/*.c "${bpf_lib[@]}" "$TOP/ht_kinds.c" "$TOP/ht_event_text.c" -ljansson -lm -lbpf -lelf -lz
}

build_stream_test() {
	clang "${CFLAGS[@]}" "${SAN[@]}" -o "$OUT/stream_test" "$TOP/tests/user/stream_test.c" \
		"$TOP/user/stream.c" "$TOP/ht_event_text.c" "$TOP/ht_kinds.c"
}

unit() {
	clang "${CFLAGS[@]}" "${SAN[@]}" -o "$OUT/parse_test" \
		"$TOP/tests/user/parse_test.c" "$TOP/user/parse.c"
	"$OUT/parse_test" $(fixture_dirs) >"$OUT/parse_test.log" || {
		grep '^not ok' "$OUT/parse_test.log"
		return 1
	}
	echo "$(grep -c '^ok' "$OUT/parse_test.log") parser checks passed"
	build_stream_test
	"$OUT/stream_test" >"$OUT/stream_test.log" || {
		grep '^not ok' "$OUT/stream_test.log"
		return 1
	}
	echo "$(grep -c '^ok' "$OUT/stream_test.log") events_bin decoder checks passed"
}

# valid_outputs JSON PROM SVG: each as its tool says
valid_outputs() {
	python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$1" ||
		{ echo "$1 is not JSON"; return 1; }
	[ -x "$PROMTOOL" ] || { echo "no $PROMTOOL: run 'make setup'"; return 1; }
	"$PROMTOOL" check metrics <"$2" || { echo "promtool rejects $2"; return 1; }
	xmllint --noout "$3" || { echo "$3 is not well-formed XML"; return 1; }
	grep -q '<svg xmlns="http://www.w3.org/2000/svg"' "$3" || { echo "$3 is not SVG"; return 1; }
}

# expect_status STATUS TEXT COMMAND...: that status, one line with TEXT
expect_status() {
	local want=$1 text=$2 status=0
	shift 2
	"$@" >/dev/null 2>"$OUT/err" || status=$?
	[ "$status" = "$want" ] || { echo "$* exited $status, expected $want: $(cat "$OUT/err")"; return 1; }
	[ "$(grep -c . "$OUT/err")" = 1 ] && grep -q "$text" "$OUT/err" ||
		{ echo "$*: expected one line with '$text', got: $(cat "$OUT/err")"; return 1; }
}

outputs() {
	local dir name bad status
	asan_reader
	for dir in $(fixture_dirs); do
		name=$(basename "$dir")
		[ -f "$dir/hstates" ] || continue
		"$OUT/hugetrack" snapshot --json --debugfs "$dir" >"$OUT/$name.json"
		"$OUT/hugetrack" snapshot --prom --debugfs "$dir" >"$OUT/$name.prom"
		"$OUT/hugetrack" snapshot --debugfs "$dir" >/dev/null
		"$OUT/hugetrack" top -n 2 -i 0.05 --debugfs "$dir" >/dev/null
		status=0
		"$OUT/hugetrack" check --debugfs "$dir" >"$OUT/check.txt" || status=$?
		[ "$status" = 1 ] && grep -q 'ref_map_mismatch: pid' "$OUT/check.txt" ||
			{ echo "check on $dir: status $status, no report of the fixture's anomaly"; return 1; }
		"$OUT/hugetrack" record -n 3 -i 0.05 -o "$OUT/$name.csv" --debugfs "$dir"
		"$OUT/hugetrack" plot "$OUT/$name.csv" -o "$OUT/$name.svg"
		valid_outputs "$OUT/$name.json" "$OUT/$name.prom" "$OUT/$name.svg"
		# a module with race windows: the contract's sample beside these files
		cp -r "$dir" "$OUT/with-windows"
		cp "$FIXTURES/contract/windows" "$OUT/with-windows/"
		"$OUT/hugetrack" snapshot --json --debugfs "$OUT/with-windows" >"$OUT/w.json"
		python3 -c 'import json, sys; w = json.load(open(sys.argv[1]))["windows"]; assert len(w) == 3 and w[0]["stack_b"], w' "$OUT/w.json" ||
			{ echo "windows not in the JSON"; return 1; }
		# the ledger: the contract's sample beside these files
		cp -r "$dir" "$OUT/with-ledger"
		cp "$FIXTURES/contract/reservations" "$OUT/with-ledger/"
		reservations_outputs "$OUT/with-ledger" || return 1
		# the BPF backend's: its private lines alone, nothing reconciled
		grep -v '^ledger \|^file \|^subpool ' "$FIXTURES/contract/reservations" >"$OUT/with-ledger/reservations"
		bpf_reservations_outputs "$OUT/with-ledger" || return 1
		expect_status 6 "has no reservations file" "$OUT/hugetrack" reservations --debugfs "$dir"
		# a format error names the file and the line
		bad=$OUT/bad
		rm -rf "$bad" "$OUT/with-windows" "$OUT/with-ledger"
		cp -r "$dir" "$bad"
		printf 'anomaly=2 rule=x\n' >>"$bad/anomalies"
		expect_status 6 "$bad/anomalies: anomaly .* has no seq=" "$OUT/hugetrack" check --debugfs "$bad"
		cp "$dir/anomalies" "$bad/"
		sed -i '2s/ [0-9][0-9]* / x /' "$bad/probes"
		expect_status 6 "$bad/probes:2: " "$OUT/hugetrack" snapshot --debugfs "$bad"
		cp "$dir/probes" "$bad/"
		printf 'events_fault 1' >"$bad/counters"
		expect_status 6 "truncated" "$OUT/hugetrack" snapshot --prom --debugfs "$bad"
		rm "$bad/hstates"
		expect_status 6 "hstates is missing" "$OUT/hugetrack" snapshot --debugfs "$bad"
	done
	events_columns || return 1
	expect_status 5 "module is not loaded\|give --debugfs" "$OUT/hugetrack" check --debugfs "$OUT/nowhere"
	status=0
	"$OUT/hugetrack" top --backend kernel 2>"$OUT/err" || status=$?
	[ "$status" = 2 ] && grep -q 'give module, bpf or auto' "$OUT/err" ||
		{ echo "--backend kernel: status $status, $(cat "$OUT/err")"; return 1; }
	plot_labels_apart || return 1
	printf 'time_s,hstate\n' >"$OUT/bad.csv"
	expect_status 6 "bad.csv:1: " "$OUT/hugetrack" plot "$OUT/bad.csv" -o "$OUT/bad.svg"
}

# events_columns: hugetrack events prints the same columns from events_bin's
# records as from the text lines of the same events, also filtered
events_columns() {
	local ev=$OUT/events-both opts
	rm -rf "$ev"
	mkdir -p "$ev/bin" "$ev/text"
	build_stream_test
	"$OUT/stream_test" write "$ev"
	for opts in "" "--kind collapse" "--pid 30"; do
		# shellcheck disable=SC2086 # the options are words
		"$OUT/hugetrack" events --drain $opts --debugfs "$ev/text" >"$ev/from-text.txt"
		# shellcheck disable=SC2086
		"$OUT/hugetrack" events --drain $opts --debugfs "$ev/bin" >"$ev/from-records.txt"
		[ "$(grep -c . "$ev/from-text.txt")" -gt 1 ] ||
			{ echo "events $opts on text: no event: $(cat "$ev/from-text.txt")"; return 1; }
		diff "$ev/from-text.txt" "$ev/from-records.txt" ||
			{ echo "events $opts: the columns of the records differ from those of the lines"; return 1; }
	done
}

# top_ledger DIR VERDICT WHAT: top's line on DIR ends with ledger=VERDICT
top_ledger() {
	"$OUT/hugetrack" top -n 1 --debugfs "$1" >"$OUT/ledger-top.txt"
	grep -q " ledger=$2\$" "$OUT/ledger-top.txt" ||
		{ echo "top on $3: $(cat "$OUT/ledger-top.txt")"; return 1; }
}

# bpf_reservations_outputs DIR: DIR's reservations file has private lines and
# no ledger line, as the BPF backend's: listed, and said to be unreconciled
bpf_reservations_outputs() {
	local dir=$1 r=$OUT/hugetrack
	"$r" reservations --debugfs "$dir" >"$OUT/ledger.txt"
	grep -q '^  461  .* 3  *1  *2  *0$' "$OUT/ledger.txt" &&
		grep -q '^  none: this source lists private mappings alone' "$OUT/ledger.txt" ||
		{ echo "reservations of private lines alone: $(cat "$OUT/ledger.txt")"; return 1; }
	top_ledger "$dir" "-" "private lines alone" || return 1
}

# reservations_outputs DIR: the reader's ledger views of DIR's reservations
# file: the text table, JSON with each holder, Prometheus (promtool), --pid
reservations_outputs() {
	local dir=$1 r=$OUT/hugetrack
	"$r" reservations --debugfs "$dir" >"$OUT/ledger.txt"
	grep -q 'hugepages-2048kB .*resv 7 = held 7, difference 0, .*: ok$' "$OUT/ledger.txt" ||
		{ echo "reservations: no reconciled 2048kB line: $(cat "$OUT/ledger.txt")"; return 1; }
	"$r" reservations --json --debugfs "$dir" >"$OUT/ledger.json"
	python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
assert [h["kind"] for h in j["holders"]] == ["file", "private", "subpool"], j
assert j["holders"][1]["outstanding"] == 2 and j["ledger"][1]["diff"] == 0, j
assert j["holders"][2]["held"] == 0 and j["ledger"][1]["used_diff"] == 0, j' "$OUT/ledger.json" ||
		{ echo "reservations --json: not the holders and ledger of the sample"; return 1; }
	"$r" reservations --prom --debugfs "$dir" >"$OUT/ledger.prom"
	"$PROMTOOL" check metrics <"$OUT/ledger.prom" || { echo "promtool rejects the ledger"; return 1; }
	grep -qx 'hugetrack_ledger_outstanding_pages{hstate="hugepages-2048kB"} 7' "$OUT/ledger.prom" &&
		grep -qx 'hugetrack_ledger_difference_pages{hstate="hugepages-2048kB"} 0' "$OUT/ledger.prom" ||
		{ echo "reservations --prom: $(cat "$OUT/ledger.prom")"; return 1; }
	top_ledger "$dir" "ok" "the reconciled sample" || return 1
	"$r" check --debugfs "$dir" >"$OUT/ledger-check.txt" || true
	! grep -q 'resv_' "$OUT/ledger-check.txt" ||
		{ echo "check fails the reconciled sample's ledger: $(grep resv_ "$OUT/ledger-check.txt")"; return 1; }
	sed -i 's/^\(ledger hstate=hugepages-2048kB global=\)7\(.*\) diff=0 lost=0 used_diff=0/\18\2 diff=1 lost=2 used_diff=1/; s/^\(private .*\) lost=0$/\1 lost=2/; s/^\(subpool .*\) used=0 held=0$/\1 used=3 held=2/' "$dir/reservations"
	"$r" check --debugfs "$dir" >"$OUT/ledger-check.txt" || true
	grep -q '^hugetrack check: FAIL: resv_leak: hugepages-2048kB: resv_huge_pages 8, the holders hold 7: 1 reserved' "$OUT/ledger-check.txt" &&
		grep -q '^hugetrack check: FAIL: resv_lost: hugepages-2048kB: 2 pages' "$OUT/ledger-check.txt" &&
		grep -q '^  pid 461 (hugefault) 0x7f5660200000-0x7f5660800000: 2 of 3 pages$' "$OUT/ledger-check.txt" &&
		grep -q '^hugetrack check: FAIL: subpool_used_leak: hugepages-2048kB: the subpools use 1 pages more' "$OUT/ledger-check.txt" &&
		grep -q '^  mount 0:27: used 3, held 2$' "$OUT/ledger-check.txt" ||
		{ echo "check on a leaking, losing, overcharged ledger: $(cat "$OUT/ledger-check.txt")"; return 1; }
	top_ledger "$dir" "DIFFERS" "a leaking ledger" || return 1
	"$r" reservations --pid 1 --debugfs "$dir" >"$OUT/ledger-pid.txt"
	! grep -q 'PRIVATE\|SUBPOOLS' "$OUT/ledger-pid.txt" && grep -q '^LEDGER' "$OUT/ledger-pid.txt" ||
		{ echo "reservations --pid 1: $(cat "$OUT/ledger-pid.txt")"; return 1; }
}

# Markers close in time: two windows 0.25 s apart and an anomaly between
# them share one label each ("window +2"), every label of a row stands
# clear of the next, and a renderer draws the picture (rsvg-convert).
plot_labels_apart() {
	local labels
	awk 'BEGIN {
		print "time_s,hstate,nr,free,resv,surplus,events_per_s,anomalies,window_hits"
		for (i = 0; i <= 40; i++) {
			t = i / 4
			w += (i == 20 || i == 21 || i == 36); a += (i == 21)
			printf "%.3f,hugepages-2048kB,16,%d,%d,0,1.000,%d,%d\n", t, 16 - i % 5, i % 3, a, w
		}
	}' >"$OUT/close.csv"
	"$OUT/hugetrack" plot "$OUT/close.csv" -o "$OUT/close.svg"
	labels=$(sed -n 's/.*<text x="\([0-9.]*\)" y="\([0-9]*\)"[^>]*>\(window\|anomaly\) \(+[0-9]*\)<.*/\2 \1 \3 \4/p' "$OUT/close.svg")
	[ "$(echo "$labels" | awk '{print $3 $4}' | sort | xargs)" = "anomaly+1 window+1 window+2" ] ||
		{ echo "close markers: labels $(echo $labels), expected window +2, window +1, anomaly +1"; return 1; }
	echo "$labels" | sort -k1,1n -k2,2n | awk '$1 == row && $2 - x < 80 { bad = 1 } { row = $1; x = $2 } END { exit bad }' ||
		{ echo "close markers: labels overlap: $(echo $labels)"; return 1; }
	rsvg-convert "$OUT/close.svg" -o "$OUT/close.png" || { echo "rsvg-convert cannot draw the plot"; return 1; }
}

# The guest's own outputs: JSON, Prometheus text and SVG, by the host's tools.
artifacts() {
	local dir=${1:?usage: user.sh artifacts DIR}
	valid_outputs "$dir/snapshot.json" "$dir/metrics.prom" "$dir/plot.svg"
}

fuzz() {
	local seconds=${1:?usage: user.sh fuzz SECONDS} corpus=$OUT/corpus f i
	clang "${CFLAGS[@]}" -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -g -O1 \
		-o "$OUT/fuzz_parse" "$TOP/tests/user/fuzz_parse.c" "$TOP/user/parse.c"
	mkdir -p "$corpus"
	# seeds: each fixture behind the byte that picks its parser
	i=0
	for f in hstates probes counters anomalies windows; do
		for d in $(fixture_dirs); do
			[ -f "$d/$f" ] && { printf "\\x$(printf %02x $i)"; head -c 4096 "$d/$f"; } >"$corpus/$f-$(basename "$d")"
		done
		i=$((i + 1))
	done
	{ printf '\x05'; echo "$HT_CSV"; echo '1.0,h,1,2,3,4,5.0,6,7'; } >"$corpus/csv"
	for d in $(fixture_dirs); do
		[ -f "$d/reservations" ] && { printf '\x06'; cat "$d/reservations"; } >"$corpus/reservations-$(basename "$d")"
		[ -f "$d/faults" ] && { printf '\x07'; head -n 1 "$d/faults"; } >"$corpus/event-$(basename "$d")"
	done
	"$OUT/fuzz_parse" -max_total_time="$seconds" -rss_limit_mb=1024 -max_len=8192 \
		-artifact_prefix="$OUT/" "$corpus" >"$OUT/fuzz.log" 2>&1 ||
		{ tail -n 30 "$OUT/fuzz.log"; return 1; }
	grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$OUT/fuzz.log"
}

# make user on a machine without the BPF toolchain: a PATH of everything
# but clang, llvm and bpftool; the reader builds, reads the module's files,
# and --backend bpf says it was built without the backend (exit 8).
without_bpf() {
	local bin=$OUT/no-clang-bin dir reader=$OUT/nobpf/hugetrack status=0 tool
	rm -rf "$bin" "$OUT/nobpf"
	mkdir -p "$bin"
	for dir in /usr/local/bin /usr/bin /usr/sbin /sbin /bin; do
		for tool in "$dir"/*; do
			case $(basename "$tool") in clang* | llvm* | bpftool | ld.lld*) continue ;; esac
			[ -e "$bin/$(basename "$tool")" ] || ln -s "$tool" "$bin/"
		done
	done
	PATH=$bin make -s -C "$TOP" user READER="$reader" >"$OUT/nobpf.log" 2>&1 ||
		{ echo "make user without clang failed: $(tail -n 3 "$OUT/nobpf.log")"; return 1; }
	! grep -q 'clang\|bpftool' "$OUT/nobpf.log" || { echo "make user without clang ran: $(cat "$OUT/nobpf.log")"; return 1; }
	"$reader" snapshot --debugfs "$(fixture_dirs | head -n 1)" >/dev/null ||
		{ echo "the reader built without BPF cannot read the module's files"; return 1; }
	"$reader" snapshot --backend bpf >/dev/null 2>"$OUT/err" || status=$?
	[ "$status" = 8 ] && grep -q 'built without the BPF backend' "$OUT/err" ||
		{ echo "--backend bpf without the backend: status $status, $(cat "$OUT/err")"; return 1; }
}

# Any finding fails; style-only notes of cppcheck are not findings.
static_check() {
	cppcheck --std=c11 --enable=warning,portability,performance --error-exitcode=1 \
		--inline-suppr --quiet -D_GNU_SOURCE -DHT_VERSION='"x"' \
		"$TOP/user" "$TOP/tests/user"
}

case ${1:-} in
unit) unit ;;
outputs) outputs ;;
artifacts) artifacts "${2:-}" ;;
fuzz) fuzz "${2:-}" ;;
cppcheck) static_check ;;
without-bpf) without_bpf ;;
*) die "usage: user.sh unit|outputs|artifacts DIR|fuzz SECONDS|cppcheck|without-bpf" ;;
esac
