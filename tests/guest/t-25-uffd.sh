# SPDX-License-Identifier: GPL-2.0
# UFFDIO_COPY and UFFDIO_CONTINUE into hugetlb ranges: each ioctl's event,
# its reservation delta, its folio, against sysfs and ftrace.
insmod /hugetrack.ko || echo "# insmod failed: $(dmesg | tail -n 1)"

# check_event LINE RESULT RESV_DELTA [FOLIO]: FOLIO is "ref=.. map=.. flags=.."
check_event() {
	local resv
	resv=$(field "$1" resv)
	expect_eq "result of [$1]" "$2" "$(field "$1" result)"
	expect_eq "resv delta of [$1]" "$3" $((${resv#*->} - ${resv%->*}))
	[ -z "$4" ] || expect_eq "folio of [$1]" "$4" \
		"$(echo "$1" | grep -o 'ref=[^ ]* map=[^ ]* flags=[^ ]*')"
}

outcomes() {
	echo "$1" | tr '\n' ' ' | sed 's/ $//'
}

# Private: COPY consumes one reservation a page, a new folio 0->1.  COPY onto
# a mapped page fails with EEXIST in the generic uffd loop, which sees the
# PTE: the hugetlb step is not called, and nothing changes.
t_copy_private() {
	local free0 resv0 s0 out ev
	free0=$(cat $SYS2M/free_hugepages)
	resv0=$(cat $SYS2M/resv_hugepages)
	s0=$(last_seq)
	out=$(hugeuffd copy 3) || fail "hugeuffd: $out"
	ev=$(events_after $s0 | grep 'kind=uffd_copy')
	echo "$ev"
	expect_eq "ioctls" "copy 0 ok copy 1 ok copy 2 ok copy 0 EEXIST" "$(outcomes "$out")"
	expect_eq "uffd_copy events (none for the EEXIST)" 3 "$(echo "$ev" | grep -c .)"
	for i in 1 2 3; do
		check_event "$(echo "$ev" | sed -n ${i}p)" 0 -1 "ref=0->1 map=0->1 flags=private,new"
	done
	expect_eq "free pages after (none leaked)" "$free0" "$(cat $SYS2M/free_hugepages)"
	expect_eq "resv after" "$resv0" "$(cat $SYS2M/resv_hugepages)"
}

# Seed 000: COPY into a shared mapping whose page is already in the page
# cache must fail with EEXIST without consuming a reservation.
t_copy_shared_cached() {
	local free0 s0 out ev
	free0=$(cat $SYS2M/free_hugepages)
	s0=$(last_seq)
	out=$(hugeuffd copy 3 /dev/hugepages/t25) || fail "hugeuffd: $out"
	ev=$(events_after $s0 | grep 'kind=uffd_copy')
	echo "$ev"
	expect_eq "ioctls" "copy 0 EEXIST copy 1 ok copy 2 ok" "$(outcomes "$out")"
	expect_eq "uffd_copy events" 3 "$(echo "$ev" | grep -c .)"
	check_event "$(echo "$ev" | sed -n 1p)" -17 0
	for i in 2 3; do
		check_event "$(echo "$ev" | sed -n ${i}p)" 0 -1 \
			"ref=0->$((CACHE_REFS + 1)) map=0->1 flags=shared,new"
	done
	rm /dev/hugepages/t25
	expect_eq "free pages after unlink (none leaked)" "$free0" "$(cat $SYS2M/free_hugepages)"
}

# CONTINUE maps the page-cache folio: no reservation, a mapping more.
t_continue() {
	local s0 out ev
	s0=$(last_seq)
	out=$(hugeuffd continue 2 /dev/hugepages/t25c) || fail "hugeuffd: $out"
	rm /dev/hugepages/t25c
	ev=$(events_after $s0 | grep 'kind=uffd_continue')
	echo "$ev"
	expect_eq "ioctls" "continue 0 ok continue 1 ok" "$(outcomes "$out")"
	expect_eq "uffd_continue events" 2 "$(echo "$ev" | grep -c .)"
	for i in 1 2; do
		check_event "$(echo "$ev" | sed -n ${i}p)" 0 0 \
			"ref=$CACHE_REFS->$((CACHE_REFS + 1)) map=0->1 flags=shared"
	done
}

# A source the kernel cannot read atomically: the first call returns
# -ENOENT having given its reservation back, the retry consumes it.
t_copy_enoent_retry() {
	local s0 out ev
	s0=$(last_seq)
	out=$(hugeuffd -r copy 1) || fail "hugeuffd: $out"
	ev=$(events_after $s0 | grep 'kind=uffd_copy')
	echo "$ev"
	expect_eq "results" "-2 0" "$(echo "$ev" | while read -r l; do field "$l" result; done | tr '\n' ' ' | sed 's/ $//')"
	check_event "$(echo "$ev" | sed -n 1p)" -2 0
	check_event "$(echo "$ev" | sed -n 2p)" 0 -1 "ref=0->1 map=0->1 flags=private,new"
}

t_uffd_totals_match_ftrace() {
	local sym before after theirs
	sym=$(probe_field hugetlb_mfill_pte 3)
	ftrace_add ht_mfill $sym || fail "cannot add an ftrace event on $sym"
	before=$(($(counter events_uffd_copy) + $(counter events_uffd_continue)))
	hugeuffd copy 2 >/dev/null && hugeuffd -r copy 1 >/dev/null &&
		hugeuffd continue 2 /dev/hugepages/t25t >/dev/null || fail "workload failed"
	rm /dev/hugepages/t25t
	after=$(($(counter events_uffd_copy) + $(counter events_uffd_continue)))
	theirs=$(ftrace_hits ht_mfill)
	ftrace_del ht_mfill
	[ "$theirs" -gt 0 ] || fail "ftrace saw no $sym call"
	expect_eq "uffd events (ftrace: $theirs)" "$theirs" $((after - before))
}

run_test "UFFDIO_COPY private: one reservation a page, EEXIST consumes none" t_copy_private
run_test "UFFDIO_COPY onto a cached shared page: EEXIST, no reservation, no leak" t_copy_shared_cached
run_test "UFFDIO_CONTINUE maps the cached folio, no reservation" t_continue
run_test "UFFDIO_COPY -ENOENT retry: reservation given back, then consumed once" t_copy_enoent_retry
run_test "uffd copy and continue events equal ftrace hits" t_uffd_totals_match_ftrace
run_test "no anomaly on the uffd paths" t_no_anomaly
rmmod hugetrack
