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

run_test "PMD sharing: pmd_share events equal ftrace, shared pages not mapped again" t_pmd_share
run_test "no anomaly on PMD sharing" t_no_anomaly
rmmod hugetrack
