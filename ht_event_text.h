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

/* One line, key=value, with its newline; @names as the header gave them. */
void ht_event_text(FILE *out, const struct ht_event_rec *ev,
		   const struct ht_stream_names *names);

/*
 * Checks a header read from events_bin (@len bytes): 0, or a message for
 * the reader to print (a stream this reader does not know).
 */
const char *ht_stream_header_check(const struct ht_stream_header *hdr, size_t len);

#endif /* HT_EVENT_TEXT_H */
