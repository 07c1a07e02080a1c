# SPDX-License-Identifier: GPL-2.0
# Shared by the host-side scripts: where things are, which kernels to test.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$TOP/build

# Installed kernels with both an image and a build tree, oldest first.
# HT_KERNELS="ver ..." narrows the list.
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
}

die() {
	echo "$(basename "$0"): $*" >&2
	exit 1
}
