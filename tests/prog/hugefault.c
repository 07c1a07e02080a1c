// SPDX-License-Identifier: GPL-2.0
/*
 * hugefault: a hugetlb workload with a known number of faults.
 *
 * Maps PAGES default-size huge pages (private anonymous, or shared from a
 * file on hugetlbfs), writes to the first TOUCHED of them (one fault each)
 * and reads the data back, runs COMMAND while the mapping is held, unmaps.
 * With -F a child reads (-W: writes, copy-on-write) every touched page after
 * the fork and prints the pfn and the kernel's mapcount of each
 * (/proc/self/pagemap, /proc/kpagecount).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

/* <asm-generic/mman-common.h>; glibc 2.36 does not name it */
#ifndef MADV_SOFT_OFFLINE
#define MADV_SOFT_OFFLINE 101
#endif

extern char **environ;

static const char usage[] =
	"usage: hugefault [-n PAGES] [-t TOUCHED] [-f FILE] [-F [-W] [-O]] [-D] [-P] [-S] [-z ROUNDS] [-A] [-v] [-- COMMAND...]\n"
	"  -n PAGES    huge pages to map (default 4)\n"
	"  -t TOUCHED  pages to write, one fault each (default: all)\n"
	"  -f FILE     map FILE (on hugetlbfs) shared instead of anonymous memory\n"
	"  -F          fork; the child reads the touched pages and prints\n"
	"              'page I pfn=0xPFN kpagecount=N' for each\n"
	"  -W          with -F, the child writes the pages (copy-on-write)\n"
	"  -O          with -F, the child then soft-offlines its first page\n"
	"              (MADV_SOFT_OFFLINE: migrated while both processes map it, its\n"
	"              rmap walk unshares a shared PMD) and reads it back\n"
	"  -D          MADV_DONTNEED the touched pages before munmap\n"
	"  -P          with -f, punch a hole over the first page before munmap\n"
	"  -S          with -f, map at a 1 GiB-aligned address with MAP_NORESERVE,\n"
	"              so that processes mapping the file can share PMD pages\n"
	"  -z ROUNDS   MADV_DONTNEED the whole mapping ROUNDS times before munmap:\n"
	"              one zap each, the cheapest real hugetlb event\n"
	"  -A          run COMMAND after -P, -z and -D, not before them\n"
	"  -v          print 'pid=PID addr=0xADDR' of the mapping first\n"
	"  COMMAND     run while the mapping is held; its status is ours\n";

static long huge_page_size(void)
{
	char line[128];
	long kb = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f) {
		perror("hugefault: cannot read /proc/meminfo (is /proc mounted?)");
		exit(2);
	}
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Hugepagesize: %ld kB", &kb) == 1)
			break;
	fclose(f);
	if (kb <= 0) {
		fprintf(stderr, "hugefault: no Hugepagesize in /proc/meminfo: is CONFIG_HUGETLBFS on?\n");
		exit(2);
	}
	return kb * 1024;
}

static long parse_count(const char *arg, const char *what)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (*arg == '\0' || *end != '\0' || v < 0 || v > 1 << 20) {
		fprintf(stderr, "hugefault: %s must be a number from 0 to %d, not '%s'\n",
			what, 1 << 20, arg);
		exit(2);
	}
	return v;
}

static int punch_first_page(const char *file, long hpage)
{
	int fd = open(file, O_RDWR);

	if (fd < 0 || fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, hpage)) {
		fprintf(stderr, "hugefault: cannot punch a hole in %s: %s\n", file, strerror(errno));
		return 2;
	}
	close(fd);
	return 0;
}

#define PUD_SIZE (1UL << 30)

/* A free PUD-aligned range of @len bytes. */
static void *pud_aligned_hint(size_t len)
{
	char *p = mmap(NULL, len + PUD_SIZE, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED) {
		perror("hugefault: cannot find address space");
		exit(2);
	}
	munmap(p, len + PUD_SIZE);
	return (void *)(((unsigned long)p + PUD_SIZE - 1) & ~(PUD_SIZE - 1));
}

static char *map_pages(const char *file, size_t len, int shareable)
{
	int fd = -1, flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB;
	void *hint = NULL;
	char *p;

	if (file) {
		fd = open(file, O_RDWR | O_CREAT, 0600);
		if (fd < 0) {
			fprintf(stderr, "hugefault: cannot open %s: %s\n", file, strerror(errno));
			exit(2);
		}
		flags = MAP_SHARED;
		if (shareable) {
			hint = pud_aligned_hint(len);
			flags |= MAP_FIXED | MAP_NORESERVE;
		}
	}
	p = mmap(hint, len, PROT_READ | PROT_WRITE, flags, fd, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "hugefault: mmap of %zu bytes failed: %s (are there enough free huge pages?)\n",
			len, strerror(errno));
		exit(2);
	}
	if (fd >= 0)
		close(fd);
	return p;
}

static uint64_t read_u64_at(const char *path, uint64_t index)
{
	uint64_t value;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || pread(fd, &value, sizeof(value), index * sizeof(value)) != sizeof(value)) {
		fprintf(stderr, "hugefault: cannot read %s: %s (run as root)\n", path, strerror(errno));
		exit(2);
	}
	close(fd);
	return value;
}

/* The child's view of the shared pages, after faulting each one in. */
static int report_mapcounts(volatile char *p, long touched, long hpage, int write)
{
	uint64_t entry, pfn;
	long i;

	for (i = 0; i < touched; i++) {
		if (write)
			p[i * hpage + 1] = 1;
		if (p[i * hpage] != (char)(i + 1)) {
			fprintf(stderr, "hugefault: child sees wrong data in page %ld\n", i);
			return 1;
		}
		entry = read_u64_at("/proc/self/pagemap", (uintptr_t)(p + i * hpage) / 4096);
		if (!(entry >> 63)) {
			fprintf(stderr, "hugefault: page %ld not present in the child\n", i);
			return 1;
		}
		pfn = entry & ((1ULL << 55) - 1);
		printf("page %ld pfn=%#llx kpagecount=%llu\n", i, (unsigned long long)pfn,
		       (unsigned long long)read_u64_at("/proc/kpagecount", pfn));
	}
	return 0;
}

/* Migrates the first page away (memory-failure's soft offline), data intact. */
static int soft_offline_first(volatile char *p, long hpage)
{
	if (madvise((char *)p, hpage, MADV_SOFT_OFFLINE)) {
		fprintf(stderr, "hugefault: MADV_SOFT_OFFLINE: %s (needs CONFIG_MEMORY_FAILURE and a free huge page)\n",
			strerror(errno));
		return 2;
	}
	if (p[0] != 1) {
		fputs("hugefault: the first page lost its data in the migration\n", stderr);
		return 1;
	}
	printf("page 0 soft-offlined pfn=%#llx\n", (unsigned long long)(read_u64_at(
	       "/proc/self/pagemap", (uintptr_t)p / 4096) & ((1ULL << 55) - 1)));
	return 0;
}

static int fork_and_report(char *p, long touched, long hpage, int write, int offline)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("hugefault: fork");
		return 2;
	}
	if (pid == 0) {
		status = report_mapcounts(p, touched, hpage, write);
		if (!status && offline && touched)
			status = soft_offline_first(p, hpage);
		fflush(stdout);
		_exit(status);
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("hugefault: waitpid");
		return 2;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 2;
}

static int run_command(char **argv)
{
	pid_t pid;
	int status, err;

	/* posix_spawn shares the address space: no fork copy of the mapping */
	err = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
	if (err) {
		fprintf(stderr, "hugefault: cannot run %s: %s\n", argv[0], strerror(err));
		return 2;
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("hugefault: waitpid");
		return 2;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(int argc, char **argv)
{
	long pages = 4, touched = -1, zaps = 0, i, hpage = huge_page_size();
	const char *file = NULL;
	int opt, status = 0, fork_child = 0, child_writes = 0, dontneed = 0, punch = 0;
	int verbose = 0, shareable = 0, offline = 0, command_after = 0;
	char *p;

	while ((opt = getopt(argc, argv, "+n:t:f:FWODPSz:Avh")) != -1) {
		switch (opt) {
		case 'n':
			pages = parse_count(optarg, "PAGES");
			break;
		case 't':
			touched = parse_count(optarg, "TOUCHED");
			break;
		case 'f':
			file = optarg;
			break;
		case 'F':
			fork_child = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'W':
			child_writes = 1;
			break;
		case 'O':
			offline = 1;
			break;
		case 'D':
			dontneed = 1;
			break;
		case 'P':
			punch = 1;
			break;
		case 'S':
			shareable = 1;
			break;
		case 'z':
			zaps = parse_count(optarg, "ROUNDS");
			break;
		case 'A':
			command_after = 1;
			break;
		default:
			fputs(usage, opt == 'h' ? stdout : stderr);
			return opt == 'h' ? 0 : 2;
		}
	}
	if (touched < 0 || touched > pages)
		touched = pages;
	if (pages == 0) {
		fputs("hugefault: PAGES must be at least 1\n", stderr);
		return 2;
	}

	p = map_pages(file, pages * hpage, shareable);
	if (verbose) {
		printf("pid=%d addr=%#lx\n", (int)getpid(), (unsigned long)p);
		fflush(stdout);
	}
	for (i = 0; i < touched; i++)
		p[i * hpage] = (char)(i + 1);
	for (i = 0; i < touched; i++) {
		if (p[i * hpage] != (char)(i + 1)) {
			fprintf(stderr, "hugefault: page %ld lost its data\n", i);
			return 1;
		}
	}
	if (fork_child)
		status = fork_and_report(p, touched, hpage, child_writes, offline);
	if (!status && optind < argc && !command_after)
		status = run_command(argv + optind);
	if (!status && punch && file)
		status = punch_first_page(file, hpage);
	for (i = 0; !status && i < zaps; i++) {
		if (madvise(p, pages * hpage, MADV_DONTNEED)) {
			perror("hugefault: madvise(MADV_DONTNEED) of the mapping");
			return 2;
		}
	}
	if (dontneed && touched && madvise(p, touched * hpage, MADV_DONTNEED)) {
		perror("hugefault: madvise(MADV_DONTNEED)");
		return 2;
	}
	if (!status && optind < argc && command_after)
		status = run_command(argv + optind);
	if (munmap(p, pages * hpage)) {
		perror("hugefault: munmap");
		return 2;
	}
	return status;
}
