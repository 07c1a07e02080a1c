# SPDX-License-Identifier: GPL-2.0
# Race windows: each is made to open by a workload that drives the
# interleaving (threads, userfaultfd, and for collapse_vs_uffd_fill
# ht_inject holding collapse_pte_mapped_thp() for 1.5 s), and must count
# exactly one hit, naming both tasks with symbolized stacks.  The plain
# workloads must leave every window at 0.
insmod /hugetrack.ko || echo "# insmod failed: $(dmesg | tail -n 1)"
thp_enabled never
mkdir -p /tmp/thp
mount -t tmpfs -o huge=advise,size=16m tmpfs /tmp/thp

t_windows_idle() {
	local w
	for w in uffd_copy_retry_vs_fault collapse_vs_uffd_fill pmd_unshare_vs_fault; do
		grep -qx "window=$w hits=0 last_ns=- addr=- pid_a=- comm_a=- pid_b=- comm_b=-" $HT/windows ||
			fail "windows: no idle line for $w: $(cat $HT/windows | tr '\n' '|')"
	done
	expect_eq "lines of windows" 3 "$(grep -c . $HT/windows)"
}

t_plain_workloads() {
	hugeuffd -r copy 2 >/dev/null && hugeuffd copy 2 >/dev/null &&
		hugeuffd continue 2 /dev/hugepages/t45c >/dev/null &&
		hugefault -n 512 -t 2 -S -f /dev/hugepages/t45s -F >/dev/null &&
		hugefault -n 2 -t 2 -D >/dev/null &&
		{ [ "$HAS_THP" = 0 ] ||
			{ thpcollapse -f /tmp/thp/t45p >/dev/null && thpcollapse -u >/dev/null; }; } ||
		fail "a workload failed"
	rm -f /dev/hugepages/t45c /dev/hugepages/t45s /tmp/thp/t45p
	t_no_window
}

# check_hit WINDOW HITS_BEFORE SIDE_A SIDE_B FRAME_A FRAME_B: one more hit,
# the last one by those tasks, each side's stack through the given function
check_hit() {
	local w=$1
	cat $HT/windows
	expect_eq "$w hits" $(($2 + 1)) "$(window_field $w hits)"
	expect_eq "window_$w counter" "$(window_field $w hits)" "$(counter window_$w)"
	expect_eq "$w pid_a" "$3" "$(window_field $w pid_a)"
	expect_eq "$w pid_b" "$4" "$(window_field $w pid_b)"
	window_frames $w a | grep -q "^$5+0x" || fail "side a's stack has no $5"
	window_frames $w b | grep -q "^$6+0x" || fail "side b's stack has no $6"
	! grep '^  .*0x[0-9a-f]\{12,\}' $HT/windows || fail "a raw address in a stack"
}

# Seed 000: a fault on the page a UFFDIO_COPY will retry after -ENOENT.
t_copy_retry_vs_fault() {
	local h0 out
	h0=$(window_field uffd_copy_retry_vs_fault hits)
	out=$(hugeuffd -R) || fail "hugeuffd -R: $out"
	echo "$out"
	check_hit uffd_copy_retry_vs_fault $h0 "$(field "$out" side_a)" "$(field "$out" side_b)" \
		"$(probe_field mfill_copy 3)" handle_mm_fault
	expect_eq "comm_b" hugeuffd "$(window_field uffd_copy_retry_vs_fault comm_b)"
}

# Seed 003: huge_pmd_unshare() while another thread of the mm is in a fault
# past huge_pte_alloc() (here: handed to userfaultfd, its locks dropped).
# Where the zap path's unshare is inlined (6.12-debug: pmd_unshare_zap
# missing), hugetrack cannot see side b: the window must stay unhit.
t_pmd_unshare_vs_fault() {
	local h0 out
	h0=$(window_field pmd_unshare_vs_fault hits)
	out=$(hugeuffd -U /dev/hugepages/t45u) || fail "hugeuffd -U: $out"
	rm /dev/hugepages/t45u
	echo "$out"
	if [ "$(expected_symbol pmd_unshare_zap)" = - ]; then
		expect_eq "pmd_unshare_zap state" missing "$(probe_field pmd_unshare_zap 5)"
		expect_eq "pmd_unshare_vs_fault hits" "$h0" "$(window_field pmd_unshare_vs_fault hits)"
		return
	fi
	check_hit pmd_unshare_vs_fault $h0 "$(field "$out" side_a)" "$(field "$out" side_b)" \
		hugetlb_fault __unmap_hugepage_range
}

# Seed 001: a uffd fill on the PMD range collapse_pte_mapped_thp() works on.
# Handlers of kprobes on one address run newest first: ht_inject goes in
# before hugetrack, whose entry handler then opens the window before the hold.
t_collapse_vs_uffd_fill() {
	local h0 hits0 out pid
	rmmod hugetrack
	insmod /tests/ht_inject.ko mode=hold comm=thpcollapse hold_ms=1500 \
		hold_symbol="$(expected_symbol collapse_pte_mapped_thp)" ||
		fail "cannot load ht_inject"
	insmod /hugetrack.ko || fail "cannot load hugetrack after ht_inject"
	h0=$(window_field collapse_vs_uffd_fill hits)
	hits0=$(probe_field collapse_pte_mapped_thp 6)
	out=$(thpcollapse -f /tmp/thp/t45r -r -v)
	rmmod ht_inject
	rm /tmp/thp/t45r
	echo "$out"
	echo "$out" | grep -q '^collapse 0 ok' || fail "the first collapse failed: $out"
	[ "$(probe_field collapse_pte_mapped_thp 6)" -gt "$hits0" ] ||
		fail "collapse_pte_mapped_thp was not called"
	if [ "$FILL_DURING_COLLAPSE" = 0 ]; then
		# the fill waited for mmap_lock and found the PMD the collapse mapped
		expect_eq "UFFDIO_CONTINUE after the collapse" EEXIST \
			"$(field "$(echo "$out" | grep filler_tid)" continue)"
		expect_eq "hits (the fill cannot land meanwhile)" "$h0" \
			"$(window_field collapse_vs_uffd_fill hits)"
		return
	fi
	expect_eq "UFFDIO_CONTINUE" ok "$(field "$(echo "$out" | grep filler_tid)" continue)"
	pid=$(field "$(echo "$out" | grep '^pid=')" pid)
	check_hit collapse_vs_uffd_fill $h0 "$pid" \
		"$(field "$(echo "$out" | grep filler_tid)" filler_tid)" \
		madvise_collapse mfill_atomic_install_pte
}

t_reset() {
	echo reset >$HT/control
	t_windows_idle
	t_no_window
	grep -q '^windows: uffd_copy_retry_vs_fault 0 collapse_vs_uffd_fill 0 pmd_unshare_vs_fault 0$' \
		$HT/summary || fail "summary: $(grep '^windows' $HT/summary)"
}

run_test "windows: every window listed, none hit at load" t_windows_idle
run_test "plain uffd, sharing and collapse workloads leave every window at 0" t_plain_workloads
run_test "uffd_copy_retry_vs_fault: a fault on a page UFFDIO_COPY will retry" t_copy_retry_vs_fault
run_test "pmd_unshare_vs_fault: an unshare while a fault is past huge_pte_alloc" t_pmd_unshare_vs_fault
# without THP (expected-kernels.txt) there is no collapse to fill during: t-40 checks it
[ "$HAS_THP" = 0 ] ||
	run_test "collapse_vs_uffd_fill: a uffd fill during collapse_pte_mapped_thp ($KSERIES)" t_collapse_vs_uffd_fill
run_test "no anomaly while the windows were driven" t_no_anomaly
run_test "reset clears the windows" t_reset
umount /tmp/thp
thp_enabled $THP_BOOT
rmmod hugetrack
run_test "dmesg has no warning or oops after the windows tests" dmesg_clean
