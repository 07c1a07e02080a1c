# SPDX-License-Identifier: GPL-2.0
# Detection is proven, not assumed: each anomaly is injected on purpose
# (tests/inject/ht_inject.ko, or a threshold a user may set) and exactly the
# expected rule must fire, naming the faulting pid and address.

# expect_only_rule RULE EXPECTED ACTUAL PID ADDR
expect_only_rule() {
	local fired line
	fired=$(awk '/^anomaly_/ && $2 != 0 { print $1 "=" $2 }' $HT/counters)
	expect_eq "anomaly counters" "anomaly_$1=1" "$fired"
	line=$(grep '^anomaly=' $HT/anomalies)
	expect_eq "rule" "$1" "$(field "$line" rule)"
	expect_eq "expected" "$2" "$(field "$line" expected)"
	expect_eq "actual" "$3" "$(field "$line" actual)"
	expect_eq "pid" "$4" "$(field "$line" pid)"
	expect_eq "addr" "$5" "$(field "$line" addr)"
	grep -q '^  handle_mm_fault+0x' $HT/anomalies || fail "anomalies has no symbolized stack through handle_mm_fault"
}

# t_inject MODE RULE EXPECTED ACTUAL [PAGES]: one fault under ht_inject in a
# mapping of PAGES (default 1), then the expected rule alone.  The injection
# is undone while the mapping is still held: what it broke would otherwise
# break the munmap too (a reservation taken twice is given back twice, and
# resv_underflow rightly fires there: seed 000's mechanism).
t_inject() {
	local out pid addr
	echo reset >$HT/control
	insmod /tests/ht_inject.ko mode=$1 || fail "cannot load ht_inject"
	out=$(hugefault -n ${5:-1} -t 1 -v -- rmmod ht_inject)
	! grep -q '^ht_inject ' /proc/modules || fail "ht_inject still loaded"
	pid=$(field "$out" pid)
	addr=$(field "$out" addr)
	[ -n "$pid" ] && [ -n "$addr" ] || fail "hugefault -v printed '$out'"
	cat $HT/anomalies
	expect_only_rule $2 $3 $4 "$pid" "$addr"
}

t_threshold() {
	local out
	rmmod hugetrack && insmod /hugetrack.ko refcount_threshold=0 || fail "reload failed"
	out=$(hugefault -n 1 -v)
	cat $HT/anomalies
	expect_only_rule refcount_near_overflow 0 1 "$(field "$out" pid)" "$(field "$out" addr)"
}

# A reservation count that wraps and is put back within one fault: no event
# end sees it; the watchpoint catches it at the writing instruction.
t_resv_wrap() {
	local out nr resv0
	resv0=$(cat $SYS2M/resv_hugepages)
	nr=$(cat $SYS2M/nr_hugepages)
	echo reset >$HT/control
	insmod /tests/ht_inject.ko mode=resv_wrap || fail "cannot load ht_inject"
	out=$(hugefault -n 1 -v)
	rmmod ht_inject
	cat $HT/anomalies
	expect_only_rule resv_underflow "$nr" -1 "$(field "$out" pid)" 0x0
	expect_eq "kind" counter_write "$(field "$(grep '^anomaly=' $HT/anomalies)" kind)"
	expect_eq "first frame (the writer)" on_fault \
		"$(grep -m1 '^  ' $HT/anomalies | sed 's/^  \([a-z_]*\)+.*\[ht_inject\]$/\1/')"
	! grep '^  .*0x[0-9a-f]\{12,\}' $HT/anomalies || fail "a raw address in the stack"
	expect_eq "sysfs resv after" "$resv0" "$(cat $SYS2M/resv_hugepages)"
}

insmod /hugetrack.ko || echo "# insmod failed: $(dmesg | tail -n 1)"
run_test "an extra folio reference in a fault fires ref_map_mismatch alone" \
	t_inject extra_ref ref_map_mismatch 1 2
run_test "a tail-page reference fires tail_refcount alone" \
	t_inject tail_ref tail_refcount 0 1
run_test "a fault that raises resv by 4 net fires resv_unexpected_delta alone" \
	t_inject resv_bump resv_unexpected_delta 0 4
run_test "a fault that takes two reservations fires resv_double_consume alone" \
	t_inject resv_take resv_double_consume -1 -2 2
run_test "a reservation count wrapped and put back: resv_underflow at the write" t_resv_wrap
run_test "writers names the injector's sites after it is gone, no raw address" \
	sh -c "! grep -q '0x[0-9a-f]\{12,\}' $HT/writers && grep -q 'ht_inject' $HT/writers"
run_test "a refcount above refcount_threshold fires refcount_near_overflow alone" t_threshold
rmmod hugetrack
run_test "dmesg has no warning or oops after the injections" dmesg_clean
