# SPDX-License-Identifier: GPL-2.0
# The module loads, resolves each probe point to this kernel's symbol, reads
# the hstates as sysfs does, counts hits as ftrace does, and unloads cleanly.

t_load() {
	insmod /hugetrack.ko || fail "insmod failed: $(dmesg | grep hugetrack | tail -n 1)"
	[ -d $HT ] || fail "no $HT after insmod"
}

t_files_root_only() {
	local f mode
	for f in $HT/*; do
		mode=$(stat -c %a $f)
		case $f:$mode in
		$HT/control:600 | *:400) ;;
		*) fail "$f has mode $mode: only root may use it" ;;
		esac
	done
}

# t_probe NAME EXPECTED_SYMBOL
t_probe() {
	local symbol state
	symbol=$(probe_field $1 3)
	state=$(probe_field $1 5)
	if [ "$2" = - ]; then
		expect_eq "$1 state" missing "$state" && expect_eq "$1 symbol" - "$symbol"
	else
		expect_eq "$1 state" active "$state" && expect_eq "$1 symbol" "$2" "$symbol"
	fi
}

t_probe_list_complete() {
	local want got
	want=$(awk '!/^#/ { print $1 }' /tests/expected-probes.txt | sort)
	got=$(awk '!/^#/ && $2 != "watch" { print $1 }' $HT/probes | sort)
	[ "$want" = "$got" ] || fail "probes file lists [$(echo $got)], expected [$(echo $want)]"
}

t_hstates_while_mapped() {
	hugefault -n 4 -t 2 -- sh -c '. /tests/lib.sh; hstates_match_sysfs' || return 1
	# 4 reserved at mmap, 2 consumed by faults: the check saw resv 2 in use
}

t_hstates_after() {
	hstates_match_sysfs && expect_eq "hstates after munmap" "$BASELINE" "$(module_hstates)"
}

# The hugetlb_fault probe's hits against an ftrace kprobe event on the same
# symbol, over a workload of exactly 5 faults.
t_fault_hits_match_ftrace() {
	local tr=/sys/kernel/tracing before after ours theirs
	echo 'p:ht_check_fault hugetlb_fault' >>$tr/kprobe_events || fail "cannot add ftrace kprobe event"
	echo 1 >$tr/events/kprobes/ht_check_fault/enable
	before=$(probe_field hugetlb_fault 6)
	hugefault -n 5 -t 5 || fail "workload failed"
	after=$(probe_field hugetlb_fault 6)
	theirs=$(awk '$1 == "ht_check_fault" { print $2 }' $tr/kprobe_profile)
	echo 0 >$tr/events/kprobes/ht_check_fault/enable
	echo '-:ht_check_fault' >>$tr/kprobe_events
	ours=$((after - before))
	expect_eq "ftrace hits" 5 "$theirs" && expect_eq "hugetrack hits" "$theirs" "$ours"
}

t_no_misses() {
	local missed
	missed=$(awk '!/^#/ && $7 != 0 { print $1 "=" $7 }' $HT/probes)
	[ -z "$missed" ] || fail "missed: $(echo $missed)"
}

# One data watchpoint on resv and on free of each hstate (4 debug registers).
t_watchpoints() {
	local h want got
	want=$(for h in /sys/kernel/mm/hugepages/hugepages-*; do
		h=${h##*hugepages-}
		echo "watch_resv_$h active"
		echo "watch_free_$h active"
	done | sort)
	got=$(awk '$2 == "watch" { print $1, $5 }' $HT/probes | sort)
	expect_eq "watchpoints" "$(echo $want)" "$(echo $got)"
}

# Every write is seen: per counter, the net of all writing sites equals the
# change sysfs shows since load; each site is a symbol, not an address.
t_writers_net_equals_sysfs() {
	local c
	hugefault -n 3 -t 3 && hugefault -n 2 -t 1 -f /dev/hugepages/t10w -- true &&
		rm /dev/hugepages/t10w || fail "workload failed"
	for c in resv free; do
		expect_eq "$c net of writers" $(($(cat $SYS2M/${c}_hugepages) - $(eval echo \$LOAD_$c))) \
			"$(awk -v c=$c '$1 == "counter=" c && $2 == "hstate=hugepages-2048kB" \
				{ split($5, n, "="); s += n[2] } END { print s + 0 }' $HT/writers)"
	done
	grep -q 'counter=resv' $HT/writers || fail "no resv writer"
	# each write is joined to the kind of event its task was in: the
	# allocation that consumes a reservation is always inside a fault
	awk '{ split($4, w, "="); split($6, k, "[=,:]"); n = 0
		for (i = 3; i <= length(k); i += 2) n += k[i]
		if (n != w[2]) { print "joined " n " of " $0; exit 1 } }' $HT/writers ||
		fail "writes and joined writes differ"
	grep 'counter=resv.* site=alloc_hugetlb_folio+\| site=alloc_huge_page+' $HT/writers |
		grep -v 'counter=free' | grep -qv ' in=fault:[0-9]*$' &&
		fail "a reservation consumed outside a fault: $(grep 'site=alloc_huge' $HT/writers)"
	true
	! grep -v ' site=[A-Za-z_][A-Za-z0-9_.]*+0x[0-9a-f]*/0x[0-9a-f]* ' $HT/writers | grep . ||
		fail "a site is not symbolized"
}

t_unload() {
	rmmod hugetrack || fail "rmmod failed"
	[ ! -d $HT ] || fail "$HT still there after rmmod"
}

t_reload() {
	insmod /hugetrack.ko && [ "$(probe_field hugetlb_fault 5)" = active ] &&
		rmmod hugetrack || fail "second load/unload failed"
}

# A "-" in this kernel's column needs a "# reason PROBE K1,K2: why" line naming it.
t_missing_have_reasons() {
	local name sym
	while read -r name rest; do
		case $name in '#'*|'') continue ;; esac
		sym=$(expected_symbol "$name")
		[ "$sym" != - ] && continue
		grep "^# reason $name " /tests/expected-probes.txt | cut -d' ' -f4 | tr ',:' '\n\n' |
			grep -qx -- "$KNAME" || fail "no reason why $name is missing on $KNAME"
	done </tests/expected-probes.txt
}

# What each handler reads of its function (the layouts file) has the type
# this kernel's BTF declares there, static functions included; a compiler
# clone has no BTF and is named (t-26 drives huge_pmd_unshare's).
t_layouts_match_btf() {
	local out lines
	lines=$(grep -vc '^#' $HT/layouts)
	[ "$lines" -gt 20 ] || fail "layouts has $lines lines"
	out=$(hugetrack-bpf protos $HT/layouts 2>&1) ||
		fail "$(echo "$out" | grep -v '^ok ' | head -n 3 | tr '\n' '|')"
	echo "$out" | grep -v '^ok '
	expect_eq "verdicts (ok or clone), one per layouts line" "$lines" \
		"$(echo "$out" | grep -cE '^(ok|clone) ')"
}

LOAD_resv=$(cat $SYS2M/resv_hugepages)
LOAD_free=$(cat $SYS2M/free_hugepages)
run_test "module loads" t_load
run_test "debugfs files are root-only (0400, control 0600)" t_files_root_only
run_test "kernel $KNAME has an expected-probes column" [ "$(expected_column)" -gt 0 ]
while read -r name rest; do
	case $name in '#'*|'') continue ;; esac
	sym=$(expected_symbol "$name")
	if [ "$sym" = - ]; then
		run_test "probe $name is missing on $KNAME" t_probe "$name" -
	else
		run_test "probe $name resolves to $sym" t_probe "$name" "$sym"
	fi
done </tests/expected-probes.txt
run_test "probes lists every probe point once" t_probe_list_complete
run_test "every probe missing on $KNAME has its reason in expected-probes.txt" t_missing_have_reasons
if [ "$BTF" = 1 ]; then
	run_test "every argument and return a handler reads has its BTF type (hugetrack-bpf protos)" \
		t_layouts_match_btf
else
	run_test "$KNAME has no BTF: what the handlers read is proven at build time only (proto_check.c)" \
		[ ! -e /sys/kernel/btf/vmlinux ]
fi
BASELINE=$(module_hstates)
run_test "a data watchpoint on resv and free of each hstate" t_watchpoints
run_test "hstates equals sysfs at rest" hstates_match_sysfs
run_test "hstates equals sysfs with 4 pages mapped, 2 faulted" t_hstates_while_mapped
run_test "hstates equals sysfs and baseline after munmap" t_hstates_after
run_test "hugetlb_fault hits equal ftrace kprobe_profile and 5 faults" t_fault_hits_match_ftrace
run_test "no probe missed a hit" t_no_misses
run_test "writers: every resv and free change, by symbolized site, nets to sysfs" t_writers_net_equals_sysfs
run_test "module unloads" t_unload
run_test "module loads and unloads again" t_reload
run_test "dmesg has no warning, oops or registration failure" dmesg_clean
