# SPDX-License-Identifier: GPL-2.0
# The debug kernel only, after every other test: kmemleak finds nothing that
# hugetrack left behind, lockdep is still on (its first report turns it
# off), and dmesg holds no KASAN, lockdep or BUG: report.  An allocation
# leaked on purpose (ht_inject mode=leak) proves that the leak check sees one.

t_kmemleak_nothing_from_hugetrack() {
	local ours
	[ -w $KMEMLEAK ] || fail "no $KMEMLEAK: is CONFIG_DEBUG_KMEMLEAK on?"
	kmemleak_scan
	ours=$(leaks_of hugetrack)
	[ -z "$ours" ] || fail "kmemleak: $(echo "$ours" | head -n 3 | tr '\n' '|')"
}

t_kmemleak_sees_a_leak() {
	local found
	insmod /tests/ht_inject.ko mode=leak || fail "cannot load ht_inject mode=leak"
	kmemleak_scan
	found=$(leaks_of ht_inject | grep -c 'leak_one+')
	rmmod ht_inject
	# a later scan in this boot must not count it again
	echo clear >$KMEMLEAK
	expect_eq "leaks found with leak_one in their stack" 1 "$found"
}

# lockdep turns itself off at its first report (debug_locks 0)
t_lockdep_still_on() {
	expect_eq "lockdep debug_locks" 1 \
		"$(awk '/debug_locks:/ { print $2 }' /proc/lockdep_stats)"
}

t_dmesg_no_detector_report() {
	local bad
	bad=$(dmesg | grep -E 'BUG:|KASAN:|WARNING:|INFO: trying to register non-static key|Disabling lock debugging|memory leak detector disabled')
	[ -z "$bad" ] || fail "dmesg: $(echo "$bad" | head -n 3 | tr '\n' '|')"
	dmesg | grep -q 'KernelAddressSanitizer initialized' || fail "KASAN did not start"
}

if [ "$DEBUG_KERNEL" = 1 ]; then
	run_test "kmemleak: nothing from hugetrack after the suite" t_kmemleak_nothing_from_hugetrack
	echo "# kmemleak lists $(grep -c '^unreferenced object' $KMEMLEAK) suspects in all"
	echo "# memory after the suite (kB):" $(awk '/^(MemTotal|MemAvailable|Slab):/' /proc/meminfo)
	run_test "kmemleak: an injected leak is found, in ht_inject's leak_one" t_kmemleak_sees_a_leak
	run_test "lockdep is still on: no report turned it off" t_lockdep_still_on
	run_test "dmesg: no KASAN, lockdep, BUG or kmemleak report" t_dmesg_no_detector_report
fi
