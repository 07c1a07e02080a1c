# SPDX-License-Identifier: GPL-2.0
# make soak in the guest: for ht_soak_minutes (default 10) everything at
# once.  Every workload of tests/prog/ in loops, two of each kind so that
# both vCPUs run them (as t-28 and t-60 run them: each checks its data);
# nr_hugepages resized up and down; the module loaded and unloaded every
# 30 s, and while it is loaded the reader follows events, summary is
# polled, and control gets commands at random (reset, filter, disable and
# enable).  Judged by: no anomaly (counters read before each reset and
# unload, and dmesg), every event the stream did not deliver counted in
# events_dropped, the module's footprint the same at every load, Slab flat
# across quiet loads and unloads and no kmemleak suspect, no workload
# failure, dmesg free of warnings, and the guest alive at the end (its
# closing token).  One "# soak:" line sums it up.
. /tests/lib.sh

MINUTES=${ht_soak_minutes:-10}
CYCLE=30
S=/tmp/soak
mkdir -p $S
rm -f /tmp/stop /tmp/bg.* $S/*
echo "# kernel $(uname -r), $(nproc) CPUs, soak of $MINUTES min"

workloads() {
	local W=""
	bg_loop fault hugefault -n 2 -t 2 & W="$W $!"
	bg_loop cow hugefault -n 2 -t 2 -F -W & W="$W $!"
	bg_loop shared hugefault -n 2 -t 2 -f /dev/hugepages/soak-shared -F & W="$W $!"
	bg_loop punch hugefault -n 3 -t 3 -f /dev/hugepages/soak-punch -P & W="$W $!"
	bg_loop zap hugefault -n 3 -t 3 -D -z 20 & W="$W $!"
	bg_loop copy hugeuffd copy 2 & W="$W $!"
	bg_loop retry hugeuffd -r copy 1 & W="$W $!"
	bg_loop continue sh -c 'hugeuffd continue 2 /dev/hugepages/soak-cont && rm /dev/hugepages/soak-cont' & W="$W $!"
	bg_loop collapse thpcollapse -n 1 -q & W="$W $!"
	bg_loop collapse2 thpcollapse -n 1 -q -u & W="$W $!"
	# never idle, but yielding to the loads, unloads and readers (as in
	# t-60): at nice 0 a cycle took 85 s instead of 30
	renice -n 19 -p $W >/dev/null
}

# nr_hugepages between 48 and 96, a new value every 2 s; shrinking frees
# only free pages, so the workloads keep theirs
resizer() {
	local n=0
	while [ ! -e /tmp/stop ]; do
		echo $((48 + RANDOM % 49)) >/proc/sys/vm/nr_hugepages
		n=$((n + 1))
		sleep 2
	done
	echo $n >$S/resizes
}

# The events stream, followed: events delivered and the seq gaps seen,
# added to $S/stream when it ends ("delivered gaps")
follower() {
	{
		cat $HT/events &
		echo $! >$S/follower.pid
		wait
	} | awk '{ split($1, a, "="); s = a[2] + 0
		if (last && s > last + 1) gaps += s - last - 1
		if (s > last) last = s; n++ }
		END { print n + 0, gaps + 0 }' >>$S/stream
}

poller() {
	while [ ! -e $S/stop-readers ]; do
		cat $HT/summary >/dev/null
		hugetrack top -i 0.5 -n 2 >/dev/null 2>&1
	done
}

# counted: the anomaly and drop counters as they are now, kept (before a
# reset or an unload clears them)
counted() {
	echo "$(awk '/^anomaly_/ { s += $2 } END { print s + 0 }' $HT/counters)" \
		"$(counter events_dropped)" >>$S/counted
	awk '/^anomaly_/ && $2 != 0' $HT/counters >>$S/anomalies
	cat $HT/anomalies >>$S/anomalies
}

# quiet: recording off, the stream drained, so that what is counted now
# stays true until recording is on again
quiet() {
	echo disable >$HT/control
	sleep 0.3
}

# Commands at random, one every 0.5 to 2 s; each reset between quiet and
# enable, its counters kept first
controller() {
	local n=0 pid
	while [ ! -e $S/stop-readers ]; do
		case $((RANDOM % 8)) in
		0) quiet; counted; echo reset >$HT/control; echo enable >$HT/control ;;
		1) echo "filter comm hugefault" >$HT/control ;;
		2) echo "filter comm hugeuffd" >$HT/control ;;
		3) pid=$(pidof hugefault | cut -d ' ' -f 1)
		   echo "filter pid ${pid:-1}" >$HT/control ;;
		4 | 5) echo "filter clear" >$HT/control ;;
		6) echo disable >$HT/control ;;
		7) echo enable >$HT/control ;;
		esac
		n=$((n + 1))
		usleep $((500000 + RANDOM * 46))
	done
	echo $n >>$S/commands
}

# cycle: load, readers and commands for $CYCLE s, then quiet, count, unload
cycle() {
	local pids follow
	insmod /hugetrack.ko || { echo "insmod failed: $(dmesg | tail -n 1)" >>$S/errors; return 1; }
	echo "$(footprint) $(awk '$1 == "hugetrack" { print $2 }' /proc/modules)" >>$S/footprints
	rm -f $S/stop-readers
	follower & follow=$!
	poller & pids=$!
	controller & pids="$pids $!"
	sleep $CYCLE
	touch $S/stop-readers
	wait $pids
	echo "filter clear" >$HT/control
	quiet
	counted
	kill $(cat $S/follower.pid)
	wait $follow
	for try in $(seq 100); do
		rmmod hugetrack 2>/dev/null && return 0
		sleep 0.1
	done
	echo "rmmod failed: $(awk '$1 == "hugetrack"' /proc/modules)" >>$S/errors
	return 1
}

# slab_caches FILE: each slab cache's size now (its slabs' pages), "name kB"
slab_caches() {
	awk 'NR > 2 { print $1, $15 * $6 * 4 }' /proc/slabinfo >$1
}

# slab_growth BEFORE AFTER: the caches that grew most, "name +kB, ..."
slab_growth() {
	awk 'NR == FNR { kb[$1] = $2; next } $2 != kb[$1] { print $1, $2 - kb[$1] }' $1 $2 |
		sort -k 2 -n -r | head -n 12 | awk '{ printf "%s%s %+d kB", (NR > 1 ? ", " : ""), $1, $2 }'
}

# tasks: the processes and threads alive now, then the kernel's workers
tasks() {
	echo "$(cat /proc/[0-9]*/task/[0-9]*/stat 2>/dev/null | grep -c .)" \
		"$(cat /proc/[0-9]*/comm 2>/dev/null | grep -c '^kworker')"
}

# quiet_cycles N: the Slab growth (kB) that N loads and unloads leave with
# nothing else running, caches dropped before and after
quiet_cycles() {
	local before i
	echo 3 >/proc/sys/vm/drop_caches
	before=$(meminfo_kb Slab)
	for i in $(seq $1); do
		insmod /hugetrack.ko && cat $HT/summary >/dev/null && rmmod hugetrack || return 1
	done
	sleep 1
	echo 3 >/proc/sys/vm/drop_caches
	echo $(($(meminfo_kb Slab) - before))
}

sum_column() {
	awk -v c="$2" '{ s += $c } END { print s + 0 }' $1 2>/dev/null || echo 0
}

t_soak() {
	local end cycles=0 slab0 slab1 tasks0 tasks1 quiet leaks name rounds=0 anomalies dropped gaps delivered
	echo 3 >/proc/sys/vm/drop_caches
	slab0=$(meminfo_kb Slab)
	slab_caches $S/slab0
	tasks0=$(tasks)
	free0=$(cat $SYS2M/free_hugepages)
	pages0=$(cat /proc/sys/vm/nr_hugepages)
	end=$(($(date +%s) + MINUTES * 60))
	# the resizer's range from the start: ten loops on the boot's 16
	# pages ran out (a copy-on-write child got SIGBUS)
	echo 96 >/proc/sys/vm/nr_hugepages
	workloads
	resizer &
	while [ "$(date +%s)" -lt $end ]; do
		cycle || break
		cycles=$((cycles + 1))
	done
	touch /tmp/stop
	wait
	echo $pages0 >/proc/sys/vm/nr_hugepages
	rm -f /dev/hugepages/soak-*
	echo 3 >/proc/sys/vm/drop_caches
	slab1=$(meminfo_kb Slab)
	slab_caches $S/slab1
	tasks1=$(tasks)
	quiet_cycles 5 >/dev/null
	quiet=$(quiet_cycles 20)
	for name in /tmp/bg.*.rounds; do
		rounds=$((rounds + $(cat $name)))
	done
	anomalies=$(sum_column $S/counted 1)
	dropped=$(sum_column $S/counted 2)
	delivered=$(sum_column $S/stream 1)
	gaps=$(sum_column $S/stream 2)
	echo "# soak: $(uname -r) $MINUTES min: $cycles load/unload cycles, $rounds workload rounds," \
		"$(cat $S/resizes) resizes, $(sum_column $S/commands 1) control commands," \
		"$delivered events delivered, $dropped dropped ($gaps seen missing)," \
		"$anomalies anomalies, dmesg anomaly lines $(dmesg | grep -c 'hugetrack: anomaly')," \
		"Slab $slab0 -> $slab1 kB, footprint $(sort -u $S/footprints | tr '\n' ' ')" >$S/summary
	echo "# soak: Slab by cache, the most grown: $(slab_growth $S/slab0 $S/slab1);" \
		"tasks (threads, kworkers) ${tasks0% *}, ${tasks0#* } -> ${tasks1% *}, ${tasks1#* };" \
		"20 quiet load/unload cycles: Slab ${quiet:-(failed)} kB" >>$S/summary
	[ ! -s $S/errors ] || fail "$(head -n 1 $S/errors)"
	[ $cycles -ge $((MINUTES * 60 / (CYCLE + 10))) ] || fail "only $cycles cycles in $MINUTES min"
	for name in /tmp/bg.*.fail; do
		[ ! -e "$name" ] || fail "${name#/tmp/bg.} workload: $(head -n 1 $name)"
	done
	expect_eq "anomalies" 0 "$anomalies"
	expect_eq "dmesg anomaly lines" 0 "$(dmesg | grep -c 'hugetrack: anomaly')"
	expect_eq "events missing from the stream but not counted as dropped" 0 $((gaps - dropped))
	expect_eq "footprints (bytes, module size) across loads" 1 "$(sort -u $S/footprints | grep -c .)"
	# The soak's churn leaves the kernel's caches fuller (partial slabs,
	# /proc inodes, with as many tasks as before: docs/testing.md), which
	# the summary shows by cache.  What hugetrack could leak is judged
	# where nothing else runs: loads and unloads in a quiet guest (not
	# under KASAN, whose quarantine holds what they free), and kmemleak.
	[ -n "$quiet" ] || fail "the quiet load/unload cycles failed"
	[ "$KASAN" = 1 ] || [ $quiet -lt 64 ] || fail "20 quiet load/unload cycles grew Slab by $quiet kB"
	if [ "$KASAN" = 1 ]; then
		kmemleak_scan
		leaks=$(leaks_of hugetrack)
		[ -z "$leaks" ] || fail "kmemleak: $(echo "$leaks" | head -n 3 | tr '\n' '|')"
	fi
	expect_eq "free huge pages after" "$free0" "$(cat $SYS2M/free_hugepages)"
	dmesg_clean
}

run_test "soak: $MINUTES min of every workload, resizes, control commands, load/unload every $CYCLE s" t_soak
cat $S/summary
if [ -s $S/anomalies ]; then
	echo "# anomalies recorded (the first 40 lines):"
	head -n 40 $S/anomalies | sed 's/^/#   /'
fi
echo "1..$TAP_COUNT"
echo "# hugetrack-guest-done"
