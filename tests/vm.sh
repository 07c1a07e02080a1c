#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boots test kernel VER under QEMU (TCG: nested KVM does not work on our
# machines) with the initramfs of initramfs.sh.
# Usage: vm.sh VER MODE   MODE: check (TAP to build/VER/tap.log, console to
# build/VER/console.log, files the guest hands over to
# build/VER/artifacts.log), selftests or soak (the same, TAP to
# build/VER/MODE.log), bench (its lines to build/VER/bench.log), demo or
# shell (console on this terminal).
# HT_APPEND adds to the kernel command line (e.g. "loglevel=7"); HT_TESTS
# ("t-10 t-25") runs only the guest tests whose names start so; HT_BENCH
# ("ht_rounds=7 ht_n_cached=300") sets the bench's rounds and workload sizes.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ver=${1:?usage: vm.sh VER MODE}
mode=${2:?usage: vm.sh VER MODE}
kernel=$(kernel_image "$ver")
[ -r "$kernel" ] || die "cannot read $kernel: run as root, or install linux-image for $ver (the debug kernel: tests/debug-kernel/build.sh)"
command -v qemu-system-x86_64 >/dev/null || die "no qemu-system-x86_64: run 'make setup'"

append="console=ttyS0 hugepages=16 panic=-1 panic_on_warn=1 ht_mode=$mode"
memory=1024
timeout=1500
if [ "$ver" = "$DEBUG_KERNEL" ]; then
	# A KASAN report panics, so the run fails even if the tests pass;
	# lockdep's reports are warnings: the console shows them (loglevel=5).
	# KASAN's shadow and quarantine and kmemleak's metadata need memory,
	# and everything runs slower.
	append+=" kasan.fault=panic loglevel=5"
	memory=1536
	timeout=2400
else
	append+=" quiet"
fi
append+=" ${HT_APPEND:-}"
[ -z "${HT_TESTS:-}" ] || append+=" ht_tests=$(echo $HT_TESTS | tr ' ' ,)"
[ -z "${HT_BENCH:-}" ] || append+=" $HT_BENCH"
# The bench counts instructions (-icount below), under which 6.1 hangs
# bringing up its second CPU at boot: it boots on one, bench.sh onlines it.
[ "$mode" != bench ] || append+=" maxcpus=1"
# One host thread for both vCPUs: with multi-threaded TCG a vCPU can run a
# stale translation of kernel text that another vCPU is live-patching
# (text_poke_bp: "Oops: int3" in a static-key site, or a hang).
qemu=(qemu-system-x86_64 -accel tcg,thread=single -cpu max -m "$memory" -smp 2 -nodefaults
	-display none -no-reboot -kernel "$kernel"
	-initrd "$BUILD/$ver/initramfs.cpio" -append "$append")

# The bench counts instructions: guest time advances 1 ns per instruction
# executed, whatever else the host runs meanwhile.
[ "$mode" != bench ] || qemu+=(-icount shift=0)

# GNU timeout runs its command in a process group of its own unless told
# --foreground: under a terminal QEMU would then be a background job, stopped
# by SIGTTOU when it sets the terminal's mode, and deaf to Ctrl-C.
bounded() {
	timeout --foreground "${HT_BOOT_TIMEOUT:-$timeout}" "$@"
}

case $mode in
check | selftests | soak)
	tap=$BUILD/$ver/$mode.log
	[ "$mode" != check ] || tap=$BUILD/$ver/tap.log
	rm -f "$tap" "$BUILD/$ver/console.log" "$BUILD/$ver/artifacts.log"
	bounded "${qemu[@]}" \
		-serial "file:$BUILD/$ver/console.log" \
		-serial "file:$tap" \
		-serial "file:$BUILD/$ver/artifacts.log" </dev/null
	;;
bench)
	rm -f "$BUILD/$ver/bench.log" "$BUILD/$ver/console.log"
	bounded "${qemu[@]}" \
		-serial "file:$BUILD/$ver/console.log" \
		-serial "file:$BUILD/$ver/bench.log" </dev/null
	;;
demo)
	# Nothing to type: the console is plain stdio, where Ctrl-C ends QEMU
	# (and the demo with it).  The third port hands files over, as in check.
	rm -f "$BUILD/$ver/artifacts.log"
	[ "$ver" = "$DEBUG_KERNEL" ] || timeout=300
	bounded "${qemu[@]}" -serial stdio -serial null \
		-serial "file:$BUILD/$ver/artifacts.log"
	;;
shell)
	# An interactive shell: Ctrl-C goes to the guest, Ctrl-A X leaves QEMU.
	rm -f "$BUILD/$ver/artifacts.log"
	exec "${qemu[@]}" -serial mon:stdio -serial null \
		-serial "file:$BUILD/$ver/artifacts.log"
	;;
*)
	die "unknown mode $mode: check, bench, demo or shell"
	;;
esac
