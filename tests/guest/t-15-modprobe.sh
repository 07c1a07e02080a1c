# SPDX-License-Identifier: GPL-2.0
# The module DKMS built and installed on the host (tests/packaging.sh), in
# /lib/modules/<ver>/updates/dkms/ with its depmod files: kmod's modprobe
# loads it by name, as on a developer's box; its version is VERSION's; its
# parameters take their defaults, select probe groups, and refuse bad values
# with a clear line in dmesg.
MODPROBE=/sbin/modprobe
PARAMS=/sys/module/hugetrack/parameters

t_dkms_module_installed() {
	local dep
	dep=$(grep '^updates/dkms/hugetrack\.ko' /lib/modules/$(uname -r)/modules.dep) ||
		fail "modules.dep of $(uname -r) does not list updates/dkms/hugetrack.ko"
	[ -f /lib/modules/$(uname -r)/${dep%%:*} ] || fail "no ${dep%%:*}"
	$MODPROBE --version | grep -q '^kmod version' || fail "$MODPROBE is not kmod"
}

t_modprobe_loads() {
	$MODPROBE hugetrack || fail "modprobe hugetrack failed: $(dmesg | tail -n 1)"
	expect_eq "version in sysfs" "$(cat /tests/VERSION)" "$(cat /sys/module/hugetrack/version)"
	expect_eq "modinfo version" "$(cat /tests/VERSION)" "$(/sbin/modinfo -F version hugetrack)"
	expect_eq "parameters" "audit_ms=20 groups=hugetlb,uffd,thp,watch kretprobe_maxactive=128 refcount_threshold=1073741823 ring_size=4096" \
		"$(cd $PARAMS && for p in *; do echo "$p=$(cat $p)"; done | xargs)"
	expect_eq "hugetlb_fault state" active "$(probe_field hugetlb_fault 5)"
	dmesg | grep -q "hugetrack: version $(cat /tests/VERSION) loaded" || fail "no load line in dmesg"
}

t_modprobe_removes() {
	$MODPROBE -r hugetrack || fail "modprobe -r failed"
	! grep -q '^hugetrack ' /proc/modules || fail "still in /proc/modules"
	[ ! -d $HT ] || fail "$HT still there"
}

# groups=uffd: the hugetlb probes are off and count nothing, though ftrace
# sees the fault; the uffd ones are on; no watchpoint.
t_groups_select() {
	local hits
	$MODPROBE hugetrack groups=uffd || fail "modprobe groups=uffd failed: $(dmesg | tail -n 1)"
	ftrace_add ht_g_fault hugetlb_fault || fail "cannot add an ftrace event"
	hugefault -n 1 >/dev/null || fail "workload failed"
	hits=$(ftrace_hits ht_g_fault)
	ftrace_del ht_g_fault
	cat $HT/probes
	expect_eq "ftrace hits of hugetlb_fault" 1 "$hits"
	expect_eq "hugetlb_fault state, hits" "off 0" "$(probe_field hugetlb_fault 5) $(probe_field hugetlb_fault 6)"
	expect_eq "hugetlb_mfill_pte state" active "$(probe_field hugetlb_mfill_pte 5)"
	expect_eq "groups with a probe on" "uffd" \
		"$(awk '!/^#/ && $5 != "off" { print $2 }' $HT/probes | sort -u | xargs)"
	expect_eq "events_fault" 0 "$(counter events_fault)"
	dmesg | grep -q 'hugetrack: groups=uffd: the probes of other groups are off' ||
		fail "dmesg does not say which groups are off"
	$MODPROBE -r hugetrack
}

# bad_param ASSIGNMENT PATTERN: modprobe refuses the load, the module is not
# left loaded, and the new dmesg lines match PATTERN.
t_bad_param() {
	local before new
	before=$(dmesg | wc -l)
	! $MODPROBE hugetrack "$1" 2>/dev/null || { $MODPROBE -r hugetrack; fail "loaded with $1"; }
	! grep -q '^hugetrack ' /proc/modules || fail "loaded with $1"
	[ ! -d $HT ] || fail "$HT left by a refused load"
	new=$(dmesg | tail -n +$((before + 1)))
	echo "$new"
	echo "$new" | grep -q "hugetrack: $2" || fail "dmesg lacks 'hugetrack: $2' after $1"
	echo "$new" | grep -qE 'WARNING|BUG|Oops|Call Trace' && fail "a kernel warning after $1"
	true
}

run_test "the DKMS module is in updates/dkms/ and in modules.dep; modprobe is kmod" t_dkms_module_installed
run_test "modprobe hugetrack loads it: VERSION in sysfs and modinfo, default parameters" t_modprobe_loads
run_test "modprobe -r hugetrack unloads it" t_modprobe_removes
run_test "groups=uffd: hugetlb probes off (ftrace sees the fault, hugetrack not), uffd on" t_groups_select
for bad in ring_size=0 ring_size=32 ring_size=100 ring_size=2097152 ring_size=4294967295; do
	run_test "modprobe refuses $bad with a clear dmesg line" \
		t_bad_param $bad "ring_size=${bad#*=}: must be a power of 2 from 64 to 1048576"
done
for bad in ring_size=4294967296 ring_size=-1 ring_size=abc refcount_threshold=-1; do
	run_test "modprobe refuses $bad (not a number of its type)" \
		t_bad_param $bad "\`${bad#*=}' invalid for parameter \`${bad%%=*}'"
done
for bad in kretprobe_maxactive=0 kretprobe_maxactive=4097 kretprobe_maxactive=100000000; do
	run_test "modprobe refuses $bad with a clear dmesg line" \
		t_bad_param $bad "kretprobe_maxactive=${bad#*=}: must be from 1 to 4096"
done
run_test "modprobe refuses audit_ms=10001 with a clear dmesg line" \
	t_bad_param audit_ms=10001 "audit_ms=10001: must be from 0 to 10000"
run_test "modprobe refuses groups=bogus" t_bad_param groups=bogus "groups=bogus: unknown probe group 'bogus'"
run_test "modprobe refuses groups= (none)" t_bad_param groups= "groups=: unknown probe group ''"
run_test "modprobe refuses groups=hugetlb,,thp" t_bad_param groups=hugetlb,,thp "groups=hugetlb,,thp: unknown probe group ''"
run_test "modprobe refuses groups=HUGETLB (names are lower case)" t_bad_param groups=HUGETLB "groups=HUGETLB: unknown probe group 'HUGETLB'"
run_test "dmesg has no warning or oops after modprobe and bad parameters" dmesg_clean
