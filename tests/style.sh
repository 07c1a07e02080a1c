#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# checkpatch.pl (from Debian's linux-source package) on the kernel-side
# sources: the module's, and the BPF program's.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

checkpatch=$(ls /usr/src/linux-source-*/scripts/checkpatch.pl 2>/dev/null | sort -V | tail -n 1)
[ -n "$checkpatch" ] || die "no checkpatch.pl under /usr/src/linux-source-*: run 'make setup'"
cd "$TOP"
perl "$checkpatch" --no-tree --quiet --terse --show-types -f \
	$(git ls-files -co --exclude-standard '*.c' '*.h' | grep -vE '^(user|tests|bpf)/')
# libbpf's read-only globals (set before load, constants to the verifier)
# are "const volatile" by design.
perl "$checkpatch" --no-tree --quiet --terse --show-types --ignore VOLATILE -f \
	bpf/hugetrack.bpf.c bpf/ht_bpf_shared.h
