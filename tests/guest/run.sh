# SPDX-License-Identifier: GPL-2.0
# Runs every tests/guest/t-*.sh in order and closes the TAP stream.  The host
# counts a run without the closing token as a guest that did not finish.
. /tests/lib.sh

echo "# kernel $(uname -r), $(nproc) CPUs"
for t in /tests/t-*.sh; do
	echo "# $(basename $t)"
	. $t
done
echo "1..$TAP_COUNT"
echo "# hugetrack-guest-done"
