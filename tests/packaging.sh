#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The install paths a developer's box takes, tested on the host in private
# trees under build/packaging/, so that the machine's own DKMS tree and
# /lib/modules stay untouched (dkms --dkmstree/--sourcetree/--installtree
# --no-depmod; depmod -b on the private tree).
# Usage: packaging.sh STEP [VER]
#   dkms-install        make dkms-install (dkms add, build, install) for
#                       every test kernel; leaves each kernel's tree, with its
#                       depmod files, in build/<ver>/dkms-root/ for the guest
#   modinfo VER         what DKMS installed for VER: version from VERSION,
#                       description, license, every parameter and its default
#   autoinstall VER     AUTOINSTALL: uninstalled, "dkms autoinstall" puts it back
#   exclusive VER       a kernel whose .config lacks CONFIG_KPROBES is refused
#   dkms-chroot VER     a kernel of a newer suite (kernels.txt: chroot): make
#                       dkms-install in that suite's chroot, with its dkms;
#                       modinfo of what it installed; build/<ver>/dkms-root/
#   dkms-remove         make dkms-remove leaves nothing behind
#   make-install VER    make install / make uninstall into a private root
# The Debian packages (make deb), installed into a Debian 12 chroot made
# with mmdebstrap (its base tarball and the .debs apt fetches are kept in
# $HT_CACHE, /var/cache/hugetrack), with DKMS and kernel headers of its own:
#   deb                 make deb: both packages, VERSION's version, their files
#   lintian             no error or warning on either (overrides say why)
#   deb-install         a fresh chroot: apt install of both with the 6.12
#                       headers and dkms: DKMS built and installed hugetrack.ko
#   deb-modinfo         modinfo of that module: VERSION, every parameter
#   deb-run             hugetrack --version and hugetrack-bpf --version
#   deb-kernel          the 6.1 headers installed afterwards: built for them too
#   deb-purge           apt-get purge of both: no file of theirs, no DKMS tree
set -euo pipefail
. "$(dirname "$0")/lib.sh"

T=$BUILD/packaging
VERSION=$(cat "$TOP/VERSION")
DKMS_FLAGS="--dkmstree $T/dkms --installtree $T/lib/modules --no-depmod"
DKMS_MAKE=(make -s -C "$TOP" DKMS_SOURCE_TREE="$T/src" DKMS_FLAGS="$DKMS_FLAGS")
PARAMETERS="audit_ms groups kretprobe_maxactive refcount_threshold ring_size"

dkms_private() {
	dkms $DKMS_FLAGS --sourcetree "$T/src" "$@"
}

# installed_module VER: the module DKMS installed for VER (.ko or .ko.xz)
installed_module() {
	ls "$T/lib/modules/$1/updates/dkms/hugetrack.ko"* 2>/dev/null
}

# dkms_state VER: "installed", "built", ... as dkms status says, or nothing
dkms_state() {
	dkms_private status -k "$1" hugetrack/"$VERSION" | sed -n 's/.*: //p'
}

step_dkms_install() {
	local kernels ver rel log
	kernels=$(dkms_kernels)
	rm -rf "$T" "$BUILD"/*/dkms-root
	mkdir -p "$T/src" "$T/dkms"
	# what the kernel package installs, that modprobe reads (the debug
	# kernel's build tree has them: it has no package)
	for ver in $kernels; do
		rel=$(kernel_release "$ver")
		mkdir -p "$T/lib/modules/$rel"
		cp "$(kernel_modules_files "$ver")"/modules.{order,builtin,builtin.modinfo} "$T/lib/modules/$rel/"
	done
	"${DKMS_MAKE[@]}" dkms-install DKMS_KERNELS="$(echo $kernels | tr ' ' '\n' | grep -vx "$DEBUG_KERNEL" | xargs)" \
		>"$T/dkms-install.log" 2>&1 || { tail -n 20 "$T/dkms-install.log"; return 1; }
	# a self-built kernel has no /lib/modules/<ver>/build: DKMS is told
	# where its tree is, as its user would
	if echo "$kernels" | grep -qx "$DEBUG_KERNEL"; then
		rel=$(kernel_release "$DEBUG_KERNEL")
		dkms_private build hugetrack/"$VERSION" -k "$rel" --kernelsourcedir "$DEBUG_KERNEL_TREE" \
			>>"$T/dkms-install.log" 2>&1 &&
			dkms_private install hugetrack/"$VERSION" -k "$rel" >>"$T/dkms-install.log" 2>&1 ||
			{ tail -n 20 "$T/dkms-install.log"; return 1; }
	fi
	for ver in $kernels; do
		stage_dkms_module "$ver" "$T" "$(dkms_state "$(kernel_release "$ver")")" || return 1
	done
}

# stage_dkms_module VER TREE STATE: what DKMS built for VER into TREE (its
# dkms/ and lib/modules/), in state STATE, is installed, warning-free, in
# modules.dep, and is copied to build/<ver>/dkms-root/ for the guest
stage_dkms_module() {
	local ver=$1 tree=$2 rel log
	rel=$(kernel_release "$ver")
	[ "$3" = installed ] || { echo "dkms status for $rel: '$3', not installed"; return 1; }
	ls "$tree/lib/modules/$rel/updates/dkms/hugetrack.ko"* >/dev/null 2>&1 ||
		{ echo "nothing in updates/dkms/ for $rel"; return 1; }
	log=$tree/dkms/hugetrack/$VERSION/$rel/x86_64/log/make.log
	! grep -E '(warning|error):' "$log" || { echo "the DKMS build for $rel warned"; return 1; }
	depmod -b "$tree" "$rel"
	grep -q "^updates/dkms/hugetrack.ko[.a-z]*:" "$tree/lib/modules/$rel/modules.dep" ||
		{ echo "modules.dep of $rel does not list hugetrack"; return 1; }
	mkdir -p "$BUILD/$ver/dkms-root/lib/modules"
	cp -a "$tree/lib/modules/$rel" "$BUILD/$ver/dkms-root/lib/modules/"
}

# A kernel of a newer suite: its headers build only in that suite's chroot,
# so DKMS runs there (the chroot's own dkms), into a tree of its own.
step_dkms_chroot() {
	local ver=$1 tree=$T/chroot-$1 flags
	flags="--dkmstree $tree/dkms --installtree $tree/lib/modules --no-depmod"
	rm -rf "$tree" "$BUILD/$ver/dkms-root"
	mkdir -p "$tree/src" "$tree/dkms" "$tree/lib/modules/$ver"
	cp "$(kernel_modules_files "$ver")"/modules.{order,builtin,builtin.modinfo} "$tree/lib/modules/$ver/"
	in_chroot "$ver" make -s -C "$TOP" DKMS_SOURCE_TREE="$tree/src" \
		DKMS_FLAGS="$flags --kernelsourcedir $(kernel_tree "$ver")" \
		dkms-install DKMS_KERNELS="$ver" >"$tree/dkms-install.log" 2>&1 ||
		{ tail -n 20 "$tree/dkms-install.log"; return 1; }
	check_modinfo "$(ls "$tree/lib/modules/$ver/updates/dkms/hugetrack.ko"*)" "$ver" &&
		stage_dkms_module "$ver" "$tree" \
			"$(in_chroot "$ver" dkms $flags --sourcetree "$tree/src" status -k "$ver" hugetrack/"$VERSION" |
				sed -n 's/.*: //p')"
}

step_modinfo() {
	check_modinfo "$(installed_module "$1")" "$1"
}

# check_modinfo KO VER: what modinfo says of KO, built for VER
check_modinfo() {
	local ko=$1 parm
	[ -n "$ko" ] || { echo "no module installed for $2"; return 1; }
	[ "$(modinfo -F version "$ko")" = "$VERSION" ] ||
		{ echo "version '$(modinfo -F version "$ko")', VERSION says $VERSION"; return 1; }
	[ "$(modinfo -F license "$ko")" = GPL ] || { echo "license '$(modinfo -F license "$ko")'"; return 1; }
	[ -n "$(modinfo -F description "$ko")" ] || { echo "no description"; return 1; }
	[ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$2" ] || { echo "built for another kernel"; return 1; }
	parm=$(modinfo -F parm "$ko")
	echo "$parm"
	[ "$(echo "$parm" | cut -d: -f1 | sort | xargs)" = "$PARAMETERS" ] ||
		{ echo "parameters are [$(echo "$parm" | cut -d: -f1 | xargs)], expected [$PARAMETERS]"; return 1; }
	! echo "$parm" | grep -v ':.\{20,\} \[DEFAULT: [^]]*\] ([a-z]*)$' ||
		{ echo "a parameter without a description and its default"; return 1; }
}

step_autoinstall() {
	dkms_private uninstall hugetrack/"$VERSION" -k "$1" >/dev/null
	[ -z "$(installed_module "$1")" ] || { echo "dkms uninstall left the module"; return 1; }
	dkms_private autoinstall -k "$1" --kernelsourcedir "$KERNEL_TREE" >"$T/autoinstall.log" 2>&1 ||
		{ tail -n 5 "$T/autoinstall.log"; return 1; }
	[ "$(dkms_state "$1")" = installed ] && [ -n "$(installed_module "$1")" ] ||
		{ echo "dkms autoinstall did not install it: '$(dkms_state "$1")'"; return 1; }
}

# A kernel tree whose .config lacks CONFIG_KPROBES: DKMS must not build
# (it reads the .config alone before it builds).
step_exclusive() {
	local fake=$T/no-kprobes out status=0
	rm -rf "$fake"
	mkdir -p "$fake"
	grep -v '^CONFIG_KPROBES=' "$KERNEL_TREE/.config" >"$fake/.config"
	dkms_private uninstall hugetrack/"$VERSION" -k "$1" >/dev/null
	dkms_private unbuild hugetrack/"$VERSION" -k "$1" >/dev/null
	out=$(dkms_private build hugetrack/"$VERSION" -k "$1" --kernelsourcedir "$fake" 2>&1) || status=$?
	rm -rf "$fake"
	echo "$out" | tail -n 3
	[ "$status" -ne 0 ] || { echo "dkms built for a kernel without CONFIG_KPROBES"; return 1; }
	echo "$out" | grep -q 'BUILD_EXCLUSIVE' || { echo "refused, but not for BUILD_EXCLUSIVE"; return 1; }
	[ ! -d "$T/dkms/hugetrack/$VERSION/$1" ] || { echo "a build directory was left"; return 1; }
	# put it back as it was, for the guests
	dkms_private install hugetrack/"$VERSION" -k "$1" --kernelsourcedir "$KERNEL_TREE" >/dev/null
}

step_dkms_remove() {
	local left ver
	"${DKMS_MAKE[@]}" dkms-remove >"$T/dkms-remove.log" 2>&1 ||
		{ tail -n 20 "$T/dkms-remove.log"; return 1; }
	for ver in $(dkms_kernels); do
		depmod -b "$T" "$(kernel_release "$ver")"
	done
	left=$(find "$T/src" "$T/dkms" "$T/lib" -name '*hugetrack*'
		grep -rl hugetrack "$T/lib" || true)
	[ -z "$left" ] || { echo "left behind: $(echo $left)"; return 1; }
	[ -z "$(dkms_private status)" ] || { echo "dkms status: $(dkms_private status)"; return 1; }
}

step_make_install() {
	local root=$T/root src=$T/make-install ko
	rm -rf "$root" "$src"
	mkdir -p "$root/lib/modules/$1" "$src"
	# a fresh copy of what a user has, so that the build is the user's build
	cp -r "$TOP"/{Makefile,Kbuild,VERSION,compat,*.h,*.c} "$src/"
	make -s -C "$src" KERNELRELEASE="$1" KDIR="$KERNEL_TREE" INSTALL_MOD_PATH="$root" install >"$T/make-install.log" 2>&1 ||
		{ tail -n 20 "$T/make-install.log"; return 1; }
	ko=$(ls "$root/lib/modules/$1/extra/hugetrack.ko"* 2>/dev/null)
	[ -n "$ko" ] || { echo "make install put nothing in extra/"; return 1; }
	grep -q '^extra/hugetrack.ko[.a-z]*:' "$root/lib/modules/$1/modules.dep" ||
		{ echo "make install's depmod did not list it"; return 1; }
	make -s -C "$src" KERNELRELEASE="$1" INSTALL_MOD_PATH="$root" uninstall >>"$T/make-install.log" 2>&1 ||
		{ tail -n 20 "$T/make-install.log"; return 1; }
	[ -z "$(find "$root" -name 'hugetrack.ko*')" ] || { echo "make uninstall left the module"; return 1; }
	! grep -rq hugetrack "$root/lib/modules/$1" || { echo "make uninstall left it in the depmod files"; return 1; }
	rm -rf "$root" "$src"
}

DEB_OUT=$BUILD/deb
DEBS=("$DEB_OUT/hugetrack-dkms_${VERSION}_all.deb" "$DEB_OUT/hugetrack_${VERSION}_amd64.deb")
CHROOT=$BUILD/deb-chroot
CACHE=${HT_CACHE:-/var/cache/hugetrack}
APT_ARCHIVES=$CACHE/deb-apt-archives
# what the base chroot has: apt and what it needs, nothing of DKMS's
CHROOT_VARIANT=apt
CHROOT_INCLUDE=""
CHROOT_APT=(env DEBIAN_FRONTEND=noninteractive INITRD=No apt-get -q -y --no-install-recommends)

# deb_files DEB: the files (not directories) a package holds, as paths
deb_files() {
	dpkg-deb --fsys-tarfile "$1" | tar -t | grep -v '/$' | sed 's|^\.||'
}

step_deb() {
	local deb files
	make -s -C "$TOP" deb >"$BUILD/deb.log" 2>&1 || { tail -n 20 "$BUILD/deb.log"; return 1; }
	for deb in "${DEBS[@]}"; do
		[ -f "$deb" ] || { echo "make deb made no $(basename "$deb"): $(ls "$DEB_OUT")"; return 1; }
		[ "$(dpkg-deb -f "$deb" Version)" = "$VERSION" ] ||
			{ echo "$(basename "$deb") is version $(dpkg-deb -f "$deb" Version), VERSION says $VERSION"; return 1; }
	done
	files=$(deb_files "${DEBS[1]}")
	for f in /usr/bin/hugetrack /usr/bin/hugetrack-bpf /usr/share/man/man1/hugetrack.1.gz \
		/usr/share/man/man1/hugetrack-bpf.1.gz /usr/share/doc/hugetrack/README.md.gz \
		/usr/share/doc/hugetrack/docs/bpf.md.gz /usr/share/doc/hugetrack/docs/files.md.gz; do
		echo "$files" | grep -qx "$f" || { echo "hugetrack has no $f"; return 1; }
	done
	[ -z "$(dpkg-deb -f "${DEBS[1]}" Depends)" ] ||
		{ echo "hugetrack depends on $(dpkg-deb -f "${DEBS[1]}" Depends)"; return 1; }
	[ "$(dpkg-deb -f "${DEBS[1]}" Recommends)" = hugetrack-dkms ] || { echo "hugetrack does not recommend hugetrack-dkms"; return 1; }
	# the sources DKMS builds from, and no build output of a checkout
	files=$(deb_files "${DEBS[0]}" | sed -n "s|^/usr/src/hugetrack-$VERSION/||p")
	for f in Makefile Kbuild VERSION dkms.conf compat/compat.h main.c; do
		echo "$files" | grep -qx "$f" || { echo "hugetrack-dkms has no /usr/src/hugetrack-$VERSION/$f"; return 1; }
	done
	! echo "$files" | grep -E '\.(o|ko|mod|mod\.c|cmd|order|symvers)$' ||
		{ echo "hugetrack-dkms carries build outputs"; return 1; }
	dpkg-deb -f "${DEBS[0]}" Depends | grep -q '^dkms' || { echo "hugetrack-dkms does not depend on dkms"; return 1; }
	# the build ran in build/deb/src: nothing of it in debian/
	[ -z "$(cd "$TOP" && git status --porcelain --ignored debian 2>/dev/null)" ] ||
		{ echo "debian/ has build outputs: $(cd "$TOP" && git status --porcelain --ignored debian)"; return 1; }
}

step_lintian() {
	local out
	out=$(lintian --pedantic --display-info --show-overrides "${DEBS[@]}" 2>&1) || true
	echo "$out" | grep -E '^O:' || true
	! echo "$out" | grep -E '^[EW]:' || { echo "lintian finds errors or warnings"; return 1; }
	[ -n "$(echo "$out" | grep -E '^O:')" ] || { echo "lintian did not run: $out"; return 1; }
}

# The machine's apt sources of Debian 12, for the chroot's apt
mirror_sources() {
	apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT) $(ORIGIN)' 'Identifier: Packages' |
		awk '$4 == "Debian" && $2 ~ /^bookworm/ { print "deb " $1 " " $2 " " $3 }' | sort -u
}

# in_deb_chroot CMD...: CMD in the chroot, with /proc (objtool) and the kept
# .debs mounted in a mount namespace of its own, gone when it ends
in_deb_chroot() {
	unshare --mount --propagation private -- bash -c '
		mount -t proc proc "$0/proc" &&
		mount --bind "$1" "$0/var/cache/apt/archives" &&
		exec chroot "$0" "${@:2}"' "$CHROOT" "$APT_ARCHIVES" "$@"
}

# The chroot is a tmpfs of its own (the disk is slow to write and to
# empty): remove_chroot unmounts it, when nothing else is mounted in it.
remove_chroot() {
	[ -d "$CHROOT" ] || return 0
	! grep -q " $CHROOT/" /proc/mounts || { echo "something is mounted in $CHROOT"; return 1; }
	if mountpoint -q "$CHROOT"; then
		umount "$CHROOT"
	fi
	rm -rf --one-file-system "$CHROOT"
}

# new_chroot: a fresh Debian 12 chroot from the cached base tarball, made
# (mmdebstrap) when the package list or the mirror changed
new_chroot() {
	local sources hash base
	sources=$(mirror_sources)
	[ -n "$sources" ] || { echo "no Debian bookworm source in the machine's apt"; return 1; }
	hash=$(printf '%s\n' "$CHROOT_VARIANT" "$CHROOT_INCLUDE" "$sources" | sha256sum | cut -c1-16)
	base=$CACHE/deb-chroot-$hash.tar
	mkdir -p "$CACHE" "$APT_ARCHIVES/partial"
	if [ ! -f "$base" ]; then
		rm -f "$CACHE"/deb-chroot-*.tar
		echo "$sources" >"$CACHE/deb-chroot.sources.list"
		mmdebstrap --quiet --format=tar --variant="$CHROOT_VARIANT" ${CHROOT_INCLUDE:+--include="$CHROOT_INCLUDE"} \
			bookworm "$CACHE/new.tar" "$CACHE/deb-chroot.sources.list" >"$BUILD/mmdebstrap.log" 2>&1 ||
			{ tail -n 20 "$BUILD/mmdebstrap.log"; rm -f "$CACHE/new.tar"; return 1; }
		mv "$CACHE/new.tar" "$base"
	fi
	remove_chroot
	mkdir -p "$CHROOT"
	mount -t tmpfs -o size=4g,mode=0755 hugetrack-deb-chroot "$CHROOT"
	tar -C "$CHROOT" -xf "$base"
	cp -L /etc/resolv.conf "$CHROOT/etc/resolv.conf"
	# no fsync per file, and no modules of the kernel image the 6.12
	# headers depend on (DKMS builds against the headers): the chroot is
	# thrown away, and this makes it a quarter of its size
	printf '%s\n' force-unsafe-io 'path-exclude=/lib/modules/*/kernel/*' \
		>"$CHROOT/etc/dpkg/dpkg.cfg.d/hugetrack-test"
	in_deb_chroot apt-get -q update >"$CHROOT.log" 2>&1 || { tail -n 20 "$CHROOT.log"; return 1; }
	# the kept .debs that the mirror no longer has go
	in_deb_chroot apt-get -q autoclean >>"$CHROOT.log" 2>&1
}

# headers_release PKG: the kernel release a linux-headers metapackage installs
headers_release() {
	in_deb_chroot apt-cache depends "$1" | sed -n 's/^ *Depends: linux-headers-\(.*-amd64\)$/\1/p' | head -n 1
}

# chroot_dkms_state REL: what the chroot's dkms status says of hugetrack for REL
chroot_dkms_state() {
	in_deb_chroot dkms status -k "$1" hugetrack/"$VERSION" 2>/dev/null | sed -n 's/.*: //p'
}

# chroot_module REL: the module DKMS installed for REL in the chroot
chroot_module() {
	ls "$CHROOT/lib/modules/$1/updates/dkms/hugetrack.ko"* 2>/dev/null
}

# built_for REL: DKMS built and installed it for REL, warning-free, and
# depmod lists it
built_for() {
	local log=$CHROOT/var/lib/dkms/hugetrack/$VERSION/$1/x86_64/log/make.log
	[ "$(chroot_dkms_state "$1")" = installed ] ||
		{ echo "dkms status for $1: '$(chroot_dkms_state "$1")', not installed"; return 1; }
	[ -n "$(chroot_module "$1")" ] || { echo "nothing in /lib/modules/$1/updates/dkms/"; return 1; }
	[ -f "$log" ] || { echo "no DKMS build log for $1"; return 1; }
	! grep -E '(warning|error):' "$log" || { echo "the DKMS build for $1 warned"; return 1; }
	grep -q "^updates/dkms/hugetrack.ko[.a-z]*:" "$CHROOT/lib/modules/$1/modules.dep" ||
		{ echo "modules.dep of $1 does not list hugetrack"; return 1; }
	in_deb_chroot dkms status hugetrack 2>/dev/null
}

step_deb_install() {
	local rel
	new_chroot
	cp "${DEBS[@]}" "$CHROOT/tmp/"
	rel=$(headers_release linux-headers-6.12-amd64)
	[ -n "$rel" ] || { echo "no kernel release for linux-headers-6.12-amd64"; return 1; }
	echo "$rel" >"$CHROOT.first"
	in_deb_chroot "${CHROOT_APT[@]}" install "${DEBS[@]/#$DEB_OUT//tmp}" linux-headers-6.12-amd64 dkms \
		>>"$CHROOT.log" 2>&1 || { tail -n 20 "$CHROOT.log"; return 1; }
	built_for "$rel"
}

step_deb_modinfo() {
	local rel
	rel=$(cat "$CHROOT.first")
	check_modinfo "$(chroot_module "$rel")" "$rel"
}

step_deb_run() {
	local out
	out=$(in_deb_chroot hugetrack --version) || { echo "hugetrack --version: $out"; return 1; }
	echo "$out"
	[ "$out" = "hugetrack $VERSION" ] || { echo "hugetrack --version says '$out'"; return 1; }
	out=$(in_deb_chroot hugetrack-bpf --version) || { echo "hugetrack-bpf --version: $out"; return 1; }
	echo "$out"
	[ "$out" = "hugetrack-bpf $VERSION" ] || { echo "hugetrack-bpf --version says '$out'"; return 1; }
}

# the kernel's headers' postinst hook (/etc/kernel/header_postinst.d/dkms)
# builds it: AUTOINSTALL
step_deb_kernel() {
	local rel
	rel=$(headers_release linux-headers-amd64)
	[ -n "$rel" ] || { echo "no kernel release for linux-headers-amd64"; return 1; }
	[ -z "$(chroot_module "$rel")" ] || { echo "a module for $rel before its headers"; return 1; }
	in_deb_chroot "${CHROOT_APT[@]}" install linux-headers-amd64 >>"$CHROOT.log" 2>&1 ||
		{ tail -n 20 "$CHROOT.log"; return 1; }
	built_for "$rel"
	[ "$(modinfo -F vermagic "$(chroot_module "$rel")" | cut -d' ' -f1)" = "$rel" ] ||
		{ echo "the module for $rel was built for another kernel"; return 1; }
}

step_deb_purge() {
	local files left f
	files=$(in_deb_chroot dpkg-query -L hugetrack hugetrack-dkms) || { echo "not installed: $files"; return 1; }
	in_deb_chroot "${CHROOT_APT[@]}" purge hugetrack hugetrack-dkms >>"$CHROOT.log" 2>&1 ||
		{ tail -n 20 "$CHROOT.log"; return 1; }
	left=$(for f in $files; do [ -d "$CHROOT$f" ] || [ ! -e "$CHROOT$f" ] || echo "$f"; done
		find "$CHROOT/lib/modules" "$CHROOT/usr/src" -name '*hugetrack*' | sed "s|^$CHROOT||")
	[ -z "$left" ] || { echo "left behind: $(echo $left)"; return 1; }
	[ ! -e "$CHROOT/var/lib/dkms/hugetrack" ] || { echo "/var/lib/dkms/hugetrack is left"; return 1; }
	[ -z "$(in_deb_chroot dkms status hugetrack 2>&1)" ] || { echo "dkms status: $(in_deb_chroot dkms status hugetrack 2>&1)"; return 1; }
	! in_deb_chroot dpkg-query -W -f '${db:Status-Status}\n' hugetrack hugetrack-dkms 2>/dev/null | grep -vx not-installed ||
		{ echo "dpkg still knows them"; return 1; }
	remove_chroot
}

[ "$(id -u)" -eq 0 ] || die "DKMS needs root: run as root"
command -v dkms >/dev/null || die "no dkms: run 'make setup'"
step=${1:?usage: packaging.sh STEP [VER]}
shift
# the steps name a kernel by its release, as DKMS and /lib/modules do
if [ $# -gt 0 ]; then
	KERNEL_TREE=$(kernel_tree "$1")
	set -- "$(kernel_release "$1")"
fi
"step_${step//-/_}" "$@"
