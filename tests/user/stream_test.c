// SPDX-License-Identifier: GPL-2.0
/*
 * The reader's decoder of the module's events_bin (user/stream.c): records
 * written as the module writes them come out as the module's text lines;
 * a header of another magic, version or record size, and a part of a
 * record, are refused.  Built with ASan and UBSan by tests/user.sh.  TAP
 * on stdout; exit 1 on any failure.
 *
 * "stream_test write DIR" writes instead the same events, and variants of
 * them, as DIR/bin/events_bin and as DIR/text/events, for tests/user.sh to
 * compare what the reader prints of each.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../ht_event_text.h"
#include "../../ht_rules.h"
#include "../../user/cli.h"
#include "../../user/stream.h"
#include "tap.h"

static bool never(void)
{
	return false;
}

#define MAX_LINES	4

struct lines {
	char text[MAX_LINES][512];
	int n, batches;	/* lines, and the ends of batches (NULL) */
};

static int keep_line(char *line, void *ctx)
{
	struct lines *l = ctx;

	if (!line) {
		l->batches++;
		return 0;
	}
	if (l->n == MAX_LINES)
		return -1;
	snprintf(l->text[l->n++], sizeof(l->text[0]), "%s", line);
	return 0;
}

static void header(struct ht_stream_header *hdr)
{
	memset(hdr, 0, sizeof(*hdr));
	hdr->magic = HT_STREAM_MAGIC;
	hdr->version = HT_STREAM_VERSION;
	hdr->header_size = sizeof(*hdr);
	hdr->record_size = sizeof(struct ht_event_rec);
	hdr->names.nr_fault_bits = 2;
	hdr->names.fault_bits[0].bit = 0x4;
	strcpy(hdr->names.fault_bits[0].name, "MAJOR");
	hdr->names.fault_bits[1].bit = 0x100;
	strcpy(hdr->names.fault_bits[1].name, "NOPAGE");
	hdr->names.nr_scan_results = 2;
	strcpy(hdr->names.scan_results[0], "SCAN_FAIL");
	strcpy(hdr->names.scan_results[1], "SCAN_SUCCEED");
}

static void fault(struct ht_event_rec *r)
{
	memset(r, 0, sizeof(*r));
	*r = (struct ht_event_rec) {
		.seq = 7, .time_ns = 1000, .duration_ns = 55, .pid = 12, .tid = 13, .cpu = 1,
		.kind = HT_EV_FAULT, .flags = HT_EVF_NEW_FOLIO | HT_EVF_SPOOL,
		.page_size = 2 << 20, .address = 0x7f0000200000, .pages = 1, .result = 0x104,
		.resv_before = 1, .resv_after = 0, .free_before = 4, .free_after = 3,
		.spool_used_before = 0, .spool_used_after = 1, .spool_rsv_before = 1,
		.spool_rsv_after = 0, .pfn = 0x1200, .ref_before = 0, .ref_after = 1,
		.map_before = 0, .map_after = 1,
	};
	strcpy(r->comm, "my prog=1");
}

static void collapse(struct ht_event_rec *r)
{
	memset(r, 0, sizeof(*r));
	*r = (struct ht_event_rec) {
		.seq = 8, .time_ns = 2000, .duration_ns = 9, .pid = 30, .tid = 31,
		.kind = HT_EV_COLLAPSE, .flags = HT_EVF_NO_HSTATE, .page_size = 64 << 10,
		.result = 1, .pfn = HT_STREAM_NO_PFN, .owner = 29,
		.collapse = HT_COLLAPSE_KHUGEPAGED | HT_COLLAPSE_FILE,
	};
	strcpy(r->comm, "khugepaged");
}

/* Decodes @len bytes of @data from a file: the status, the lines in *@l. */
static int decode(const void *data, size_t len, struct lines *l)
{
	FILE *f = tmpfile();
	int status;

	memset(l, 0, sizeof(*l));
	if (!f || fwrite(data, 1, len, f) != len || fflush(f) || lseek(fileno(f), 0, SEEK_SET)) {
		perror("stream_test: a temporary file");
		exit(2);
	}
	status = ht_stream_events(fileno(f), "test", &(struct ht_event_sink){ NULL, keep_line, l },
				  never);
	fclose(f);
	return status;
}

static const char fault_line[] =
	"seq=7 time_ns=1000 cpu=1 pid=12 tid=13 comm=my_prog_1 kind=fault page_kb=2048 addr=0x7f0000200000 pages=1 result=MAJOR|NOPAGE resv=1->0 free=4->3 spool_used=0->1 spool_rsv=1->0 pfn=0x1200 ref=0->1 map=0->1 flags=private,new dur_ns=55";
static const char collapse_line[] =
	"seq=8 time_ns=2000 cpu=0 pid=30 tid=31 comm=khugepaged kind=collapse page_kb=64 addr=0x0 pages=0 result=SCAN_SUCCEED resv=- free=- spool_used=- spool_rsv=- pfn=- ref=- map=- flags=private path=khugepaged owner=29 uffd=0 file=1 dur_ns=9";

/* The records of the tests and variants of them, with every flag and result kind. */
static void write_both(const char *dir)
{
	struct ht_stream_header hdr;
	struct ht_event_rec recs[8];
	char path[4096];
	FILE *bin, *text;
	size_t i;

	header(&hdr);
	for (i = 0; i < sizeof(recs) / sizeof(recs[0]); i++) {
		if (i % 2)
			collapse(&recs[i]);
		else
			fault(&recs[i]);
		recs[i].seq = i + 1;
		recs[i].time_ns = 1234567891ULL * i + 500 * (i % 3);
		recs[i].duration_ns = 5500 * i + 499;
	}
	recs[2].result = 0;
	recs[2].flags = HT_EVF_SHARED | HT_EVF_OVERLAP;
	recs[2].pfn = HT_STREAM_NO_PFN;
	recs[3].result = 7;	/* no scan result of that number */
	recs[4].kind = HT_EV_UFFD_COPY;
	recs[4].result = -17;
	recs[4].pid = 30;
	recs[6].result = 0x2;	/* no fault bit of that name */
	recs[6].address = 0;
	snprintf(path, sizeof(path), "%s/bin/events_bin", dir);
	bin = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/text/events", dir);
	text = fopen(path, "w");
	if (!bin || !text || fwrite(&hdr, sizeof(hdr), 1, bin) != 1 ||
	    fwrite(recs, sizeof(recs), 1, bin) != 1) {
		perror("stream_test: cannot write the events (DIR/bin and DIR/text must exist)");
		exit(2);
	}
	for (i = 0; i < sizeof(recs) / sizeof(recs[0]); i++)
		ht_event_text(text, &recs[i], &hdr.names);
	if (fclose(bin) || fclose(text)) {
		perror("stream_test: cannot write the events");
		exit(2);
	}
}

int main(int argc, char **argv)
{
	struct {
		struct ht_stream_header hdr;
		struct ht_event_rec recs[2];
	} s;
	struct lines l;
	int status;

	if (argc == 3 && !strcmp(argv[1], "write")) {
		write_both(argv[2]);
		return 0;
	}
	_Static_assert(sizeof(s) == sizeof(s.hdr) + sizeof(s.recs), "no padding between them");
	header(&s.hdr);
	fault(&s.recs[0]);
	collapse(&s.recs[1]);
	status = decode(&s, sizeof(s), &l);
	check(!status && l.n == 2 && l.batches == 1,
	      "a header and two records: two lines, one batch (status %d, %d lines, %d batches)",
	      status, l.n, l.batches);
	check(!strcmp(l.text[0], fault_line), "a fault as the module prints it: %s", l.text[0]);
	check(!strcmp(l.text[1], collapse_line), "a collapse as the module prints it: %s",
	      l.text[1]);

	status = decode(&s, sizeof(s) - 1, &l);
	check(status == HT_EXIT_FORMAT && !l.n, "a part of a record: refused (status %d, %d lines)",
	      status, l.n);
	status = decode(&s, sizeof(s.hdr) - 1, &l);
	check(status == HT_EXIT_FORMAT && !l.n, "a short header: refused (status %d)", status);

	s.hdr.version = HT_STREAM_VERSION + 1;
	status = decode(&s, sizeof(s), &l);
	check(status == HT_EXIT_FORMAT && !l.n, "another version: refused (status %d)", status);
	header(&s.hdr);
	s.hdr.record_size++;
	status = decode(&s, sizeof(s), &l);
	check(status == HT_EXIT_FORMAT && !l.n, "another record size: refused (status %d)", status);
	header(&s.hdr);
	s.hdr.magic = 0;
	status = decode(&s, sizeof(s), &l);
	check(status == HT_EXIT_FORMAT && !l.n, "no magic: refused (status %d)", status);

	printf("1..%d\n", tests);
	return failures ? 1 : 0;
}
