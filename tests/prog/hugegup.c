// SPDX-License-Identifier: GPL-2.0
/*
 * hugegup: faults on a private hugetlb page while other tasks take and drop
 * transient references on it, as uffd-stress's threads do.
 *
 * One thread makes the page read-only and writable again (mprotect) and
 * writes it, ROUNDS times: a write-protect fault on the same folio each
 * round (with -z: a zap, MADV_DONTNEED, and a fault of a new folio); it
 * writes each round's number into the page.  The readers, until it is done, read
 * the page through the kernel's get_user_pages paths, which take a folio
 * reference and drop it: process_vm_readv() and /proc/PID/mem (GUP from
 * another mm's view), and, for a thread, write() from the mapping into a
 * pipe.  With -p the readers are a child process (remote GUP,
 * under mmget()), else threads of the faulting process.  It checks that
 * every value read is a round's number.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define HUGE_SIZE	(2UL << 20)

static const char usage[] =
	"usage: hugegup [-n ROUNDS] [-r READERS] [-p] [-z]\n"
	"  -n ROUNDS   faults of the page (default 2000)\n"
	"  -z          zap and fault a new folio each round, else write-protect\n"
	"  -r READERS  readers (default 2: one on each vCPU with the faulter)\n"
	"  -p          the readers are a child process, else threads\n";

static volatile uint64_t *page;
static pid_t target;
/* set by the faulter when it is done: in a shared page, for -p's child */
static atomic_int *done;
static long rounds = 2000;
static int zap;

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* One read of the page's first word by each GUP path; 0 if all agree it is sane. */
static int read_once(int mem, int pipefd[2])
{
	uint64_t v[3] = { 0 };
	struct iovec local = { &v[0], sizeof(v[0]) };
	struct iovec remote = { (void *)page, sizeof(v[0]) };
	int i;

	/* a kernel without CROSS_MEMORY_ATTACH (the debug kernel) has no such call */
	if (process_vm_readv(target, &local, 1, &remote, 1, 0) != sizeof(v[0]) &&
	    errno != ENOSYS)
		die("hugegup: process_vm_readv");
	if (pread(mem, &v[1], sizeof(v[1]), (off_t)(uintptr_t)page) != sizeof(v[1]))
		die("hugegup: pread /proc/PID/mem");
	/* the mapping is the reader's own only in a thread */
	if (target == getpid() &&
	    (write(pipefd[1], (void *)page, sizeof(v[2])) != sizeof(v[2]) ||
	     read(pipefd[0], &v[2], sizeof(v[2])) != sizeof(v[2])))
		die("hugegup: pipe");
	for (i = 0; i < 3; i++)
		if (v[i] > (uint64_t)rounds) {
			fprintf(stderr, "hugegup: read %#llx, not a round's number\n",
				(unsigned long long)v[i]);
			return 1;
		}
	return 0;
}

/* Reads until the faulter is done; the number of reads, or -1. */
static long reader(void)
{
	char path[64];
	int mem, pipefd[2];
	long reads = 0;

	snprintf(path, sizeof(path), "/proc/%d/mem", target);
	mem = open(path, O_RDONLY);
	if (mem < 0)
		die("hugegup: open /proc/PID/mem");
	if (pipe(pipefd))
		die("hugegup: pipe");
	while (!atomic_load(done)) {
		if (read_once(mem, pipefd))
			return -1;
		reads++;
	}
	close(mem);
	close(pipefd[0]);
	close(pipefd[1]);
	return reads;
}

static void *reader_thread(void *arg)
{
	*(long *)arg = reader();
	return NULL;
}

static void fault_rounds(void)
{
	long i;

	for (i = 1; i <= rounds; i++) {
		if (zap && madvise((void *)page, HUGE_SIZE, MADV_DONTNEED))
			die("hugegup: madvise");
		if (!zap && (mprotect((void *)page, HUGE_SIZE, PROT_READ) ||
			     mprotect((void *)page, HUGE_SIZE, PROT_READ | PROT_WRITE)))
			die("hugegup: mprotect");
		page[0] = i;
	}
}

int main(int argc, char **argv)
{
	int opt, nr_readers = 2, processes = 0, i, status;
	pthread_t threads[16];
	long reads[16], total = 0;
	pid_t child;
	void *p;

	while ((opt = getopt(argc, argv, "n:r:pz")) != -1) {
		switch (opt) {
		case 'n':
			rounds = atol(optarg);
			break;
		case 'r':
			nr_readers = atoi(optarg);
			break;
		case 'p':
			processes = 1;
			break;
		case 'z':
			zap = 1;
			break;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (rounds < 1 || nr_readers < 1 || nr_readers > 16) {
		fputs(usage, stderr);
		return 2;
	}
	p = mmap(NULL, HUGE_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (p == MAP_FAILED)
		die("hugegup: mmap MAP_HUGETLB");
	page = p;
	page[0] = 0;
	target = getpid();
	done = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (done == MAP_FAILED)
		die("hugegup: mmap");
	child = processes ? fork() : 0;
	if (child < 0)
		die("hugegup: fork");
	if (child) {
		fault_rounds();
		atomic_store(done, 1);
		if (waitpid(child, &status, 0) != child || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			return 1;
		printf("rounds=%ld\n", rounds);
		return 0;
	}
	/* -p's child: its copy of the page is not read, the parent's is */
	if (processes)
		munmap(p, HUGE_SIZE);
	for (i = 0; i < nr_readers; i++)
		if (pthread_create(&threads[i], NULL, reader_thread, &reads[i]))
			die("hugegup: pthread_create");
	if (!processes) {
		fault_rounds();
		atomic_store(done, 1);
	}
	for (i = 0; i < nr_readers; i++) {
		pthread_join(threads[i], NULL);
		if (reads[i] < 0)
			return 1;
		total += reads[i];
	}
	printf("reads=%ld\n", total);
	return 0;
}
