/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A binary stream's record (ht_stream.h) as the module's events file prints
 * it (format.c's ht_event_format(), byte for byte): the one userspace
 * formatter, for the module's events_bin (user/) and the BPF backend (bpf/).
 */
#ifndef HT_EVENT_TEXT_H
#define HT_EVENT_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>

#include "ht_stream.h"

/* A line being written: what fits of it, always terminated. */
#define HT_LINE_MAX	512
struct ht_text {
	char buf[HT_LINE_MAX];
	size_t len;
};

static inline void ht_text_init(struct ht_text *t)
{
	t->len = 0;
	t->buf[0] = '\0';
}

void ht_text_str(struct ht_text *t, const char *s);
/* decimal, right-aligned in @width (0: as wide as it is) */
void ht_text_u64(struct ht_text *t, unsigned long long v, size_t width);
void ht_text_s64(struct ht_text *t, long long v, size_t width);
/* 0x and lowercase hex, 0 as 0x0 (the kernel's %#llx) */
void ht_text_hex(struct ht_text *t, unsigned long long v);
/* spaces until what was written from @start is @width wide ("%-*s") */
void ht_text_pad_from(struct ht_text *t, size_t start, size_t width);

/*
 * The parts of the line, for a reader that prints a record its own way
 * (hugetrack events' columns) with the same words.
 */
/* result=: the fault's VM_FAULT_* names, a collapse's scan result, or the number */
void ht_event_result(struct ht_text *t, const struct ht_event_rec *ev,
		     const struct ht_stream_names *names);
/* comm=, a word: blanks and = as _ */
void ht_event_comm(struct ht_text *t, const struct ht_event_rec *ev);
const char *ht_event_kind(const struct ht_event_rec *ev);
/* resv= and free=: before->after, or - without an hstate */
void ht_event_resv_free(struct ht_text *resv, struct ht_text *free_pages,
			const struct ht_event_rec *ev);
/* ref= and map=: before->after, or - without a folio */
void ht_event_ref_map(struct ht_text *ref, struct ht_text *map, const struct ht_event_rec *ev);
/* flags=: private or shared, then ,new and ,overlap */
void ht_event_flags(struct ht_text *t, const struct ht_event_rec *ev);
/* " spool_used=... spool_rsv=..." where the mount has a subpool, else nothing */
void ht_event_spool(struct ht_text *t, const struct ht_event_rec *ev);
/* " path=... owner=... uffd=... file=..." for a collapse, else nothing */
void ht_event_collapse(struct ht_text *t, const struct ht_event_rec *ev);
/* the whole line, with its newline */
void ht_event_line(struct ht_text *t, const struct ht_event_rec *ev,
		   const struct ht_stream_names *names);

/* One line, key=value, with its newline; @names as the header gave them. */
void ht_event_text(FILE *out, const struct ht_event_rec *ev,
		   const struct ht_stream_names *names);

/*
 * Checks a header read from events_bin (@len bytes): 0, or a message for
 * the reader to print (a stream this reader does not know).
 */
const char *ht_stream_header_check(const struct ht_stream_header *hdr, size_t len);

#endif /* HT_EVENT_TEXT_H */
