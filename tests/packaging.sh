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
#   dkms-remove         make dkms-remove leaves nothing behind
#   make-install VER    make install / make uninstall into a private root
set -euo pipefail
. "$(dirname "$0")/lib.sh"

T=$BUILD/packaging
VERSION=$(cat "$TOP/VERSION")
DKMS_FLAGS="--dkmstree $T/dkms --installtree $T/lib/modules --no-depmod"
DKMS_MAKE=(make -s -C "$TOP" DKMS_SOURCE_TREE="$T/src" DKMS_FLAGS="$DKMS_FLAGS")
PARAMETERS="groups kretprobe_maxactive refcount_threshold ring_size"

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
		rel=$(kernel_release "$ver")
		[ "$(dkms_state "$rel")" = installed ] ||
			{ echo "dkms status for $rel: '$(dkms_state "$rel")', not installed"; return 1; }
		[ -n "$(installed_module "$rel")" ] || { echo "nothing in updates/dkms/ for $rel"; return 1; }
		log=$T/dkms/hugetrack/$VERSION/$rel/x86_64/log/make.log
		! grep -E '(warning|error):' "$log" || { echo "the DKMS build for $rel warned"; return 1; }
		depmod -b "$T" "$rel"
		grep -q "^updates/dkms/hugetrack.ko[.a-z]*:" "$T/lib/modules/$rel/modules.dep" ||
			{ echo "modules.dep of $rel does not list hugetrack"; return 1; }
		mkdir -p "$BUILD/$ver/dkms-root/lib/modules"
		cp -a "$T/lib/modules/$rel" "$BUILD/$ver/dkms-root/lib/modules/"
	done
}

step_modinfo() {
	local ko parm
	ko=$(installed_module "$1")
	[ -n "$ko" ] || { echo "no module installed for $1"; return 1; }
	[ "$(modinfo -F version "$ko")" = "$VERSION" ] ||
		{ echo "version '$(modinfo -F version "$ko")', VERSION says $VERSION"; return 1; }
	[ "$(modinfo -F license "$ko")" = GPL ] || { echo "license '$(modinfo -F license "$ko")'"; return 1; }
	[ -n "$(modinfo -F description "$ko")" ] || { echo "no description"; return 1; }
	[ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$1" ] || { echo "built for another kernel"; return 1; }
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
