# SPDX-License-Identifier: GPL-2.0
# A hugetlbfs mount with size= and min_size= has a subpool: its figures in
# the events equal what statfs says of the mount after every step, and the
# global reservation equals sysfs.
insmod /hugetrack.ko || echo "# insmod failed: $(dmesg | tail -n 1)"
SP=/tmp/subpool

# statfs_used: huge pages of the mount in use (allocated or reserved)
statfs_used() {
	stat -f -c '%b %f' $SP | awk '{ print $1 - $2 }'
}

# check_step S0 WHAT: the newest event since S0 that has subpool figures
# agrees with statfs, and its resv with sysfs
check_step() {
	local ev used resv
	ev=$(events_after $1 | grep -v 'spool_used=-' | tail -n 1)
	[ -n "$ev" ] || fail "$2: no event with subpool figures"
	used=$(field "$ev" spool_used)
	resv=$(field "$ev" resv)
	expect_eq "$2: subpool used (statfs)" "$(statfs_used)" "${used#*->}"
	expect_eq "$2: resv (sysfs)" "$(cat $SYS2M/resv_hugepages)" "${resv#*->}"
}

t_subpool() {
	local resv0 s0 ev
	resv0=$(cat $SYS2M/resv_hugepages)
	mkdir -p $SP
	s0=$(last_seq)
	mount -t hugetlbfs -o size=8M,min_size=4M none $SP || fail "mount failed"
	events_after $s0
	ev=$(events_after $s0 | grep 'kind=subpool_new')
	expect_eq "mount reserves min_size globally (sysfs)" $((resv0 + 2)) "$(cat $SYS2M/resv_hugepages)"
	expect_eq "subpool_new event resv" "$resv0->$((resv0 + 2))" "$(field "$ev" resv)"
	expect_eq "subpool_new event subpool rsv" "2->2" "$(field "$ev" spool_rsv)"

	s0=$(last_seq)
	hugefault -n 3 -t 3 -f $SP/f || fail "workload failed"
	events_after $s0
	check_step $s0 "3 pages of a file"
	ev=$(events_after $s0 | grep 'kind=reserve')
	expect_eq "reserve: the subpool's minimum covers 2 of 3" "2->0" "$(field "$ev" spool_rsv)"

	# MAP_NORESERVE (with -S): the mmap reserves nothing, the fault takes
	# its page from the subpool when it allocates
	s0=$(last_seq)
	hugefault -n 1 -t 1 -S -f $SP/nr || fail "MAP_NORESERVE workload failed"
	events_after $s0
	ev=$(events_after $s0 | grep 'kind=reserve')
	expect_eq "MAP_NORESERVE reserve changes no subpool page" "3->3" "$(field "$ev" spool_used)"
	expect_eq "MAP_NORESERVE reserve changes no reservation" "$(field "$ev" resv | sed 's/->.*//')" \
		"$(field "$ev" resv | sed 's/.*->//')"
	check_step $s0 "MAP_NORESERVE fault"
	expect_eq "subpool used after the MAP_NORESERVE fault" 4 "$(statfs_used)"
	rm $SP/nr

	s0=$(last_seq)
	hugefault -n 5 -f $SP/g 2>/dev/null && fail "a mapping larger than the mount succeeded"
	events_after $s0
	ev=$(events_after $s0 | grep 'kind=reserve' | tail -n 1)
	expect_eq "reserve beyond size= fails" "$RESERVE_FAIL" "$(field "$ev" result)"
	check_step $s0 "mapping larger than the pool"

	s0=$(last_seq)
	hugefault -n 3 -t 0 -f $SP/f -P || fail "hole punch failed"
	events_after $s0
	check_step $s0 "hole punch"
	s0=$(last_seq)
	truncate -s 0 $SP/f || fail "truncate failed"
	check_step $s0 "truncate"
	s0=$(last_seq)
	rm -f $SP/f $SP/g
	check_step $s0 "unlink"

	s0=$(last_seq)
	umount $SP || fail "umount failed"
	events_after $s0
	expect_eq "subpool_put events" 1 "$(events_after $s0 | grep -c 'kind=subpool_put')"
	expect_eq "umount gives min_size back (sysfs)" "$resv0" "$(cat $SYS2M/resv_hugepages)"
}

# A mount without size= or min_size= has no subpool, yet 7.3 calls
# hugepage_put_subpool(NULL) at its umount: no event, and no oops (the
# handler read spool->hstate there).
t_plain_mount() {
	local s0
	mkdir -p $SP
	mount -t hugetlbfs none $SP || fail "mount failed"
	s0=$(last_seq)
	umount $SP || fail "umount failed"
	expect_eq "subpool_put events" 0 "$(events_after $s0 | grep -c 'kind=subpool_put')"
}

run_test "subpool (size=8M,min_size=4M): figures equal statfs, resv equals sysfs" t_subpool
run_test "a mount without a subpool: its umount gives no event, no oops" t_plain_mount
run_test "no anomaly on the subpool paths" t_no_anomaly
rmmod hugetrack
