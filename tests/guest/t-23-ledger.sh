# SPDX-License-Identifier: GPL-2.0
# The reservation ledger ($HT/reservations) against ground truth: after each
# step of each workload the ledger's sum equals sysfs's resv_hugepages, and
# each holder's figures are what the workload reserved minus what it
# faulted; a subpool's equal statfs of its mount.
insmod /hugetrack.ko || echo "# insmod failed: $(dmesg | tail -n 1)"
MNT=/tmp/ledger-mnt
SNAP=/tmp/ledger-snap
HSTATE=hugepages-2048kB

# $SNAP NAME, run by a workload while it holds its mapping: the
# reservations file, sysfs's resv_hugepages and the workload's pid
# (the snapshot's parent), at one moment
cat >$SNAP <<EOF
#!/bin/sh
cat $HT/reservations >/tmp/ledger.\$1
cat $SYS2M/resv_hugepages >/tmp/ledger.\$1.sysfs
echo \$PPID >/tmp/ledger.\$1.pid
EOF
chmod +x $SNAP

snap() {
	$SNAP "$1"
}

# check_ledger NAME: every hstate reconciles (diff 0, nothing in flight),
# and the 2M hstate's global count and sum equal sysfs's
check_ledger() {
	local f=/tmp/ledger.$1 line
	[ -s $f ] || fail "$1: no snapshot"
	cat $f
	[ "$(grep -c '^ledger ' $f)" -ge 1 ] || fail "$1: no ledger line"
	line=$(grep '^ledger ' $f | grep -v ' in_flight=0 diff=0 .* used_diff=0 judged=1$' | head -n 1)
	[ -z "$line" ] || fail "$1: does not reconcile, or a walk saw an operation run: $line"
	line=$(grep "^ledger hstate=$HSTATE " $f)
	expect_eq "$1: global count (sysfs resv_hugepages)" "$(cat $f.sysfs)" "$(field "$line" global)"
	expect_eq "$1: the ledger's sum (sysfs resv_hugepages)" "$(cat $f.sysfs)" "$(field "$line" sum)"
	grep -q '^# unvisited tasks 0$' $f || fail "$1: tasks left unvisited: $(grep unvisited $f)"
}

# holder NAME KIND KEY=VALUE: the one line of KIND in the snapshot that has
# KEY=VALUE
holder() {
	local lines
	lines=$(grep "^$2 " /tmp/ledger.$1 | grep " $3 ")
	[ "$(echo "$lines" | grep -c .)" = 1 ] || fail "$1: not one $2 line with $3: $lines"
	echo "$lines"
}

# expect_holder NAME KIND KEY=VALUE FIELD=EXPECTED...: that line's fields
expect_holder() {
	local name=$1 kind=$2 key=$3 line kv
	line=$(holder $name $kind $key) || fail "$line"
	shift 3
	for kv in "$@"; do
		expect_eq "$name: $kind $key ${kv%%=*}" "${kv#*=}" "$(field "$line" ${kv%%=*})"
	done
}

# no_holder NAME KIND KEY=VALUE
no_holder() {
	local lines
	lines=$(grep "^$2 " /tmp/ledger.$1 | grep " $3 ")
	[ -z "$lines" ] || fail "$1: a $2 line with $3: $lines"
}

# mount_dev: MAJOR:MINOR of $MNT's superblock, as the ledger names a mount
mount_dev() {
	awk -v m=$MNT '$5 == m { print $3 }' /proc/self/mountinfo
}

t_idle() {
	snap idle
	check_ledger idle
}

# A private mapping owns its reservation: 4 reserved, 1 faulted
t_private() {
	local pid
	hugefault -n 4 -t 1 -- $SNAP private || fail "workload failed"
	pid=$(cat /tmp/ledger.private.pid)
	check_ledger private
	expect_holder private private pid=$pid pages=4 consumed=1 outstanding=3 lost=0
	snap private-after
	check_ledger private-after
	no_holder private-after private pid=$pid
}

# After fork the child owns none of the parent's reservation: one private
# line, the parent's, even while the child maps the pages (copy-on-write)
t_fork() {
	local pid
	hugefault -n 4 -t 2 -F -W -- $SNAP fork >/dev/null || fail "workload failed"
	pid=$(cat /tmp/ledger.fork.pid)
	check_ledger fork
	expect_holder fork private pid=$pid pages=4 consumed=2 outstanding=2 lost=0
	[ "$(grep -c '^private ' /tmp/ledger.fork)" = 1 ] || fail "fork: not one private line"
}

# MADV_DONTNEED of 2 faulted pages of a private mapping: where the kernel
# gives their reservations back when it frees them (RESTORES_ON_FREE), all 4
# are outstanding again; where it does not (6.1), the 2 are consumed with
# nothing mapped: lost, a later fault there takes a page without one
t_dontneed() {
	local pid lost status
	hugefault -n 4 -t 2 -D -A -- \
		sh -c "$SNAP dontneed; echo \$PPID >/tmp/ledger.dontneed.pid; sleep 1" ||
		fail "workload failed"
	pid=$(cat /tmp/ledger.dontneed.pid)
	check_ledger dontneed
	if [ "$RESTORES_ON_FREE" = 1 ]; then
		expect_holder dontneed private pid=$pid pages=4 consumed=0 outstanding=4 lost=0
		lost=0
	else
		expect_holder dontneed private pid=$pid pages=4 consumed=2 outstanding=2 lost=2
		lost=2
	fi
	expect_eq "dontneed: the ledger's lost pages" $lost \
		"$(field "$(grep "^ledger hstate=$HSTATE " /tmp/ledger.dontneed)" lost)"
	# hugetrack check judges it: resv_lost, naming the mapping, where lost
	hugefault -n 4 -t 2 -D -A -- hugetrack check >/tmp/ledger.check
	status=$?
	cat /tmp/ledger.check
	if [ $lost = 0 ]; then
		expect_eq "dontneed: check status" 0 $status
	else
		expect_eq "dontneed: check status" 1 $status
		grep -q "^hugetrack check: FAIL: resv_lost: $HSTATE: 2 pages" /tmp/ledger.check &&
			grep -q "^  pid [0-9]* (hugefault) 0x[0-9a-f]*-0x[0-9a-f]*: 2 of 4 pages$" /tmp/ledger.check ||
			fail "dontneed: check does not name the lost pages and their mapping"
		# and the module's audit flagged it at the zap that lost them
		expect_flagged dontneed resv_lost zap $pid private:$pid: madvise
		echo reset >$HT/control
	fi
}

# A file of a plain mount: its reserve map holds 4, its page cache 1; the
# reservation outlives the mapping, a hole punch and a truncate give it back
t_file() {
	local dev ino
	mkdir -p $MNT
	mount -t hugetlbfs none $MNT || fail "mount failed"
	dev=$(mount_dev)
	hugefault -n 4 -t 1 -f $MNT/f -- $SNAP file || fail "workload failed"
	ino=$(stat -c %i $MNT/f)
	check_ledger file
	expect_holder file file ino=$ino dev=$dev reserved=4 cached=1 outstanding=3
	no_holder file private pid=$(cat /tmp/ledger.file.pid)

	snap file-unmapped
	check_ledger file-unmapped
	expect_holder file-unmapped file ino=$ino reserved=4 cached=1 outstanding=3

	hugefault -n 4 -t 0 -f $MNT/f -P -A -- $SNAP file-punched || fail "hole punch failed"
	check_ledger file-punched
	expect_holder file-punched file ino=$ino reserved=3 cached=0 outstanding=3

	truncate -s 0 $MNT/f || fail "truncate failed"
	snap file-truncated
	check_ledger file-truncated
	no_holder file-truncated file ino=$ino
	rm -f $MNT/f
	umount $MNT || fail "umount failed"
}

# MAP_NORESERVE (-S): the mapping reserves nothing; a fault adds its page to
# the reserve map and the page cache at once
t_noreserve() {
	local ino
	mkdir -p $MNT
	mount -t hugetlbfs none $MNT || fail "mount failed"
	hugefault -n 2 -t 1 -S -f $MNT/nr -- $SNAP noreserve || fail "workload failed"
	ino=$(stat -c %i $MNT/nr)
	check_ledger noreserve
	expect_holder noreserve file ino=$ino reserved=1 cached=1 outstanding=0
	rm -f $MNT/nr
	umount $MNT || fail "umount failed"
}

# A subpool holds its minimum; its used figure equals statfs's; a mapping
# larger than the mount fails and leaves the ledger reconciled
t_subpool() {
	local dev ino
	mkdir -p $MNT
	mount -t hugetlbfs -o size=8M,min_size=4M none $MNT || fail "mount failed"
	dev=$(mount_dev)
	snap subpool-mounted
	check_ledger subpool-mounted
	expect_holder subpool-mounted subpool dev=$dev min=2 max=4 rsv=2 used=0 held=0

	hugefault -n 3 -t 1 -f $MNT/f -- $SNAP subpool-file || fail "workload failed"
	ino=$(stat -c %i $MNT/f)
	check_ledger subpool-file
	# held: the file's 2 outstanding and its cached folio, charged to the mount
	expect_holder subpool-file subpool dev=$dev rsv=0 used=3 held=3 \
		used=$(stat -f -c '%b %f' $MNT | awk '{ print $1 - $2 }')
	expect_holder subpool-file file ino=$ino reserved=3 cached=1 outstanding=2

	hugefault -n 5 -f $MNT/g 2>/dev/null && fail "a mapping larger than the mount succeeded"
	snap subpool-refused
	check_ledger subpool-refused
	expect_holder subpool-refused subpool dev=$dev used=3 held=3

	rm -f $MNT/f $MNT/g
	snap subpool-unlinked
	check_ledger subpool-unlinked
	expect_holder subpool-unlinked subpool dev=$dev rsv=2 used=0 held=0
	umount $MNT || fail "umount failed"
	snap subpool-umounted
	check_ledger subpool-umounted
	no_holder subpool-umounted subpool dev=$dev

	# size= alone: no minimum (rsv_hpages -1) holds nothing of the global count
	mount -t hugetlbfs -o size=8M none $MNT || fail "mount failed"
	dev=$(mount_dev)
	hugefault -n 2 -t 1 -f $MNT/f -- $SNAP subpool-size || fail "workload failed"
	check_ledger subpool-size
	expect_holder subpool-size subpool dev=$dev min=-1 rsv=-1 used=2 held=2 \
		used=$(stat -f -c '%b %f' $MNT | awk '{ print $1 - $2 }')
	rm -f $MNT/f
	umount $MNT || fail "umount failed"
}

# UFFDIO_COPY of private pages (with the -ENOENT retry) and onto a file
# whose page 0 is cached already, UFFDIO_CONTINUE: every page filled is
# consumed, nothing is left over
t_uffd() {
	local ino
	hugeuffd copy 3 >/dev/null || fail "copy failed"
	snap uffd-copy
	check_ledger uffd-copy
	hugeuffd -r copy 3 >/dev/null || fail "copy with retry failed"
	snap uffd-retry
	check_ledger uffd-retry
	mkdir -p $MNT
	mount -t hugetlbfs none $MNT || fail "mount failed"
	hugeuffd copy 3 $MNT/u >/dev/null || fail "copy onto a cached page failed"
	ino=$(stat -c %i $MNT/u)
	snap uffd-file
	check_ledger uffd-file
	expect_holder uffd-file file ino=$ino reserved=3 cached=3 outstanding=0
	hugeuffd continue 2 $MNT/c >/dev/null || fail "continue failed"
	ino=$(stat -c %i $MNT/c)
	snap uffd-continue
	check_ledger uffd-continue
	expect_holder uffd-continue file ino=$ino reserved=2 cached=2 outstanding=0
	rm -f $MNT/u $MNT/c
	umount $MNT || fail "umount failed"
}

# Two faults asleep in userfaultfd: in flight, and still reconciled (they
# sleep before they allocate); released, nothing in flight
t_in_flight() {
	local line
	block_faults 2
	snap blocked
	cat /tmp/ledger.blocked
	line=$(grep "^ledger hstate=$HSTATE " /tmp/ledger.blocked)
	[ "$(field "$line" in_flight)" -ge 2 ] || fail "blocked: the 2 faults are not in flight: $line"
	expect_eq "blocked: diff" 0 "$(field "$line" diff)"
	expect_eq "blocked: judged (operations in flight)" 0 "$(field "$line" judged)"
	expect_eq "blocked: the ledger's sum (sysfs)" "$(cat /tmp/ledger.blocked.sysfs)" "$(field "$line" sum)"
	expect_holder blocked private pid=$BLOCKED pages=2 consumed=0 outstanding=2 lost=0
	release_faults
	snap released
	check_ledger released
}

# The reader's views of the ledger equal sysfs: --prom's outstanding pages
# are resv_hugepages, --pid shows that process's mapping
t_reader() {
	local pid
	hugefault -n 4 -t 1 -- sh -c "hugetrack reservations --prom >/tmp/ledger.prom &&
		hugetrack reservations --pid \$PPID >/tmp/ledger.txt &&
		cat $SYS2M/resv_hugepages >/tmp/ledger.prom.sysfs && echo \$PPID >/tmp/ledger.prom.pid" ||
		fail "workload or reader failed"
	pid=$(cat /tmp/ledger.prom.pid)
	cat /tmp/ledger.prom /tmp/ledger.txt
	artifact ledger.prom /tmp/ledger.prom
	expect_eq "--prom outstanding (sysfs resv_hugepages)" "$(cat /tmp/ledger.prom.sysfs)" \
		"$(sed -n 's/^hugetrack_ledger_outstanding_pages{hstate="hugepages-2048kB"} //p' /tmp/ledger.prom)"
	expect_eq "--prom difference" 0 \
		"$(sed -n 's/^hugetrack_ledger_difference_pages{hstate="hugepages-2048kB"} //p' /tmp/ledger.prom)"
	[ "$(awk -v p=$pid '$1 == p && $5 == 4 && $7 == 3' /tmp/ledger.txt | grep -c .)" = 1 ] ||
		fail "--pid $pid: not its one mapping of 4 pages, 3 outstanding"
	grep -q 'hugepages-2048kB .*difference 0, .*: ok$' /tmp/ledger.txt || fail "--pid: the ledger is not ok"
	hugefault -n 4 -t 1 -- hugetrack check >/tmp/ledger.check || fail "check while a clean mapping is held: $(cat /tmp/ledger.check)"
	! grep -q resv_ /tmp/ledger.check || fail "check: $(grep resv_ /tmp/ledger.check)"
}

# Holders that existed before the module loaded are in the table after it
# loads, with the same figures
t_before_load() {
	local pid
	rmmod hugetrack || fail "rmmod failed"
	rm -f /tmp/ledger-go
	hugefault -n 3 -t 1 -- sh -c "while [ ! -e /tmp/ledger-go ]; do sleep 0.1; done" &
	pid=$!
	sleep 1
	insmod /hugetrack.ko || fail "insmod failed"
	snap before-load
	touch /tmp/ledger-go
	wait $pid || fail "workload failed"
	check_ledger before-load
	expect_holder before-load private pid=$pid pages=3 consumed=1 outstanding=2 lost=0
}

t_audits_judged() {
	audits_settled
	grep '^ledger_' $HT/counters
	[ "$(counter ledger_audits_judged)" -gt 0 ] || fail "no audit judged"
	expect_eq "suspects dropped" 0 "$(counter ledger_suspects_dropped)"
}

# A munmap held (ht_inject, in hugetlb_vm_op_close before hugetrack's own
# probe there) between its zap and its close: the mapping is out of its
# mm's tree, its reservation still in the global count.  The walk sees a
# difference of what the mapping holds and does not judge it (the mm's lock
# is held); no audit flags it; once closed, it reconciles.  (Where the
# munmap keeps the lock for write, the walk waits for it and reconciles.)
t_munmap_held() {
	local z0 c0 c1 pid status i=0 line
	insmod /tests/ht_inject.ko mode=hold comm=hugefault hold_ms=8000 \
		hold_symbol="$(expected_symbol vma_close)" || fail "cannot load ht_inject"
	z0=$(counter events_zap)
	c0=$(counter events_vma_close)
	hugefault -n 2 -t 1 >/dev/null &
	pid=$!
	while [ "$(counter events_zap)" = "$z0" ] && [ $i -lt 200 ]; do
		i=$((i + 1))
		sleep 0.05
	done
	snap held
	c1=$(counter events_vma_close)
	echo 0 >/sys/module/ht_inject/parameters/hold_ms
	wait $pid
	status=$?
	rmmod ht_inject
	[ "$status" = 0 ] || fail "workload failed"
	[ $i -lt 200 ] || fail "no zap in 10 s"
	if [ "$c1" != "$c0" ]; then
		# 6.1 keeps the write lock through a munmap next to a VM_GROWSDOWN
		# mapping (the stack): the walk waited for its end
		check_ledger held
	else
		line=$(grep "^ledger hstate=$HSTATE " /tmp/ledger.held)
		[ "$(field "$line" diff)" -ge 1 ] ||
			fail "held: no difference (the mapping's reservations are in no tree): $line"
		expect_eq "held: judged (its mm's lock is held)" 0 "$(field "$line" judged)"
	fi
	snap closed
	check_ledger closed
	audits_settled
	t_no_anomaly
}

# frames_of N: the stack of anomaly N
frames_of() {
	awk -v n="anomaly=$1" '/^anomaly=/ { on = ($1 == n) } on && /^  / { print }' $HT/anomalies
}

# expect_flagged NAME RULE KIND PID HOLDER FRAME: once the audits settled,
# RULE and no other rule fired, on an operation of KIND by PID (among the
# suspects since the last clean audit), naming a holder that starts with
# HOLDER, with FRAME in the operation's stack
expect_flagged() {
	local name=$1 rule=$2 kind=$3 pid=$4 holder=$5 frame=$6 fired line
	audits_settled
	cat $HT/anomalies
	artifact ledger-$name.anomalies $HT/anomalies
	fired=$(awk '/^anomaly_/ && $2 != 0 { print $1 }' $HT/counters | tr '\n' ' ')
	expect_eq "$name: the rules that fired" "anomaly_$rule " "$fired"
	line=$(grep "^anomaly=[0-9]* rule=$rule .* pid=$pid .* kind=$kind " $HT/anomalies | head -n 1)
	[ -n "$line" ] || fail "$name: no $rule anomaly on a $kind of pid $pid"
	case "$(field "$line" holder)" in
	"$holder"*) ;;
	*) fail "$name: the holder named is $(field "$line" holder), not $holder..." ;;
	esac
	frames_of "$(field "$line" anomaly)" | head -n 1 | grep -q trampoline &&
		fail "$name: the stack starts in the probe's trampoline"
	frames_of "$(field "$line" anomaly)" | grep -q "^  [a-z_.0-9]*$frame" ||
		fail "$name: no $frame in the $kind's stack: $(frames_of "$(field "$line" anomaly)" | tr '\n' '|')"
}

# A zap that gives no reservation back (ht_inject resv_keep; 6.1 at
# MADV_DONTNEED did so itself): the audit after it flags resv_lost on the
# madvise's zap, naming the mapping
t_audit_lost() {
	local pid
	echo reset >$HT/control
	insmod /tests/ht_inject.ko mode=resv_keep || fail "cannot load ht_inject mode=resv_keep"
	hugefault -n 4 -t 2 -D -A -- sh -c "echo \$PPID >/tmp/ledger.keep.pid; sleep 1" ||
		fail "workload failed"
	rmmod ht_inject || fail "cannot unload ht_inject"
	pid=$(cat /tmp/ledger.keep.pid)
	expect_flagged resv_keep resv_lost zap $pid private:$pid:0x madvise
	echo reset >$HT/control
}

# A reserve that fails (the mapping is larger than the mount) and gives one
# back to the subpool that it never took (ht_inject spool_giveback): the
# global count is right, the subpool's share is one too many; no per-event
# rule sees it, the audit after the reserve flags resv_deficit on it
t_audit_deficit() {
	local pid
	echo reset >$HT/control
	rm -f /tmp/ledger.giveback.fail
	mkdir -p $MNT
	mount -t hugetlbfs -o size=8M,min_size=4M none $MNT || fail "mount failed"
	insmod /tests/ht_inject.ko mode=spool_giveback || fail "cannot load ht_inject mode=spool_giveback"
	hugefault -n 5 -f $MNT/g 2>/dev/null &
	pid=$!
	wait $pid && echo "# a mapping larger than the mount succeeded" >/tmp/ledger.giveback.fail
	audits_settled
	# unloaded before any judgement: a failure leaves nothing injected behind
	rmmod ht_inject || fail "cannot unload ht_inject"
	rm -f $MNT/g
	umount $MNT || fail "umount failed"
	[ ! -s /tmp/ledger.giveback.fail ] || fail "$(cat /tmp/ledger.giveback.fail)"
	expect_flagged spool_giveback resv_deficit reserve $pid hstate:$HSTATE hugetlbfs_file_mmap
	echo reset >$HT/control
}

# A reserve that charges the subpool one page more than it reserves
# (ht_inject spool_leak): the mount's used_hpages is above what its files
# hold; the audit after the reserve flags subpool_used_leak on it, naming
# the mount, and check says so
t_audit_used() {
	local pid dev status
	echo reset >$HT/control
	rm -f /tmp/ledger.spool-leak.fail
	mkdir -p $MNT
	mount -t hugetlbfs -o size=8M none $MNT || fail "mount failed"
	dev=$(mount_dev)
	insmod /tests/ht_inject.ko mode=spool_leak || fail "cannot load ht_inject mode=spool_leak"
	hugefault -n 2 -t 1 -f $MNT/u &
	pid=$!
	wait $pid || echo "# workload failed" >/tmp/ledger.spool-leak.fail
	audits_settled
	snap spool-leak
	hugetrack check >/tmp/ledger.spool-leak.check
	status=$?
	# unloaded before any judgement: a failure leaves nothing injected behind
	rmmod ht_inject || fail "cannot unload ht_inject"
	rm -f $MNT/u
	umount $MNT || fail "umount failed"
	[ ! -s /tmp/ledger.spool-leak.fail ] || fail "$(cat /tmp/ledger.spool-leak.fail)"
	expect_flagged spool_leak subpool_used_leak reserve $pid subpool:$dev hugetlbfs_file_mmap
	cat /tmp/ledger.spool-leak /tmp/ledger.spool-leak.check
	expect_holder spool-leak subpool dev=$dev used=3 held=2
	expect_eq "spool_leak: check status" 1 $status
	grep -q "^hugetrack check: FAIL: subpool_used_leak: $HSTATE: the subpools use 1 pages more" \
		/tmp/ledger.spool-leak.check && grep -q "^  mount $dev: used 3, held 2$" /tmp/ledger.spool-leak.check ||
		fail "spool_leak: check does not fail subpool_used_leak naming the mount"
	echo reset >$HT/control
}

# t_injected MODE RULE DIFF: ht_inject's MODE moves resv_huge_pages in a
# fault (by DIFF, until it unloads): the ledger's judged walk shows the
# difference, check fails RULE for it, and the unload puts it back
t_injected() {
	local line status
	insmod /tests/ht_inject.ko mode=$1 || fail "cannot load ht_inject mode=$1"
	hugefault -n 2 -t 1 -- $SNAP $1
	hugefault -n 2 -t 1 -- hugetrack check >/tmp/ledger.$1.check
	status=$?
	rmmod ht_inject || fail "cannot unload ht_inject"
	cat /tmp/ledger.$1 /tmp/ledger.$1.check
	line=$(grep "^ledger hstate=$HSTATE " /tmp/ledger.$1)
	expect_eq "$1: judged" 1 "$(field "$line" judged)"
	expect_eq "$1: diff" $3 "$(field "$line" diff)"
	expect_eq "$1: global (sysfs resv_hugepages)" "$(cat /tmp/ledger.$1.sysfs)" "$(field "$line" global)"
	expect_eq "$1: check status" 1 $status
	grep -q "^hugetrack check: FAIL: $2: $HSTATE: resv_huge_pages [0-9]*, the holders hold [0-9]*: ${3#-} " /tmp/ledger.$1.check ||
		fail "$1: check does not fail $2 for $HSTATE"
	snap $1-unloaded
	check_ledger $1-unloaded
	# the fault's own rule named the call: the audits after it do not again
	audits_settled
	expect_eq "$1: the ledger's rules in the module" "0 0" \
		"$(counter anomaly_resv_leak) $(counter anomaly_resv_deficit)"
	echo reset >$HT/control
}

run_test "ledger: nothing held, every hstate reconciles with sysfs" t_idle
run_test "ledger: a private mapping holds what it reserved and did not fault" t_private
run_test "ledger: after fork the child owns none of the reservation" t_fork
run_test "ledger: MADV_DONTNEED of a private mapping: reservations given back, or lost and check says resv_lost (6.1)" t_dontneed
run_test "ledger: a file holds its reserve map less its page cache, through punch and truncate" t_file
run_test "ledger: MAP_NORESERVE reserves nothing" t_noreserve
run_test "ledger: a subpool holds its minimum (none with size= alone), used equals statfs and held" t_subpool
run_test "ledger: UFFDIO_COPY (retry, onto a cached page) and UFFDIO_CONTINUE consume what they fill" t_uffd
run_test "ledger: faults asleep in userfaultfd are in flight and reconcile" t_in_flight
run_test "ledger: a munmap held between its zap and its close: a difference, not judged, no rule fires" \
	t_munmap_held
run_test "ledger: hugetrack reservations (--prom, --pid) equals sysfs, check passes a clean ledger" t_reader
run_test "ledger: holders from before the load, same figures" t_before_load
run_test "no anomaly on the ledger's workloads" t_no_anomaly
run_test "audit: the workloads' audits were judged, none pending, no suspect dropped" t_audits_judged
run_test "ledger: a reservation raised in a fault (ht_inject resv_bump): check says resv_leak" \
	t_injected resv_bump resv_leak 5
run_test "ledger: one taken too many in a fault (ht_inject resv_take): check says resv_deficit" \
	t_injected resv_take resv_deficit -1
run_test "audit: a zap that keeps the reservations it freed (ht_inject resv_keep) fires resv_lost on it" \
	t_audit_lost
run_test "audit: a failed reserve that gives the subpool one back (ht_inject spool_giveback) fires resv_deficit on it" \
	t_audit_deficit
run_test "audit: a reserve that charges its subpool one more (ht_inject spool_leak) fires subpool_used_leak on it" \
	t_audit_used
run_test "dmesg clean after the ledger's walks" dmesg_clean
rmmod hugetrack
