# SPDX-License-Identifier: GPL-2.0
# Shared by the host-side scripts: where things are, which kernels to test.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$TOP/build

HT_CACHE=${HT_CACHE:-/var/cache/hugetrack}

# The debug test kernel (tests/debug-kernel/): its name among the test
# kernels, and its build tree, outside the repository so that it outlives
# a clone (CI's is fresh).
DEBUG_KERNEL=6.12-debug
DEBUG_KERNEL_TREE=$HT_CACHE/debug-kernel

# bpf_library_sources: the BPF backend's library, every bpf/ht_bpf_*.c but
# ht_bpf_absent.c, its stand-in (the Makefile's BPF_LIB_SOURCES)
bpf_library_sources() {
	local f
	for f in "$TOP"/bpf/ht_bpf_*.c; do
		[ "$f" = "$TOP/bpf/ht_bpf_absent.c" ] || echo "$f"
	done
}

# Every test kernel, pinned: release, suite, package version, how it is
# provided (the file says what each means).
KERNELS_FILE=$TOP/tests/kernels.txt

# kernel_pins: the lines of kernels.txt, comments stripped
kernel_pins() {
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$KERNELS_FILE"
}

# kernel_how VER: host, chroot or debug; a kernel not in kernels.txt
# (HT_KERNELS naming another installed one) is a host kernel
kernel_how() {
	local how
	how=$(kernel_pins | awk -v k="$1" '$1 == k { print $4 }')
	echo "${how:-host}"
}

# kernel_tests VER: the guest tests make check runs on VER, as HT_TESTS
# takes them (empty: all)
kernel_tests() {
	kernel_pins | awk -v k="$1" '$1 == k && $5 != "all" { gsub(",", " ", $5); print $5 }'
}

# kernel_suite VER: the Debian suite VER comes from
kernel_suite() {
	kernel_pins | awk -v k="$1" '$1 == k { print $2 }'
}

# Where a chroot kernel's image and config are unpacked, and the chroot its
# modules build in (tests/setup.sh makes both).
chroot_kernel_dir() {
	echo "$HT_CACHE/kernels/$1"
}
suite_chroot() {
	echo "$HT_CACHE/chroot-$1"
}

# The test kernels in the order of kernels.txt; HT_KERNELS="ver ..." narrows
# the list (or names another installed kernel).
test_kernels() {
	if [ -n "${HT_KERNELS:-}" ]; then
		printf '%s\n' $HT_KERNELS
		return
	fi
	kernel_pins | awk '{ print $1 }'
}

# dkms_kernels: the test kernels the host's DKMS can build for: not those
# of a chroot (their headers run only there: packaging.sh dkms-chroot runs
# DKMS in the chroot for them).  HT_KERNELS narrowed to chroot kernels
# alone still has the host's install paths checked: with all of its kernels.
dkms_kernels() {
	local ver found
	for ver in $(test_kernels); do
		[ "$(kernel_how "$ver")" = chroot ] || { echo "$ver"; found=1; }
	done
	[ -n "${found:-}" ] || [ -z "${HT_KERNELS:-}" ] || HT_KERNELS= dkms_kernels
}

# kernel_image VER / kernel_tree VER: what QEMU boots, what modules build
# against (a chroot kernel's: the path inside its chroot)
kernel_image() {
	case $(kernel_how "$1") in
	debug) echo "$DEBUG_KERNEL_TREE/arch/x86/boot/bzImage" ;;
	chroot) echo "$(chroot_kernel_dir "$1")/vmlinuz" ;;
	*) echo "/boot/vmlinuz-$1" ;;
	esac
}
kernel_tree() {
	case $(kernel_how "$1") in
	debug) echo "$DEBUG_KERNEL_TREE" ;;
	chroot) echo "/usr/src/linux-headers-$1" ;;
	*) echo "/lib/modules/$1/build" ;;
	esac
}

# kernel_release VER: its uname -r (the debug kernel's carries the sublevel),
# the name of its /lib/modules directory
kernel_release() {
	if [ "$(kernel_how "$1")" = debug ]; then
		cat "$DEBUG_KERNEL_TREE/include/config/kernel.release"
	else
		echo "$1"
	fi
}

# kernel_modules_files VER: where VER's modules.order and modules.builtin are
kernel_modules_files() {
	case $(kernel_how "$1") in
	debug) echo "$DEBUG_KERNEL_TREE" ;;
	chroot) echo "$(chroot_kernel_dir "$1")" ;;
	*) echo "/lib/modules/$1" ;;
	esac
}

# The compiler of the chroots (tests/setup-chroot.sh installs it; the
# kernels' headers name it themselves, the mm selftests are told).
CHROOT_CC=gcc-16

# in_chroot VER COMMAND...: runs COMMAND in VER's chroot, in a mount
# namespace of its own that has /proc (objtool reads it) and this
# repository at the same path, so that what it builds lands in build/.
in_chroot() {
	in_chroot_with "$TOP" "$@"
}

# in_chroot_with DIR VER COMMAND...: the same with DIR at the same path
# instead of the repository
in_chroot_with() {
	local dir=$1 root
	root=$(suite_chroot "$(kernel_suite "$2")")
	shift 2
	[ -d "$root/usr/bin" ] || { echo "no chroot at $root: run 'make setup'" >&2; return 1; }
	mkdir -p "$root$dir"
	unshare --mount --propagation private sh -c \
		'mount -t proc proc "$1/proc" && mount --bind "$2" "$1$2" && shift 2 && exec chroot "$@"' \
		sh "$root" "$dir" "$root" "$@"
}

# pinned_version VER: the package version kernels.txt pins VER's packages at
pinned_version() {
	kernel_pins | awk -v k="$1" '$1 == k { print $3 }'
}

# source_deb VER: a chroot kernel's source package, linux-source-<series>
# at its pinned version, where tests/setup-chroot.sh downloads it (the
# file name apt-get download gives it)
source_deb() {
	echo "$HT_CACHE/dl/linux-source-$(mm_series "$1")_$(pinned_version "$1")_all.deb"
}

# pin_gone VER PACKAGE PINNED [CANDIDATE]: kernels.txt pins what the
# mirror no longer has: says what to change there, and exits
pin_gone() {
	echo "setup: tests/kernels.txt pins $2 $3, which the mirror no longer has" >&2
	if [ -n "${4:-}" ]; then
		echo "setup: it has $2 $4: in tests/kernels.txt, change the version of $1 to $4" >&2
	else
		echo "setup: it has no $2 at all: in tests/kernels.txt, change $1 to the release the mirror has now (apt-cache search linux-headers-), and its column in tests/expected-probes.txt" >&2
	fi
	exit 1
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

# The stock 6.12 of the test kernels: the one make demo and make shell boot
# (the README's quick start), and whose make check runs the mm selftests'
# subset (t-55-selftests.sh; docs/testing.md says why).
stock_kernel() {
	test_kernels | grep -m1 '^6\.12\..*-amd64$'
}

# Totals of ok / not ok lines, for check.sh, selftests.sh and soak.sh, and
# the not ok lines themselves, repeated above the totals: a log that keeps
# only its tail (CI's) still names what failed.
passed=0
failed=0
failures=()
# on every kernel; PREEMPT_RT's (a handler that sleeps, or takes a lock that
# sleeps there) and lockdep's, by name
CONSOLE_REPORTS='Kernel panic|BUG:|Oops|WARNING:|INFO: trying to register non-static key|Disabling lock debugging'
CONSOLE_REPORTS+='|sleeping function called from invalid context|scheduling while atomic'
CONSOLE_REPORTS+='|possible recursive locking|circular locking dependency|inconsistent lock state'

# report KERNEL STATUS DESCRIPTION [REASON]
report() {
	if [ "$2" = ok ]; then
		passed=$((passed + 1))
		echo "[$1] ok - $3"
	else
		failed=$((failed + 1))
		failures+=("[$1] not ok - $3${4:+ # $4}")
		echo "${failures[-1]}"
	fi
}

# fold_tap VER TAP: a guest's TAP lines into the totals; a stream without
# its closing token or with fewer results than its plan fails
fold_tap() {
	local ver=$1 tap=$2 plan count=0 line
	touch "$tap"
	while IFS= read -r line; do
		line=${line%$'\r'}
		case $line in
		"ok "*)
			passed=$((passed + 1)); count=$((count + 1)); echo "[$ver] $line" ;;
		"not ok "*)
			failed=$((failed + 1)); count=$((count + 1))
			failures+=("[$ver] $line"); echo "[$ver] $line" ;;
		"1.."*)
			plan=${line#1..} ;;
		"#"*)
			[ -n "${HT_VERBOSE:-}" ] || case $line in "# "*:*) continue ;; esac
			echo "[$ver] $line" ;;
		esac
	done <"$tap"
	if ! grep -q '^# hugetrack-guest-done' "$tap"; then
		report "$ver" fail "guest finished its tests" "no closing token: it crashed, hung or stopped reporting"
		echo "# last console lines of $ver:"
		tail -n 30 "$BUILD/$ver/console.log" | sed 's/^/#   /'
	elif [ "${plan:-}" != "$count" ]; then
		report "$ver" fail "guest TAP plan" "plan 1..${plan:-?} but $count results"
	fi
}

# check_console VER: KASAN's reports start with "BUG:", lockdep's with
# "WARNING:" (or "INFO:" for an unregistered lock key); any first report
# turns lockdep off
check_console() {
	if grep -qE "$CONSOLE_REPORTS" "$BUILD/$1/console.log"; then
		report "$1" fail "guest console is free of panics, warnings and KASAN or lockdep reports" \
			"$(grep -m1 -E "$CONSOLE_REPORTS" "$BUILD/$1/console.log")"
	fi
}

# summary: the failures again, then the totals line; its status is the run's
summary() {
	[ "$failed" -eq 0 ] || printf '# failed: %s\n' "${failures[@]}"
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
