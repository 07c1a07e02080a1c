#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The test kernels of tests/kernels.txt from Debian suites newer than the
# build machine's (how "chroot"): their headers need that suite's gcc and
# glibc.  For each: the kernel image (linux-binary-<release>) and its config
# and modules.* files (linux-base-<release>) unpacked into
# $HT_CACHE/kernels/<release>/, fetched with apt-get download through a
# sources list of its own ($HT_CACHE/apt/: the machine's apt sources stay
# untouched); and per suite an mmdebstrap chroot, $HT_CACHE/chroot-<suite>/,
# with gcc, make, sparse, dkms and the pinned headers, where
# tests/build-modules.sh and DKMS (tests/packaging.sh dkms-chroot) build.  Their headers packages lack scripts/checker-valid.sh, without
# which kbuild does not run sparse: it is copied in from the pinned
# linux-source package, which stays in $HT_CACHE/dl/ for
# tests/selftests-build.sh (the kernel's mm selftests).  Idempotent: does
# nothing when all is there at the pinned versions.
# Called by tests/setup.sh, as root.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

MIRROR=${HT_MIRROR:-http://deb.debian.org/debian}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
APT=$HT_CACHE/apt
# what the modules build with, besides the headers (build_clean needs
# sparse; the guest's modprobe test needs what DKMS installs)
CHROOT_PACKAGES=$CHROOT_CC,make,libc6-dev,sparse,dkms

kernels=$(kernel_pins | awk '$4 == "chroot" { print $1 }')
[ -n "$kernels" ] || exit 0
mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial"

# sources SUITE: its apt lines; experimental holds only what is newer than
# sid, so it comes with sid
sources() {
	echo "deb [signed-by=$KEYRING] $MIRROR sid main"
	[ "$1" = sid ] || echo "deb [signed-by=$KEYRING] $MIRROR $1 main"
}

# The Release files of these suites are past Valid-Until in our mirror.
private_apt() {
	local tool=$1
	shift
	"$tool" -o Dir::Etc::sourcelist="$APT/sources.list" -o Dir::Etc::sourceparts=- \
		-o Dir::State::Lists="$APT/lists" -o Dir::Cache="$APT/cache" \
		-o Acquire::Check-Valid-Until=false -q "$@"
}

for suite in $(for ver in $kernels; do kernel_suite "$ver"; done | sort -u); do
	sources "$suite"
done | sort -u >"$APT/sources.list.new"
if ! cmp -s "$APT/sources.list.new" "$APT/sources.list" ||
	[ -z "$(ls "$APT/lists" | grep Packages)" ]; then
	mv "$APT/sources.list.new" "$APT/sources.list"
	private_apt apt-get update >/dev/null
fi
rm -f "$APT/sources.list.new"

# every pinned package must be there: update once, then say what to change
for ver in $kernels; do
	pinned=$(pinned_version "$ver")
	for pkg in "linux-binary-$ver" "linux-headers-$ver"; do
		private_apt apt-cache show "$pkg=$pinned" >/dev/null 2>&1 && continue
		private_apt apt-get update >/dev/null
		private_apt apt-cache show "$pkg=$pinned" >/dev/null 2>&1 ||
			pin_gone "$ver" "$pkg" "$pinned" \
				"$(private_apt apt-cache policy "$pkg" | sed -n 's/ *Candidate: //p' | grep -v none)"
	done
done

for ver in $kernels; do
	pinned=$(pinned_version "$ver")
	dir=$(chroot_kernel_dir "$ver")
	[ "$(cat "$dir/.version" 2>/dev/null)" != "$pinned" ] || continue
	echo "setup: unpacking linux-binary-$ver $pinned into $dir"
	tmp=$(mktemp -d)
	(cd "$tmp" && private_apt apt-get download "linux-binary-$ver=$pinned" \
		"linux-base-$ver=$pinned" 2>&1 | grep -v unsandboxed)
	for deb in "$tmp"/*.deb; do
		dpkg-deb -x "$deb" "$tmp/root"
	done
	rm -rf "$dir"
	mkdir -p "$(dirname "$dir")"
	mv "$tmp/root/usr/lib/modules/$ver" "$dir"
	echo "$pinned" >"$dir/.version"
	rm -rf "$tmp"
done

for suite in $(for ver in $kernels; do kernel_suite "$ver"; done | sort -u); do
	root=$(suite_chroot "$suite")
	include=$CHROOT_PACKAGES
	for ver in $kernels; do
		[ "$(kernel_suite "$ver")" != "$suite" ] ||
			include+=",linux-headers-$ver=$(pinned_version "$ver")"
	done
	[ "$(cat "$root/.hugetrack-key" 2>/dev/null)" != "$include" ] || continue
	echo "setup: making the $suite chroot $root with $include"
	rm -rf "$root" "$root.new"
	mapfile -t mirrors < <(sources "$suite")
	mmdebstrap --quiet --variant=apt --aptopt='Acquire::Check-Valid-Until "false"' \
		--include="$include" sid "$root.new" "${mirrors[@]}"
	echo "$include" >"$root.new/.hugetrack-key"
	mv "$root.new" "$root"
done

# their source packages: scripts/checker-valid.sh below, the mm selftests
# (tests/selftests-build.sh)
for ver in $kernels; do
	deb=$(source_deb "$ver")
	[ ! -f "$deb" ] || continue
	series=$(mm_series "$ver")
	echo "setup: downloading linux-source-$series $(pinned_version "$ver") into $(dirname "$deb")"
	mkdir -p "$(dirname "$deb")"
	(cd "$(dirname "$deb")" &&
		private_apt apt-get download "linux-source-$series=$(pinned_version "$ver")" 2>&1 | grep -v unsandboxed)
	[ -f "$deb" ] || { echo "setup: apt-get download did not make $deb" >&2; exit 1; }
done

# kbuild runs sparse (C=2) only if scripts/checker-valid.sh says it works
for ver in $kernels; do
	common=$(suite_chroot "$(kernel_suite "$ver")")/usr/src/linux-headers-${ver%-*}-common
	[ ! -f "$common/scripts/checker-valid.sh" ] || continue
	series=$(mm_series "$ver")
	echo "setup: copying scripts/checker-valid.sh into $common from $(source_deb "$ver")"
	tmp=$(mktemp -d)
	dpkg-deb --fsys-tarfile "$(source_deb "$ver")" | tar -xO "./usr/src/linux-source-$series.tar.xz" |
		tar -xJO "linux-source-$series/scripts/checker-valid.sh" >"$tmp/checker-valid.sh"
	install -m 755 "$tmp/checker-valid.sh" "$common/scripts/checker-valid.sh"
	rm -rf "$tmp"
done
