# SPDX-License-Identifier: GPL-2.0
# make selftests in the guest: every mm selftest of this kernel's series
# (mm-lib.sh), first without the module, then with it; TAP on the second
# serial port, closed as run.sh closes it.
. /tests/lib.sh
. /tests/mm-lib.sh

echo "# kernel $(uname -r), $(nproc) CPUs, mm selftests of $KSERIES"
mm_setup
mm_pass all
mm_teardown
run_test "dmesg has no warning or oops after the mm selftests" dmesg_clean
echo "1..$TAP_COUNT"
echo "# hugetrack-guest-done"
