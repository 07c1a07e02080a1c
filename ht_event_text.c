// SPDX-License-Identifier: GPL-2.0
/*
 * A binary stream's record as the module's text (ht_event_text.h).  The
 * kernel's %#x prints 0 as 0x0, glibc's as 0: 0x%x here.
 */
#include <stddef.h>

#include "ht_event_text.h"
#include "ht_rules.h"

static const char *scan_result_name(const struct ht_stream_names *names, __s64 result)
{
	return result >= 0 && result < names->nr_scan_results &&
	       result < HT_STREAM_SCAN_RESULTS ? names->scan_results[result] : NULL;
}

void ht_event_result(char *buf, size_t len, const struct ht_event_rec *ev,
		     const struct ht_stream_names *names)
{
	const char *sep = "", *name = scan_result_name(names, ev->result);
	size_t used = 0;
	unsigned int i;

	if (ev->kind == HT_EV_COLLAPSE && name) {
		snprintf(buf, len, "%s", name);
		return;
	}
	if (ev->kind != HT_EV_FAULT || !ev->result) {
		snprintf(buf, len, "%lld", (long long)ev->result);
		return;
	}
	buf[0] = '\0';
	for (i = 0; i < names->nr_fault_bits && i < HT_STREAM_FAULT_BITS && used < len; i++) {
		if ((__u64)ev->result & names->fault_bits[i].bit) {
			used += snprintf(buf + used, len - used, "%s%.*s", sep, HT_STREAM_NAME_LEN,
					 names->fault_bits[i].name);
			sep = "|";
		}
	}
	if (!*sep)
		snprintf(buf, len, "0x%llx", (unsigned long long)ev->result);
}

void ht_event_comm(char *comm, const struct ht_event_rec *ev)
{
	int i;

	for (i = 0; i < HT_STREAM_COMM_LEN; i++)
		comm[i] = ev->comm[i] == ' ' || ev->comm[i] == '=' ? '_' : ev->comm[i];
	comm[HT_STREAM_COMM_LEN - 1] = '\0';
}

const char *ht_event_kind(const struct ht_event_rec *ev)
{
	return ev->kind < HT_EV_NR ? ht_kind_names[ev->kind] : "none";
}

void ht_event_flags(FILE *out, const struct ht_event_rec *ev)
{
	fprintf(out, "%s%s%s", ev->flags & HT_EVF_SHARED ? "shared" : "private",
		ev->flags & HT_EVF_NEW_FOLIO ? ",new" : "",
		ev->flags & HT_EVF_OVERLAP ? ",overlap" : "");
}

void ht_event_spool(FILE *out, const struct ht_event_rec *ev)
{
	if (ev->flags & HT_EVF_SPOOL)
		fprintf(out, " spool_used=%lld->%lld spool_rsv=%lld->%lld",
			(long long)ev->spool_used_before, (long long)ev->spool_used_after,
			(long long)ev->spool_rsv_before, (long long)ev->spool_rsv_after);
}

void ht_event_collapse(FILE *out, const struct ht_event_rec *ev)
{
	if (ev->kind == HT_EV_COLLAPSE)
		fprintf(out, " path=%s owner=%d uffd=%d file=%d",
			ev->collapse & HT_COLLAPSE_KHUGEPAGED ? "khugepaged" : "madvise",
			(int)ev->owner, !!(ev->collapse & HT_COLLAPSE_UFFD),
			!!(ev->collapse & HT_COLLAPSE_FILE));
}

void ht_event_text(FILE *out, const struct ht_event_rec *ev,
		   const struct ht_stream_names *names)
{
	char comm[HT_STREAM_COMM_LEN], result[HT_EVENT_RESULT_LEN];

	ht_event_comm(comm, ev);
	ht_event_result(result, sizeof(result), ev, names);
	fprintf(out, "seq=%llu time_ns=%llu cpu=%u pid=%d tid=%d comm=%s kind=%s page_kb=%llu addr=0x%llx pages=%lld result=%s",
		(unsigned long long)ev->seq, (unsigned long long)ev->time_ns, ev->cpu,
		(int)ev->pid, (int)ev->tid, comm, ht_event_kind(ev),
		(unsigned long long)ev->page_size >> 10, (unsigned long long)ev->address,
		(long long)ev->pages, result);
	if (ev->flags & HT_EVF_NO_HSTATE)
		fputs(" resv=- free=-", out);
	else
		fprintf(out, " resv=%lld->%lld free=%lld->%lld", (long long)ev->resv_before,
			(long long)ev->resv_after, (long long)ev->free_before,
			(long long)ev->free_after);
	if (ev->flags & HT_EVF_SPOOL)
		ht_event_spool(out, ev);
	else
		fputs(" spool_used=- spool_rsv=-", out);
	if (ev->pfn == HT_STREAM_NO_PFN)
		fputs(" pfn=- ref=- map=-", out);
	else
		fprintf(out, " pfn=0x%llx ref=%d->%d map=%d->%d", (unsigned long long)ev->pfn,
			ev->ref_before, ev->ref_after, ev->map_before, ev->map_after);
	fputs(" flags=", out);
	ht_event_flags(out, ev);
	ht_event_collapse(out, ev);
	fprintf(out, " dur_ns=%llu\n", (unsigned long long)ev->duration_ns);
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
