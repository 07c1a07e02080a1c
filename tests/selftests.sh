#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make selftests: for each test kernel, the kernel's own mm selftests
# (tests/mm-selftests.txt), built from its source package
# (selftests-build.sh), run in one guest boot first without hugetrack, then
# with it (tests/guest/selftests.sh).  Prints their TAP lines and the table
# of outcomes, times, anomalies, events, drops and race windows per test,
# which it also writes into docs/testing.md (its generated section for
# that kernel).  MM_ONLY=PROGRAM runs that program's lines alone (and
# leaves docs/testing.md as it is).  Exits non-zero on any failure.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

DOC=$TOP/docs/testing.md

# table VER: the markdown table of build/VER/selftests.log's mm-row lines
table() {
	echo "| test | without | with | time without (s) | with (s) | slowdown | anomalies | events | dropped | windows reached |"
	echo "|---|---|---|---|---|---|---|---|---|---|"
	sed -n 's/\r$//; s/^# mm-row //p' "$BUILD/$1/selftests.log" |
		awk -F'|' '{ printf "| %s | %s | %s | %.1f | %.1f | %s | %d | %d | %d | %s |\n",
			$1, $2, $3, $4 / 100, $5 / 100, ($4 > 0 ? sprintf("x%.1f", $5 / $4) : "-"),
			$6, $7, $8, $9 }'
}

# doc_section VER TEXT-FILE: TEXT-FILE between VER's markers in docs/testing.md
doc_section() {
	local begin="<!-- selftests $1 begin -->" end="<!-- selftests $1 end -->"
	grep -qxF "$begin" "$DOC" || printf '\n%s\n%s\n' "$begin" "$end" >>"$DOC"
	awk -v b="$begin" -v e="$end" -v f="$2" '
		$0 == b { print; while ((getline l < f) > 0) print l; skip = 1; next }
		$0 == e { skip = 0 }
		!skip' "$DOC" >"$DOC.new" && mv "$DOC.new" "$DOC"
}

cd "$TOP"
kernels=$(test_kernels)
[ -n "$kernels" ] || die "no test kernel: run 'make setup'"
make -s modules-all || die "the module does not build"
for ver in $kernels; do
	start=$(date +%s)
	if ! tests/selftests-build.sh "$ver"; then
		report "$ver" fail "mm selftests build static from its source package" \
			"$(tail -n 1 "$BUILD/$ver/mm-build.log")"
		continue
	fi
	if ! tests/initramfs.sh "$ver" mm; then
		report "$ver" fail "guest root file system" "initramfs.sh failed"
		continue
	fi
	HT_APPEND="${HT_APPEND:-}${MM_ONLY:+ ht_mm_only=$MM_ONLY}" \
		HT_BOOT_TIMEOUT=${HT_BOOT_TIMEOUT:-7200} tests/vm.sh "$ver" selftests
	echo "# $ver: guest ran $(($(date +%s) - start)) s"
	fold_tap "$ver" "$BUILD/$ver/selftests.log"
	check_console "$ver"
	{
		echo "$ver, $(date -u +%Y-%m-%d), $(grep -c '^ok ' "$BUILD/$ver/selftests.log") ok," \
			"$(grep -c '^not ok ' "$BUILD/$ver/selftests.log") not ok, the guest ran $(($(date +%s) - start)) s:"
		echo
		table "$ver"
	} >"$BUILD/$ver/selftests.md"
	cat "$BUILD/$ver/selftests.md"
	# the table of a whole run only
	[ -n "${MM_ONLY:-}" ] || doc_section "$ver" "$BUILD/$ver/selftests.md"
done
summary
