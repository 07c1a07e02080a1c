#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Installs what building and testing hugetrack needs on a Debian machine.
# Idempotent: does nothing when everything is there.
set -euo pipefail

PACKAGES=(
	build-essential bc bison flex libelf-dev kmod cpio busybox-static
	qemu-system-x86 sparse xz-utils
	linux-image-amd64 linux-headers-amd64
	linux-image-6.12-amd64 linux-headers-6.12-amd64
	linux-source-6.12 ccache
)
CHECKPATCH_TREE=/usr/src/linux-source-6.12

as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null; then
		sudo "$@"
	else
		echo "setup: need root to run '$*': run 'make setup' as root" >&2
		exit 1
	fi
}

missing=()
for pkg in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}"
	as_root apt-get update -q
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "${missing[@]}"
fi

# checkpatch.pl and the files it reads come from the kernel source package.
if [ ! -f "$CHECKPATCH_TREE/scripts/checkpatch.pl" ]; then
	echo "setup: unpacking scripts/ from $CHECKPATCH_TREE.tar.xz"
	as_root tar -C /usr/src -xf "$CHECKPATCH_TREE.tar.xz" \
		linux-source-6.12/scripts
fi
