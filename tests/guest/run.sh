# SPDX-License-Identifier: GPL-2.0
# Runs every tests/guest/t-*.sh in order (or those named by ht_tests= on the
# kernel command line: HT_TESTS on the host) and closes the TAP stream.  The
# host counts a run without the closing token as a guest that did not finish.
. /tests/lib.sh

# selected NAME: NAME (t-25-uffd.sh) matches a word of $ht_tests (t-25,...)
selected() {
	local want
	[ -z "${ht_tests:-}" ] && return 0
	for want in $(echo "$ht_tests" | tr ',' ' '); do
		case $1 in "$want"*) return 0 ;; esac
	done
	return 1
}

echo "# kernel $(uname -r), $(nproc) CPUs"
for t in /tests/t-*.sh; do
	selected "$(basename $t)" || continue
	echo "# $(basename $t)"
	started=$(cut -d' ' -f1 /proc/uptime)
	. $t
	# where a guest's time goes, for keeping make check's under its budget
	echo "# $(basename $t) took $(awk -v s="$started" '{ printf "%.0f", $1 - s }' /proc/uptime) s"
done
echo "1..$TAP_COUNT"
echo "# hugetrack-guest-done"
