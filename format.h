/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HT_FORMAT_H
#define HT_FORMAT_H

struct ht_event;
struct seq_buf;
struct seq_file;

const char *ht_event_kind_name(int kind);
/* One line, key=value. */
void ht_event_format(struct seq_buf *s, const struct ht_event *ev);
void ht_seq_event(struct seq_file *m, const struct ht_event *ev);

#endif /* HT_FORMAT_H */
