/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A binary stream's record (ht_stream.h) as the module's events file prints
 * it (format.c's ht_event_format(), byte for byte): the one userspace
 * formatter, for the module's events_bin (user/) and the BPF backend (bpf/).
 */
#ifndef HT_EVENT_TEXT_H
#define HT_EVENT_TEXT_H

#include <stdio.h>
#include <linux/types.h>

#include "ht_stream.h"

/* room for a result: every fault bit's name, joined by | */
#define HT_EVENT_RESULT_LEN	(HT_STREAM_FAULT_BITS * (HT_STREAM_NAME_LEN + 1))

/*
 * The parts of the line, for a reader that prints a record its own way
 * (hugetrack events' columns) with the same words.
 */
/* result=: the fault's VM_FAULT_* names, a collapse's scan result, or the number */
void ht_event_result(char *buf, size_t len, const struct ht_event_rec *ev,
		     const struct ht_stream_names *names);
/* comm=, a word: blanks and = as _ (HT_STREAM_COMM_LEN bytes) */
void ht_event_comm(char *comm, const struct ht_event_rec *ev);
const char *ht_event_kind(const struct ht_event_rec *ev);
/* flags=: private or shared, then ,new and ,overlap */
void ht_event_flags(FILE *out, const struct ht_event_rec *ev);
/* " spool_used=... spool_rsv=..." where the mount has a subpool, else nothing */
void ht_event_spool(FILE *out, const struct ht_event_rec *ev);
/* " path=... owner=... uffd=... file=..." for a collapse, else nothing */
void ht_event_collapse(FILE *out, const struct ht_event_rec *ev);

/* One line, key=value, with its newline; @names as the header gave them. */
void ht_event_text(FILE *out, const struct ht_event_rec *ev,
		   const struct ht_stream_names *names);

/*
 * Checks a header read from events_bin (@len bytes): 0, or a message for
 * the reader to print (a stream this reader does not know).
 */
const char *ht_stream_header_check(const struct ht_stream_header *hdr, size_t len);

#endif /* HT_EVENT_TEXT_H */
