#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Prints bpf/vmlinux.h: the C types of test kernel VER's BTF, taken from the
# .BTF section of its image (the build machine may run another kernel).
# Usage: vmlinux-h.sh VER >bpf/vmlinux.h
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ver=${1:?usage: vmlinux-h.sh VER}
extract=$(ls /usr/src/linux-source-*/scripts/extract-vmlinux 2>/dev/null | sort -V | tail -n 1)
[ -n "$extract" ] || die "no extract-vmlinux under /usr/src/linux-source-*: run 'make setup'"
[ -r "/boot/vmlinuz-$ver" ] || die "cannot read /boot/vmlinuz-$ver: install linux-image for $ver"
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
sh "$extract" "/boot/vmlinuz-$ver" >"$tmp"
bpftool btf dump file "$tmp" format c
