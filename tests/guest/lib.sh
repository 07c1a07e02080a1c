# SPDX-License-Identifier: GPL-2.0
# kselftest-style TAP for the guest tests: each test is a shell function that
# returns 0, or prints why it failed and returns non-zero.  Tests run in a
# subshell: fail (and so expect_eq) ends the test at the first failed check.

HT=/sys/kernel/debug/hugetrack
TAP_COUNT=0
KSERIES=$(uname -r | sed "s/^\([0-9]*\.[0-9]*\).*/\1/")
# KNAME: the kernel's column in expected-probes.txt and expected-kernels.txt:
# its series, with the flavour of the debug kernel (tests/debug-kernel/,
# CONFIG_LOCALVERSION="-debug") and of PREEMPT_RT ("-rt-amd64").
case $(uname -r) in
*-debug) KNAME=$KSERIES-debug ;;
*-rt-*) KNAME=$KSERIES-rt ;;
*) KNAME=$KSERIES ;;
esac

# kernel_fact NAME: this kernel's value of NAME in expected-kernels.txt
kernel_fact() {
	awk -v k="$KNAME" -v f="$1" '/^# fact / { for (i = 3; i <= NF; i++) if ($i == k) c = i - 1 }
		c && $1 == f { print $c }' /tests/expected-kernels.txt
}

# What differs between the test kernels (expected-kernels.txt says what each means)
for fact in CACHE_REFS RESTORES_ON_FREE FILL_DURING_COLLAPSE RESERVE_FAIL BTF LOCKDOWN_LSM HAS_THP DEBUG_KERNEL \
	MEMORY_FAILURE MTHP_COLLAPSE KASAN; do
	eval "$fact=\$(kernel_fact $fact)"
done

# expected_column: the column of expected-probes.txt headed with $KNAME (0: none)
expected_column() {
	awk -v k="$KNAME" '/^# probe / { for (i = 3; i <= NF; i++) if ($i == k) c = i - 1 }
		END { print c + 0 }' /tests/expected-probes.txt
}

# expected_symbol PROBE: what PROBE resolves to on this kernel ("-": missing)
expected_symbol() {
	awk -v p="$1" -v c="$(expected_column)" 'c && $1 == p { print $c }' /tests/expected-probes.txt
}

# run_test DESCRIPTION COMMAND...
run_test() {
	local desc=$1 out status started
	shift
	started=$(cut -d' ' -f1 /proc/uptime)
	out=$("$@" 2>&1)
	status=$?
	TAP_COUNT=$((TAP_COUNT + 1))
	if [ $status -eq 0 ]; then
		echo "ok $TAP_COUNT - $desc"
	else
		echo "not ok $TAP_COUNT - $desc # $(echo "$out" | tail -n 1)"
		echo "$out" | sed 's/^/# /'
	fi
	# the slow ones, for keeping make check within its time
	awk -v s="$started" -v n=$TAP_COUNT '{ if ($1 - s >= 10) printf "# test %d took %.0f s\n", n, $1 - s }' /proc/uptime
}

fail() {
	echo "$*"
	exit 1
}

# artifact NAME FILE: FILE's text to the host, which checks it with its own
# tools (tests/artifacts.sh: build/<ver>/artifacts/NAME)
artifact() {
	{
		echo "=== hugetrack-artifact $1"
		cat "$2"
		echo "=== hugetrack-artifact-end"
	} >/dev/ttyS2
}

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: expected $2, got $3"
}

# probe_field PROBE COLUMN: a column of the probe's row in $HT/probes
probe_field() {
	awk -v p="$1" -v c="$2" '$1 == p { print $c }' $HT/probes
}

# sysfs_hstates: the hstates rows as /sys/kernel/mm/hugepages tells them
sysfs_hstates() {
	local d
	for d in /sys/kernel/mm/hugepages/hugepages-*; do
		echo "$(basename $d) $(cat $d/nr_hugepages) $(cat $d/free_hugepages)" \
			"$(cat $d/resv_hugepages) $(cat $d/surplus_hugepages)" \
			"$(cat $d/nr_overcommit_hugepages)"
	done | sort
}

# module_hstates: the same columns from hugetrack's hstates file
module_hstates() {
	awk '!/^#/ { print $1, $3, $4, $5, $6, $7 }' $HT/hstates | sort
}

hstates_match_sysfs() {
	local want got
	want=$(sysfs_hstates)
	got=$(module_hstates)
	[ "$want" = "$got" ] || fail "hstates differs from sysfs: sysfs [$want] hugetrack [$got]"
}

# What a handler that sleeps or takes the wrong lock makes the kernel print
# (PREEMPT_RT, where spinlocks sleep; lockdep on the debug kernel).
LOCK_REPORTS='sleeping function called from invalid context|scheduling while atomic|possible recursive locking|circular locking dependency|inconsistent lock state'

# dmesg_clean: no kernel warning, oops or hugetrack registration failure
dmesg_clean() {
	local bad
	bad=$(dmesg | grep -E "WARNING|BUG|Oops|Call Trace|hugetrack: probe .* failed|$LOCK_REPORTS")
	[ -z "$bad" ] || fail "dmesg: $(echo "$bad" | head -n 3 | tr '\n' '|')"
}

SYS2M=/sys/kernel/mm/hugepages/hugepages-2048kB

# counter NAME: a value from $HT/counters
counter() {
	awk -v n="$1" '$1 == n { print $2 }' $HT/counters
}

# last_seq: the number of the newest event (0 if none)
last_seq() {
	local s
	s=$(tail -n 1 $HT/faults | sed -n 's/^seq=\([0-9]*\) .*/\1/p')
	echo "${s:-0}"
}

# events_after SEQ [FILE]: the event lines newer than SEQ, from $HT/faults
# (the newest 256) or FILE
events_after() {
	awk -v s="$1" '{ split($1, a, "="); if (a[2] + 0 > s + 0) print }' "${2:-$HT/faults}"
}

# field LINE KEY: the value of KEY= in an event line
field() {
	echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}

# ftrace_add NAME SYMBOL / ftrace_hits NAME / ftrace_del NAME
TRACING=/sys/kernel/tracing
ftrace_add() {
	echo "p:$1 $2" >>$TRACING/kprobe_events && echo 1 >$TRACING/events/kprobes/$1/enable
}
ftrace_hits() {
	awk -v e="$1" '$1 == e { print $2 }' $TRACING/kprobe_profile
}
ftrace_del() {
	echo 0 >$TRACING/events/kprobes/$1/enable && echo "-:$1" >>$TRACING/kprobe_events
}

# write_file FILE STRING: the error dd reports for one write of STRING
# (printf escapes), empty if it was accepted
write_file() {
	printf "$2" | dd of=$1 bs=4096 2>&1 | grep -o 'Invalid argument\|Argument list too long\|Permission denied'
}

# write_control STRING: the same for the control file
write_control() {
	write_file $HT/control "$1"
}

# audits_settled: the ledger's audit after the last operation has run (10 s
# at most: an audit not judged is retried, later each time)
audits_settled() {
	local i=0
	while grep -q '^ledger_audit pending$' $HT/control; do
		i=$((i + 1))
		[ $i -lt 100 ] || fail "a ledger audit still pending after 10 s"
		sleep 0.1
	done
}

# t_no_anomaly: no rule fired since load or the last reset
t_no_anomaly() {
	local fired
	fired=$(awk '/^anomaly_/ && $2 != 0' $HT/counters)
	[ -z "$fired" ] || fail "anomalies fired: $(echo $fired)"
	[ -z "$(cat $HT/anomalies)" ] || fail "anomalies: $(head -n 1 $HT/anomalies)"
}

# window_field WINDOW KEY: a key of the window's line in $HT/windows
window_field() {
	field "$(grep "^window=$1 " $HT/windows)" "$2"
}

# window_frames WINDOW SIDE: the frames of side a or b of its last hit
window_frames() {
	awk -v w="window=$1" -v s="  $2: " '/^window=/ { in_w = ($1 == w) }
		in_w && index($0, s) == 1 { print substr($0, length(s) + 1) }' $HT/windows
}

# t_no_window: every race window still at 0 hits
t_no_window() {
	local hit
	hit=$(awk '/^window_/ && $2 != 0' $HT/counters)
	[ -z "$hit" ] || fail "windows hit: $(echo $hit)"
}

# pid_of COMM: the pid of the (kernel) thread named COMM
pid_of() {
	local d
	for d in /proc/[0-9]*; do
		[ "$(cat $d/comm 2>/dev/null)" = "$1" ] && echo "${d#/proc/}"
	done
}

# THP: khugepaged off while MADV_COLLAPSE is tested ("never" stops its
# thread; MADV_COLLAPSE ignores the setting), on for its own test, and the
# boot's setting back at the end.
THP=/sys/kernel/mm/transparent_hugepage
THP_BOOT=$(sed 's/.*\[\(.*\)\].*/\1/' $THP/enabled)
thp_enabled() {
	echo "$1" >$THP/enabled
}

# json_hstates FILE: "name nr free resv surplus overcommit" per hstate of a
# hugetrack snapshot --json
json_hstates() {
	sed 's/},{/}\n{/g' "$1" |
		sed -n 's/.*"name":"\(hugepages-[^"]*\)","size_kb":[0-9]*,"nr":\([0-9]*\),"free":\([0-9]*\),"resv":\([0-9]*\),"surplus":\([0-9]*\),"overcommit":\([0-9]*\)}.*/\1 \2 \3 \4 \5 \6/p' |
		sort
}

# json_object FILE KEY: the flat object "KEY":{...} as "name value" lines
json_object() {
	sed -n "s/.*\"$2\":{\([^}]*\)}.*/\1/p" "$1" | tr ',' '\n' |
		sed 's/^"\([^"]*\)":\(.*\)$/\1 \2/' | sort
}

# top_pipe_as_sysfs [OPTION...]: hugetrack top on a pipe prints one line
# per refresh, with sysfs's numbers at rest
top_pipe_as_sysfs() {
	local lines want
	lines=$(hugetrack top -i 0.1 -n 3 "$@" | cat) || fail "top failed"
	echo "$lines"
	expect_eq "lines" 3 "$(echo "$lines" | grep -c .)"
	echo "$lines" | tail -n 1 | grep -q "hugepages-2048kB nr=$(cat $SYS2M/nr_hugepages) free=$(cat $SYS2M/free_hugepages) resv=$(cat $SYS2M/resv_hugepages) surplus=" ||
		fail "top's line differs from sysfs"
	# the module's ledger reconciles; the BPF backend lists private mappings alone
	case "$*" in
	*bpf*) want=- ;;
	*) want=ok ;;
	esac
	echo "$lines" | tail -n 1 | grep -q " ledger=$want\$" || fail "top's ledger is not $want"
}

# expect_error STATUS TEXT COMMAND...: that status, one line naming TEXT
expect_error() {
	local want=$1 text=$2 status
	shift 2
	"$@" >/tmp/out 2>/tmp/err
	status=$?
	cat /tmp/err
	expect_eq "exit status of $*" "$want" "$status"
	expect_eq "lines of the message" 1 "$(grep -c . /tmp/err)"
	grep -q "$text" /tmp/err || fail "message without '$text': $(cat /tmp/err)"
}

# The BPF backend served into $BPFDIR, for t-70 and the bench:
# bpf_start [SECONDS] runs hugetrack-bpf serve in the background, its files
# rewritten every SECONDS (default 0.2; not in a test's subshell: it
# outlives the test), bpf_ready waits for its first files, bpf_stop ends it.
BPFDIR=/tmp/htbpf
bpf_start() {
	rm -rf $BPFDIR
	hugetrack-bpf -i "${1:-0.2}" serve $BPFDIR >/dev/null 2>/tmp/htbpf.err &
	BPF_PID=$!
}

bpf_ready() {
	local i
	for i in $(seq 600); do
		[ -s $BPFDIR/round ] && return 0
		kill -0 $BPF_PID 2>/dev/null || fail "hugetrack-bpf exited: $(cat /tmp/htbpf.err)"
		sleep 0.1
	done
	fail "hugetrack-bpf wrote nothing in 60 s: $(cat /tmp/htbpf.err)"
}

# bpf_sync: two more rounds, so that the files hold what happened until now
bpf_sync() {
	local r0 i
	r0=$(cat $BPFDIR/round)
	for i in $(seq 300); do
		[ "$(cat $BPFDIR/round)" -ge $((r0 + 2)) ] && return 0
		sleep 0.1
	done
	fail "hugetrack-bpf stopped writing its files"
}

bpf_stop() {
	kill $BPF_PID && wait $BPF_PID
}

# bg_loop NAME COMMAND...: COMMAND again and again until /tmp/stop exists;
# its failures go to /tmp/bg.NAME.fail, its rounds to /tmp/bg.NAME.rounds
bg_loop() {
	local name=$1 rounds=0
	shift
	while [ ! -e /tmp/stop ]; do
		"$@" >/tmp/bg.$name.out 2>&1 ||
			echo "round $rounds: $(tail -n 2 /tmp/bg.$name.out | tr '\n' ' ')" >>/tmp/bg.$name.fail
		rounds=$((rounds + 1))
	done
	echo $rounds >/tmp/bg.$name.rounds
}

# meminfo_kb KEY: a /proc/meminfo figure; footprint: the module's
# preallocated bytes, as summary says them
meminfo_kb() {
	awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo
}

footprint() {
	sed -n '1s/.*, \([0-9]*\) bytes preallocated$/\1/p' $HT/summary
}

# block_faults N [T]: N pages, T (1) faults asleep in hugetlb_fault on each
# at once (hugeuffd block, its pid in BLOCKED), until
# release_faults writes the line that wakes them (fd 9)
block_faults() {
	local i
	rm -f /tmp/resume /tmp/blocked
	mkfifo /tmp/resume
	hugeuffd block $1 ${2:-1} </tmp/resume >/tmp/blocked 2>&1 &
	BLOCKED=$!
	exec 9>/tmp/resume
	for i in $(seq 300); do
		grep -q '^blocked$' /tmp/blocked && break
		sleep 0.1
	done
	grep -q '^blocked$' /tmp/blocked || fail "the $1 faults did not block: $(cat /tmp/blocked)"
}

release_faults() {
	echo go >&9
	exec 9>&-
	wait $BLOCKED || fail "hugeuffd block: $(cat /tmp/blocked)"
}

# kmemleak (the debug kernel)
KMEMLEAK=/sys/kernel/debug/kmemleak

# kmemleak_scan: two scans with a pause, as kmemleak wants: an object is
# reported only when older than 5 s, and not while its contents change
kmemleak_scan() {
	echo scan >$KMEMLEAK && sleep 6 && echo scan >$KMEMLEAK ||
		fail "kmemleak cannot scan: $(dmesg | grep kmemleak | tail -n 1)"
}

# leaks_of MODULE: the suspects kmemleak reports whose stack has a frame
# of MODULE, or a bare address (a module gone since: hugetrack and
# ht_inject are the only ones), one "object: frames" line each
leaks_of() {
	awk -v m="[$1]" '
	function flush() {
		if (obj != "" && (index(frames, m) || frames ~ / 0x[0-9a-f]+( |$)/))
			print obj ":" frames
		obj = ""; frames = ""; stack = 0
	}
	/^unreferenced object/ { flush(); obj = $3 " " $4 " " $5; next }
	/^  backtrace/ { stack = 1; next }
	stack { sub(/^ +/, ""); frames = frames " " $0 }
	END { flush() }' $KMEMLEAK
}
