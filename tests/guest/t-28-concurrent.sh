# SPDX-License-Identifier: GPL-2.0
# Two workers fault, fork and unmap private and shared hugetlb memory at
# once, on both vCPUs: the lock-free rings and tables hold, nothing is
# dropped, no rule fires on a correct kernel (the reservation ledger's
# audits included, judged once the workers are done), and every page comes
# back.
insmod /hugetrack.ko || echo "# insmod failed: $(dmesg | tail -n 1)"

worker() {
	local i
	for i in $(seq 10); do
		hugefault -n 2 -t 2 -f /dev/hugepages/shared -F >/dev/null &&
			hugefault -n 2 -t 2 -F -W >/dev/null &&
			hugeuffd copy 1 >/dev/null || return 1
	done
}

t_concurrent() {
	local free0 f0 judged0 pids
	free0=$(cat $SYS2M/free_hugepages)
	f0=$(counter events_fault)
	judged0=$(counter ledger_audits_judged)
	worker & pids=$!
	worker & pids="$pids $!"
	for p in $pids; do
		wait $p || fail "a worker failed"
	done
	rm -f /dev/hugepages/shared
	[ $(($(counter events_fault) - f0)) -ge 160 ] || fail "only $(($(counter events_fault) - f0)) faults seen"
	expect_eq "events_dropped" 0 "$(counter events_dropped)"
	expect_eq "free after" "$free0" "$(cat $SYS2M/free_hugepages)"
	hstates_match_sysfs
	audits_settled
	grep '^ledger_' $HT/counters
	[ "$(counter ledger_audits_judged)" -gt "$judged0" ] || fail "no ledger audit judged after the workers"
	grep '^anomaly=' $HT/anomalies
	t_no_anomaly
}

run_test "two concurrent workers: no drop, no anomaly, all pages back" t_concurrent
rmmod hugetrack
run_test "dmesg has no warning or oops after the concurrent run" dmesg_clean
