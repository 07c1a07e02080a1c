# SPDX-License-Identifier: GPL-2.0
# PMD sharing: two processes map the same 1 GiB-aligned range of a shared
# hugetlbfs file.  The child's fault shares the parent's PMD page, so it sees
# the pages without mapping them again: /proc/kpagecount stays 1.
insmod /hugetrack.ko || echo "# insmod failed: $(dmesg | tail -n 1)"

t_pmd_share() {
	local s0 out unshare0 theirs ev
	unshare0=$(probe_field pmd_unshare_zap 6)
	ftrace_add ht_pmd_share huge_pmd_share || fail "cannot add ftrace event"
	s0=$(last_seq)
	out=$(hugefault -n 512 -t 2 -S -f /dev/hugepages/t26 -F) || fail "workload failed: $out"
	theirs=$(ftrace_hits ht_pmd_share)
	ftrace_del ht_pmd_share
	rm /dev/hugepages/t26
	events_after $s0 | grep 'kind=pmd_share'
	echo "$out"
	expect_eq "child's pages at kpagecount 1 (PMD shared)" "kpagecount=1 kpagecount=1" \
		"$(echo "$out" | awk '{ print $4 }' | tr '\n' ' ' | sed 's/ $//')"
	ev=$(events_after $s0 | grep 'kind=pmd_share')
	[ "$theirs" -ge 2 ] || fail "ftrace saw $theirs huge_pmd_share calls, want parent and child"
	expect_eq "pmd_share events (ftrace: $theirs)" "$theirs" "$(echo "$ev" | grep -c .)"
	# where the zap path's unshare is inlined (6.12-debug), there is no
	# point to count it: t-10 checks that the probe says missing
	[ "$(expected_symbol pmd_unshare_zap)" = - ] ||
		[ "$(probe_field pmd_unshare_zap 6)" -gt "$unshare0" ] || fail "no unshare when the sharers unmapped"
}

# The rmap path: a page of the shared range migrated while both processes
# map it (soft offline) is unshared by try_to_migrate_one() calling
# huge_pmd_unshare() (ftrace's stack trace says so); hugetrack's pmd_unshare
# counts every call ftrace counts.  Soft offline dissolves the old page: the
# pool is put back to its size after.
t_pmd_unshare_rmap() {
	local u0 out hits pool
	pool=$(cat $SYS2M/nr_hugepages)
	u0=$(probe_field pmd_unshare 6)
	ftrace_add ht_unshare huge_pmd_unshare || fail "cannot add ftrace event"
	echo stacktrace >$TRACING/events/kprobes/ht_unshare/trigger
	echo >$TRACING/trace
	out=$(hugefault -n 512 -t 2 -S -f /dev/hugepages/t26o -F -O 2>&1)
	hits=$(ftrace_hits ht_unshare)
	grep -A 12 'ht_unshare' $TRACING/trace | grep -q 'try_to_migrate' ||
		fail "no huge_pmd_unshare from try_to_migrate: $(grep -A 6 ht_unshare $TRACING/trace | head -n 8 | tr '\n' '|')"
	echo '!stacktrace' >$TRACING/events/kprobes/ht_unshare/trigger
	ftrace_del ht_unshare
	rm /dev/hugepages/t26o
	echo "$pool" >$SYS2M/nr_hugepages
	echo "$out"
	echo "$out" | grep -q '^page 0 soft-offlined' || fail "workload failed: $out"
	expect_eq "pmd_unshare hits (ftrace: $hits)" "$hits" "$(($(probe_field pmd_unshare 6) - u0))"
	expect_eq "pool size after" "$pool" "$(cat $SYS2M/nr_hugepages)"
}

t_no_soft_offline() {
	local out
	out=$(hugefault -n 1 -F -O 2>&1) && fail "soft offline worked: $out"
	echo "$out" | grep -q 'MADV_SOFT_OFFLINE: Invalid argument' || fail "unexpected: $out"
}

run_test "PMD sharing: pmd_share events equal ftrace, shared pages not mapped again" t_pmd_share
if [ "$MEMORY_FAILURE" = 1 ]; then
	run_test "PMD unsharing on the rmap path: a migrated shared-PMD page, pmd_unshare equals ftrace" \
		t_pmd_unshare_rmap
else
	run_test "$KNAME has no CONFIG_MEMORY_FAILURE: no soft offline to drive the rmap path" \
		t_no_soft_offline
fi
run_test "no anomaly on PMD sharing" t_no_anomaly
rmmod hugetrack
