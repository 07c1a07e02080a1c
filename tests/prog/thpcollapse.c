// SPDX-License-Identifier: GPL-2.0
/*
 * thpcollapse: collapses small pages into a THP with MADV_COLLAPSE, or lets
 * khugepaged do it.
 *
 * Each round maps a 2 MiB-aligned range (anonymous, or shared from FILE on a
 * tmpfs mounted huge=advise), fills it with small pages (MADV_NOHUGEPAGE
 * while writing, so that no THP is allocated at the first touch), asks for
 * the collapse, checks the data and unmaps; with -m, fills only its first
 * KB, for khugepaged to collapse into one multi-size THP (mTHP) of that
 * size (an enabled one: /sys/kernel/mm/transparent_hugepage/hugepages-KBkB).
 * Prints "collapse ROUND ok" or
 * "collapse ROUND <errno name>" per round; exits 0 when every round
 * collapsed with its data intact.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "uffd.h"

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

#define THP_SIZE (2UL << 20)
#define PAGE 4096UL
#define COLLAPSE_TRIES 5
#define KPF_COMPOUND_HEAD 15
#define KPF_THP 22

/* The bytes of the range fill() writes: all of it, or the -m size */
static size_t filled = THP_SIZE;

static const char usage[] =
	"usage: thpcollapse [-n ROUNDS] [-q] [-f FILE] [-u] [-k SECONDS [-m KB]] [-r] [-v]\n"
	"  -n ROUNDS   map, fill, collapse, check and unmap this many times (default 1)\n"
	"  -q          print nothing but errors\n"
	"  -f FILE     map FILE (on a tmpfs mounted huge=advise) shared, not anonymous memory\n"
	"  -u          register the range with userfaultfd before the collapse\n"
	"              (missing mode; minor mode with -f)\n"
	"  -k SECONDS  no MADV_COLLAPSE: wait up to SECONDS for khugepaged to collapse it\n"
	"  -m KB       with -k: fill only the first KB (a power of 2 from 8 to 1024)\n"
	"              and wait for khugepaged to map them as one THP of KB\n"
	"              (pagemap, kpageflags)\n"
	"  -r          with -f: then map FILE again, armed for minor faults, and collapse\n"
	"              that mapping while another thread maps its page 0 with\n"
	"              UFFDIO_CONTINUE 300 ms later; prints 'filler_tid=TID continue=ok|ERR'\n"
	"  -v          per round: 'pid=PID addr=0xADDR huge_kb=BEFORE->AFTER pfn=0xPFN\n"
	"              kpagecount=N' (huge_kb: AnonHugePages, with -f ShmemPmdMapped, of\n"
	"              the range's vma in /proc/self/smaps)\n";

static void die(const char *what)
{
	fprintf(stderr, "thpcollapse: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* A 2 MiB-aligned THP_SIZE range, from a larger mapping trimmed to it. */
static char *map_aligned(int fd)
{
	char *raw = mmap(NULL, 2 * THP_SIZE, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	char *start;

	if (raw == MAP_FAILED)
		die("mmap of 4 MiB of address space");
	start = (char *)(((uintptr_t)raw + THP_SIZE - 1) & ~(THP_SIZE - 1));
	if (mmap(start, THP_SIZE, PROT_READ | PROT_WRITE,
		 MAP_FIXED | (fd < 0 ? MAP_PRIVATE | MAP_ANONYMOUS : MAP_SHARED),
		 fd, 0) == MAP_FAILED)
		die("mmap of the 2 MiB range (is FILE on tmpfs?)");
	if (start > raw)
		munmap(raw, start - raw);
	munmap(start + THP_SIZE, raw + THP_SIZE - start);
	return start;
}

static void fill(char *range, unsigned int round)
{
	size_t off;

	if (madvise(range, THP_SIZE, MADV_NOHUGEPAGE))
		die("MADV_NOHUGEPAGE (kernel without THP?)");
	for (off = 0; off < filled; off += PAGE)
		memset(range + off, (int)((off >> 12) + round) & 0xff, PAGE);
	if (madvise(range, THP_SIZE, MADV_HUGEPAGE))
		die("MADV_HUGEPAGE (kernel without THP?)");
}

/* The offset of the first byte that is not what fill() wrote, or -1. */
static long first_bad_byte(const char *range, unsigned int round)
{
	size_t off;

	for (off = 0; off < filled; off++)
		if (range[off] != (char)(((off >> 12) + round) & 0xff))
			return (long)off;
	return -1;
}

/*
 * MADV_COLLAPSE's EAGAIN is a transient condition, which madvise(2) tells
 * its caller to retry: a page briefly off the LRU or locked elsewhere (7.x
 * meets it under t-60's load).  Any other error is the answer.
 */
static int collapse(char *range)
{
	int try;

	for (try = 1; madvise(range, THP_SIZE, MADV_COLLAPSE); try++) {
		if (errno != EAGAIN || try == COLLAPSE_TRIES)
			return errno;
		usleep(10000);
	}
	return 0;
}

static int uffd_arm(char *range, int minor)
{
	return uffd_register(range, THP_SIZE,
			     minor ? UFFDIO_REGISTER_MODE_MINOR : UFFDIO_REGISTER_MODE_MISSING,
			     minor ? UFFD_FEATURE_MINOR_SHMEM : 0);
}

/* The kB of @key of the vma holding @addr in /proc/self/smaps. */
static long smaps_kb(const char *addr, const char *key)
{
	unsigned long start, end;
	char line[256];
	long kb = -1;
	int in = 0;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		die("/proc/self/smaps");
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2)
			in = start <= (unsigned long)addr && (unsigned long)addr < end;
		else if (in && !strncmp(line, key, strlen(key)))
			sscanf(line + strlen(key), ": %ld kB", &kb);
	}
	fclose(f);
	return kb;
}

static uint64_t read_u64(const char *path, uint64_t index)
{
	uint64_t v = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || pread(fd, &v, sizeof(v), index * sizeof(v)) != sizeof(v))
		die(path);
	close(fd);
	return v;
}

/* The pfn of the page at @addr from pagemap (root), or -1 if not present. */
static int64_t page_pfn(const char *addr)
{
	uint64_t entry = read_u64("/proc/self/pagemap", (uintptr_t)addr / PAGE);

	return entry >> 63 ? (int64_t)(entry & ((1ULL << 55) - 1)) : -1;
}

/* "pfn=0xPFN kpagecount=N" of the page at @addr. */
static void print_page(const char *addr)
{
	int64_t pfn = page_pfn(addr);

	if (pfn < 0) {
		printf(" pfn=- kpagecount=-\n");
		return;
	}
	printf(" pfn=%#llx kpagecount=%llu\n", (unsigned long long)pfn,
	       (unsigned long long)read_u64("/proc/kpagecount", pfn));
}

/*
 * The first @size bytes at @range are one THP: the head of a THP at a pfn
 * aligned to @size, and the last page @size / PAGE - 1 frames on.
 */
static int one_thp(const char *range, size_t size)
{
	int64_t head = page_pfn(range), pages = (int64_t)(size / PAGE);
	uint64_t flags;

	if (head < 0 || head % pages)
		return 0;
	flags = read_u64("/proc/kpageflags", head);
	return (flags >> KPF_THP & 1) && (flags >> KPF_COMPOUND_HEAD & 1) &&
	       page_pfn(range + size - PAGE) == head + pages - 1;
}

/* Bounded wait for khugepaged: 0 once the range is a THP, else ETIMEDOUT. */
static int wait_khugepaged(const char *range, const char *key, unsigned int seconds)
{
	struct timespec tick = { .tv_nsec = 100000000 };
	unsigned int i;

	for (i = 0; i < seconds * 10; i++) {
		if (filled < THP_SIZE ? one_thp(range, filled) :
		    smaps_kb(range, key) >= (long)(THP_SIZE >> 10))
			return 0;
		nanosleep(&tick, NULL);
	}
	return ETIMEDOUT;
}

struct filler {
	int uffd;
	char *page;
	pid_t tid;
	int err;
};

static void *continue_later(void *arg)
{
	struct filler *f = arg;
	struct uffdio_continue cont = {
		.range = { .start = (unsigned long)f->page, .len = PAGE },
	};

	f->tid = gettid();
	usleep(300000);
	f->err = ioctl(f->uffd, UFFDIO_CONTINUE, &cont) ? errno : 0;
	return NULL;
}

/*
 * The page cache of @fd holds a THP now: a second mapping of it, armed for
 * minor faults, is collapsed (collapse_pte_mapped_thp()) while a uffd fill
 * lands on its first page.
 */
static void collapse_during_fill(int fd)
{
	struct filler f = { .err = -1 };
	char *again = map_aligned(fd);
	pthread_t thread;

	f.uffd = uffd_arm(again, 1);
	f.page = again;
	if (madvise(again, THP_SIZE, MADV_HUGEPAGE))
		die("MADV_HUGEPAGE");
	if (pthread_create(&thread, NULL, continue_later, &f))
		die("pthread_create");
	if (madvise(again, THP_SIZE, MADV_COLLAPSE))
		printf("second collapse %s\n", strerrorname_np(errno));
	pthread_join(thread, NULL);
	printf("filler_tid=%d continue=%s\n", f.tid, f.err ? strerrorname_np(f.err) : "ok");
	close(f.uffd);
	munmap(again, THP_SIZE);
}

int main(int argc, char **argv)
{
	unsigned int rounds = 1, round, failed = 0, khugepaged = 0;
	int opt, quiet = 0, arm = 0, race = 0, verbose = 0, fd = -1, uffd = -1;
	const char *file = NULL, *key;
	char *end;

	while ((opt = getopt(argc, argv, "n:qf:uk:m:rvh")) != -1) {
		switch (opt) {
		case 'n':
		case 'k':
			*(opt == 'n' ? &rounds : &khugepaged) = strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || rounds > 1000000 ||
			    khugepaged > 3600) {
				fprintf(stderr, "thpcollapse: -%c takes a number (rounds up to 1000000, seconds up to 3600), not '%s'\n",
					opt, optarg);
				return 2;
			}
			break;
		case 'm':
			filled = strtoul(optarg, &end, 10) << 10;
			if (*optarg == '\0' || *end != '\0' || filled < 2 * PAGE ||
			    filled >= THP_SIZE || (filled & (filled - 1))) {
				fprintf(stderr, "thpcollapse: -m takes a THP size in KB, a power of 2 from 8 to 1024, not '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'f':
			file = optarg;
			break;
		case 'u':
			arm = 1;
			break;
		case 'r':
			race = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		default:
			fputs(usage, opt == 'h' ? stdout : stderr);
			return opt == 'h' ? 0 : 2;
		}
	}
	if (race && !file) {
		fputs("thpcollapse: -r needs -f FILE\n", stderr);
		return 2;
	}
	if (filled < THP_SIZE && (!khugepaged || file)) {
		fputs("thpcollapse: -m needs -k SECONDS, without -f: only khugepaged collapses anonymous memory to smaller sizes\n",
		      stderr);
		return 2;
	}
	key = file ? "ShmemPmdMapped" : "AnonHugePages";
	for (round = 0; round < rounds; round++) {
		char *range;
		long bad, before;
		int err;

		if (file) {
			fd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0600);
			if (fd < 0 || ftruncate(fd, THP_SIZE))
				die(file);
		}
		range = map_aligned(fd);
		fill(range, round);
		if (arm)
			uffd = uffd_arm(range, !!file);
		before = smaps_kb(range, key);
		if (khugepaged)
			err = wait_khugepaged(range, key, khugepaged);
		else
			err = collapse(range);
		bad = first_bad_byte(range, round);
		if (bad >= 0) {
			fprintf(stderr, "thpcollapse: round %u: byte %ld changed by the collapse\n",
				round, bad);
			return 1;
		}
		if (err)
			failed++;
		if (!quiet || err)
			printf("collapse %u %s\n", round, err ? strerrorname_np(err) : "ok");
		if (verbose) {
			printf("pid=%d addr=%p huge_kb=%ld->%ld", getpid(), (void *)range,
			       before, smaps_kb(range, key));
			print_page(range);
		}
		if (race)
			collapse_during_fill(fd);
		if (uffd >= 0)
			close(uffd);
		munmap(range, THP_SIZE);
		if (fd >= 0)
			close(fd);
	}
	return failed ? 1 : 0;
}
