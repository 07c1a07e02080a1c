// SPDX-License-Identifier: GPL-2.0
/*
 * htbench: the workloads of "make bench", timed with CLOCK_MONOTONIC.
 *
 *   htbench cached N     N rounds: map a hugetlbfs file whose pages are in
 *                        the page cache, write one byte of each page (one
 *                        fault each, nothing zeroed), unmap
 *   htbench uffd N       N rounds: UFFDIO_COPY every page of a registered
 *                        private hugetlb range, then MADV_DONTNEED it
 *   htbench anon N       N rounds: map private anonymous hugetlb memory,
 *                        write each page (allocation and zeroing), unmap
 *   htbench collapse N   thpcollapse -n N -q: MADV_COLLAPSE of a 2 MiB range
 *   htbench parallel N   two processes, one per CPU, each "cached N" at once
 *   htbench ledgerM N    N reads of hugetrack's reservations file (a walk of
 *                        every holder) with M private hugetlb mappings of one
 *                        page: one owns its reservation, the M - 1 others
 *                        are MAP_NORESERVE (so that M needs no M huge pages)
 *   htbench tasksT N     T processes (T from 1 to 128), on both CPUs
 *                        in turn, share N rounds at once: each faults a
 *                        page of its own of one hugetlbfs file in the page
 *                        cache, then zaps it (MADV_DONTNEED)
 *   htbench inflight N   "cached N" while 1000 threads of hugeuffd wait in
 *                        a userfaultfd missing fault, each in
 *                        hugetlb_fault() until the page is copied after it
 *
 * Runs on CPU 0 (parallel, tasksT: CPU 0 and CPU 1 in turn), so that runs
 * compare.
 * Prints "WORKLOAD ns_per_op=X ops=N": the operation is a fault (cached,
 * anon, parallel: per process; tasksT: with its zap), a UFFDIO_COPY, a
 * collapse; mapping and unmapping are shared out over the operations of
 * their round.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <sched.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "uffd.h"

extern char **environ;

/* The default huge page size of x86, the guests' architecture. */
#define HPAGE		(2L << 20)
#define PAGES		4
#define HUGETLBFS	"/dev/hugepages"

static const char usage[] =
	"usage: htbench cached|uffd|anon|collapse|parallel|inflight|ledgerM|tasksT ROUNDS\n"
	"  (M from 1 to 10000 mappings, T from 1 to 128 processes)\n"
	"  prints 'WORKLOAD ns_per_op=X ops=N'; see the source's header for each workload\n";

static void die(const char *what)
{
	fprintf(stderr, "htbench: %s failed: %s\n", what, strerror(errno));
	exit(2);
}

static long long now_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		die("clock_gettime(CLOCK_MONOTONIC)");
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static char *map_pages(int fd, int flags, long pages, off_t offset)
{
	char *p = mmap(NULL, pages * HPAGE, PROT_READ | PROT_WRITE, flags, fd, offset);

	if (p == MAP_FAILED)
		die("mmap of huge pages (are enough huge pages free? see /proc/meminfo)");
	return p;
}

static char *map_or_die(int fd, int flags)
{
	return map_pages(fd, flags, PAGES, 0);
}

static void touch_pages(volatile char *p, long pages)
{
	long i;

	for (i = 0; i < pages; i++)
		p[i * HPAGE] = 1;
}

static void touch_all(volatile char *p)
{
	touch_pages(p, PAGES);
}

static void unmap_or_die(char *p)
{
	if (munmap(p, PAGES * HPAGE))
		die("munmap");
}

/* An unlinked hugetlbfs file whose @pages pages are in the page cache. */
static int cached_file(long pages)
{
	char path[64];
	char *p;
	int fd;

	snprintf(path, sizeof(path), HUGETLBFS "/htbench-%d", (int)getpid());
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		die("creating a file on " HUGETLBFS " (is hugetlbfs mounted there?)");
	unlink(path);
	p = map_pages(fd, MAP_SHARED, pages, 0);
	touch_pages(p, pages);
	if (munmap(p, pages * HPAGE))
		die("munmap");
	return fd;
}

static long long cached_rounds(int fd, long rounds)
{
	long long start = now_ns();
	long r;

	for (r = 0; r < rounds; r++) {
		char *p = map_or_die(fd, MAP_SHARED);

		touch_all(p);
		unmap_or_die(p);
	}
	return now_ns() - start;
}

static long long cached(long rounds)
{
	int fd = cached_file(PAGES);
	long long ns = cached_rounds(fd, rounds);

	close(fd);
	return ns;
}

static long long anon(long rounds)
{
	long long start = now_ns();
	long r;

	for (r = 0; r < rounds; r++) {
		char *p = map_or_die(-1, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB);

		touch_all(p);
		unmap_or_die(p);
	}
	return now_ns() - start;
}

static long long uffd(long rounds)
{
	char *dst = map_or_die(-1, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB);
	char *src = malloc(HPAGE);
	struct uffdio_copy copy = { .src = (unsigned long)src, .len = HPAGE };
	int fd = uffd_register(dst, PAGES * HPAGE, UFFDIO_REGISTER_MODE_MISSING, 0);
	long long start;
	long r, i;

	if (!src)
		die("malloc of 2 MiB");
	memset(src, 1, HPAGE);
	start = now_ns();
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < PAGES; i++) {
			copy.dst = (unsigned long)dst + i * HPAGE;
			if (ioctl(fd, UFFDIO_COPY, &copy))
				die("UFFDIO_COPY");
		}
		if (madvise(dst, PAGES * HPAGE, MADV_DONTNEED))
			die("madvise(MADV_DONTNEED)");
	}
	start = now_ns() - start;
	close(fd);
	unmap_or_die(dst);
	free(src);
	return start;
}

static void pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity (does the guest have 2 CPUs?)");
}

static int wait_status(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) < 0)
		die("waitpid");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* thpcollapse does the collapses (and checks them); we time it. */
static long long collapse(long rounds)
{
	char count[24];
	char *argv[] = { "thpcollapse", "-q", "-n", count, NULL };
	long long start;
	pid_t pid;
	int err;

	snprintf(count, sizeof(count), "%ld", rounds);
	start = now_ns();
	err = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
	if (err) {
		fprintf(stderr, "htbench: cannot run thpcollapse: %s (is it on PATH?)\n",
			strerror(err));
		exit(2);
	}
	if (wait_status(pid)) {
		fprintf(stderr, "htbench: thpcollapse failed: a collapse did not happen or lost data\n");
		exit(1);
	}
	return now_ns() - start;
}

static int go_pipe[2], ready_pipe[2];

/* In a child of at_once(), set up: waits until every child is. */
static void wait_for_all(void)
{
	char byte;

	if (write(ready_pipe[1], "r", 1) != 1 || read(go_pipe[0], &byte, 1) != 1)
		die("start barrier");
}

/*
 * @nr processes, process i on CPU i % 2, each running @body(i, @arg), which
 * calls wait_for_all() once set up: the time from their start together
 * until the last one exits.
 */
static long long at_once(long nr, void (*body)(long i, void *arg), void *arg)
{
	pid_t *child = calloc(nr, sizeof(*child));
	long long start;
	int status = 0;
	char byte;
	long i;

	if (!child || pipe(go_pipe) || pipe(ready_pipe))
		die("the children's table or their pipes");
	for (i = 0; i < nr; i++) {
		child[i] = fork();
		if (child[i] < 0)
			die("fork");
		if (child[i] == 0) {
			pin_to_cpu(i % 2);
			body(i, arg);
			_exit(0);
		}
	}
	for (i = 0; i < nr; i++)
		if (read(ready_pipe[0], &byte, 1) != 1)
			die("start barrier");
	start = now_ns();
	for (i = 0; i < nr; i++)
		if (write(go_pipe[1], "g", 1) != 1)
			die("start barrier");
	for (i = 0; i < nr; i++)
		status |= wait_status(child[i]);
	start = now_ns() - start;
	close(go_pipe[0]);
	close(go_pipe[1]);
	close(ready_pipe[0]);
	close(ready_pipe[1]);
	free(child);
	if (status)
		exit(1);
	return start;
}

static void cached_child(long i __attribute__((unused)), void *rounds)
{
	int fd = cached_file(PAGES);

	wait_for_all();
	cached_rounds(fd, *(long *)rounds);
}

static long long parallel(long rounds)
{
	return at_once(2, cached_child, &rounds);
}

struct shared_file {
	int fd;
	long pages, rounds;
};

/* Child i's share of the rounds: fault page i of the file, zap it again. */
static void page_child(long i, void *arg)
{
	const struct shared_file *f = arg;
	char *page = map_pages(f->fd, MAP_SHARED, 1, i * HPAGE);
	long r, rounds = f->rounds / f->pages + (i < f->rounds % f->pages);

	wait_for_all();
	for (r = 0; r < rounds; r++) {
		*(volatile char *)page = 1;
		if (madvise(page, HPAGE, MADV_DONTNEED))
			die("madvise(MADV_DONTNEED)");
	}
}

/*
 * @nr processes share @rounds rounds, each on a page of its own of one
 * file in the page cache.  Processes, not threads of one: a zap in an mm
 * that runs on both vCPUs sends the other a TLB flush, which
 * single-threaded TCG serves at its next turn, after a wait of any length.
 */
static long long tasks(long nr, long rounds)
{
	struct shared_file f = { .fd = cached_file(nr), .pages = nr, .rounds = rounds };
	long long ns = at_once(nr, page_child, &f);

	close(f.fd);
	return ns;
}

/*
 * cached() while hugeuffd holds 1000 threads asleep in a fault on one
 * missing page of a registered range, until told to fill it.
 */
static long long inflight(long rounds)
{
	char *argv[] = { "hugeuffd", "block", "1", "1000", NULL };
	posix_spawn_file_actions_t actions;
	int to_child[2], from_child[2], err;
	char line[16] = "";
	long long ns;
	FILE *out;
	pid_t pid;

	if (pipe2(to_child, O_CLOEXEC) || pipe2(from_child, O_CLOEXEC) ||
	    posix_spawn_file_actions_init(&actions) ||
	    posix_spawn_file_actions_adddup2(&actions, to_child[0], 0) ||
	    posix_spawn_file_actions_adddup2(&actions, from_child[1], 1))
		die("pipes to hugeuffd");
	err = posix_spawnp(&pid, argv[0], &actions, NULL, argv, environ);
	if (err) {
		fprintf(stderr, "htbench: cannot run hugeuffd: %s (is it on PATH?)\n", strerror(err));
		exit(2);
	}
	close(to_child[0]);
	close(from_child[1]);
	out = fdopen(from_child[0], "r");
	if (!out || !fgets(line, sizeof(line), out) || strcmp(line, "blocked\n")) {
		fprintf(stderr, "htbench: hugeuffd block did not block its faults: '%s'\n", line);
		exit(1);
	}
	ns = cached(rounds);
	if (write(to_child[1], "go\n", 3) != 3)
		die("telling hugeuffd to fill its page");
	close(to_child[1]);
	if (wait_status(pid)) {
		fprintf(stderr, "htbench: hugeuffd block failed: its page did not hold what was copied\n");
		exit(1);
	}
	fclose(out);
	posix_spawn_file_actions_destroy(&actions);
	return ns;
}

#define RESERVATIONS	"/sys/kernel/debug/hugetrack/reservations"

static void map_mappings(long mappings)
{
	long i;

	for (i = 0; i < mappings; i++) {
		int noreserve = i ? MAP_NORESERVE : 0;

		/* each a VMA of its own: anonymous hugetlb mappings never merge */
		if (mmap(NULL, HPAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | noreserve, -1, 0) == MAP_FAILED)
			die("mmap of a private huge page (is one free? see /proc/meminfo)");
	}
}

static long long ledger_walks(long mappings, long rounds)
{
	static char buf[1 << 16];
	long long start;
	long r;

	map_mappings(mappings);
	start = now_ns();
	for (r = 0; r < rounds; r++) {
		int fd = open(RESERVATIONS, O_RDONLY);

		if (fd < 0)
			die("open " RESERVATIONS " (is hugetrack loaded?)");
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
	}
	return now_ns() - start;
}

static const struct {
	const char *name;
	long long (*run)(long rounds);
	/* or, for NAME<COUNT>, COUNT from 1 to max_count */
	long long (*run_counted)(long count, long rounds);
	long max_count;
	long ops_per_round;
} workloads[] = {
	{ .name = "cached", .run = cached, .ops_per_round = PAGES },
	{ .name = "uffd", .run = uffd, .ops_per_round = PAGES },
	{ .name = "anon", .run = anon, .ops_per_round = PAGES },
	{ .name = "collapse", .run = collapse, .ops_per_round = 1 },
	{ .name = "parallel", .run = parallel, .ops_per_round = PAGES },
	{ .name = "inflight", .run = inflight, .ops_per_round = PAGES },
	{ .name = "ledger", .run_counted = ledger_walks, .max_count = 10000, .ops_per_round = 1 },
	{ .name = "tasks", .run_counted = tasks, .max_count = 128, .ops_per_round = 1 },
};

/* COUNT of @arg if it is @name<COUNT> with COUNT from 1 to @max, else 0 */
static long workload_count(const char *arg, const char *name, long max)
{
	size_t len = strlen(name);
	char *end;
	long count;

	if (!max || strncmp(arg, name, len) || arg[len] < '0' || arg[len] > '9')
		return 0;
	count = strtol(arg + len, &end, 10);
	return *end || count > max ? 0 : count;
}

int main(int argc, char **argv)
{
	long rounds;
	char *end;
	size_t w;

	if (argc != 3) {
		fputs(usage, stderr);
		return 2;
	}
	rounds = strtol(argv[2], &end, 10);
	if (*argv[2] == '\0' || *end != '\0' || rounds < 1 || rounds > 1000000) {
		fprintf(stderr, "htbench: ROUNDS must be a number from 1 to 1000000, not '%s'\n",
			argv[2]);
		return 2;
	}
	/* the same CPU every run: which one it lands on otherwise moves 6.1's figures */
	pin_to_cpu(0);
	for (w = 0; w < sizeof(workloads) / sizeof(workloads[0]); w++) {
		long count = workload_count(argv[1], workloads[w].name, workloads[w].max_count);

		if (!count && (!workloads[w].run || strcmp(argv[1], workloads[w].name)))
			continue;
		long long ns = count ? workloads[w].run_counted(count, rounds) : workloads[w].run(rounds);
		long ops = rounds * workloads[w].ops_per_round;

		printf("%s ns_per_op=%lld ops=%ld\n", argv[1], ns / ops, ops);
		return 0;
	}
	fprintf(stderr, "htbench: no workload '%s'\n%s", argv[1], usage);
	return 2;
}
