# SPDX-License-Identifier: GPL-2.0
# make check's share of the kernel's own mm selftests (mm-lib.sh): the
# "check" lines of mm-selftests.txt, without then with the module, each
# judged as make selftests judges it.  The host packs them into one
# kernel's guest only, the stock 6.12 (docs/testing.md says why).
if [ -d /tests/mm ]; then
	. /tests/mm-lib.sh
	START=$(date +%s)
	mm_setup
	mm_pass check
	mm_teardown
	run_test "dmesg has no warning or oops after the mm selftests" dmesg_clean
	echo "# t-55: $(($(date +%s) - START)) s"
else
	echo "# no mm selftests in this guest: make check runs them on the stock 6.12 only"
fi
