#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Installs what building and testing hugetrack needs on a Debian machine.
# Idempotent: does nothing when everything is there.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PACKAGES=(
	build-essential bc bison flex libelf-dev kmod dkms cpio busybox-static
	qemu-system-x86 sparse xz-utils
	linux-source-6.1 linux-source-6.12 ccache
	libjansson-dev clang cppcheck libxml2-utils python3
	libbpf-dev bpftool zlib1g-dev
	tmux librsvg2-bin
	debhelper dh-dkms lintian mmdebstrap fakeroot
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

# The host kernels of kernels.txt: linux-image-<release> and its headers,
# at the pinned version.
for ver in $(kernel_pins | awk '$4 == "host" { print $1 }'); do
	pinned=$(kernel_pins | awk -v k="$ver" '$1 == k { print $3 }')
	for pkg in "linux-image-$ver" "linux-headers-$ver"; do
		[ "$(dpkg-query -W -f='${Status} ${Version}' "$pkg" 2>/dev/null)" = "install ok installed $pinned" ] ||
			PACKAGES+=("$pkg=$pinned")
	done
done

missing=()
for pkg in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "${pkg%=*}" 2>/dev/null | grep -q 'ok installed' &&
		[ "$pkg" = "${pkg%=*}" ] || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}"
	# another setup on the same machine may hold dpkg's lock: wait for it
	as_root apt-get -o DPkg::Lock::Timeout=600 update -q
	for pkg in "${missing[@]}"; do
		[ "$pkg" = "${pkg%=*}" ] || apt-cache show "$pkg" >/dev/null 2>&1 ||
			pin_gone "$(echo "${pkg%=*}" | sed 's/^linux-[a-z]*-//')" "${pkg%=*}" "${pkg#*=}" \
				"$(apt-cache policy "${pkg%=*}" | sed -n 's/ *Candidate: //p' | grep -v none)"
	done
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		-o DPkg::Lock::Timeout=600 --no-install-recommends "${missing[@]}"
fi

"$TOP/tests/setup-chroot.sh"

# checkpatch.pl and the files it reads come from the kernel source package.
if [ ! -f "$CHECKPATCH_TREE/scripts/checkpatch.pl" ]; then
	echo "setup: unpacking scripts/ from $CHECKPATCH_TREE.tar.xz"
	as_root tar -C /usr/src -xf "$CHECKPATCH_TREE.tar.xz" \
		linux-source-6.12/scripts
fi

# promtool checks the reader's Prometheus output.  It is unpacked from
# Debian's prometheus package, not installed: that would start a server.
PROMTOOL=$TOP/build/tools/promtool
if [ ! -x "$PROMTOOL" ]; then
	echo "setup: unpacking promtool from Debian's prometheus package"
	tmp=$(mktemp -d)
	(cd "$tmp" && { apt-get download -q prometheus 2>/dev/null ||
		{ as_root apt-get update -q && apt-get download -q prometheus; }; })
	mkdir -p "$(dirname "$PROMTOOL")"
	dpkg-deb --fsys-tarfile "$tmp"/prometheus_*.deb | tar -x -C "$tmp" ./usr/bin/promtool
	mv "$tmp/usr/bin/promtool" "$PROMTOOL"
	rm -rf "$tmp"
fi
