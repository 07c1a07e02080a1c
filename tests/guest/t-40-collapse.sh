# SPDX-License-Identifier: GPL-2.0
# THP collapse: one event per attempt, by MADV_COLLAPSE (anonymous, shmem,
# userfaultfd-armed) and by khugepaged, against smaps, pagemap and
# kpagecount, ftrace and the khugepaged thread in /proc.
insmod /hugetrack.ko || echo "# insmod failed: $(dmesg | tail -n 1)"

# A kernel without THP (HAS_THP=0, expected-kernels.txt: PREEMPT_RT) has none of
# this: no sysfs for it, MADV_COLLAPSE is refused, the thp probes missing.
t_no_thp() {
	local p
	[ ! -e /sys/kernel/mm/transparent_hugepage ] || fail "$KNAME has /sys/kernel/mm/transparent_hugepage"
	thpcollapse -n 1 >/dev/null 2>&1 && fail "MADV_COLLAPSE succeeded"
	for p in $(awk '$2 == "thp" { print $1 }' $HT/probes); do
		expect_eq "probe $p" missing "$(probe_field $p 5)"
	done
	expect_eq "collapse events" 0 "$(counter events_collapse)"
}

if [ "$HAS_THP" = 0 ]; then
	run_test "$KNAME has no THP: no sysfs for it, MADV_COLLAPSE refused, every thp probe missing, no event" t_no_thp
	rmmod hugetrack
	return 0
fi

KHP=$THP/khugepaged
KHP_SCAN_SLEEP=$(cat $KHP/scan_sleep_millisecs)
KHP_ALLOC_SLEEP=$(cat $KHP/alloc_sleep_millisecs)
# khugepaged would race MADV_COLLAPSE for the same ranges
thp_enabled never
mkdir -p /tmp/thp
mount -t tmpfs -o huge=advise,size=16m tmpfs /tmp/thp

# collapse_after SEQ PID [FILE]: the collapse events of the mm of PID since
# SEQ, from $HT/faults or FILE
collapse_after() {
	events_after $1 $3 | grep ' kind=collapse ' | grep " owner=$2 "
}

# check_collapse EVENT KEY=VALUE...: the event has each of them
check_collapse() {
	local ev=$1 kv
	shift
	for kv; do
		expect_eq "${kv%%=*} of [$ev]" "${kv#*=}" "$(field "$ev" ${kv%%=*})"
	done
}

# Ground truth of the new THP: smaps grows by 2 MiB, pagemap gives the
# event's pfn, kpagecount its mapcount; the tail pages' refcounts are
# checked by the rule (no anomaly).
t_madvise_anon() {
	local s0 out line pid huge ev
	s0=$(last_seq)
	out=$(thpcollapse -v) || fail "thpcollapse: $out"
	line=$(echo "$out" | grep '^pid=')
	pid=$(field "$line" pid)
	ev=$(collapse_after $s0 $pid)
	echo "$out"
	echo "$ev"
	expect_eq "collapse events" 1 "$(echo "$ev" | grep -c .)"
	check_collapse "$ev" result=SCAN_SUCCEED path=madvise pid=$pid comm=thpcollapse \
		addr=$(field "$line" addr) page_kb=2048 uffd=0 file=0 flags=private,new \
		resv=- pfn=$(field "$line" pfn) "map=0->$(field "$line" kpagecount)"
	huge=$(field "$line" huge_kb)
	expect_eq "AnonHugePages growth (smaps, kB)" 2048 $((${huge#*->} - ${huge%->*}))
}

# The events of MADV_COLLAPSE are its per-range scans: as many as ftrace
# counts calls of the per-PMD scan (khugepaged is off): scan_pmd's symbol,
# or single_pmd's where the scan is inlined (7.2).
t_madvise_ftrace() {
	local before theirs out sym
	sym=$(expected_symbol scan_pmd)
	[ "$sym" != - ] || sym=$(expected_symbol single_pmd)
	ftrace_add ht_scan_pmd "$sym" || fail "cannot add an ftrace event on $sym"
	before=$(counter events_collapse)
	out=$(thpcollapse -n 3) || fail "thpcollapse: $out"
	theirs=$(ftrace_hits ht_scan_pmd)
	ftrace_del ht_scan_pmd
	expect_eq "collapse events (ftrace: $theirs calls)" "$theirs" $(($(counter events_collapse) - before))
	expect_eq "ftrace calls" 3 "$theirs"
}

# khugepaged_made SEQ KHP OUT FILE KEY=VALUE...: the one successful
# collapse event since SEQ in FILE ($HT/faults, or a copy of the events
# stream) of the range thpcollapse -v printed in OUT: by the khugepaged
# thread KHP, at the range, with its pfn, and each KEY=VALUE.  It ends when
# collapse_huge_page() returns, after thpcollapse saw the THP.
khugepaged_made() {
	local s0=$1 khp=$2 file=$4 line pid ev i
	line=$(echo "$3" | grep '^pid=')
	pid=$(field "$line" pid)
	shift 4
	for i in $(seq 50); do
		ev=$(collapse_after $s0 $pid $file | grep ' result=SCAN_SUCCEED ')
		[ -n "$ev" ] && break
		sleep 0.1
	done
	echo "$ev"
	[ -n "$ev" ] || echo "# $file: $(events_after $s0 $file | grep -c .) events since seq $s0, the first $(events_after $s0 $file | head -n 1 | cut -d' ' -f1)"
	expect_eq "successful khugepaged collapses of thpcollapse's range" 1 "$(echo "$ev" | grep -c .)"
	check_collapse "$ev" path=khugepaged pid=$khp tid=$khp comm=khugepaged \
		addr=$(field "$line" addr) pfn=$(field "$line" pfn) uffd=0 file=0 "$@"
}

# Where collapse_huge_page() is inlined (6.12-debug, expected-probes.txt),
# hugetrack has no probe on khugepaged's anonymous collapse: khugepaged
# still collapses the range, and hugetrack must record no event of it.
t_khugepaged() {
	local s0 out line pid khp
	echo 0 >$KHP/alloc_sleep_millisecs
	echo 0 >$KHP/scan_sleep_millisecs
	thp_enabled always
	khp=$(pid_of khugepaged)
	s0=$(last_seq)
	out=$(thpcollapse -k 120 -v)
	thp_enabled never
	echo "$out"
	[ -n "$khp" ] || fail "no khugepaged thread in /proc"
	echo "$out" | grep -q '^collapse 0 ok' || fail "khugepaged did not collapse within 120 s: $out"
	line=$(echo "$out" | grep '^pid=')
	pid=$(field "$line" pid)
	if [ "$(expected_symbol collapse_huge_page)" = - ]; then
		expect_eq "collapse_huge_page state" missing "$(probe_field collapse_huge_page 5)"
		sleep 5
		expect_eq "collapse events of thpcollapse's range" "" "$(collapse_after $s0 $pid)"
		return
	fi
	khugepaged_made $s0 $khp "$out" $HT/faults
}

# The order collapse_huge_page() is read with: an argument where the kernel
# collapses every enabled size (MTHP_COLLAPSE=1), proven by t-10's BTF check.
t_collapse_order_read() {
	local want=0
	[ "$MTHP_COLLAPSE" = 1 ] && [ "$(expected_symbol collapse_huge_page)" != - ] && want=1
	expect_eq "layouts lines of collapse_huge_page's argument 5 (order)" $want \
		"$(grep -c '^collapse_huge_page [^ ]* 5 4 unsigned int$' $HT/layouts)"
}

# mTHP_SIZE_kB/enabled's setting in brackets
mthp_setting() {
	sed 's/.*\[\(.*\)\].*/\1/' $THP/hugepages-$1kB/enabled
}

# With only the 64 KiB anonymous size enabled (the PMD's never), khugepaged
# collapses the 16 small pages thpcollapse -m 64 fills into one 64 KiB
# folio: the event says page_kb=64 at the range, with the folio's pfn and
# mapcount as pagemap and kpagecount give them; every order-4 attempt is one
# event, as the size's collapse_alloc + collapse_alloc_failed counters
# and the mm_collapse_huge_page trace event (order=4) count them.  The
# events come from the stream, which keeps all of them: until the size is
# disabled, khugepaged (scan_sleep 0) retries the collapsed range every
# 0.3 ms (SCAN_PTE_MAPPED_HUGEPAGE), which pushes the success out of the
# faults file's newest 256 within 100 ms.
t_khugepaged_mthp() {
	local m=$THP/hugepages-64kB setting stats ev0 trace out khp n events
	local stream=/tmp/t40-mthp.events
	[ -d $m ] || fail "no $m: no 64 KiB THP size"
	setting=$(mthp_setting 64)
	stats="$(cat $m/stats/collapse_alloc) $(cat $m/stats/collapse_alloc_failed)"
	ev0=$(last_seq)
	trace=$TRACING/events/huge_memory/mm_collapse_huge_page
	echo 'order == 4' >$trace/filter && echo >$TRACING/trace && echo 1 >$trace/enable ||
		fail "cannot trace mm_collapse_huge_page with order 4"
	echo 0 >$KHP/alloc_sleep_millisecs
	echo 0 >$KHP/scan_sleep_millisecs
	echo always >$m/enabled
	khp=$(pid_of khugepaged)
	out=$(thpcollapse -k 120 -m 64 -v)
	echo "$setting" >$m/enabled
	# the attempts under way end within a scan
	sleep 2
	echo 0 >$trace/enable
	echo 0 >$trace/filter
	# the stream's unread events since its last reader, ours the newest
	timeout 2 cat $HT/events >$stream
	echo "$out"
	[ -n "$khp" ] || fail "no khugepaged thread in /proc with only 64 KiB enabled"
	echo "$out" | grep -q '^collapse 0 ok' || fail "khugepaged did not make a 64 KiB THP within 120 s: $out"
	khugepaged_made $ev0 $khp "$out" $stream page_kb=64 flags=private,new \
		"map=0->$(field "$(echo "$out" | grep '^pid=')" kpagecount)"
	n=$(($(cat $m/stats/collapse_alloc) + $(cat $m/stats/collapse_alloc_failed) - ${stats% *} - ${stats#* }))
	events=$(events_after $ev0 $stream | grep ' kind=collapse ' | grep ' path=khugepaged ' | grep -c ' page_kb=64 ')
	expect_eq "64 KiB collapse events (collapse_alloc + collapse_alloc_failed: $n)" "$n" "$events"
	expect_eq "64 KiB collapse events (trace, order=4)" \
		"$(grep -c 'mm_collapse_huge_page:.* order=4$' $TRACING/trace)" "$events"
	expect_eq "collapse events of another size than 64 KiB or 2 MiB" "" \
		"$(events_after $ev0 $stream | grep ' kind=collapse ' | grep -v -E ' page_kb=(64|2048) ')"
}

# Where khugepaged collapses only to the PMD size (MTHP_COLLAPSE=0), every
# collapse event so far was of 2 MiB.
t_pmd_only() {
	expect_eq "collapse events of another size than 2 MiB" "" \
		"$(events_after 0 | grep ' kind=collapse ' | grep -v ' page_kb=2048 ')"
}

# shmem: collapse_file() makes the THP in the page cache, the page tables
# of the range are retracted: both seen, as often as ftrace sees them;
# where the retract is inlined (6.12-debug), its probe says missing.
t_madvise_shmem() {
	local s0 out line pid ev probe theirs huge probes=collapse_file
	if [ "$(expected_symbol retract_page_tables)" = - ]; then
		expect_eq "retract_page_tables state" missing "$(probe_field retract_page_tables 5)"
	else
		probes="$probes retract_page_tables"
	fi
	for probe in $probes; do
		ftrace_add ht_$probe $(probe_field $probe 3) ||
			fail "cannot add an ftrace event on $(probe_field $probe 3)"
		eval before_$probe=$(probe_field $probe 6)
	done
	s0=$(last_seq)
	out=$(thpcollapse -f /tmp/thp/t40 -v) || fail "thpcollapse: $out"
	rm /tmp/thp/t40
	echo "$out"
	line=$(echo "$out" | grep '^pid=')
	pid=$(field "$line" pid)
	ev=$(collapse_after $s0 $pid)
	echo "$ev"
	for probe in $probes; do
		theirs=$(ftrace_hits ht_$probe)
		ftrace_del ht_$probe
		[ "$theirs" -ge 1 ] || fail "ftrace saw no call of $(probe_field $probe 3)"
		expect_eq "$probe probe hits (ftrace: $theirs)" "$theirs" \
			$(($(probe_field $probe 6) - $(eval echo \$before_$probe)))
	done
	expect_eq "collapse events" 1 "$(echo "$ev" | grep -c .)"
	case $(field "$ev" result) in
	SCAN_SUCCEED | SCAN_PTE_MAPPED_HUGEPAGE) ;;
	*) fail "result of [$ev]: a collapse in the page cache, not $(field "$ev" result)" ;;
	esac
	check_collapse "$ev" path=madvise file=1 uffd=0 flags=shared,new pfn=$(field "$line" pfn)
	huge=$(field "$line" huge_kb)
	expect_eq "ShmemPmdMapped after (smaps, kB)" 2048 ${huge#*->}
}

# userfaultfd-armed anonymous range: the event says so and names its result.
t_madvise_armed() {
	local s0 out pid ev result
	s0=$(last_seq)
	out=$(thpcollapse -u -v)
	echo "$out"
	pid=$(field "$(echo "$out" | grep '^pid=')" pid)
	ev=$(collapse_after $s0 $pid)
	echo "$ev"
	expect_eq "collapse events" 1 "$(echo "$ev" | grep -c .)"
	check_collapse "$ev" uffd=1 file=0 path=madvise
	result=$(field "$ev" result)
	case $result in SCAN_*) ;; *) fail "result $result is not a SCAN_ name" ;; esac
	if [ "$result" = SCAN_SUCCEED ]; then
		echo "$out" | grep -q '^collapse 0 ok' || fail "SCAN_SUCCEED but MADV_COLLAPSE failed"
	fi
}

t_counters() {
	local attempts ok failed sum made=6
	# t_khugepaged's collapse is unseen where collapse_huge_page() is inlined
	[ "$(expected_symbol collapse_huge_page)" != - ] || made=5
	attempts=$(counter collapse_attempts)
	ok=$(counter collapse_succeeded)
	failed=$(counter collapse_failed)
	sum=$(awk '/^collapse_result_/ { s += $2 } END { print s + 0 }' $HT/counters)
	expect_eq "attempts = events_collapse" "$(counter events_collapse)" "$attempts"
	expect_eq "attempts = succeeded + failed" "$attempts" $((ok + failed))
	expect_eq "attempts = sum of results" "$attempts" "$sum"
	[ "$ok" -ge $made ] || fail "only $ok collapses made a THP"
	grep -q "^collapse: $attempts attempts, $ok made a THP" $HT/summary ||
		fail "summary: $(grep '^collapse' $HT/summary)"
}

run_test "MADV_COLLAPSE anonymous: event, smaps +2 MiB, pfn and mapcount as pagemap/kpagecount" t_madvise_anon
run_test "MADV_COLLAPSE events equal ftrace calls of the per-PMD scan" t_madvise_ftrace
run_test "khugepaged collapse: event from the khugepaged thread, owner is the process" t_khugepaged
run_test "collapse_huge_page's order read where it has one (MTHP_COLLAPSE=$MTHP_COLLAPSE)" t_collapse_order_read
if [ "$MTHP_COLLAPSE" = 1 ]; then
	run_test "khugepaged 64 KiB mTHP collapse: event page_kb=64, pfn and mapcount as pagemap/kpagecount, as many as mTHP stats and ftrace count" t_khugepaged_mthp
else
	run_test "khugepaged collapses to 2 MiB only here: no collapse event of another size" t_pmd_only
fi
run_test "MADV_COLLAPSE shmem: collapse_file and page-table retract seen as ftrace sees them" t_madvise_shmem
run_test "MADV_COLLAPSE on a userfaultfd-armed range: marked armed, result named" t_madvise_armed
run_test "counters and summary add the collapses up" t_counters
run_test "no anomaly on the collapse paths (tail refcounts all 0)" t_no_anomaly
run_test "no race window reached by the plain collapse scenarios" t_no_window
echo "$KHP_SCAN_SLEEP" >$KHP/scan_sleep_millisecs
echo "$KHP_ALLOC_SLEEP" >$KHP/alloc_sleep_millisecs
thp_enabled $THP_BOOT
umount /tmp/thp
rmmod hugetrack
run_test "dmesg has no warning or oops after the collapse tests" dmesg_clean
