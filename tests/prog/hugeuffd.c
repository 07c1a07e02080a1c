// SPDX-License-Identifier: GPL-2.0
/*
 * hugeuffd: fills huge pages with UFFDIO_COPY or UFFDIO_CONTINUE.
 *
 *   hugeuffd copy N          private anonymous mapping: COPY N pages, then
 *                            COPY page 0 again (must fail with EEXIST)
 *   hugeuffd copy N FILE     shared mapping of FILE on hugetlbfs, whose page 0
 *                            another mapping wrote first: COPY all N pages
 *                            (page 0 must fail with EEXIST: it is cached)
 *   hugeuffd continue N FILE FILE's N pages written through another mapping,
 *                            then mapped again, registered for minor faults
 *                            and filled with CONTINUE
 *   hugeuffd block [N [T]]   N (1) private pages registered for missing
 *                            faults: T (1) threads per page write to it and
 *                            sleep in the kernel's fault handler; "blocked"
 *                            is printed once the userfaultfd has every
 *                            fault, and a line on stdin (or its end)
 *                            resolves them with COPY
 *
 * -r (copy): each page's source is fresh memory with only its first base
 * page touched, so the kernel's atomic copy fails and UFFDIO_COPY takes its
 * -ENOENT retry path (copy outside the locks, then a second call).
 *
 * Race windows, made to open (hugetrack's windows file):
 *   hugeuffd -R              UFFDIO_COPY of one private page whose source is
 *                            itself registered with a second userfaultfd:
 *                            the copy outside the locks (after -ENOENT)
 *                            waits there while another thread faults on the
 *                            destination page (uffd_copy_retry_vs_fault)
 *   hugeuffd -U FILE         a child maps FILE (hugetlbfs) at a 1 GiB-aligned
 *                            address, sharing the parent's PMD page; one of
 *                            its threads faults on a page registered with
 *                            userfaultfd while another zaps page 0, which
 *                            unshares the PMD (pmd_unshare_vs_fault)
 *   Both print "side_a=TID side_b=TID": the task in flight and the one
 *   that reached it.
 *
 * Prints one line per ioctl: "copy|continue PAGE ok|EEXIST", and checks the
 * data through the registered mapping.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "uffd.h"

static long hpage = 2L << 20;

static void die(const char *what)
{
	fprintf(stderr, "hugeuffd: %s: %s\n", what, strerror(errno));
	exit(2);
}

static char *map(int fd, long len)
{
	int flags = fd < 0 ? MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB : MAP_SHARED;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, fd, 0);

	if (p == MAP_FAILED)
		die("mmap (are there enough free huge pages?)");
	return p;
}

/* One ioctl on page i; prints its outcome, returns 0 for ok or EEXIST. */
static int fill(int uffd, int is_continue, char *dst, const char *src, long i)
{
	struct uffdio_copy copy = {
		.dst = (unsigned long)(dst + i * hpage),
		.src = (unsigned long)src,
		.len = hpage,
	};
	struct uffdio_continue cont = {
		.range = { .start = (unsigned long)(dst + i * hpage), .len = hpage },
	};
	int err = is_continue ? ioctl(uffd, UFFDIO_CONTINUE, &cont) :
				ioctl(uffd, UFFDIO_COPY, &copy);

	printf("%s %ld %s\n", is_continue ? "continue" : "copy", i,
	       !err ? "ok" : errno == EEXIST ? "EEXIST" : strerror(errno));
	return err && errno != EEXIST;
}

static int check(const char *p, long n, char first)
{
	long i;

	for (i = 0; i < n; i++)
		if (p[i * hpage] != (char)(first + i)) {
			fprintf(stderr, "hugeuffd: page %ld holds %d\n", i, p[i * hpage]);
			return 1;
		}
	return 0;
}

/*
 * A source of small pages: with THP "always" one touch would fault in all
 * of it; a kernel without THP (PREEMPT_RT) refuses with EINVAL, and needs not.
 */
static int no_thp(char *src)
{
	return madvise(src, hpage, MADV_NOHUGEPAGE) && errno != EINVAL;
}

/* The source of page i's copy, its first byte @value. */
static char *source(int retry, char value)
{
	static char *whole;
	char *src;

	if (retry) {
		src = mmap(NULL, hpage, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (src == MAP_FAILED || no_thp(src))
			die("mmap of a source page");
		src[0] = value;
		return src;
	}
	if (!whole) {
		whole = malloc(hpage);
		if (!whole)
			die("malloc");
	}
	memset(whole, value, hpage);
	return whole;
}

/* Blocks until @uffd has a fault to report, and returns its address. */
static unsigned long wait_fault(int uffd)
{
	struct pollfd pfd = { .fd = uffd, .events = POLLIN };
	struct uffd_msg msg;

	if (poll(&pfd, 1, 10000) != 1 || read(uffd, &msg, sizeof(msg)) != sizeof(msg) ||
	    msg.event != UFFD_EVENT_PAGEFAULT) {
		fprintf(stderr, "hugeuffd: no userfault reported within 10 s\n");
		exit(2);
	}
	return msg.arg.pagefault.address;
}

/* A thread that faults on addr: it blocks until a UFFDIO_COPY fills it. */
struct toucher {
	pthread_t thread;
	char *addr;
	pid_t tid;
};

static void *touch(void *arg)
{
	struct toucher *t = arg;

	t->tid = gettid();
	return (void *)(long)*(volatile char *)t->addr;
}

static void start_toucher(struct toucher *t, char *addr)
{
	t->addr = addr;
	if (pthread_create(&t->thread, NULL, touch, t))
		die("pthread_create");
}

struct copy_race {
	int src_uffd;
	char *src, *dst;
	struct toucher faulter;
};

/*
 * When the copier faults on its source (it is past -ENOENT, copying outside
 * the locks), starts a thread that faults on the destination, gives it
 * 300 ms to get there, then lets the copy go on.
 */
static void *copy_race_monitor(void *arg)
{
	struct copy_race *r = arg;
	struct uffdio_copy copy = { .dst = (unsigned long)r->src, .len = hpage };

	wait_fault(r->src_uffd);
	copy.src = (unsigned long)source(0, 'A');
	start_toucher(&r->faulter, r->dst);
	usleep(300000);
	if (ioctl(r->src_uffd, UFFDIO_COPY, &copy))
		die("UFFDIO_COPY of the source");
	pthread_join(r->faulter.thread, NULL);
	return NULL;
}

static int race_copy_retry(void)
{
	struct copy_race r;
	pthread_t monitor;
	int uffd, bad;

	r.dst = map(-1, hpage);
	uffd = uffd_register(r.dst, hpage, UFFDIO_REGISTER_MODE_MISSING, 0);
	r.src = mmap(NULL, hpage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r.src == MAP_FAILED || no_thp(r.src))
		die("mmap of the source");
	r.src_uffd = uffd_register(r.src, hpage, UFFDIO_REGISTER_MODE_MISSING, 0);
	if (pthread_create(&monitor, NULL, copy_race_monitor, &r))
		die("pthread_create");
	bad = fill(uffd, 0, r.dst, r.src, 0);
	pthread_join(monitor, NULL);
	bad |= check(r.dst, 1, 'A');
	printf("side_a=%d side_b=%d\n", gettid(), r.faulter.tid);
	return bad;
}

#define PUD_SIZE (1UL << 30)

/* The child: see race_pmd_unshare(). */
static int unshare_in_child(char *p, char *buf)
{
	struct uffdio_copy copy = {
		.dst = (unsigned long)p + hpage, .src = (unsigned long)buf, .len = hpage,
	};
	int uffd = uffd_register(p, PUD_SIZE, UFFDIO_REGISTER_MODE_MISSING, 0);
	struct toucher faulter;

	start_toucher(&faulter, p + hpage);
	wait_fault(uffd);
	if (madvise(p, hpage, MADV_DONTNEED))
		die("MADV_DONTNEED of page 0");
	if (ioctl(uffd, UFFDIO_COPY, &copy))
		die("UFFDIO_COPY of page 1");
	pthread_join(faulter.thread, NULL);
	printf("side_a=%d side_b=%d\n", faulter.tid, gettid());
	return p[hpage] != 'B';
}

/*
 * Parent and child map FILE at the same 1 GiB-aligned address (MAP_NORESERVE:
 * two pages are used); the parent's fault on page 0 makes the PMD page the
 * child shares from fork on.
 */
static int race_pmd_unshare(const char *file)
{
	int fd = open(file, O_RDWR | O_CREAT, 0600), status;
	char *space, *p, *buf;
	pid_t child;

	if (fd < 0)
		die(file);
	space = mmap(NULL, 2 * PUD_SIZE, PROT_NONE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (space == MAP_FAILED)
		die("mmap of 2 GiB of address space");
	p = (char *)(((unsigned long)space + PUD_SIZE - 1) & ~(PUD_SIZE - 1));
	if (mmap(p, PUD_SIZE, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED | MAP_NORESERVE, fd, 0) == MAP_FAILED)
		die("mmap of 1 GiB of the file");
	p[0] = 'P';
	buf = source(0, 'B');
	fflush(stdout);
	child = fork();
	if (child < 0)
		die("fork");
	if (!child)
		exit(unshare_in_child(p, buf));
	if (waitpid(child, &status, 0) != child)
		die("waitpid");
	munmap(space, 2 * PUD_SIZE);
	close(fd);
	return !WIFEXITED(status) || WEXITSTATUS(status);
}

static void *write_first_byte(void *page)
{
	*(volatile char *)page = 'T';
	return NULL;
}

/*
 * @n * @t faults held asleep inside the kernel until told to resolve them:
 * @t threads per private page, each writing to it.
 */
static int block(long n, long t)
{
	char *dst = map(-1, n * hpage), *src = source(0, 'B'), line[16], *page;
	int uffd = uffd_register(dst, n * hpage, UFFDIO_REGISTER_MODE_MISSING, 0);
	pthread_t *threads = calloc(n * t, sizeof(*threads));
	pthread_attr_t attr;
	int bad = 0;
	long i;

	if (!threads)
		die("calloc");
	/* a thousand threads with the default 8 MiB stacks would not fit */
	if (pthread_attr_init(&attr) || pthread_attr_setstacksize(&attr, 64 << 10))
		die("pthread_attr");
	for (i = 0; i < n * t; i++) {
		errno = pthread_create(&threads[i], &attr, write_first_byte, dst + i / t * hpage);
		if (errno)
			die("pthread_create");
	}
	for (i = 0; i < n * t; i++)
		wait_fault(uffd);
	puts("blocked");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin) && ferror(stdin))
		die("reading stdin");
	for (i = 0; i < n; i++)
		bad |= fill(uffd, 0, dst, src, i);
	for (i = 0; i < n * t; i++) {
		errno = pthread_join(threads[i], NULL);
		if (errno)
			die("pthread_join");
	}
	pthread_attr_destroy(&attr);
	for (i = 0; i < n; i++) {
		page = dst + i * hpage;
		if (page[0] != 'T' || page[1] != 'B' || page[hpage - 1] != 'B') {
			fprintf(stderr, "hugeuffd: page %ld holds %c%c..%c, not TB..B\n",
				i, page[0], page[1], page[hpage - 1]);
			bad = 1;
		}
	}
	munmap(dst, n * hpage);
	close(uffd);
	free(threads);
	return bad;
}

int main(int argc, char **argv)
{
	int is_continue, fd = -1, uffd, bad = 0, retry = 0;
	char *dst, *other;
	long n, i;

	if (argc == 2 && !strcmp(argv[1], "-R"))
		return race_copy_retry();
	if (argc == 3 && !strcmp(argv[1], "-U"))
		return race_pmd_unshare(argv[2]);
	if (argc >= 2 && argc <= 4 && !strcmp(argv[1], "block") &&
	    (n = argc >= 3 ? atol(argv[2]) : 1) >= 1 && (i = argc == 4 ? atol(argv[3]) : 1) >= 1)
		return block(n, i);
	if (argc > 1 && !strcmp(argv[1], "-r")) {
		retry = 1;
		argc--;
		argv++;
	}
	if (argc < 3 || (strcmp(argv[1], "copy") && strcmp(argv[1], "continue")) ||
	    (n = atol(argv[2])) < 1 || (!strcmp(argv[1], "continue") && argc < 4)) {
		fputs("usage: hugeuffd [-r] copy N [FILE] | hugeuffd continue N FILE | hugeuffd -R | hugeuffd -U FILE | hugeuffd block [N [T]]\n",
		      stderr);
		return 2;
	}
	is_continue = !strcmp(argv[1], "continue");
	if (argc > 3) {
		fd = open(argv[3], O_RDWR | O_CREAT, 0600);
		if (fd < 0)
			die(argv[3]);
		/* another mapping puts pages in the page cache first */
		other = map(fd, n * hpage);
		for (i = 0; i < (is_continue ? n : 1); i++)
			other[i * hpage] = (char)('A' + i);
		munmap(other, n * hpage);
	}
	dst = map(fd, n * hpage);
	uffd = uffd_register(dst, n * hpage,
			     is_continue ? UFFDIO_REGISTER_MODE_MINOR : UFFDIO_REGISTER_MODE_MISSING,
			     is_continue ? UFFD_FEATURE_MINOR_HUGETLBFS : 0);
	for (i = 0; i < n; i++)
		bad |= fill(uffd, is_continue, dst, source(retry, 'A' + i), i);
	if (fd < 0)
		bad |= fill(uffd, 0, dst, source(retry, 'Z'), 0);
	bad |= check(dst, n, 'A');
	munmap(dst, n * hpage);
	close(uffd);
	return bad;
}
