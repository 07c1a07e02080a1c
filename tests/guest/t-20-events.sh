# SPDX-License-Identifier: GPL-2.0
# Events of faults and reservations, against sysfs, /proc/kpagecount and
# ftrace; the control file; the events stream.
insmod /hugetrack.ko || echo "# insmod failed: $(dmesg | tail -n 1)"

# Private anonymous mapping of 4 pages: mmap reserves 4 (what sysfs says
# while the mapping is held), each fault consumes one with refcount and
# mapcount 0->1, and munmap gives the unused reservations back.  The anon
# file's own setup reserves nothing (VM_NORESERVE, no vma: addr 0).
t_private_reserve() {
	local resv0 s0 mapped ev
	resv0=$(cat $SYS2M/resv_hugepages)
	s0=$(last_seq)
	mapped=$(hugefault -n 4 -t 0 -- cat $SYS2M/resv_hugepages) || fail "workload failed"
	expect_eq "sysfs resv while mapped" $((resv0 + 4)) "$mapped" || return 1
	events_after $s0
	ev=$(events_after $s0 | grep 'kind=reserve' | grep -v 'addr=0x0 ')
	expect_eq "reserve events for the vma" 1 "$(echo "$ev" | grep -c .)" || return 1
	expect_eq "reserve event resv" "$resv0->$mapped" "$(field "$ev" resv)" || return 1
	expect_eq "reserve event pages" 4 "$(field "$ev" pages)" || return 1
	ev=$(events_after $s0 | grep 'kind=vma_close')
	expect_eq "vma_close event resv" "$mapped->$resv0" "$(field "$ev" resv)" || return 1
	ev=$(events_after $s0 | grep 'kind=reserve' | grep 'addr=0x0 ')
	expect_eq "anon file setup reserve resv" "$resv0->$resv0" "$(field "$ev" resv)" || return 1
	expect_eq "sysfs resv after munmap" "$resv0" "$(cat $SYS2M/resv_hugepages)"
}

t_private_faults() {
	local s0 f0 c0 faults line
	s0=$(last_seq)
	f0=$(counter events_fault)
	c0=$(counter resv_consumed)
	hugefault -n 4 -t 4 || fail "workload failed"
	faults=$(events_after $s0 | grep 'kind=fault')
	expect_eq "fault events" 4 "$(echo "$faults" | grep -c .)" || return 1
	echo "$faults" | while read -r line; do
		resv=$(field "$line" resv)
		expect_eq "fault resv" "${resv%->*}->$((${resv%->*} - 1))" "$resv" &&
			expect_eq "fault ref" "0->1" "$(field "$line" ref)" &&
			expect_eq "fault map" "0->1" "$(field "$line" map)" &&
			expect_eq "fault flags" "private,new" "$(field "$line" flags)" || exit 1
	done || return 1
	expect_eq "events_fault" $((f0 + 4)) "$(counter events_fault)" &&
		expect_eq "resv_consumed" $((c0 + 4)) "$(counter resv_consumed)"
}

# A shared hugetlbfs file faulted by a parent and read by its child: the
# child's fault takes the mapcount to 2, as /proc/kpagecount says.
t_shared_fork_mapcount() {
	local s0 out line pfn kpc ev
	s0=$(last_seq)
	out=$(hugefault -n 2 -t 2 -f /dev/hugepages/t20 -F) || fail "workload failed: $out"
	rm -f /dev/hugepages/t20
	events_after $s0
	expect_eq "child's pages" 2 "$(echo "$out" | grep -c '^page')" || return 1
	echo "$out" | while read -r _ _ pfn kpc; do
		pfn=${pfn#pfn=}
		expect_eq "kpagecount of $pfn" kpagecount=2 "$kpc" || exit 1
		ev=$(events_after $s0 | grep 'kind=fault' | grep " pfn=$pfn ")
		expect_eq "parent's fault on $pfn" "ref=0->$((CACHE_REFS + 1)) map=0->1 flags=shared,new" \
			"$(echo "$ev" | head -n 1 | grep -o 'ref=[^ ]* map=[^ ]* flags=[^ ]*')" &&
			expect_eq "child's fault on $pfn" "ref=$((CACHE_REFS + 1))->$((CACHE_REFS + 2)) map=1->2 flags=shared" \
				"$(echo "$ev" | sed -n 2p | grep -o 'ref=[^ ]* map=[^ ]* flags=[^ ]*')" || exit 1
	done
}

# Each kind's event count against an ftrace kprobe event on its symbol.
t_totals_match_ftrace() {
	local kinds="fault:hugetlb_fault reserve:hugetlb_reserve_pages unreserve:hugetlb_unreserve_pages vma_close:hugetlb_vm_op_close"
	local k before after
	for k in $kinds; do
		ftrace_add ht_${k%%:*} ${k#*:} || fail "cannot add ftrace event for ${k#*:}"
		eval before_${k%%:*}=$(counter events_${k%%:*})
	done
	hugefault -n 3 -t 3 && hugefault -n 2 -t 1 -f /dev/hugepages/t7 &&
		rm /dev/hugepages/t7 || fail "workload failed"
	for k in $kinds; do
		eval before=\$before_${k%%:*}
		after=$(counter events_${k%%:*})
		theirs=$(ftrace_hits ht_${k%%:*})
		ftrace_del ht_${k%%:*}
		[ "$theirs" -gt 0 ] || fail "ftrace saw no ${k#*:} call"
		expect_eq "${k%%:*} events (ftrace: $theirs)" "$theirs" $((after - before)) || return 1
	done
}

# The events stream delivers each event once, in order, without gaps.  An
# anonymous mapping's life: the anon file's reserve, the vma's reserve, its
# faults, its zap at munmap, the vma close, and at the anon file's eviction
# a truncate with the unreserve inside it.
t_events_stream() {
	local lines first last n
	timeout 1 cat $HT/events >/dev/null
	hugefault -n 3 -t 3 || fail "workload failed"
	lines=$(timeout 1 cat $HT/events)
	n=$(echo "$lines" | grep -c '^seq=')
	expect_eq "events read (2 reserves, 3 faults, zap, vma_close, truncate, unreserve)" 9 "$n" || return 1
	first=$(echo "$lines" | head -n 1 | sed 's/^seq=\([0-9]*\) .*/\1/')
	last=$(echo "$lines" | tail -n 1 | sed 's/^seq=\([0-9]*\) .*/\1/')
	expect_eq "seq span" $((n - 1)) $((last - first)) &&
		expect_eq "events_dropped" 0 "$(counter events_dropped)"
}

# events_bin, the same stream as fixed-size records (ht_stream.h): its
# header, its records printed by the reader's formatter (evbin) are the
# module's own lines in the faults file, each once, in order; it shares the
# text stream's cursor, and refuses a buffer too short.
t_events_bin() {
	local s0 n first last
	expect_eq "events_bin header (magic, version)" "magic=0x48544556 version=1" \
		"$(evbin header | grep -o 'magic=[^ ]* version=[^ ]*')" || return 1
	evbin header | awk '{ split($3, h, "="); split($5, g, "="); exit h[2] != g[2] }' ||
		fail "the header's size is not what its read returned: $(evbin header)"
	timeout 1 cat $HT/events >/dev/null
	s0=$(last_seq)
	hugefault -n 3 -t 3 || fail "workload failed"
	evbin lines >/tmp/bin.txt || fail "evbin lines failed"
	expect_eq "the last read, nothing ready (O_NONBLOCK)" "end EAGAIN" "$(tail -n 1 /tmp/bin.txt)" || return 1
	sed '$d' /tmp/bin.txt >/tmp/bin.ev
	n=$(grep -c '^seq=' /tmp/bin.ev)
	expect_eq "records read (as t_events_stream's events)" 9 "$n" || return 1
	expect_eq "records as text = the faults file's lines" "$(events_after $s0)" "$(cat /tmp/bin.ev)" || return 1
	first=$(head -n 1 /tmp/bin.ev | sed 's/^seq=\([0-9]*\) .*/\1/')
	last=$(tail -n 1 /tmp/bin.ev | sed 's/^seq=\([0-9]*\) .*/\1/')
	expect_eq "first seq" $((s0 + 1)) "$first" &&
		expect_eq "seq span" $((n - 1)) $((last - first)) &&
		expect_eq "events left for the text stream (one cursor)" 0 \
			"$(timeout 1 cat $HT/events | grep -c '^seq=')" &&
		expect_eq "short header, short record buffer" "EINVAL EINVAL" "$(evbin short)" &&
		expect_eq "events_dropped" 0 "$(counter events_dropped)"
}

# A ring of 64 overwritten unread: events_bin starts at the oldest kept,
# and events_dropped counts exactly the records it never got.
t_events_bin_dropped() {
	local i first n dropped ran=ok
	rmmod hugetrack && insmod /hugetrack.ko ring_size=64 || fail "reload with ring_size=64 failed"
	for i in 1 2 3 4 5 6 7 8 9 10; do
		hugefault -n 3 -t 3 || ran="workload failed"
	done
	evbin lines >/tmp/bin.txt || ran="evbin lines failed"
	dropped=$(counter events_dropped)
	# the default ring again for the tests after this one, whatever happened
	rmmod hugetrack && insmod /hugetrack.ko || fail "reload failed"
	[ "$ran" = ok ] || fail "$ran"
	sed '$d' /tmp/bin.txt >/tmp/bin.ev
	n=$(grep -c '^seq=' /tmp/bin.ev)
	first=$(head -n 1 /tmp/bin.ev | sed 's/^seq=\([0-9]*\) .*/\1/')
	[ "${first:-0}" -gt 1 ] || fail "the ring of 64 was not overwritten (first seq ${first:-none})"
	expect_eq "records kept" 64 "$n" &&
		expect_eq "events_dropped after the read" $((first - 1)) "$dropped"
}

# summary: the resv range since reset is what sysfs showed, the top task is
# the workload's with its faults, and the footprint does not grow.
t_summary() {
	local resv0 held out pid line bytes
	echo reset >$HT/control
	resv0=$(cat $SYS2M/resv_hugepages)
	bytes=$(sed -n '1s/.*, \([0-9]*\) bytes preallocated$/\1/p' $HT/summary)
	held=$(hugefault -n 4 -t 0 -- cat $SYS2M/resv_hugepages) || fail "workload failed"
	out=$(hugefault -n 3 -t 3 -v) || fail "workload failed"
	pid=$(field "$out" pid)
	cat $HT/summary
	line=$(grep '^hugepages-2048kB:' $HT/summary)
	expect_eq "resv range" "min $resv0, max $held" "$(echo "$line" | grep -o 'min [0-9]*, max [0-9]*')"
	expect_eq "top task" "pid $pid hugefault: 3 faults" "$(sed -n '/^top tasks/{n;s/^  //p}' $HT/summary)"
	expect_eq "footprint" "$bytes" "$(sed -n '1s/.*, \([0-9]*\) bytes preallocated$/\1/p' $HT/summary)"
	[ "$bytes" -gt 0 ] || fail "no footprint in summary"
}

t_control_rejects_bad_input() {
	local state bad n i
	state=$(cat $HT/control $HT/counters)
	for bad in '\n' 'RESET' 'reset ' ' reset' 'reset\n\n' 'reset\0' 'enable\t' \
		'filter' 'filter pid' 'filter pid 0' 'filter pid -1' 'filter pid +5' \
		'filter pid 12abc' 'filter pid 99999999999' 'filter comm' 'filter comm ' \
		'filter comm a b' 'filter comm 0123456789abcdef' 'filter clear now' \
		'disable enable' 'filter  pid 1'; do
		[ -n "$(write_control "$bad")" ] || fail "control accepted '$bad'"
	done
	[ "$(write_control "$(head -c 100 /dev/zero | tr '\0' r)")" = "Argument list too long" ] ||
		fail "control accepted 100 bytes"
	for i in $(seq 50); do
		n=$((RANDOM % 100 + 1))
		head -c $n /dev/urandom >/tmp/random
		[ -n "$(dd if=/tmp/random of=$HT/control bs=4096 2>&1 | grep -o 'Invalid argument\|Argument list too long')" ] ||
			fail "control accepted $n random bytes"
	done
	expect_eq "control and counters after bad input" "$state" "$(cat $HT/control $HT/counters)"
}

t_control_commands() {
	local f0
	echo "filter pid 1" >$HT/control && f0=$(counter events_fault) &&
		hugefault -n 1 && expect_eq "faults recorded under filter pid 1" "$f0" "$(counter events_fault)" || return 1
	echo "filter comm hugefault" >$HT/control && hugefault -n 1 &&
		expect_eq "faults recorded under filter comm hugefault" $((f0 + 1)) "$(counter events_fault)" || return 1
	grep -q '^filter_comm hugefault$' $HT/control || fail "control does not show the comm filter"
	echo "filter clear" >$HT/control && echo disable >$HT/control && hugefault -n 1 &&
		expect_eq "faults recorded while disabled" $((f0 + 1)) "$(counter events_fault)" || return 1
	echo enable >$HT/control && echo reset >$HT/control &&
		expect_eq "events_fault after reset" 0 "$(counter events_fault)" &&
		grep -q '^recording enabled$' $HT/control
}

run_test "private mmap reserves 4 pages as sysfs says, munmap returns them" t_private_reserve
run_test "each private fault consumes one reservation, ref and map 0->1" t_private_faults
run_test "shared file: child's fault maps a 2nd time, as /proc/kpagecount says" t_shared_fork_mapcount
run_test "fault, reserve, unreserve and vma_close totals equal ftrace hits" t_totals_match_ftrace
run_test "events stream delivers each event once, in order" t_events_stream
run_test "events_bin: header, records = the text lines, one cursor, short reads refused" t_events_bin
run_test "events_bin: a ring of 64 overwritten: events_dropped counts what it lost" t_events_bin_dropped
run_test "no anomaly on correct paths" t_no_anomaly
run_test "summary: resv range as sysfs showed it, top task, fixed footprint" t_summary
run_test "control rejects bad and random input without a change" t_control_rejects_bad_input
run_test "control: filter pid, filter comm, disable, enable, reset" t_control_commands
rmmod hugetrack
