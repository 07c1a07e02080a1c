# SPDX-License-Identifier: GPL-2.0
# What hugetrack costs a faulting task (ht_mode=bench; "make bench" on the
# host reads what this prints on the second serial port).  Each round runs
# every workload under each configuration, interleaved:
#   a  nothing loaded
#   b  hugetrack as shipped, all probes and watchpoints
#   c  the floor: ht_floor.ko, the same kprobes/kretprobes, empty handlers
#   d  ftrace kprobe events on the same symbols (kprobe rows: three
#      arguments; kretprobe rows: a return probe with $retval)
# c's and d's return probes follow WAITING calls at once, as hugetrack's
# hugetlb_fault does, so that all three follow the faults of inflight (more
# instances cost memory, not time a call).
#   e  b with groups=hugetlb,uffd,thp: b less the data watchpoints' share
#   f  b with a reader following its events stream: `hugetrack events`,
#      which reads the binary events_bin and prints in userspace; it counts
#      what it lost (in TCG both vCPUs share one host thread: the reader's
#      work shows here)
#   g  the BPF backend instead of the module (hugetrack-bpf serve, its
#      files rewritten every second)
#   h  f with `cat events` instead: the text stream, formatted in the module
#   i  f with `evbin follow` instead: events_bin's records read and dropped,
#      the stream's own cost without the reader's printing
#   j  b with audit_ms=0: b less the reservation ledger's audits
# Lines: "result round=R config=C workload=W ns=N dropped=D unheld=U", facts about
# the configurations before them, then "# hugetrack-bench-done".
. /tests/lib.sh

# booted with maxcpus=1 (tests/vm.sh): the second CPU comes online here
for cpu in /sys/devices/system/cpu/cpu[1-9]*/online; do
	[ -e "$cpu" ] && echo 1 >"$cpu"
done
[ "$(nproc)" -ge 2 ] || { echo "# bench: only $(nproc) CPU online; workload parallel needs 2"; exit 1; }

# tasks128's pages, besides the 16 the others use
echo 160 >/proc/sys/vm/nr_hugepages
[ "$(cat /proc/sys/vm/nr_hugepages)" -ge 160 ] || { echo "# bench: only $(cat /proc/sys/vm/nr_hugepages) huge pages; tasks128 needs 144"; exit 1; }

# where a mapping falls decides whether each round allocates page tables:
# the same addresses every run
echo 0 >/proc/sys/kernel/randomize_va_space

ROUNDS=${ht_rounds:-5}
# hugetlb_fault's return-probe instances in hugetrack (probe.c's WAITING_CALLS)
WAITING=1024
# rounds of each workload per run: instructions are counted, so a few suffice
WORKLOADS="cached:${ht_n_cached:-2000} uffd:${ht_n_uffd:-10} anon:${ht_n_anon:-10}"
WORKLOADS="$WORKLOADS collapse:${ht_n_collapse:-5} parallel:${ht_n_parallel:-1000}"
# scale: the same faults from 1 to 128 processes (a page each), and with
# 1000 tasks in flight
for t in 1 2 8 32 128; do
	WORKLOADS="$WORKLOADS tasks$t:${ht_n_tasks:-4000}"
done
WORKLOADS="$WORKLOADS inflight:${ht_n_inflight:-1000}"
# ht_workloads=cached,anon: only those
[ -z "${ht_workloads:-}" ] ||
	WORKLOADS=$(for w in $WORKLOADS; do echo ",$ht_workloads," | grep -q ",${w%:*}," && echo $w; done)
CONFIGS=$(echo ${ht_configs:-a,b,c,d,e,f,g,h,i,j} | tr , " ")

# Hugetrack's own probe list: active kprobe and kretprobe rows.
insmod /hugetrack.ko || { echo "# bench: insmod hugetrack.ko failed: $(dmesg | tail -n 1)"; exit 1; }
PROBES=$(awk '$5 == "active" && ($4 == "kprobe" || $4 == "kretprobe") { print $3 ":" $4 }' $HT/probes)
echo "memory bytes=$(sed -n 's/.*, \([0-9]*\) bytes preallocated.*/\1/p' $HT/summary)"
echo "watchpoints active=$(awk '$4 == "watchpoint" && $5 == "active"' $HT/probes | wc -l)"
rmmod hugetrack
FLOOR_SPEC=$(echo $PROBES | tr ' ' ',')
echo "probes kprobe=$(echo "$PROBES" | grep -c ':kprobe$') kretprobe=$(echo "$PROBES" | grep -c ':kretprobe$')"

# The ftrace peer's events, created for configuration d only: a disabled
# kprobe event stays registered, and would share each probed address with
# the other configurations' probes (an aggregated kprobe).
ftrace_on() {
	local p def n=0
	for p in $PROBES; do
		n=$((n + 1))
		case $p in
		*:kretprobe) def="r$WAITING:htb_$n ${p%:*} ret=\$retval" ;;
		*) def="p:htb_$n ${p%:*} a0=\$arg1 a1=\$arg2 a2=\$arg3" ;;
		esac
		# a function that returns void has no $retval (6.12 knows it from BTF)
		echo "$def" >>$TRACING/kprobe_events 2>/dev/null ||
			echo "${def% ret=*}" >>$TRACING/kprobe_events ||
			echo "# bench: ftrace refused '$def'"
	done
	echo 1 >$TRACING/events/kprobes/enable
}

ftrace_off() {
	echo 0 >$TRACING/events/kprobes/enable
	echo >$TRACING/kprobe_events
}

ftrace_on
echo "ftrace events=$(grep -c 'kprobes/htb_' $TRACING/kprobe_events)"
ftrace_off

READER=
stop_reader() {
	[ -z "$READER" ] || { kill $READER; wait $READER 2>/dev/null; }
	READER=
}

config_on() {
	case $1 in
	a) ;;
	b) insmod /hugetrack.ko ;;
	c) insmod /tests/ht_floor.ko probes="$FLOOR_SPEC" kretprobe_maxactive=$WAITING ;;
	d) ftrace_on ;;
	e) insmod /hugetrack.ko groups=hugetlb,uffd,thp ;;
	f) insmod /hugetrack.ko && { hugetrack events >/dev/null & READER=$!; } ;;
	h) insmod /hugetrack.ko && { cat $HT/events >/dev/null & READER=$!; } ;;
	i) insmod /hugetrack.ko && { evbin follow & READER=$!; } ;;
	g) bpf_start 1 && (bpf_ready) ;;
	j) insmod /hugetrack.ko audit_ms=0 ;;
	esac
}

config_off() {
	stop_reader
	case $1 in
	b | e | f | h | i | j) rmmod hugetrack ;;
	c) rmmod ht_floor ;;
	d) ftrace_off ;;
	g) bpf_stop ;;
	esac
}

# Events its reader lost so far, since load.
dropped() {
	case $1 in
	f | h | i) counter events_dropped ;;
	*) echo 0 ;;
	esac
}

# What hugetrack could not hold so far: probe calls missed (every kretprobe
# instance in use) and operations the in-flight table had no slot for.
unheld() {
	case $1 in
	b | e | f | h | i | j) echo $(($(counter probe_calls_missed) + $(counter not_followed))) ;;
	*) echo 0 ;;
	esac
}

echo "# bench on $(uname -r), $(nproc) CPUs, $ROUNDS rounds of configurations $CONFIGS"
for round in $(seq $ROUNDS); do
	for config in $CONFIGS; do
		config_on $config || { echo "# bench: configuration $config failed: $(dmesg | tail -n 1)"; exit 1; }
		for w in $WORKLOADS; do
			lost=$(dropped $config) unheld_before=$(unheld $config)
			out=$(htbench ${w%:*} ${w#*:}) || { echo "# bench: htbench $w failed: $out"; exit 1; }
			ns=$(echo "$out" | sed -n 's/.* ns_per_op=\([0-9]*\) .*/\1/p')
			echo "result round=$round config=$config workload=${w%:*} ns=$ns dropped=$(($(dropped $config) - lost)) unheld=$(($(unheld $config) - unheld_before))"
			# the reader's backlog is read before the next workload starts
			[ -z "$READER" ] || sleep 1
		done
		config_off $config
	done
done
# The ledger's walk (each read of reservations, each audit) against the
# number of hugetlb mappings it visits: hugetrack as shipped only
LEDGER_WORKLOADS="ledger1:${ht_n_ledger:-20} ledger100:${ht_n_ledger:-20} ledger10000:${ht_n_ledger10000:-3}"
if [ -z "${ht_workloads:-}" ] || echo ",$ht_workloads," | grep -q ',ledger,'; then
	for round in $(seq $ROUNDS); do
		insmod /hugetrack.ko || { echo "# bench: insmod failed: $(dmesg | tail -n 1)"; exit 1; }
		for w in $LEDGER_WORKLOADS; do
			out=$(htbench ${w%:*} ${w#*:}) || { echo "# bench: htbench $w failed: $out"; exit 1; }
			echo "result round=$round config=b workload=${w%:*} ns=$(echo "$out" | sed -n 's/.* ns_per_op=\([0-9]*\) .*/\1/p') dropped=0 unheld=0"
		done
		rmmod hugetrack
	done
fi
dmesg | grep -E 'WARNING|BUG|Oops' | sed 's/^/# dmesg: /'
echo "# hugetrack-bench-done"
