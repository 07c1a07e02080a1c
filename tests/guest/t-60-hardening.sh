# SPDX-License-Identifier: GPL-2.0
# hugetrack must never be what crashes a developer's box: load and unload
# under load, unload with a task asleep inside a probed function and with
# its files held open, a footprint fixed through a million events, bad
# input on every file, nothing for a non-root user, no kernel address in
# any output.  Each against the kernel's own account: dmesg, /proc/modules,
# /proc/meminfo, task stacks, ftrace-free counts of what the workload did.

# timing WHAT: the seconds since $START, as a TAP comment after the test
timing() {
	echo "$1 took $(($(date +%s) - START)) s" >>/tmp/timings
}

show_timings() {
	[ -f /tmp/timings ] && sed 's/^/# /' /tmp/timings
	rm -f /tmp/timings
}

module_refs() {
	awk '$1 == "hugetrack" { print $3 }' /proc/modules
}

# Reads files while the module comes and goes: an open that races the
# unload gets ENOENT or ENXIO, a read under way ends before the files go.
race_reader() {
	while [ ! -e /tmp/stop ]; do
		cat $HT/summary $HT/probes $HT/faults >/dev/null 2>&1
	done
}

# rmmod, again while a racing reader has a file open (the module is in use)
rmmod_when_free() {
	local try
	for try in $(seq 100); do
		rmmod hugetrack 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# 1. Faults, UFFDIO_COPY and MADV_COLLAPSE run on while the module is
# loaded and unloaded 50 times, and a reader reads its files; each workload
# checks its own data, and each load judges what begins after its arming:
# no anomaly, in counters or in dmesg.  A load or an unload takes a second or more under
# TCG (each probe is armed or disarmed by patching kernel text).
t_load_unload_under_load() {
	local free0 i name pids="" judged=0 unjudged=0 dmesg0 workloads="fault uffd"
	free0=$(cat $SYS2M/free_hugepages)
	rm -f /tmp/stop /tmp/bg.* /tmp/fired
	dmesg0=$(dmesg | wc -l)
	bg_loop fault hugefault -n 2 -t 2 & pids="$pids $!"
	bg_loop uffd hugeuffd copy 2 & pids="$pids $!"
	if [ "$HAS_THP" != 0 ]; then
		bg_loop collapse thpcollapse -n 1 -q & pids="$pids $!"
		workloads="$workloads collapse"
	fi
	race_reader & pids="$pids $!"
	# never idle, but yielding to the loads and unloads: 50 cycles in time
	renice -n 19 -p $pids >/dev/null
	START=$(date +%s)
	for i in $(seq 50); do
		insmod /hugetrack.ko || break
		# judged while loaded: what began before arming is not
		sleep 0.5
		judged=$((judged + $(counter judged_resv) + $(counter judged_ref)))
		unjudged=$((unjudged + $(counter unjudged_unarmed)))
		awk -v i=$i '/^anomaly_/ && $2 != 0 { print "cycle " i ": " $1 " " $2 }' \
			$HT/counters >>/tmp/fired
		rmmod_when_free || break
	done
	timing "50 load and unload cycles under load"
	touch /tmp/stop
	wait $pids
	[ "$i" = 50 ] && ! grep -q '^hugetrack ' /proc/modules ||
		fail "cycle $i failed: $(dmesg | tail -n 2 | tr '\n' '|')"
	[ ! -s /tmp/fired ] || fail "anomalies: $(head -n 3 /tmp/fired | tr '\n' '|')"
	! dmesg | tail -n +$((dmesg0 + 1)) | grep 'hugetrack: anomaly' || fail "anomalies in dmesg"
	echo "judged $judged deltas, $unjudged events begun before arming" >>/tmp/timings
	[ "$judged" -gt 0 ] || fail "no delta judged in 50 cycles"
	for name in $workloads; do
		[ ! -s /tmp/bg.$name.fail ] || fail "$name workload: $(head -n 1 /tmp/bg.$name.fail)"
		echo "$name workload: $(cat /tmp/bg.$name.rounds) rounds" >>/tmp/timings
		[ "$(cat /tmp/bg.$name.rounds)" -gt 0 ] || fail "$name workload never ran"
	done
	expect_eq "free huge pages after" "$free0" "$(cat $SYS2M/free_hugepages)"
	dmesg_clean
}

# One fault asleep in hugetlb_fault (its kernel stack says so).
start_blocked_fault() {
	block_faults 1
	cat /proc/$BLOCKED/task/*/stack | grep -q '^\[<[0-9a-f]*>\] hugetlb_fault+' ||
		fail "no task asleep in hugetlb_fault: $(cat /proc/$BLOCKED/task/*/stack | tr '\n' '|')"
}

# 2. Unload while a fault sleeps inside hugetlb_fault, load again, then
# resolve it: it returns through the old module's return probe, which is
# gone; the task completes with its data.  The new module sees only the
# fault's retry, as ftrace does.
t_unload_during_fault() {
	local free0 hits s0 retries
	free0=$(cat $SYS2M/free_hugepages)
	insmod /hugetrack.ko || fail "insmod failed"
	start_blocked_fault
	hits=$(probe_field hugetlb_fault 6)
	[ "$hits" -ge 1 ] || fail "hugetlb_fault hits $hits: the probe did not see the call"
	expect_eq "fault events while it sleeps" 0 "$(counter events_fault)"
	rmmod hugetrack || fail "rmmod with a task asleep in hugetlb_fault failed"
	insmod /hugetrack.ko || fail "insmod after that failed"
	ftrace_add ht_retry hugetlb_fault || fail "cannot add an ftrace event"
	release_faults
	retries=$(ftrace_hits ht_retry)
	ftrace_del ht_retry
	expect_eq "fault events of the new module (ftrace: $retries)" "$retries" "$(counter events_fault)"
	t_no_anomaly
	s0=$(last_seq)
	hugefault -n 1 >/dev/null || fail "a fault after it failed"
	expect_eq "the next fault's event" "ref=0->1 map=0->1 flags=private,new" \
		"$(events_after $s0 | grep kind=fault | grep -o 'ref=[^ ]* map=[^ ]* flags=[^ ]*')"
	rmmod hugetrack || fail "rmmod failed"
	expect_eq "free huge pages after" "$free0" "$(cat $SYS2M/free_hugepages)"
	dmesg_clean
}

# 3. A reader blocked in read() on events and summary held open: each open
# file holds a reference on the module (the kernel's fops_get), so rmmod is
# refused and neither file is cut off; once they close, it unloads.
t_unload_with_files_open() {
	local reader i
	insmod /hugetrack.ko || fail "insmod failed"
	cat $HT/events >/tmp/events.out &
	reader=$!
	exec 8<$HT/summary
	for i in $(seq 50); do
		grep -q events_read /proc/$reader/stack && break
		sleep 0.1
	done
	grep -q events_read /proc/$reader/stack || fail "the reader is not blocked in events_read"
	expect_eq "module references (/proc/modules)" 2 "$(module_refs)"
	! rmmod hugetrack 2>/dev/null || fail "rmmod unloaded it under open files"
	grep -q '^hugetrack ' /proc/modules && [ -d $HT ] || fail "a refused rmmod removed something"
	hugefault -n 1 >/dev/null || fail "workload failed"
	for i in $(seq 50); do
		grep -q 'kind=fault' /tmp/events.out && break
		sleep 0.1
	done
	grep -q 'kind=fault' /tmp/events.out || fail "the blocked reader did not get the fault"
	head -n 1 <&8 | grep -q "^hugetrack $(cat /tests/VERSION) on " || fail "summary unreadable from the held file"
	exec 8<&-
	kill $reader
	wait $reader
	expect_eq "module references after both closed" 0 "$(module_refs)"
	rmmod hugetrack || fail "rmmod after the files closed failed"
	[ ! -d $HT ] || fail "$HT still there"
	dmesg_clean
}

event_total() {
	awk '/^events_/ && $1 != "events_dropped" { s += $2 } END { print s + 0 }' $HT/counters
}

# 4. A million zaps (MADV_DONTNEED of a huge page: the cheapest real
# hugetlb event), nobody reading events: Slab and the module's footprint
# stay, the ring keeps its last ring_size events, events_dropped counts the
# rest exactly, and the events stream then delivers exactly those.
t_million_events() {
	local zaps=1000000 z0 slab0 unrecl0 bytes0 size0 total ring first last
	insmod /hugetrack.ko || fail "insmod failed"
	echo "filter comm hugefault" >$HT/control
	ring=$(cat /sys/module/hugetrack/parameters/ring_size)
	hugefault -n 1 -t 1 -z 0 >/dev/null || fail "workload failed"
	z0=$(counter events_zap)
	slab0=$(meminfo_kb Slab)
	unrecl0=$(meminfo_kb SUnreclaim)
	bytes0=$(footprint)
	size0=$(awk '$1 == "hugetrack" { print $2 }' /proc/modules)
	START=$(date +%s)
	hugefault -n 1 -t 1 -z $zaps >/dev/null || fail "workload failed"
	timing "$zaps zap events"
	expect_eq "zap events" $((zaps + 2 * z0)) "$(counter events_zap)"
	total=$(event_total)
	expect_eq "newest seq" "$total" "$(last_seq)"
	expect_eq "events_dropped" $((total - ring)) "$(counter events_dropped)"
	expect_eq "footprint in summary" "$bytes0" "$(footprint)"
	expect_eq "module size in /proc/modules" "$size0" "$(awk '$1 == "hugetrack" { print $2 }' /proc/modules)"
	echo "Slab ${slab0} -> $(meminfo_kb Slab) kB, SUnreclaim $unrecl0 -> $(meminfo_kb SUnreclaim) kB" >>/tmp/timings
	# a byte a event would be 1000 kB
	[ $(($(meminfo_kb Slab) - slab0)) -lt 512 ] || fail "Slab grew from $slab0 to $(meminfo_kb Slab) kB"
	[ $(($(meminfo_kb SUnreclaim) - unrecl0)) -lt 512 ] ||
		fail "SUnreclaim grew from $unrecl0 to $(meminfo_kb SUnreclaim) kB"
	timeout 5 cat $HT/events >/tmp/events.out
	first=$(head -n 1 /tmp/events.out | sed 's/^seq=\([0-9]*\) .*/\1/')
	last=$(tail -n 1 /tmp/events.out | sed 's/^seq=\([0-9]*\) .*/\1/')
	expect_eq "events delivered" "$ring $((total - ring + 1)) $total" \
		"$(grep -c . /tmp/events.out) $first $last"
	expect_eq "events_dropped after the stream" $((total - ring)) "$(counter events_dropped)"
	rmmod hugetrack
}

# The files' content with whatever changes on its own left out
module_state() {
	cat $HT/control $HT/counters $HT/anomalies $HT/faults $HT/writers
	sed 1d $HT/summary
}

# 5. Every file takes bad and random writes: EINVAL (E2BIG past control's
# 64 bytes), nothing changes, dmesg says nothing.
t_bad_input_every_file() {
	local state lines f bad i n err
	state=$(module_state)
	# hugetrack's own lines: the kernel may print others meanwhile (the
	# clocksource watchdog did, on a loaded host)
	lines=$(dmesg | grep -c hugetrack)
	for f in $HT/*; do
		for bad in 'RESET' 'x' '\0' '\n' '\0reset' 'reset\0' 'filter pid 1\0' '%%s%%p' \
			"$(head -c 300 /dev/zero | tr '\0' x)"; do
			[ -n "$(write_file $f "$bad")" ] || fail "$f accepted '$bad'"
		done
		[ $f = $HT/control ] || for bad in reset enable disable 'filter clear'; do
			[ "$(write_file $f "$bad")" = "Invalid argument" ] || fail "read-only $f accepted '$bad'"
		done
		for i in $(seq 20); do
			n=$((RANDOM % 300 + 1))
			head -c $n /dev/urandom >/tmp/random
			err=$(dd if=/tmp/random of=$f bs=4096 2>&1 | grep -o 'Invalid argument\|Argument list too long')
			[ -n "$err" ] || fail "$f accepted $n random bytes"
		done
	done
	expect_eq "state after the bad writes" "$state" "$(module_state)"
	expect_eq "hugetrack's dmesg lines" "$lines" "$(dmesg | grep -c hugetrack)"
}

# 6. With the debugfs mount opened to all (mode 755), each file's own mode
# keeps a non-root user out: EACCES on read and on write.
t_non_root() {
	local f out
	mkdir -p /etc
	echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >/etc/passwd
	echo 'nogroup:x:65534:' >/etc/group
	mount -o remount,mode=755 /sys/kernel/debug || fail "cannot open debugfs to all"
	for f in $HT/*; do
		out=$(su nobody -s /bin/sh -c "cat $f" 2>&1) && fail "nobody read $f"
		echo "$out" | grep -q 'Permission denied' || fail "reading $f as nobody: $out"
		out=$(su nobody -s /bin/sh -c "echo reset >$f" 2>&1) && fail "nobody wrote $f"
		echo "$out" | grep -q 'Permission denied' || fail "writing $f as nobody: $out"
	done
	mount -o remount,mode=700 /sys/kernel/debug
	su nobody -s /bin/sh -c "ls $HT" 2>/dev/null && fail "debugfs still open to all"
	true
}

# Every file, after faults, uffd fills, zaps and an anomaly with its stack:
# no kernel address (0xffff..., or ffff... without 0x) nor hashed pointer.
t_no_kernel_pointer() {
	local leak
	insmod /tests/ht_inject.ko mode=extra_ref || fail "cannot load ht_inject"
	hugefault -n 2 -t 2 -z 1 -- rmmod ht_inject >/dev/null || fail "workload failed"
	hugeuffd copy 1 >/dev/null || fail "uffd workload failed"
	grep -q '^anomaly=' $HT/anomalies || fail "no anomaly to scan"
	for f in $HT/*; do
		case $f in
		$HT/events) timeout 5 cat $f ;;
		# binary: its header and records, decoded as the reader prints them
		$HT/events_bin) evbin lines ;;
		*) cat $f ;;
		esac
	done >/tmp/all-output
	leak=$(grep -inE '0x[0-9a-f]{13,}|ffff[0-9a-f]{12}|(^|[^0-9a-fx])0{8}[0-9a-f]{8}([^0-9a-f]|$)' /tmp/all-output)
	[ -z "$leak" ] || fail "a kernel address in the output: $(echo "$leak" | head -n 2)"
	[ "$(grep -c . /tmp/all-output)" -gt 50 ] || fail "too little output to scan"
}

rm -f /tmp/timings
run_test "50 loads and unloads under faults, UFFDIO_COPY, collapses and file reads: data intact, deltas judged, no anomaly, dmesg clean" \
	t_load_unload_under_load
show_timings
run_test "unload while a fault sleeps in hugetlb_fault, reload, resolve: the task completes" \
	t_unload_during_fault
run_test "blocked events reader and open summary: rmmod refused, both keep working, unload after close" \
	t_unload_with_files_open
run_test "a million events: Slab and footprint fixed, events_dropped exact, the ring's last events delivered" \
	t_million_events
show_timings
insmod /hugetrack.ko || echo "# insmod failed: $(dmesg | tail -n 1)"
run_test "every file refuses bad and random writes: no change, no dmesg line" t_bad_input_every_file
run_test "a non-root user can neither read nor write any file" t_non_root
run_test "no file prints a kernel address or a hashed pointer" t_no_kernel_pointer
rmmod hugetrack
run_test "dmesg has no warning or oops after the hardening tests" dmesg_clean
