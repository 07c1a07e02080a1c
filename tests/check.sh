#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The whole test suite: host checks, then for each test kernel one guest boot
# running tests/guest/t-*.sh.  Ends with "N passed, N failed" summed over
# everything; exits non-zero on any failure, including a guest that did not
# boot, crashed, hung or stopped reporting.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

passed=0
failed=0
CONSOLE_REPORTS='Kernel panic|BUG:|Oops|WARNING:|INFO: trying to register non-static key|Disabling lock debugging'

# report KERNEL STATUS DESCRIPTION [REASON]
report() {
	if [ "$2" = ok ]; then
		passed=$((passed + 1))
		echo "[$1] ok - $3"
	else
		failed=$((failed + 1))
		echo "[$1] not ok - $3${4:+ # $4}"
	fi
}

host_check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		report host ok "$desc"
	else
		report host fail "$desc" "$(echo "$out" | grep . | tail -n 1)"
		echo "$out" | sed 's/^/# /' | tail -n 20
	fi
}

# Warning-free with W=1, and sparse really ran on each file (C=2).
build_clean() {
	local log=$BUILD/$1/build.log src
	[ -f "$BUILD/$1/module/hugetrack.ko" ] || { tail -n 20 "$log"; return 1; }
	! grep -E '(warning|error):' "$log" || return 1
	for src in "$TOP"/*.c; do
		grep -q "CHECK .*$(basename "$src")" "$log" ||
			{ echo "sparse did not check $(basename "$src")"; return 1; }
	done
}

# The debug kernel's tree (built once, then kept until its inputs change);
# the log is build/<debug kernel>/kernel-build.log.
build_debug_kernel() {
	local log=$BUILD/$DEBUG_KERNEL/kernel-build.log

	mkdir -p "$BUILD/$DEBUG_KERNEL"
	tests/debug-kernel/build.sh >"$log" 2>&1 || { tail -n 20 "$log"; return 1; }
}

# run_guest VER: boot it, fold its TAP lines into the totals
run_guest() {
	local ver=$1 tap=$BUILD/$1/tap.log start plan count=0 line
	start=$(date +%s)
	if ! tests/initramfs.sh "$ver"; then
		report "$ver" fail "guest root file system" "initramfs.sh failed"
		return
	fi
	tests/vm.sh "$ver" check
	echo "# $ver: guest ran $(($(date +%s) - start)) s"
	touch "$tap"
	while IFS= read -r line; do
		line=${line%$'\r'}
		case $line in
		"ok "*)
			passed=$((passed + 1)); count=$((count + 1)); echo "[$ver] $line" ;;
		"not ok "*)
			failed=$((failed + 1)); count=$((count + 1)); echo "[$ver] $line" ;;
		"1.."*)
			plan=${line#1..} ;;
		"#"*)
			[ -n "${HT_VERBOSE:-}" ] || case $line in "# "*:*) continue ;; esac
			echo "[$ver] $line" ;;
		esac
	done <"$tap"
	if ! grep -q '^# hugetrack-guest-done' "$tap"; then
		report "$ver" fail "guest finished its tests" "no closing token: it crashed, hung or stopped reporting"
		echo "# last console lines of $ver:"
		tail -n 30 "$BUILD/$ver/console.log" | sed 's/^/#   /'
	elif [ "${plan:-}" != "$count" ]; then
		report "$ver" fail "guest TAP plan" "plan 1..${plan:-?} but $count results"
	fi
	# KASAN's reports start with "BUG:", lockdep's with "WARNING:" (or
	# "INFO:" for an unregistered lock key); any first report turns lockdep off
	if grep -qE "$CONSOLE_REPORTS" "$BUILD/$ver/console.log"; then
		report "$ver" fail "guest console is free of panics, warnings and KASAN or lockdep reports" \
			"$(grep -m1 -E "$CONSOLE_REPORTS" "$BUILD/$ver/console.log")"
	fi
}

cd "$TOP"
kernels=$(test_kernels)
[ -n "$kernels" ] || die "no test kernel: need /boot/vmlinuz-<ver> with /lib/modules/<ver>/build (run 'make setup')"
echo "# test kernels: $(echo $kernels)"

if echo "$kernels" | grep -qx "$DEBUG_KERNEL"; then
	host_check "debug kernel $DEBUG_KERNEL builds, every line of its config fragment set" \
		build_debug_kernel
	echo "# $(tail -n 1 "$BUILD/$DEBUG_KERNEL/kernel-build.log")"
fi
make -s modules-all
for ver in $kernels; do
	host_check "hugetrack.ko builds for $ver with W=1 and sparse, no warning" build_clean "$ver"
done
host_check "checkpatch.pl --no-tree finds nothing in the module sources" tests/style.sh

for ver in $kernels; do
	if [ -f "$BUILD/$ver/module/hugetrack.ko" ]; then
		run_guest "$ver"
	else
		report "$ver" fail "guest tests" "the module did not build"
	fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
