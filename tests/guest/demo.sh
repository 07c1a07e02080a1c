# SPDX-License-Identifier: GPL-2.0
# What "make demo" shows: hugetrack loaded on the test kernel, a mixed
# hugetlb workload, and the files a developer would cat.
HT=/sys/kernel/debug/hugetrack

show() {
	echo
	echo "# cat $HT/$1${2:+ | $2}"
	if [ -n "$2" ]; then
		cat $HT/$1 | sh -c "$2"
	else
		cat $HT/$1
	fi
}

echo
echo "== hugetrack demo on $(uname -r)"
insmod /hugetrack.ko || { echo "demo: insmod failed"; dmesg | tail -n 5; exit 1; }
echo "# workload: private and shared faults, a fork with copy-on-write,"
echo "# UFFDIO_COPY (one onto a cached page: EEXIST), UFFDIO_CONTINUE, a hole punch"
hugefault -n 4 -t 4 -F -W >/dev/null
hugefault -n 2 -t 2 -f /dev/hugepages/demo -P
hugeuffd copy 2 /dev/hugepages/demo-uffd >/dev/null
hugeuffd continue 2 /dev/hugepages/demo-minor >/dev/null
echo "# THP: MADV_COLLAPSE of an anonymous range and of a shmem file"
mkdir -p /tmp/thp && mount -t tmpfs -o huge=advise tmpfs /tmp/thp
thpcollapse >/dev/null
thpcollapse -f /tmp/thp/demo >/dev/null
echo "# race windows driven open: a fault on a page UFFDIO_COPY will retry,"
echo "# a PMD unshare while another thread's fault is past huge_pte_alloc"
hugeuffd -R >/dev/null
hugeuffd -U /dev/hugepages/demo-unshare >/dev/null
rm -f /dev/hugepages/demo* /tmp/thp/demo
echo "# and one injected accounting error: an extra folio reference in a fault"
insmod /tests/ht_inject.ko mode=extra_ref
hugefault -n 1 >/dev/null
rmmod ht_inject
show hstates
show counters
show faults "grep -v kind=collapse | tail -n 6"
show faults "grep kind=collapse"
show windows
show anomalies
show writers
show probes "sed -n '1,3p;/missing/p;/acct_memory/p;/ watch /p'"
show summary
show control
rmmod hugetrack
