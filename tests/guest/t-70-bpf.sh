# SPDX-License-Identifier: GPL-2.0
# The BPF backend (hugetrack-bpf), with the module unloaded: it starts, its
# hstates equal sysfs, and the same scripted workload gives the same count
# of events of each kind as the module, as ftrace counts, with no anomaly;
# each injected anomaly BPF can see is flagged by both backends.  Then the
# reader's --backend bpf against the same ground truth, and its errors.
TRACKED_KINDS="fault reserve unreserve vma_close uffd_copy uffd_continue zap fork_copy truncate hole_punch subpool_new subpool_put pmd_share"

# The workload every backend sees: every kind of event at least once.  A
# script, so that the reader can run it (hugetrack check -- sh PARITY).
PARITY=/tmp/t70-parity.sh
cat >$PARITY <<'EOF'
mkdir -p /tmp/t70sp
hugefault -n 4 -t 4 -D >/dev/null &&
	hugefault -n 2 -t 2 -F -W >/dev/null &&
	hugefault -n 2 -t 2 -f /dev/hugepages/t70 -F -P >/dev/null &&
	rm /dev/hugepages/t70 &&
	hugeuffd copy 2 >/dev/null &&
	hugeuffd continue 1 /dev/hugepages/t70c >/dev/null &&
	rm /dev/hugepages/t70c &&
	hugefault -n 512 -t 1 -S -f /dev/hugepages/t70s -F >/dev/null &&
	rm /dev/hugepages/t70s &&
	mount -t hugetlbfs -o size=8M,min_size=4M none /tmp/t70sp &&
	umount /tmp/t70sp
EOF
parity_workload() {
	sh $PARITY
}

# kind_counts FILE: "kind=N ..." from a counters file ("name value" lines),
# then the reservation totals by where they changed (sorted: a snapshot's
# JSON orders them so)
kind_counts() {
	local k
	for k in $TRACKED_KINDS; do
		echo "$k=$(awk -v n="events_$k" '$1 == n { print $2 }' $1)"
	done | tr '\n' ' '
	grep '^resv_' $1 | sort | awk '{ printf "%s=%s ", $1, $2 }'
}

module_absent() {
	! grep -q '^hugetrack ' /proc/modules || fail "the module is loaded"
	[ ! -d $HT ] || fail "$HT exists"
}

# bpf_control CMD: a control command through serve, its answer
bpf_control() {
	echo "$1" >$BPFDIR/control.cmd
	bpf_sync
	cat $BPFDIR/control.status
}

t_starts_without_module() {
	bpf_ready || return 1
	local want got
	want=$(awk '!/^#/ { print $1 }' /tests/expected-probes.txt | sort)
	got=$(awk '!/^#/ { print $1 }' $BPFDIR/probes | sort)
	[ "$want" = "$got" ] || fail "probes lists [$(echo $got)], expected [$(echo $want)]"
}

# Each probe point resolves to the same symbol as the module's (expected-probes.txt).
t_bpf_probes() {
	local name sym got
	while read -r name rest; do
		case $name in '#'*|'') continue ;; esac
		sym=$(expected_symbol "$name")
		got=$(awk -v p="$name" '$1 == p { print $3, $5 }' $BPFDIR/probes)
		if [ "$sym" = - ]; then
			expect_eq "$name" "- missing" "$got"
		else
			expect_eq "$name" "$sym active" "$got"
		fi
	done </tests/expected-probes.txt
}

t_bpf_hstates() {
	HT=$BPFDIR hstates_match_sysfs || return 1
	# one-shot dump while 4 pages are reserved and 2 faulted
	hugefault -n 4 -t 2 -- sh -c '. /tests/lib.sh
		want=$(sysfs_hstates)
		got=$(hugetrack-bpf -i 0 dump hstates | awk "!/^#/ { print \$1, \$3, \$4, \$5, \$6, \$7 }" | sort)
		[ "$want" = "$got" ] || fail "dump hstates [$got], sysfs [$want]"'
}

# The fault count against ftrace, as t-10 does for the module.
t_bpf_fault_hits_match_ftrace() {
	local before after theirs
	ftrace_add ht_bpf_fault hugetlb_fault || fail "cannot add ftrace kprobe event"
	before=$(HT=$BPFDIR counter events_fault)
	hugefault -n 5 -t 5 || fail "workload failed"
	bpf_sync
	after=$(HT=$BPFDIR counter events_fault)
	theirs=$(ftrace_hits ht_bpf_fault)
	ftrace_del ht_bpf_fault
	expect_eq "ftrace hits" 5 "$theirs" && expect_eq "bpf fault events" "$theirs" $((after - before))
}

t_bpf_parity_run() {
	local r
	r=$(bpf_control reset)
	expect_eq "reset" "0 ok" "$r"
	parity_workload || fail "workload failed"
	bpf_sync
	kind_counts $BPFDIR/counters >/tmp/t70.bpf
	echo "bpf: $(cat /tmp/t70.bpf)"
	HT=$BPFDIR hstates_match_sysfs
}

t_bpf_events_format() {
	local line n
	n=$(grep -c '^seq=' $BPFDIR/events)
	[ "$n" -gt 0 ] || fail "no events in $BPFDIR/events"
	line=$(grep -m1 'kind=fault ' $BPFDIR/faults)
	echo "$line"
	echo "$line" | grep -qE '^seq=[0-9]+ time_ns=[0-9]+ cpu=[0-9]+ pid=[0-9]+ tid=[0-9]+ comm=[^ ]+ kind=fault page_kb=2048 addr=0x[0-9a-f]+ pages=1 result=[^ ]+ resv=[0-9]+->[0-9]+ free=[0-9]+->[0-9]+ spool_used=[^ ]+ spool_rsv=[^ ]+ pfn=0x[0-9a-f]+ ref=[0-9]+->[0-9]+ map=[0-9]+->[0-9]+ flags=private,new dur_ns=[0-9]+$' ||
		fail "fault line not in the module's format: $line"
	expect_eq "events_dropped" 0 "$(HT=$BPFDIR counter events_dropped)"
}

# The folio before a fault that maps a page another task cached: found in
# the page cache (the module's lookup), not counted as new; as t-20, t-25.
t_bpf_cached_folio() {
	local s0 out pfn ev
	s0=$(HT=$BPFDIR last_seq)
	out=$(hugefault -n 2 -t 2 -f /dev/hugepages/t70f -F) || fail "workload failed: $out"
	rm /dev/hugepages/t70f
	hugeuffd continue 1 /dev/hugepages/t70u >/dev/null || fail "hugeuffd continue failed"
	rm /dev/hugepages/t70u
	bpf_sync
	for pfn in $(echo "$out" | sed -n 's/.* pfn=\(0x[0-9a-f]*\) .*/\1/p'); do
		ev=$(HT=$BPFDIR events_after $s0 | grep 'kind=fault' | grep " pfn=$pfn ")
		expect_eq "parent's fault on $pfn" "ref=0->$((CACHE_REFS + 1)) map=0->1 flags=shared,new" \
			"$(echo "$ev" | sed -n 1p | grep -o 'ref=[^ ]* map=[^ ]* flags=[^ ]*')"
		expect_eq "child's fault on $pfn" "ref=$((CACHE_REFS + 1))->$((CACHE_REFS + 2)) map=1->2 flags=shared" \
			"$(echo "$ev" | sed -n 2p | grep -o 'ref=[^ ]* map=[^ ]* flags=[^ ]*')"
	done
	ev=$(HT=$BPFDIR events_after $s0 | grep 'kind=uffd_continue')
	expect_eq "uffd_continue" "ref=$CACHE_REFS->$((CACHE_REFS + 1)) map=0->1 flags=shared" \
		"$(echo "$ev" | grep -o 'ref=[^ ]* map=[^ ]* flags=[^ ]*')"
}

t_module_parity_run() {
	insmod /hugetrack.ko || fail "insmod failed"
	echo reset >$HT/control
	parity_workload || fail "workload failed"
	kind_counts $HT/counters >/tmp/t70.module
	cp $HT/counters /tmp/t70.module.counters
	echo "module: $(cat /tmp/t70.module)"
	hstates_match_sysfs && t_no_anomaly
	rmmod hugetrack
}

t_counts_equal() {
	local bpf
	bpf=$(cat /tmp/t70.bpf)
	echo "$bpf" | grep -q 'fault=[1-9]' || fail "no fault events: $bpf"
	expect_eq "per-kind event counts and resv totals (module, bpf)" "$(cat /tmp/t70.module)" "$bpf"
	echo "$bpf" | grep -q 'resv_consumed=[1-9]' || fail "no reservation consumed: $bpf"
	for k in $TRACKED_KINDS; do
		echo "$bpf" | grep -q " *$k=[1-9]" || fail "the workload made no $k event"
	done
}

# t_inject_both MODE RULE: the module, then BPF, each flag RULE alone
t_inject_both() {
	local fired
	insmod /hugetrack.ko && echo reset >$HT/control || fail "insmod failed"
	insmod /tests/ht_inject.ko mode=$1 || fail "cannot load ht_inject"
	hugefault -n 2 -t 1 -- rmmod ht_inject >/dev/null
	cp $HT/counters /tmp/t70.inject.counters
	fired=$(awk '/^anomaly_/ && $2 != 0 { print $1 "=" $2 }' /tmp/t70.inject.counters)
	rmmod hugetrack
	expect_eq "module's anomalies" "anomaly_$2=1" "$fired" || {
		# why the module did not judge it: every counter that moved
		awk '$2 != 0' /tmp/t70.inject.counters
		return 1
	}
	bpf_control reset >/dev/null
	insmod /tests/ht_inject.ko mode=$1 || fail "cannot load ht_inject"
	hugefault -n 2 -t 1 -- rmmod ht_inject >/dev/null
	bpf_sync
	cat $BPFDIR/anomalies
	fired=$(awk '/^anomaly_/ && $2 != 0 { print $1 "=" $2 }' $BPFDIR/counters)
	expect_eq "bpf's anomalies" "anomaly_$2=1" "$fired"
	grep -q '^anomaly=1 rule='$2' ' $BPFDIR/anomalies || fail "no $2 record in anomalies"
	grep -q '^  handle_mm_fault+0x' $BPFDIR/anomalies || fail "anomalies has no symbolized stack through handle_mm_fault"
}

# The reader runs the BPF backend itself: the parity workload run by
# `hugetrack snapshot --backend bpf` gives the module's per-kind counts and
# resv totals, ftrace's fault count, sysfs's hstates after it.
t_reader_bpf_snapshot() {
	local hits
	ftrace_add ht_rd_fault hugetlb_fault || fail "cannot add ftrace kprobe event"
	hugetrack snapshot --backend bpf --json -- sh $PARITY >/tmp/r.json 2>/tmp/r.err
	expect_eq "snapshot's status" 0 $?
	hits=$(ftrace_hits ht_rd_fault)
	ftrace_del ht_rd_fault
	expect_eq "stderr" "" "$(cat /tmp/r.err)"
	! grep -q '"type":"watchpoint"' /tmp/r.json || fail "watchpoint rows: not the BPF backend"
	expect_eq "hstates (name nr free resv surplus overcommit)" "$(sysfs_hstates)" \
		"$(json_hstates /tmp/r.json)"
	json_object /tmp/r.json counters >/tmp/r.counters
	echo "reader: $(kind_counts /tmp/r.counters)"
	expect_eq "per-kind event counts and resv totals (module, reader --backend bpf)" \
		"$(cat /tmp/t70.module)" "$(kind_counts /tmp/r.counters)"
	expect_eq "fault events (ftrace hits)" "$hits" \
		"$(json_object /tmp/r.json events | awk '$1 == "fault" { print $2 }')"
	grep -q '"anomalies":\[\]' /tmp/r.json || fail "anomalies in the snapshot"
}

# check: the same total of events as the module for the parity workload,
# and an injected anomaly reported with its rule, pid and stack.
t_reader_bpf_check() {
	local out status want pid
	want=$(awk '/^events_/ && $1 != "events_dropped" { s += $2 } END { print s }' \
		/tmp/t70.module.counters)
	out=$(hugetrack check --backend bpf -- sh $PARITY)
	expect_eq "check's status after the parity workload" 0 $?
	expect_eq "check's report" \
		"hugetrack check: ok: no anomaly since load or reset ($want events, 0 dropped)" \
		"$(echo "$out" | head -n 1)"
	insmod /tests/ht_inject.ko mode=extra_ref || fail "cannot load ht_inject"
	out=$(hugetrack check --backend bpf -- hugefault -n 1 -t 1 -v -- rmmod ht_inject)
	status=$?
	echo "$out"
	expect_eq "check's status after an injected anomaly" 1 $status
	pid=$(field "$out" pid)
	echo "$out" | grep -q "ref_map_mismatch: pid $pid (hugefault) fault at 0x" ||
		fail "the report does not name the rule and pid $pid"
	echo "$out" | grep -q '^      handle_mm_fault+0x' || fail "the report has no stack"
}

# reservations --backend bpf, while two private mappings are held (4 pages,
# 1 faulted; 3 pages, 2 faulted then MADV_DONTNEED'd): the module's private
# lines, the same figures; pages=4 consumed=1 outstanding=3 lost=0 for the
# first; their outstanding pages sum to sysfs's resv_hugepages (no other
# holder); no ledger line, and the text view says that nothing is reconciled.
t_reader_bpf_reservations() {
	local pid
	hugefault -n 4 -t 1 -v -- hugefault -n 3 -t 2 -D -A -- sh -c '
		hugetrack-bpf -i 0 dump reservations >/tmp/res.bpf &&
		hugetrack reservations --backend bpf >/tmp/res.txt &&
		cat /sys/kernel/mm/hugepages/hugepages-2048kB/resv_hugepages >/tmp/res.sysfs &&
		insmod /hugetrack.ko && cat /sys/kernel/debug/hugetrack/reservations >/tmp/res.mod
		rmmod hugetrack' >/tmp/res.out || fail "the workload failed: $(cat /tmp/res.out)"
	cat /tmp/res.bpf /tmp/res.txt
	pid=$(field "$(grep '^pid=' /tmp/res.out)" pid)
	expect_eq "the module's private lines" "$(grep '^private ' /tmp/res.mod | sort)" \
		"$(grep '^private ' /tmp/res.bpf | sort)"
	expect_eq "pid $pid's mapping" "pages=4 consumed=1 outstanding=3 lost=0" \
		"$(awk -v p="pid=$pid" '$1 == "private" && $2 == p { print $9, $10, $11, $12 }' /tmp/res.bpf)"
	expect_eq "outstanding, summed, against sysfs resv_hugepages" "$(cat /tmp/res.sysfs)" \
		"$(awk '$1 == "private" { sub("outstanding=", "", $11); s += $11 } END { print s + 0 }' /tmp/res.bpf)"
	expect_eq "ledger lines" 0 "$(grep -c '^ledger ' /tmp/res.bpf)"
	grep -q "^  $pid " /tmp/res.txt || fail "the text view has no row of pid $pid"
	grep -q '^  none: this source lists private mappings alone' /tmp/res.txt ||
		fail "the text view does not say that nothing is reconciled"
}

# top runs the backend in its process: sysfs's numbers on a pipe, and the
# events of a workload run meanwhile.
t_reader_bpf_top() {
	local pid i
	top_pipe_as_sysfs --backend bpf || return 1
	hugetrack top --backend bpf -i 0.3 -n 20 >/tmp/top.txt 2>&1 &
	pid=$!
	for i in $(seq 600); do
		[ -s /tmp/top.txt ] && break
		sleep 0.1
	done
	hugefault -n 4 -t 4 >/dev/null || fail "workload failed"
	wait $pid
	expect_eq "top's status" 0 $?
	cat /tmp/top.txt
	grep -q ' events/s=[0-9.]*[1-9]' /tmp/top.txt || fail "no events seen"
}

# events follows the backend it runs: each fault of a workload once (as
# ftrace counts them), seq without a gap, until SIGTERM.
t_reader_bpf_events() {
	local pid i hits
	hugetrack events --backend bpf >/tmp/ev.txt 2>/tmp/ev.err &
	pid=$!
	for i in $(seq 600); do
		[ -s /tmp/ev.txt ] && break	# the header: attached
		sleep 0.1
	done
	ftrace_add ht_ev_fault hugetlb_fault || fail "cannot add ftrace kprobe event"
	hugefault -n 3 -t 3 >/dev/null && hugeuffd copy 1 >/dev/null || fail "workload failed"
	hits=$(ftrace_hits ht_ev_fault)
	ftrace_del ht_ev_fault
	sleep 1
	kill -TERM $pid
	wait $pid
	expect_eq "events' status after SIGTERM" 0 $?
	cat /tmp/ev.txt
	expect_eq "stderr (a gap in seq would be there)" "" "$(cat /tmp/ev.err)"
	expect_eq "fault lines (ftrace hits)" "$hits" "$(grep -c ' fault  ' /tmp/ev.txt)"
	grep -q ' uffd_copy ' /tmp/ev.txt || fail "no uffd_copy event"
}

# auto: the BPF backend without the module (no watchpoint rows), the
# module when it is loaded.
t_reader_auto() {
	module_absent
	hugetrack snapshot --backend auto --json >/tmp/a.json || fail "auto without the module failed"
	grep -q '"probes":\[{"name":"hugetlb_fault"' /tmp/a.json || fail "no probes"
	! grep -q '"type":"watchpoint"' /tmp/a.json || fail "auto used a module"
	insmod /hugetrack.ko || fail "insmod failed"
	hugetrack snapshot --backend auto --json >/tmp/a.json
	rmmod hugetrack
	grep -q '"type":"watchpoint"' /tmp/a.json || fail "auto did not use the loaded module"
}

# The reader on hugetrack-bpf serve's directory: check names the last
# injected rule, --reset goes through control.cmd, top reads it too.
t_reader_serve_dir() {
	local out status
	out=$(hugetrack check --backend bpf --debugfs $BPFDIR --reset)
	status=$?
	echo "$out"
	expect_eq "check's status" 1 $status
	echo "$out" | grep -q "resv_double_consume: pid" || fail "the report does not name the rule"
	bpf_sync
	hugetrack check -q --backend bpf --debugfs $BPFDIR || fail "anomalies after check --reset"
	top_pipe_as_sysfs --backend bpf --debugfs $BPFDIR
	# no walk of every mm each round: a fault meanwhile would go unjudged
	[ ! -e $BPFDIR/reservations ] || fail "serve writes reservations"
	expect_error 6 "serve does not write it" hugetrack reservations --backend bpf --debugfs $BPFDIR
}

t_reader_bpf_errors() {
	mkdir -p /tmp/nobtf
	expect_error 3 "needs root" su nobody -s /bin/sh -c "/tests/bin/hugetrack snapshot --backend bpf"
	mount --bind /tmp/nobtf /sys/kernel/btf || fail "cannot hide /sys/kernel/btf"
	expect_error 8 "no BTF" hugetrack top --backend bpf -n 1
	umount /sys/kernel/btf
	expect_error 2 "give the command to check" hugetrack check --backend auto
}

t_not_root() {
	local out
	mkdir -p /etc
	grep -q '^nobody:' /etc/passwd 2>/dev/null || echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >>/etc/passwd
	out=$(su nobody -c '/tests/bin/hugetrack-bpf -i 0 dump counters' 2>&1) && fail "ran as nobody: $out"
	echo "$out"
	echo "$out" | grep -q 'needs root' || fail "unclear error: $out"
}

t_no_btf() {
	local out
	mkdir -p /tmp/nobtf
	mount --bind /tmp/nobtf /sys/kernel/btf || fail "cannot hide /sys/kernel/btf"
	out=$(hugetrack-bpf -i 0 dump counters 2>&1) && { umount /sys/kernel/btf; fail "ran without BTF: $out"; }
	umount /sys/kernel/btf
	echo "$out"
	echo "$out" | grep -q 'no BTF' || fail "unclear error: $out"
}

# Without BTF (the debug kernel, lib.sh): both entry points of the BPF
# backend refuse with their "no BTF" error; --backend auto then needs the
# module.
t_no_btf_kernel() {
	local out
	[ ! -e /sys/kernel/btf/vmlinux ] || fail "$KNAME has /sys/kernel/btf/vmlinux"
	out=$(hugetrack-bpf -i 0 dump counters 2>&1) && fail "ran without BTF: $out"
	echo "$out"
	echo "$out" | grep -q 'no BTF' || fail "unclear error: $out"
}

t_reader_no_btf_kernel() {
	expect_error 8 "no BTF" hugetrack snapshot --backend bpf
	expect_error 8 "no BTF" hugetrack top --backend bpf -n 1
	expect_error 8 "no BTF" hugetrack snapshot --backend auto
	insmod /hugetrack.ko || fail "insmod failed"
	hugetrack snapshot --backend auto --json >/tmp/a.json
	rmmod hugetrack
	grep -q '"type":"watchpoint"' /tmp/a.json || fail "auto did not use the loaded module"
}

if [ "$BTF" = 1 ]; then
	run_test "bpf: the module is not loaded" module_absent
	bpf_start
	run_test "bpf: starts with the module absent, every probe point listed" t_starts_without_module
	run_test "bpf: each probe point resolves to the module's symbol" t_bpf_probes
	run_test "bpf: hstates equals sysfs, also in a one-shot dump while mapped" t_bpf_hstates
	run_test "bpf: fault events equal ftrace kprobe_profile and 5 faults" t_bpf_fault_hits_match_ftrace
	run_test "bpf: parity workload, hstates equal sysfs after it" t_bpf_parity_run
	run_test "bpf: events and faults in the module's format, none dropped" t_bpf_events_format
	run_test "bpf: a folio another task cached is found at the start, as the module does" t_bpf_cached_folio
	run_test "bpf: no anomaly on the parity workload" sh -c ". /tests/lib.sh; HT=$BPFDIR t_no_anomaly"
	bpf_stop
	run_test "module: the same workload, no anomaly" t_module_parity_run
	run_test "bpf and module: equal event counts of every kind, equal resv totals" t_counts_equal
	run_test "reader: snapshot --backend bpf -- the workload: the module's counts, faults as ftrace, hstates as sysfs" \
		t_reader_bpf_snapshot
	run_test "reader: check --backend bpf -- COMMAND: 0 and the module's total, 1 naming an injected rule and pid" \
		t_reader_bpf_check
	run_test "reader: top --backend bpf on a pipe: sysfs's numbers, a workload's events" t_reader_bpf_top
	run_test "reader: events --backend bpf: each fault once, as ftrace counts, until SIGTERM" \
		t_reader_bpf_events
	run_test "reader: --backend auto picks BPF without the module, the module when loaded" t_reader_auto
	run_test "reader: reservations --backend bpf: the module's private lines, sysfs's resv, nothing reconciled" \
		t_reader_bpf_reservations
	bpf_start
	run_test "bpf: starts again" bpf_ready
	run_test "module and bpf flag an extra folio reference: ref_map_mismatch" \
		t_inject_both extra_ref ref_map_mismatch
	run_test "module and bpf flag a tail-page reference: tail_refcount" \
		t_inject_both tail_ref tail_refcount
	run_test "module and bpf flag resv raised in a fault: resv_unexpected_delta" \
		t_inject_both resv_bump resv_unexpected_delta
	run_test "module and bpf flag two reservations in a fault: resv_double_consume" \
		t_inject_both resv_take resv_double_consume
	run_test "reader: check --reset, top on hugetrack-bpf serve's directory, which has no reservations" t_reader_serve_dir
	bpf_stop
	run_test "bpf: a clear error when not root" t_not_root
	run_test "bpf: a clear error without BTF" t_no_btf
	run_test "reader: --backend bpf: not root exit 3, no BTF exit 8, check without a command exit 2" \
		t_reader_bpf_errors
	run_test "dmesg has no warning or oops after the BPF backend" dmesg_clean
else
	run_test "bpf: the module is not loaded" module_absent
	run_test "bpf: $KNAME has no BTF: hugetrack-bpf refuses, naming it" t_no_btf_kernel
	run_test "bpf: a clear error when not root" t_not_root
	run_test "reader: --backend bpf and auto (no module) exit 8 naming no BTF; auto takes the module" \
		t_reader_no_btf_kernel
	run_test "module: the parity workload, no anomaly" t_module_parity_run
	run_test "dmesg has no warning or oops after the BPF backend's errors" dmesg_clean
fi
