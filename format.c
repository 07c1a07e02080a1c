// SPDX-License-Identifier: GPL-2.0
/* An event as the files show it: one line, key=value. */
#include <linux/mm_types.h>
#include <linux/seq_buf.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "events.h"
#include "format.h"
#include "util.h"

const char *ht_event_kind_name(int kind)
{
	return kind >= 0 && kind < HT_EV_NR ? ht_kind_names[kind] : "none";
}

static const struct {
	HT_FAULT_BIT_T bit;
	const char *name;
} fault_bits[] = { VM_FAULT_RESULT_TRACE };

static void format_result(struct seq_buf *s, const struct ht_event *ev)
{
	const char *sep = "";
	int i;

	if (ev->kind == HT_EV_COLLAPSE && ht_scan_result_name(ev->result)) {
		seq_buf_printf(s, " result=%s", ht_scan_result_name(ev->result));
		return;
	}
	if (ev->kind != HT_EV_FAULT || !ev->result) {
		seq_buf_printf(s, " result=%ld", ev->result);
		return;
	}
	seq_buf_printf(s, "%s", " result=");
	for (i = 0; i < ARRAY_SIZE(fault_bits); i++) {
		if (ev->result & (__force long)fault_bits[i].bit) {
			seq_buf_printf(s, "%s%s", sep, fault_bits[i].name);
			sep = "|";
		}
	}
	if (!*sep)
		seq_buf_printf(s, "%#lx", ev->result);
}

/* The keys only a collapse has, before dur_ns. */
static void format_collapse(struct seq_buf *s, const struct ht_event *ev)
{
	seq_buf_printf(s, " path=%s owner=%d uffd=%d file=%d",
		       ev->collapse & HT_COLLAPSE_KHUGEPAGED ? "khugepaged" : "madvise",
		       ev->owner, !!(ev->collapse & HT_COLLAPSE_UFFD),
		       !!(ev->collapse & HT_COLLAPSE_FILE));
}

/* One line, key=value. */
void ht_event_format(struct seq_buf *s, const struct ht_event *ev)
{
	char comm[TASK_COMM_LEN];

	ht_safe_comm(comm, ev->comm);
	seq_buf_printf(s, "seq=%llu time_ns=%llu cpu=%u pid=%d tid=%d comm=%s kind=%s page_kb=%lu addr=%#lx pages=%ld",
		       ev->seq, ev->time_ns, ev->cpu, ev->pid, ev->tid, comm,
		       ht_kind_names[ev->kind], ev->page_size / SZ_1K, ev->address,
		       ev->pages);
	format_result(s, ev);
	if (ev->flags & HT_EVF_NO_HSTATE)
		seq_buf_printf(s, "%s", " resv=- free=-");
	else
		seq_buf_printf(s, " resv=%ld->%ld free=%ld->%ld", ev->resv_before,
			       ev->resv_after, ev->free_before, ev->free_after);
	if (ev->spool)
		seq_buf_printf(s, " spool_used=%ld->%ld spool_rsv=%ld->%ld",
			       ev->spool_used_before, ev->spool_used_after,
			       ev->spool_rsv_before, ev->spool_rsv_after);
	else
		seq_buf_printf(s, "%s", " spool_used=- spool_rsv=-");
	if (ev->folio.pfn == HT_NO_PFN)
		seq_buf_printf(s, "%s", " pfn=- ref=- map=-");
	else
		seq_buf_printf(s, " pfn=%#lx ref=%d->%d map=%d->%d", ev->folio.pfn,
			       ev->folio.ref_before, ev->folio.ref_after,
			       ev->folio.map_before, ev->folio.map_after);
	seq_buf_printf(s, " flags=%s%s%s",
		       ev->flags & HT_EVF_SHARED ? "shared" : "private",
		       ev->flags & HT_EVF_NEW_FOLIO ? ",new" : "",
		       ev->flags & HT_EVF_OVERLAP ? ",overlap" : "");
	if (ev->kind == HT_EV_COLLAPSE)
		format_collapse(s, ev);
	seq_buf_printf(s, " dur_ns=%llu\n", ev->duration_ns);
}

void ht_seq_event(struct seq_file *m, const struct ht_event *ev)
{
	char line[HT_EVENT_LINE_MAX];
	struct seq_buf s;

	seq_buf_init(&s, line, sizeof(line));
	ht_event_format(&s, ev);
	seq_write(m, line, seq_buf_used(&s));
}

void ht_event_record(struct ht_event_rec *r, const struct ht_event *ev)
{
	*r = (struct ht_event_rec) {
		.seq = ev->seq, .time_ns = ev->time_ns,
		.duration_ns = ev->duration_ns, .started = ev->started,
		.untracked = ev->untracked, .pid = ev->pid, .tid = ev->tid,
		.cpu = ev->cpu, .kind = ev->kind,
		.flags = ev->flags | (ev->spool ? HT_EVF_SPOOL : 0),
		.page_size = ev->page_size, .address = ev->address,
		.pages = ev->pages, .result = ev->result,
		.resv_before = ev->resv_before, .resv_after = ev->resv_after,
		.free_before = ev->free_before, .free_after = ev->free_after,
		.spool_used_before = ev->spool_used_before,
		.spool_used_after = ev->spool_used_after,
		.spool_rsv_before = ev->spool_rsv_before,
		.spool_rsv_after = ev->spool_rsv_after,
		.pfn = ev->folio.pfn == HT_NO_PFN ? HT_STREAM_NO_PFN : ev->folio.pfn,
		.ref_before = ev->folio.ref_before, .ref_after = ev->folio.ref_after,
		.map_before = ev->folio.map_before, .map_after = ev->folio.map_after,
		.owner = ev->owner, .collapse = ev->collapse,
	};
	BUILD_BUG_ON(sizeof(r->comm) != sizeof(ev->comm));
	memcpy(r->comm, ev->comm, sizeof(r->comm));
}

/* What a reader needs to print the records as ht_event_format() does. */
void ht_stream_header_fill(struct ht_stream_header *hdr)
{
	struct ht_stream_names *n = &hdr->names;
	const char *name;
	int i;

	memset(hdr, 0, sizeof(*hdr));
	hdr->magic = HT_STREAM_MAGIC;
	hdr->version = HT_STREAM_VERSION;
	hdr->header_size = sizeof(*hdr);
	hdr->record_size = sizeof(struct ht_event_rec);
	BUILD_BUG_ON(ARRAY_SIZE(fault_bits) > HT_STREAM_FAULT_BITS);
	for (i = 0; i < ARRAY_SIZE(fault_bits); i++) {
		n->fault_bits[i].bit = (__force u64)fault_bits[i].bit;
		strscpy(n->fault_bits[i].name, fault_bits[i].name,
			sizeof(n->fault_bits[i].name));
	}
	n->nr_fault_bits = i;
	BUILD_BUG_ON(HT_SCAN_RESULTS_MAX > HT_STREAM_SCAN_RESULTS);
	for (i = 0; (name = ht_scan_result_name(i)); i++)
		strscpy(n->scan_results[i], name, sizeof(n->scan_results[i]));
	n->nr_scan_results = i;
}
