/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HT_FORMAT_H
#define HT_FORMAT_H

struct ht_event;
struct ht_event_rec;
struct ht_stream_header;
struct seq_buf;
struct seq_file;

const char *ht_event_kind_name(int kind);
/* One line, key=value. */
void ht_event_format(struct seq_buf *s, const struct ht_event *ev);
void ht_seq_event(struct seq_file *m, const struct ht_event *ev);
/* The binary stream's (ht_stream.h): an event as its record, and its header. */
void ht_event_record(struct ht_event_rec *r, const struct ht_event *ev);
void ht_stream_header_fill(struct ht_stream_header *hdr);

#endif /* HT_FORMAT_H */
