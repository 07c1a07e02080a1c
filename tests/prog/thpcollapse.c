// SPDX-License-Identifier: GPL-2.0
/*
 * thpcollapse: collapses anonymous small pages into a THP with MADV_COLLAPSE.
 *
 * Each round maps a 2 MiB-aligned anonymous range, fills it with small pages
 * (MADV_NOHUGEPAGE while writing, so that no THP is allocated at the first
 * touch), asks for MADV_COLLAPSE, checks the data and unmaps.  Prints
 * "collapse ROUND ok" or "collapse ROUND <errno name>" per round; exits 0
 * when every round collapsed with its data intact.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

#define THP_SIZE (2UL << 20)

static const char usage[] =
	"usage: thpcollapse [-n ROUNDS] [-q]\n"
	"  -n ROUNDS  map, fill, collapse, check and unmap this many times (default 1)\n"
	"  -q         print nothing but errors\n";

/* A 2 MiB-aligned THP_SIZE range, from a larger mapping trimmed to it. */
static char *map_aligned(void)
{
	char *raw = mmap(NULL, 2 * THP_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *start;

	if (raw == MAP_FAILED) {
		perror("thpcollapse: mmap of 4 MiB failed (out of memory?)");
		exit(2);
	}
	start = (char *)(((uintptr_t)raw + THP_SIZE - 1) & ~(THP_SIZE - 1));
	if (start > raw)
		munmap(raw, start - raw);
	munmap(start + THP_SIZE, raw + THP_SIZE - start);
	return start;
}

static void fill(char *range, unsigned int round)
{
	size_t off;

	if (madvise(range, THP_SIZE, MADV_NOHUGEPAGE)) {
		perror("thpcollapse: MADV_NOHUGEPAGE failed (kernel without THP?)");
		exit(2);
	}
	for (off = 0; off < THP_SIZE; off += 4096)
		memset(range + off, (int)((off >> 12) + round) & 0xff, 4096);
	if (madvise(range, THP_SIZE, MADV_HUGEPAGE)) {
		perror("thpcollapse: MADV_HUGEPAGE failed (kernel without THP?)");
		exit(2);
	}
}

/* The offset of the first byte that is not what fill() wrote, or -1. */
static long first_bad_byte(const char *range, unsigned int round)
{
	size_t off;

	for (off = 0; off < THP_SIZE; off++)
		if (range[off] != (char)(((off >> 12) + round) & 0xff))
			return (long)off;
	return -1;
}

int main(int argc, char **argv)
{
	unsigned int rounds = 1, round, failed = 0;
	int opt, quiet = 0;
	char *end;

	while ((opt = getopt(argc, argv, "n:qh")) != -1) {
		switch (opt) {
		case 'n':
			rounds = strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || rounds > 1000000) {
				fprintf(stderr, "thpcollapse: -n takes a number up to 1000000, not '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'q':
			quiet = 1;
			break;
		default:
			fputs(usage, opt == 'h' ? stdout : stderr);
			return opt == 'h' ? 0 : 2;
		}
	}
	for (round = 0; round < rounds; round++) {
		char *range = map_aligned();
		long bad;
		int err;

		fill(range, round);
		err = madvise(range, THP_SIZE, MADV_COLLAPSE) ? errno : 0;
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
		munmap(range, THP_SIZE);
	}
	return failed ? 1 : 0;
}
