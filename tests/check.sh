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
# on every kernel; PREEMPT_RT's (a handler that sleeps, or takes a lock that
# sleeps there) and lockdep's, by name
CONSOLE_REPORTS='Kernel panic|BUG:|Oops|WARNING:|INFO: trying to register non-static key|Disabling lock debugging'
CONSOLE_REPORTS+='|sleeping function called from invalid context|scheduling while atomic'
CONSOLE_REPORTS+='|possible recursive locking|circular locking dependency|inconsistent lock state'

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

# The reader's outputs the guest handed over, checked by the host's tools
# (the guest has no JSON or XML parser, nor promtool).
check_artifacts() {
	local ver=$1 dir=$BUILD/$1/artifacts out
	tests/artifacts.sh "$BUILD/$ver/artifacts.log" "$dir" || true
	[ -f "$dir/snapshot.json" ] || return 0	# t-50 was not selected
	if out=$(tests/user.sh artifacts "$dir" 2>&1); then
		report "$ver" ok "reader's JSON, Prometheus text and SVG from the guest pass json, promtool, xmllint"
	else
		report "$ver" fail "reader's JSON, Prometheus text and SVG from the guest pass json, promtool, xmllint" \
			"$(echo "$out" | tail -n 1)"
	fi
}

# The test-only modules (tests/inject, tests/floor) build warning-free too.
test_modules_clean() {
	local dir
	for dir in inject floor; do
		ls "$BUILD/$1/$dir"/*.ko >/dev/null 2>&1 || { tail -n 20 "$BUILD/$1/$dir.log"; return 1; }
		! grep -E '(warning|error):' "$BUILD/$1/$dir.log" || return 1
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
	check_artifacts "$ver"
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
	host_check "test modules (ht_inject, ht_floor) build for $ver, no warning" test_modules_clean "$ver"
done
host_check "checkpatch.pl --no-tree finds nothing in the module sources" tests/style.sh
host_check "reader builds static with -Wall -Wextra -Werror" make -s user
host_check "reader parsers: fixtures of each kernel, every truncation, malformed and oversized input (ASan, UBSan)" \
	tests/user.sh unit
host_check "reader on the fixtures: JSON, promtool, SVG (xmllint), format errors name file and line (ASan, UBSan)" \
	tests/user.sh outputs
host_check "reader parsers survive ${HT_FUZZ_SECONDS:-30} s of libFuzzer (ASan, UBSan)" \
	tests/user.sh fuzz "${HT_FUZZ_SECONDS:-30}"
host_check "cppcheck finds nothing in the reader" tests/user.sh cppcheck
host_check "the BPF backend builds (clang -Werror, static hugetrack-bpf)" make -s bpf

# The install paths, in private trees; the guests get what DKMS installed.
first=$(dkms_kernels | head -n 1)
last=$(dkms_kernels | tail -n 1)
host_check "make install / make uninstall for $last: modules_install, depmod, nothing left" \
	tests/packaging.sh make-install "$last"
host_check "make dkms-install: dkms add, build, install for $(echo $(dkms_kernels))" \
	tests/packaging.sh dkms-install
for ver in $(dkms_kernels); do
	host_check "modinfo of the DKMS module for $ver: VERSION, description, license, each parameter with its default" \
		tests/packaging.sh modinfo "$ver"
done
host_check "dkms autoinstall installs it again for $last (AUTOINSTALL)" \
	tests/packaging.sh autoinstall "$last"
host_check "DKMS refuses a kernel whose .config lacks CONFIG_KPROBES (BUILD_EXCLUSIVE_CONFIG)" \
	tests/packaging.sh exclusive "$first"
host_check "make dkms-remove leaves nothing behind" tests/packaging.sh dkms-remove

for ver in $kernels; do
	if [ -f "$BUILD/$ver/module/hugetrack.ko" ]; then
		run_guest "$ver"
	else
		report "$ver" fail "guest tests" "the module did not build"
	fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
