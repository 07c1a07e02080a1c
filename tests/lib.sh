# SPDX-License-Identifier: GPL-2.0
# Shared by the host-side scripts: where things are, which kernels to test.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$TOP/build

# The debug test kernel (tests/debug-kernel/): its name among the test
# kernels, and its build tree, outside the repository so that it outlives
# a clone (CI's is fresh).
DEBUG_KERNEL=6.12-debug
DEBUG_KERNEL_TREE=${HT_CACHE:-/var/cache/hugetrack}/debug-kernel

# The test kernels, oldest first: the installed ones with both an image and
# a build tree, then the debug kernel.  HT_KERNELS="ver ..." narrows the list.
test_kernels() {
	local image ver
	if [ -n "${HT_KERNELS:-}" ]; then
		printf '%s\n' $HT_KERNELS
		return
	fi
	for image in /boot/vmlinuz-*; do
		ver=${image#/boot/vmlinuz-}
		[ -d "/lib/modules/$ver/build" ] && echo "$ver"
	done | sort -V
	echo "$DEBUG_KERNEL"
}

# kernel_image VER / kernel_tree VER: what QEMU boots, what modules build against
kernel_image() {
	if [ "$1" = "$DEBUG_KERNEL" ]; then
		echo "$DEBUG_KERNEL_TREE/arch/x86/boot/bzImage"
	else
		echo "/boot/vmlinuz-$1"
	fi
}
kernel_tree() {
	if [ "$1" = "$DEBUG_KERNEL" ]; then
		echo "$DEBUG_KERNEL_TREE"
	else
		echo "/lib/modules/$1/build"
	fi
}

# kernel_release VER: its uname -r (the debug kernel's carries the sublevel),
# the name of its /lib/modules directory
kernel_release() {
	if [ "$1" = "$DEBUG_KERNEL" ]; then
		cat "$DEBUG_KERNEL_TREE/include/config/kernel.release"
	else
		echo "$1"
	fi
}

# kernel_modules_files VER: where VER's modules.order and modules.builtin are
kernel_modules_files() {
	if [ "$1" = "$DEBUG_KERNEL" ]; then
		echo "$DEBUG_KERNEL_TREE"
	else
		echo "/lib/modules/$1"
	fi
}

die() {
	echo "$(basename "$0"): $*" >&2
	exit 1
}

# The mm selftests (tests/mm-selftests.txt): mm_series VER is the source
# series whose tests VER runs (the debug kernel's is 6.12), mm_programs
# SERIES the programs that series' lines run.
mm_series() {
	if [ "$1" = "$DEBUG_KERNEL" ]; then
		echo 6.12
	else
		echo "$1" | cut -d. -f1-2 | sed 's/[^0-9.].*//'
	fi
}
mm_programs() {
	awk -v s="$1" '!/^#/ && $1 == s && !seen[$5]++ { print $5 }' "$TOP/tests/mm-selftests.txt"
}
