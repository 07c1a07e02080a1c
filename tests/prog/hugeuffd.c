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
 *   hugeuffd block           one private page registered for missing faults: a
 *                            thread writes to it and sleeps in the kernel's
 *                            fault handler; "blocked" is printed once the
 *                            userfaultfd has the fault, and a line on stdin
 *                            (or its end) resolves it with COPY
 *
 * -r (copy): each page's source is fresh memory with only its first base
 * page touched, so the kernel's atomic copy fails and UFFDIO_COPY takes its
 * -ENOENT retry path (copy outside the locks, then a second call).
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
#include <unistd.h>

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

static int uffd_register(char *p, long len, __u64 mode, __u64 features)
{
	struct uffdio_api api = { .api = UFFD_API, .features = features };
	struct uffdio_register reg = {
		.range = { .start = (unsigned long)p, .len = len },
		.mode = mode,
	};
	int uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);

	if (uffd < 0)
		die("userfaultfd (CONFIG_USERFAULTFD, root?)");
	if (ioctl(uffd, UFFDIO_API, &api))
		die("UFFDIO_API");
	if (ioctl(uffd, UFFDIO_REGISTER, &reg))
		die("UFFDIO_REGISTER");
	return uffd;
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

/* The source of page i's copy, its first byte @value. */
static char *source(int retry, char value)
{
	static char *whole;
	char *src;

	if (retry) {
		src = mmap(NULL, hpage, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		/* with THP "always" one touch would fault in all of it */
		if (src == MAP_FAILED || madvise(src, hpage, MADV_NOHUGEPAGE))
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

static void *write_first_byte(void *page)
{
	*(volatile char *)page = 'T';
	return NULL;
}

/* A fault held asleep inside the kernel until told to resolve it. */
static int block(void)
{
	char *dst = map(-1, hpage), *src = source(0, 'B'), line[16];
	int uffd = uffd_register(dst, hpage, UFFDIO_REGISTER_MODE_MISSING, 0);
	struct pollfd pfd = { .fd = uffd, .events = POLLIN };
	struct uffd_msg msg;
	pthread_t thread;
	int bad;

	errno = pthread_create(&thread, NULL, write_first_byte, dst);
	if (errno)
		die("pthread_create");
	if (poll(&pfd, 1, -1) != 1 || read(uffd, &msg, sizeof(msg)) != sizeof(msg) ||
	    msg.event != UFFD_EVENT_PAGEFAULT)
		die("reading the fault from the userfaultfd");
	puts("blocked");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin) && ferror(stdin))
		die("reading stdin");
	bad = fill(uffd, 0, dst, src, 0);
	errno = pthread_join(thread, NULL);
	if (errno)
		die("pthread_join");
	if (dst[0] != 'T' || dst[1] != 'B' || dst[hpage - 1] != 'B') {
		fprintf(stderr, "hugeuffd: the page holds %c%c..%c, not TB..B\n",
			dst[0], dst[1], dst[hpage - 1]);
		bad = 1;
	}
	munmap(dst, hpage);
	close(uffd);
	return bad;
}

int main(int argc, char **argv)
{
	int is_continue, fd = -1, uffd, bad = 0, retry = 0;
	char *dst, *other;
	long n, i;

	if (argc == 2 && !strcmp(argv[1], "block"))
		return block();
	if (argc > 1 && !strcmp(argv[1], "-r")) {
		retry = 1;
		argc--;
		argv++;
	}
	if (argc < 3 || (strcmp(argv[1], "copy") && strcmp(argv[1], "continue")) ||
	    (n = atol(argv[2])) < 1 || (!strcmp(argv[1], "continue") && argc < 4)) {
		fputs("usage: hugeuffd [-r] copy N [FILE] | hugeuffd continue N FILE | hugeuffd block\n", stderr);
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
