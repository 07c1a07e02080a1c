# SPDX-License-Identifier: GPL-2.0
# Lockdown, what Secure Boot turns on: the module refused, the BPF backend
# running (integrity), then refused too (confidentiality).  Last of the boot
# (t-99): lockdown cannot be undone, and it closes debugfs to the tests.
LOCKDOWN=/sys/kernel/security/lockdown

# lockdown LEVEL: the kernel locked down so, for the rest of the boot
lockdown() {
	[ -e $LOCKDOWN ] || mount -t securityfs securityfs /sys/kernel/security
	[ -e $LOCKDOWN ] || fail "no $LOCKDOWN: this kernel has no lockdown LSM"
	echo "$1" >$LOCKDOWN || fail "cannot set lockdown $1"
	grep -q "\[$1\]" $LOCKDOWN || fail "lockdown is $(cat $LOCKDOWN)"
}

# What lockdown (Secure Boot) is for: no unsigned module; BPF still runs.
t_lockdown_integrity() {
	lockdown integrity
	if insmod /hugetrack.ko 2>/dev/null; then
		rmmod hugetrack
		fail "the module loaded under lockdown"
	fi
	dmesg | grep -q 'unsigned module loading is restricted' || fail "no lockdown line in dmesg"
	hugetrack snapshot --backend auto --json -- hugefault -n 3 -t 3 >/tmp/l.json ||
		fail "snapshot --backend auto failed"
	expect_eq "fault events of 3 faults" 3 \
		"$(json_object /tmp/l.json events | awk '$1 == "fault" { print $2 }')"
	expect_eq "hstates" "$(sysfs_hstates)" "$(json_hstates /tmp/l.json)"
}

t_lockdown_confidentiality() {
	lockdown confidentiality
	expect_error 8 "locked down for confidentiality" hugetrack snapshot --backend bpf
}

# Without the lockdown LSM (the debug kernel, lib.sh): there is no level to
# set, and nothing refuses the unsigned module.
t_no_lockdown_lsm() {
	[ -e $LOCKDOWN ] || mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
	[ ! -e $LOCKDOWN ] || fail "$KNAME has $LOCKDOWN: $(cat $LOCKDOWN)"
	insmod /hugetrack.ko || fail "insmod failed without lockdown: $(dmesg | tail -n 1)"
	rmmod hugetrack
	! dmesg | grep -q 'Lockdown:' || fail "dmesg: $(dmesg | grep -m1 'Lockdown:')"
}

if [ "$LOCKDOWN_LSM" = 1 ]; then
	run_test "lockdown=integrity: the module is refused, --backend auto runs BPF: faults and hstates as sysfs" \
		t_lockdown_integrity
	run_test "lockdown=confidentiality: BPF is refused too: exit 8 naming lockdown" \
		t_lockdown_confidentiality
else
	run_test "$KNAME has no lockdown LSM: no $LOCKDOWN, the module loads" t_no_lockdown_lsm
fi
