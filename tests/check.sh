#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The whole test suite: host checks, then for each test kernel one guest boot
# running tests/guest/t-*.sh.  Ends with "N passed, N failed" summed over
# everything; exits non-zero on any failure, including a guest that did not
# boot, crashed, hung or stopped reporting.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

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

# The module's objects, as Kbuild lists them (hugetrack-y), without .o.
module_objects() {
	sed -n '/^hugetrack-y/,/^$/p' "$TOP/Kbuild" | tr -s ' \\\t' '\n' | sed -n 's/\.o$//p'
}

# Warning-free with W=1, and sparse really ran on each file (C=2).
build_clean() {
	local log=$BUILD/$1/build.log src
	[ -f "$BUILD/$1/module/hugetrack.ko" ] || { tail -n 20 "$log"; return 1; }
	! grep -E '(warning|error):' "$log" || return 1
	for src in $(module_objects); do
		grep -qE "CHECK +(.*/)?$src\.c$" "$log" ||
			{ echo "sparse did not check $src.c"; return 1; }
	done
}

# The reader's outputs the guest handed over, checked by the host's tools
# (the guest has no JSON or XML parser, nor promtool).
check_artifacts() {
	local ver=$1 dir=$BUILD/$1/artifacts out
	tests/artifacts.sh "$BUILD/$ver/artifacts.log" "$dir" || true
	if [ -f "$dir/ledger.prom" ]; then	# t-23's
		if out=$("$BUILD/tools/promtool" check metrics <"$dir/ledger.prom" 2>&1); then
			report "$ver" ok "the ledger's Prometheus text from the guest passes promtool"
		else
			report "$ver" fail "the ledger's Prometheus text from the guest passes promtool" \
				"$(echo "$out" | tail -n 1)"
		fi
	fi
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

# prepare_guest VER: its root file system (with the mm selftests' subset,
# t-55, on one kernel: docs/testing.md); one at a time, for they share the
# guest programs' build
prepare_guest() {
	local ver=$1 mm=

	if [ "$ver" = "$(stock_kernel)" ]; then
		if tests/selftests-build.sh "$ver" >/dev/null; then
			mm=mm
		else
			report "$ver" fail "mm selftests build static from its source package" \
				"$(tail -n 1 "$BUILD/$ver/mm-build.log")"
		fi
	fi
	tests/initramfs.sh "$ver" $mm && return
	report "$ver" fail "guest root file system" "initramfs.sh failed"
	return 1
}

# boot_guest VER: runs in the background, so it only writes files: the TAP,
# the console, what vm.sh said, and how long the guest ran
boot_guest() {
	local ver=$1 start=$SECONDS

	HT_TESTS=${HT_TESTS:-$(kernel_tests "$ver")} tests/vm.sh "$ver" check \
		>"$BUILD/$ver/vm.log" 2>&1
	echo $((SECONDS - start)) >"$BUILD/$ver/guest-seconds"
}

# fold_guest VER: a finished guest's results into the totals
fold_guest() {
	local ver=$1

	sed 's/^/# /' "$BUILD/$ver/vm.log"
	echo "# $ver: guest ran $(cat "$BUILD/$ver/guest-seconds") s"
	fold_tap "$ver" "$BUILD/$ver/tap.log"
	check_artifacts "$ver"
	check_console "$ver"
}

# run_guests VER...: each TCG guest keeps one host core busy, so as many run
# at once as there are cores (HT_GUEST_JOBS), the debug kernel's, the
# longest, first; their results are folded in the order given
run_guests() {
	local ver jobs=${HT_GUEST_JOBS:-$(nproc)} booted=() longest_first=() running=0

	for ver in "$@"; do
		if [ ! -f "$BUILD/$ver/module/hugetrack.ko" ]; then
			report "$ver" fail "guest tests" "the module did not build"
		elif prepare_guest "$ver"; then
			booted+=("$ver")
		fi
	done
	for ver in "${booted[@]}"; do
		if [ "$ver" = "$DEBUG_KERNEL" ]; then
			longest_first=("$ver" "${longest_first[@]}")
		else
			longest_first+=("$ver")
		fi
	done
	for ver in "${longest_first[@]}"; do
		if [ "$running" -ge "$jobs" ]; then
			wait -n
			running=$((running - 1))
		fi
		boot_guest "$ver" &
		running=$((running + 1))
	done
	wait
	for ver in "${booted[@]}"; do
		fold_guest "$ver"
	done
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
	host_check "the module's files call only down their layers, no circle (nm of $ver's objects)" \
		tests/layers.sh "$BUILD/$ver/module"
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
host_check "no circle of calls among the reader's files (user/) nor the BPF library's (bpf/ht_bpf_*.c)" \
	tests/callgraph.sh user bpf
host_check "the rule book judges its table of events as both backends must (ASan, UBSan)" \
	tests/rules.sh
host_check "make user builds without clang or bpftool; --backend bpf then says so (exit 8)" \
	tests/user.sh without-bpf
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
for ver in $kernels; do
	[ "$(kernel_how "$ver")" != chroot ] ||
		host_check "make dkms-install for $ver in its own suite's chroot (its dkms): installed, modinfo as VERSION" \
			tests/packaging.sh dkms-chroot "$ver"
done
host_check "dkms autoinstall installs it again for $last (AUTOINSTALL)" \
	tests/packaging.sh autoinstall "$last"
host_check "DKMS refuses a kernel whose .config lacks CONFIG_KPROBES (BUILD_EXCLUSIVE_CONFIG)" \
	tests/packaging.sh exclusive "$first"
host_check "make dkms-remove leaves nothing behind" tests/packaging.sh dkms-remove

# The Debian packages, installed into a Debian 12 chroot of their own.
timed_check() {
	local start=$SECONDS
	host_check "$@"
	echo "#   $((SECONDS - start)) s"
}
timed_check "make deb: hugetrack-dkms (DKMS sources) and hugetrack (reader, hugetrack-bpf, man pages), VERSION's version" \
	tests/packaging.sh deb
timed_check "lintian: no error or warning on either package" tests/packaging.sh lintian
timed_check "apt install of both with linux-headers-6.12-amd64 and dkms in a chroot: DKMS built and installed hugetrack.ko" \
	tests/packaging.sh deb-install
timed_check "modinfo of the packaged module: VERSION, description, license, each parameter with its default" \
	tests/packaging.sh deb-modinfo
timed_check "hugetrack --version and hugetrack-bpf --version of the package run" tests/packaging.sh deb-run
timed_check "linux-headers-amd64 (6.1) installed afterwards: DKMS builds and installs it for 6.1 too" \
	tests/packaging.sh deb-kernel
timed_check "apt-get purge of both: no file of theirs, no DKMS tree, dkms status empty" \
	tests/packaging.sh deb-purge

run_guests $kernels

# The README's first commands as a person types them, in a terminal.
host_check "make demo in a terminal reaches its hugetrack check report and exits 0" \
	tests/pty.sh demo
host_check "Ctrl-C in make demo ends it and its QEMU, before any plot is handed over" \
	tests/pty.sh demo_interrupt
host_check "make shell in a terminal: a prompt, hugetrack snapshot, top redrawn in place, poweroff -f back to the host" \
	tests/pty.sh shell

summary
