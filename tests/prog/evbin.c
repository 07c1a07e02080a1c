// SPDX-License-Identifier: GPL-2.0
/*
 * evbin: the module's events_bin (ht_stream.h), for t-20's comparison with
 * its text views.
 *   evbin header  prints the header: magic, version, header and record size
 *   evbin lines   reads what is ready (O_NONBLOCK), each record a text line
 *                 as the reader prints it (ht_event_text.c), then its reads'
 *                 outcome: "end EAGAIN" when nothing more was ready
 *   evbin short   reads the header into a buffer 1 byte short of it, then
 *                 records into one 1 byte short of a record: "EINVAL EINVAL"
 *   evbin follow  follows the stream (blocking reads) and keeps nothing: the
 *                 bench's reader of the records alone (tests/guest/bench.sh)
 * Built from this one file (tests/initramfs.sh): the formatter is the
 * reader's own, included.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../../ht_event_text.c"
#include "../../ht_kinds.c"

#define EVENTS_BIN	"/sys/kernel/debug/hugetrack/events_bin"

static struct ht_stream_header hdr;
static struct ht_event_rec recs[64];

static int open_stream(int flags)
{
	int fd = open(EVENTS_BIN, O_RDONLY | flags);

	if (fd < 0)
		perror("evbin: open " EVENTS_BIN);
	return fd;
}

static int header(int fd)
{
	ssize_t got = read(fd, &hdr, sizeof(hdr));

	if (got < 0) {
		perror("evbin: the header");
		return 1;
	}
	printf("magic=%#x version=%u header_size=%u record_size=%u got=%zd\n", hdr.magic,
	       hdr.version, hdr.header_size, hdr.record_size, got);
	return 0;
}

static int lines(int fd)
{
	const char *bad;
	ssize_t got, i;

	if (read(fd, &hdr, sizeof(hdr)) != sizeof(hdr)) {
		perror("evbin: the header");
		return 1;
	}
	bad = ht_stream_header_check(&hdr, sizeof(hdr));
	if (bad) {
		fprintf(stderr, "evbin: %s\n", bad);
		return 1;
	}
	while ((got = read(fd, recs, sizeof(recs))) > 0) {
		if (got % sizeof(recs[0])) {
			fprintf(stderr, "evbin: a read of %zd bytes: not whole records\n", got);
			return 1;
		}
		for (i = 0; i < got / (ssize_t)sizeof(recs[0]); i++)
			ht_event_text(stdout, &recs[i], &hdr.names);
	}
	printf("end %s\n", got ? strerrorname_np(errno) : "EOF");
	return 0;
}

static int short_reads(int fd)
{
	ssize_t a = read(fd, &hdr, sizeof(hdr) - 1), b;
	int ea = errno;

	if (read(fd, &hdr, sizeof(hdr)) != sizeof(hdr)) {
		perror("evbin: the header after a short read");
		return 1;
	}
	b = read(fd, recs, sizeof(recs[0]) - 1);
	printf("%s %s\n", a < 0 ? strerrorname_np(ea) : "read", b < 0 ? strerrorname_np(errno) : "read");
	return 0;
}

/* Until the module goes (EOF) or a signal ends it. */
static int follow(int fd)
{
	ssize_t got;

	if (read(fd, &hdr, sizeof(hdr)) != sizeof(hdr)) {
		perror("evbin: the header");
		return 1;
	}
	do
		got = read(fd, recs, sizeof(recs));
	while (got > 0);
	return 0;
}

int main(int argc, char **argv)
{
	int fd, status;

	if (argc != 2 || (strcmp(argv[1], "header") && strcmp(argv[1], "lines") &&
			  strcmp(argv[1], "short") && strcmp(argv[1], "follow"))) {
		fprintf(stderr, "usage: evbin header|lines|short|follow\n");
		return 2;
	}
	fd = open_stream(strcmp(argv[1], "follow") ? O_NONBLOCK : 0);
	if (fd < 0)
		return 1;
	status = !strcmp(argv[1], "header") ? header(fd) :
		 !strcmp(argv[1], "lines") ? lines(fd) :
		 !strcmp(argv[1], "short") ? short_reads(fd) : follow(fd);
	close(fd);
	return status;
}
