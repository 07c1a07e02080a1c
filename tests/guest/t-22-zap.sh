# SPDX-License-Identifier: GPL-2.0
# Zap (MADV_DONTNEED, munmap), fork copy and copy-on-write, truncation and
# hole punch: each has its event, and the pages all come back (sysfs).
insmod /hugetrack.ko || echo "# insmod failed: $(dmesg | tail -n 1)"

# The zap only unmaps: the pages are freed after it, when the TLB gather is
# flushed, and the munmap that follows finds them free.
t_dontneed() {
	local free0 resv0 s0 ev
	free0=$(cat $SYS2M/free_hugepages)
	resv0=$(cat $SYS2M/resv_hugepages)
	s0=$(last_seq)
	hugefault -n 3 -t 3 -D || fail "workload failed"
	events_after $s0
	ev=$(events_after $s0 | grep 'kind=zap' | sed -n 1p)
	expect_eq "MADV_DONTNEED zap pages" 3 "$(field "$ev" pages)"
	expect_eq "MADV_DONTNEED zap free (freed after it)" "$((free0 - 3))->$((free0 - 3))" "$(field "$ev" free)"
	ev=$(events_after $s0 | grep 'kind=zap' | sed -n 2p)
	expect_eq "munmap zap free" "$free0->$free0" "$(field "$ev" free)"
	expect_eq "munmap zap resv (3 restored on free: $RESTORES_ON_FREE)" \
		"$((resv0 + 3 * RESTORES_ON_FREE))->$((resv0 + 3 * RESTORES_ON_FREE))" "$(field "$ev" resv)"
	expect_eq "free after" "$free0" "$(cat $SYS2M/free_hugepages)"
	expect_eq "resv after" "$resv0" "$(cat $SYS2M/resv_hugepages)"
}

# The child's write copies the shared page: its fault maps a new folio that
# only it maps (kpagecount 1).
t_fork_cow() {
	local s0 out pfn kpc ev
	s0=$(last_seq)
	out=$(hugefault -n 2 -t 2 -F -W) || fail "workload failed: $out"
	events_after $s0
	expect_eq "fork_copy events" 1 "$(events_after $s0 | grep -c 'kind=fork_copy')"
	expect_eq "child's pages" 2 "$(echo "$out" | grep -c '^page')"
	echo "$out" | while read -r _ _ pfn kpc; do
		pfn=${pfn#pfn=}
		expect_eq "kpagecount of the child's copy $pfn" kpagecount=1 "$kpc"
		ev=$(events_after $s0 | grep 'kind=fault' | grep " pfn=$pfn ")
		expect_eq "child's copy-on-write fault on $pfn" "ref=0->1 map=0->1 flags=private,new" \
			"$(echo "$ev" | grep -o 'ref=[^ ]* map=[^ ]* flags=[^ ]*')"
	done || exit 1
}

t_truncate_and_punch() {
	local free0 s0
	free0=$(cat $SYS2M/free_hugepages)
	s0=$(last_seq)
	hugefault -n 4 -t 4 -f /dev/hugepages/t22 -P || fail "workload failed"
	truncate -s 0 /dev/hugepages/t22 || fail "truncate failed"
	events_after $s0
	expect_eq "hole_punch pages" 1 "$(field "$(events_after $s0 | grep kind=hole_punch)" pages)"
	events_after $s0 | grep -q 'kind=truncate' || fail "no truncate event"
	rm /dev/hugepages/t22
	expect_eq "free after" "$free0" "$(cat $SYS2M/free_hugepages)"
}

t_zap_totals_match_ftrace() {
	local k before theirs
	for k in zap:__unmap_hugepage_range fork_copy:copy_hugetlb_page_range; do
		ftrace_add ht_${k%%:*} ${k#*:} || fail "cannot add ftrace event for ${k#*:}"
		eval before_${k%%:*}=$(counter events_${k%%:*})
	done
	hugefault -n 2 -t 2 -D && hugefault -n 1 -F -W >/dev/null || fail "workload failed"
	for k in zap:__unmap_hugepage_range fork_copy:copy_hugetlb_page_range; do
		eval before=\$before_${k%%:*}
		theirs=$(ftrace_hits ht_${k%%:*})
		ftrace_del ht_${k%%:*}
		[ "$theirs" -gt 0 ] || fail "ftrace saw no ${k#*:} call"
		expect_eq "${k%%:*} events (ftrace: $theirs)" "$theirs" $(($(counter events_${k%%:*}) - before))
	done
}

run_test "MADV_DONTNEED: a zap event of 3 pages, all pages back" t_dontneed
run_test "fork and child write: fork_copy, then a new folio only the child maps" t_fork_cow
run_test "hole punch and truncate events, all pages back" t_truncate_and_punch
run_test "zap and fork_copy events equal ftrace hits" t_zap_totals_match_ftrace
run_test "no anomaly on zap, fork and truncation" t_no_anomaly
rmmod hugetrack
