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

# The kernel of the test kernels whose make check runs the mm selftests'
# subset (t-55-selftests.sh): the stock 6.12 (docs/testing.md says why).
mm_check_kernel() {
	test_kernels | grep -m1 '^6\.12\..*-amd64$'
}

# Totals of ok / not ok lines, for check.sh, selftests.sh and soak.sh.
passed=0
failed=0
CONSOLE_REPORTS='Kernel panic|BUG:|Oops|WARNING:|INFO: trying to register non-static key|Disabling lock debugging'

# report KERNEL STATUS DESCRIPTION [REASON]
report() {
	if [ "$2" = ok ]; then
		passed=$((passed + 1))
		echo "[$1] ok - $3"
	else
		failed=$((failed + 1))
		echo "[$1] not ok - $3${4:+ # $4}"
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
			failed=$((failed + 1)); count=$((count + 1)); echo "[$ver] $line" ;;
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
