// SPDX-License-Identifier: GPL-2.0
/*
 * A binary stream's record as the module's text (ht_event_text.h), written
 * into a buffer a piece at a time rather than by printf: a follower of a
 * busy stream formats every event, and printf's parsing of its format was
 * most of what that cost.  The kernel's %#x prints 0 as 0x0: so does
 * ht_text_hex().
 */
#include <stddef.h>
#include <string.h>

#include "ht_event_text.h"
#include "ht_rules.h"

void ht_text_str(struct ht_text *t, const char *s)
{
	while (*s && t->len < HT_LINE_MAX - 1)
		t->buf[t->len++] = *s++;
	t->buf[t->len] = '\0';
}

static void text_digits(struct ht_text *t, unsigned long long v, unsigned int base,
			bool negative, size_t width)
{
	char digits[24];
	size_t n = 0;

	do
		digits[n++] = "0123456789abcdef"[v % base];
	while ((v /= base));
	if (negative)
		digits[n++] = '-';
	while (width-- > n && t->len < HT_LINE_MAX - 1)
		t->buf[t->len++] = ' ';
	while (n && t->len < HT_LINE_MAX - 1)
		t->buf[t->len++] = digits[--n];
	t->buf[t->len] = '\0';
}

void ht_text_u64(struct ht_text *t, unsigned long long v, size_t width)
{
	text_digits(t, v, 10, false, width);
}

void ht_text_s64(struct ht_text *t, long long v, size_t width)
{
	text_digits(t, v < 0 ? -(unsigned long long)v : (unsigned long long)v, 10, v < 0, width);
}

void ht_text_hex(struct ht_text *t, unsigned long long v)
{
	ht_text_str(t, "0x");
	text_digits(t, v, 16, false, 0);
}

void ht_text_pad_from(struct ht_text *t, size_t start, size_t width)
{
	while (t->len - start < width && t->len < HT_LINE_MAX - 1)
		t->buf[t->len++] = ' ';
	t->buf[t->len] = '\0';
}

/* " key=before->after" */
static void text_change(struct ht_text *t, const char *key, long long before, long long after)
{
	ht_text_str(t, key);
	ht_text_s64(t, before, 0);
	ht_text_str(t, "->");
	ht_text_s64(t, after, 0);
}

static const char *scan_result_name(const struct ht_stream_names *names, __s64 result)
{
	return result >= 0 && result < names->nr_scan_results &&
	       result < HT_STREAM_SCAN_RESULTS ? names->scan_results[result] : NULL;
}

void ht_event_result(struct ht_text *t, const struct ht_event_rec *ev,
		     const struct ht_stream_names *names)
{
	const char *name = scan_result_name(names, ev->result);
	size_t start = t->len;
	char bit[HT_STREAM_NAME_LEN + 1];
	unsigned int i;

	if (ev->kind == HT_EV_COLLAPSE && name) {
		memcpy(bit, name, HT_STREAM_NAME_LEN);
		bit[HT_STREAM_NAME_LEN] = '\0';
		ht_text_str(t, bit);
		return;
	}
	if (ev->kind != HT_EV_FAULT || !ev->result) {
		ht_text_s64(t, ev->result, 0);
		return;
	}
	for (i = 0; i < names->nr_fault_bits && i < HT_STREAM_FAULT_BITS; i++) {
		if ((__u64)ev->result & names->fault_bits[i].bit) {
			if (t->len != start)
				ht_text_str(t, "|");
			memcpy(bit, names->fault_bits[i].name, HT_STREAM_NAME_LEN);
			bit[HT_STREAM_NAME_LEN] = '\0';
			ht_text_str(t, bit);
		}
	}
	if (t->len == start)
		ht_text_hex(t, ev->result);
}

void ht_event_comm(struct ht_text *t, const struct ht_event_rec *ev)
{
	char comm[HT_STREAM_COMM_LEN];
	int i;

	for (i = 0; i < HT_STREAM_COMM_LEN; i++)
		comm[i] = ev->comm[i] == ' ' || ev->comm[i] == '=' ? '_' : ev->comm[i];
	comm[HT_STREAM_COMM_LEN - 1] = '\0';
	ht_text_str(t, comm);
}

const char *ht_event_kind(const struct ht_event_rec *ev)
{
	return ev->kind < HT_EV_NR ? ht_kind_names[ev->kind] : "none";
}

void ht_event_resv_free(struct ht_text *resv, struct ht_text *free_pages,
			const struct ht_event_rec *ev)
{
	if (ev->flags & HT_EVF_NO_HSTATE) {
		ht_text_str(resv, "-");
		ht_text_str(free_pages, "-");
		return;
	}
	text_change(resv, "", ev->resv_before, ev->resv_after);
	text_change(free_pages, "", ev->free_before, ev->free_after);
}

void ht_event_ref_map(struct ht_text *ref, struct ht_text *map, const struct ht_event_rec *ev)
{
	if (ev->pfn == HT_STREAM_NO_PFN) {
		ht_text_str(ref, "-");
		ht_text_str(map, "-");
		return;
	}
	text_change(ref, "", ev->ref_before, ev->ref_after);
	text_change(map, "", ev->map_before, ev->map_after);
}

void ht_event_flags(struct ht_text *t, const struct ht_event_rec *ev)
{
	ht_text_str(t, ev->flags & HT_EVF_SHARED ? "shared" : "private");
	if (ev->flags & HT_EVF_NEW_FOLIO)
		ht_text_str(t, ",new");
	if (ev->flags & HT_EVF_OVERLAP)
		ht_text_str(t, ",overlap");
}

void ht_event_spool(struct ht_text *t, const struct ht_event_rec *ev)
{
	if (!(ev->flags & HT_EVF_SPOOL))
		return;
	text_change(t, " spool_used=", ev->spool_used_before, ev->spool_used_after);
	text_change(t, " spool_rsv=", ev->spool_rsv_before, ev->spool_rsv_after);
}

void ht_event_collapse(struct ht_text *t, const struct ht_event_rec *ev)
{
	if (ev->kind != HT_EV_COLLAPSE)
		return;
	ht_text_str(t, ev->collapse & HT_COLLAPSE_KHUGEPAGED ? " path=khugepaged" :
							       " path=madvise");
	ht_text_str(t, " owner=");
	ht_text_s64(t, (int)ev->owner, 0);
	ht_text_str(t, ev->collapse & HT_COLLAPSE_UFFD ? " uffd=1" : " uffd=0");
	ht_text_str(t, ev->collapse & HT_COLLAPSE_FILE ? " file=1" : " file=0");
}

void ht_event_line(struct ht_text *t, const struct ht_event_rec *ev,
		   const struct ht_stream_names *names)
{
	struct ht_text resv, free_pages, ref, map;

	ht_text_init(&resv);
	ht_text_init(&free_pages);
	ht_text_init(&ref);
	ht_text_init(&map);

	ht_text_str(t, "seq=");
	ht_text_u64(t, ev->seq, 0);
	ht_text_str(t, " time_ns=");
	ht_text_u64(t, ev->time_ns, 0);
	ht_text_str(t, " cpu=");
	ht_text_u64(t, ev->cpu, 0);
	ht_text_str(t, " pid=");
	ht_text_s64(t, (int)ev->pid, 0);
	ht_text_str(t, " tid=");
	ht_text_s64(t, (int)ev->tid, 0);
	ht_text_str(t, " comm=");
	ht_event_comm(t, ev);
	ht_text_str(t, " kind=");
	ht_text_str(t, ht_event_kind(ev));
	ht_text_str(t, " page_kb=");
	ht_text_u64(t, ev->page_size >> 10, 0);
	ht_text_str(t, " addr=");
	ht_text_hex(t, ev->address);
	ht_text_str(t, " pages=");
	ht_text_s64(t, ev->pages, 0);
	ht_text_str(t, " result=");
	ht_event_result(t, ev, names);
	ht_event_resv_free(&resv, &free_pages, ev);
	ht_text_str(t, " resv=");
	ht_text_str(t, resv.buf);
	ht_text_str(t, " free=");
	ht_text_str(t, free_pages.buf);
	if (ev->flags & HT_EVF_SPOOL)
		ht_event_spool(t, ev);
	else
		ht_text_str(t, " spool_used=- spool_rsv=-");
	if (ev->pfn == HT_STREAM_NO_PFN) {
		ht_text_str(t, " pfn=-");
	} else {
		ht_text_str(t, " pfn=");
		ht_text_hex(t, ev->pfn);
	}
	ht_event_ref_map(&ref, &map, ev);
	ht_text_str(t, " ref=");
	ht_text_str(t, ref.buf);
	ht_text_str(t, " map=");
	ht_text_str(t, map.buf);
	ht_text_str(t, " flags=");
	ht_event_flags(t, ev);
	ht_event_collapse(t, ev);
	ht_text_str(t, " dur_ns=");
	ht_text_u64(t, ev->duration_ns, 0);
	ht_text_str(t, "\n");
}

void ht_event_text(FILE *out, const struct ht_event_rec *ev,
		   const struct ht_stream_names *names)
{
	struct ht_text line;

	ht_text_init(&line);
	ht_event_line(&line, ev, names);
	fwrite(line.buf, 1, line.len, out);
}

const char *ht_stream_header_check(const struct ht_stream_header *hdr, size_t len)
{
	if (len < offsetof(struct ht_stream_header, names) || hdr->magic != HT_STREAM_MAGIC)
		return "not a hugetrack events stream (no header)";
	if (hdr->version != HT_STREAM_VERSION || hdr->header_size != sizeof(*hdr) ||
	    len != sizeof(*hdr) || hdr->record_size != sizeof(struct ht_event_rec))
		return "a layout of the events stream this reader does not know";
	return NULL;
}
