// SPDX-License-Identifier: GPL-2.0
/*
 * The module's debugfs files, in the module's formats, rendered from what
 * the BPF backend drained (ht_bpf_poll.c).
 */
#include <errno.h>
#include <string.h>
#include <sys/utsname.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

/* the skeleton names ht_bpf_shared.h's types: after it */
#include "ht_bpf_internal.h"
#include "hugetrack.skel.h"

#define RECENT_EVENTS		256
#define TOP_TASKS		5

const char *const ht_bpf_files[] = {
	"probes", "hstates", "events", "faults", "counters", "anomalies",
	"summary", "control", "reservations", NULL,
};

static void show_events(struct ht_bpf *bpf, FILE *out)
{
	unsigned long long oldest = ht_bpf_oldest_kept(bpf);

	if (bpf->consumed < oldest) {
		bpf->consume_lost += oldest - bpf->consumed;
		bpf->consumed = oldest;
	}
	for (; bpf->consumed < bpf->received; bpf->consumed++)
		ht_event_text(out, &bpf->events[bpf->consumed % bpf->ring_size], &bpf->names);
}

static void show_faults(struct ht_bpf *bpf, FILE *out)
{
	unsigned long long i = bpf->received > RECENT_EVENTS ? bpf->received - RECENT_EVENTS : 0;

	for (; i < bpf->received; i++)
		ht_event_text(out, &bpf->events[i % bpf->ring_size], &bpf->names);
}

static void show_anomalies(struct ht_bpf *bpf, FILE *out)
{
	unsigned long long i = bpf->nr_anomalies > ANOMALIES_KEPT ?
			       bpf->nr_anomalies - ANOMALIES_KEPT : 0;
	const struct anomaly *a;
	unsigned int f;

	for (; i < bpf->nr_anomalies; i++) {
		a = &bpf->anomalies[i % ANOMALIES_KEPT];
		fprintf(out, "anomaly=%llu rule=%s expected=%lld actual=%lld ", a->seq,
			a->rec.rule < HT_RULE_NR ? ht_rule_names[a->rec.rule] : "none",
			(long long)a->rec.expected, (long long)a->rec.actual);
		ht_event_text(out, &a->rec.ev, &bpf->names);
		for (f = 0; f < a->nr_frames; f++)
			fprintf(out, "  %s\n", a->frames[f]);
	}
}

/* Anomalies recorded but no longer kept */
static unsigned long long anomalies_dropped(const struct ht_bpf *bpf)
{
	return bpf->nr_anomalies > ANOMALIES_KEPT ? bpf->nr_anomalies - ANOMALIES_KEPT : 0;
}

static unsigned long long events_dropped(struct ht_bpf *bpf, const unsigned long long *c)
{
	unsigned long long oldest = ht_bpf_oldest_kept(bpf);

	return c[HT_CTR_EVENTS_LOST] + bpf->consume_lost +
	       (oldest > bpf->consumed ? oldest - bpf->consumed : 0);
}

static int show_counters(struct ht_bpf *bpf, FILE *out)
{
	unsigned long long c[HT_CTR_NR];
	int i, e = ht_bpf_sum_percpu(bpf, bpf->skel->maps.counters, c, HT_CTR_NR);

	if (e)
		return e;
	for (i = 0; i < HT_EV_NR; i++)
		fprintf(out, "events_%s %llu\n", ht_kind_names[i], c[HT_CTR_EVENTS + i]);
	fprintf(out, "events_dropped %llu\n", events_dropped(bpf, c));
	fprintf(out, "resv_reserved %llu\n", c[HT_CTR_RESV_RESERVED]);
	fprintf(out, "resv_unreserved %llu\n", c[HT_CTR_RESV_UNRESERVED]);
	fprintf(out, "resv_consumed %llu\n", c[HT_CTR_RESV_CONSUMED]);
	fprintf(out, "resv_restored %llu\n", c[HT_CTR_RESV_RESTORED]);
	for (i = 0; i < HT_RULE_NR; i++)
		fprintf(out, "anomaly_%s %llu\n", ht_rule_names[i], c[HT_CTR_ANOMALIES + i]);
	fprintf(out, "judged_resv %llu\njudged_ref %llu\n", c[HT_CTR_JUDGED_RESV],
		c[HT_CTR_JUDGED_REF]);
	for (i = 0; i < HT_UNJ_NR; i++)
		fprintf(out, "unjudged_%s %llu\n", ht_unjudged_names[i], c[HT_CTR_UNJUDGED + i]);
	/* probe_calls_missed: see show_probes() */
	fprintf(out, "not_followed %llu\nanomalies_dropped %llu\ntask_faults_dropped %lu\nprobe_calls_missed 0\n",
		c[HT_CTR_NOT_FOLLOWED], anomalies_dropped(bpf), bpf->other_tasks_faults);
	return 0;
}

/* The module's show_judgements() and capacity line, for the summary. */
static void show_judgements(struct ht_bpf *bpf, const unsigned long long *c, FILE *out)
{
	unsigned long long total = 0;
	const char *sep = ": ";
	int i;

	for (i = 0; i < HT_UNJ_NR; i++)
		total += c[HT_CTR_UNJUDGED + i];
	fprintf(out, "judged: resv %llu, ref %llu; unjudged %llu", c[HT_CTR_JUDGED_RESV],
		c[HT_CTR_JUDGED_REF], total);
	for (i = 0; i < HT_UNJ_NR; i++) {
		if (c[HT_CTR_UNJUDGED + i]) {
			fprintf(out, "%s%s %llu", sep, ht_unjudged_names[i], c[HT_CTR_UNJUDGED + i]);
			sep = ", ";
		}
	}
	fprintf(out, "\ncapacity: not followed %llu operations, anomalies dropped %llu, task faults dropped %lu, probe calls missed 0\n",
		c[HT_CTR_NOT_FOLLOWED], anomalies_dropped(bpf), bpf->other_tasks_faults);
}

/*
 * The module's missed column counts what the kprobe core could not hand
 * over; BPF does not see those (libbpf's kretprobes have the kernel's
 * default maxactive): 0 here, see the README.
 */
static int show_probes(struct ht_bpf *bpf, FILE *out)
{
	unsigned long long hits[HT_MAX_POINTS];
	const struct attached *a;
	char state[24];
	size_t i;
	int e = ht_bpf_sum_percpu(bpf, bpf->skel->maps.hits, hits, ht_bpf_nr_points);

	if (e)
		return e;
	fprintf(out, "%-24s %-8s %-33s %-9s %-12s %12s %8s\n", "# probe", "group",
		"symbol", "type", "state", "hits", "missed");
	for (i = 0; i < ht_bpf_nr_points; i++) {
		a = &bpf->attached[i];
		if (!a->candidate.symbol)
			snprintf(state, sizeof(state), "missing");
		else if (a->error)
			snprintf(state, sizeof(state), "failed:%d", a->error);
		else
			snprintf(state, sizeof(state), "active");
		fprintf(out, "%-24s %-8s %-33s %-9s %-12s %12llu %8u\n", ht_bpf_points[i].name,
			ht_bpf_points[i].group, a->candidate.symbol ? a->candidate.symbol : "-",
			ht_bpf_points[i].event ? "kretprobe" : "kprobe", state, hits[i], 0);
	}
	return 0;
}

static int show_hstates(struct ht_bpf *bpf, FILE *out)
{
	const struct ht_hstate_view *h;
	unsigned int i;
	int e = ht_bpf_read_hstates(bpf);

	if (e)
		return e;
	fprintf(out, "%-20s %9s %9s %9s %9s %9s %10s\n", "# hstate", "size_kb", "nr",
		"free", "resv", "surplus", "overcommit");
	for (i = 0; i < bpf->skel->bss->nr_hstate_view; i++) {
		h = &bpf->skel->bss->hstate_view[i];
		fprintf(out, "%-20s %9llu %9llu %9llu %9llu %9llu %10llu\n", h->name,
			(unsigned long long)h->size_kb, (unsigned long long)h->nr,
			(unsigned long long)h->free, (unsigned long long)h->resv,
			(unsigned long long)h->surplus, (unsigned long long)h->overcommit);
	}
	return 0;
}

static void show_control(struct ht_bpf *bpf, FILE *out)
{
	const struct hugetrack_bpf__data *d = bpf->skel->data;
	const struct hugetrack_bpf__bss *b = bpf->skel->bss;

	fprintf(out, "recording %s\nfilter_pid %u\nfilter_comm %.*s\n",
		d->recording ? "enabled" : "disabled", b->filter_pid, HT_COMM_LEN,
		b->filter_comm[0] ? b->filter_comm : "-");
}

static void show_top_tasks(struct ht_bpf *bpf, FILE *out)
{
	bool shown[TASKS_KEPT] = { false };
	unsigned long best_faults;
	int i, n, best;

	fputs("top tasks by faults:\n", out);
	for (n = 0; n < TOP_TASKS; n++) {
		best = -1;
		best_faults = 0;
		for (i = 0; i < TASKS_KEPT; i++) {
			if (!shown[i] && bpf->tasks[i].pid && bpf->tasks[i].faults > best_faults) {
				best = i;
				best_faults = bpf->tasks[i].faults;
			}
		}
		if (best < 0)
			break;
		shown[best] = true;
		fprintf(out, "  pid %u %.*s: %lu faults\n", bpf->tasks[best].pid, HT_COMM_LEN,
			bpf->tasks[best].comm, best_faults);
	}
	if (bpf->other_tasks_faults)
		fprintf(out, "  other tasks: %lu faults\n", bpf->other_tasks_faults);
}

/* What was allocated at load, in the kernel and here; nothing is after. */
static unsigned long long footprint(const struct ht_bpf *bpf)
{
	const struct bpf_map *map;
	unsigned long long bytes = bpf->ring_size * sizeof(struct ht_event_rec) +
				   sizeof(*bpf);

	bpf_object__for_each_map(map, bpf->skel->obj)
		bytes += (unsigned long long)bpf_map__max_entries(map) *
			 (bpf_map__key_size(map) + bpf_map__value_size(map));
	return bytes;
}

static int show_summary(struct ht_bpf *bpf, FILE *out)
{
	const struct ht_hstate_view *h;
	unsigned long long c[HT_CTR_NR], total = 0;
	struct utsname u;
	unsigned int i;
	int e = ht_bpf_sum_percpu(bpf, bpf->skel->maps.counters, c, HT_CTR_NR);

	if (!e)
		e = ht_bpf_read_hstates(bpf);
	if (e)
		return e;
	uname(&u);
	fprintf(out, "hugetrack %s (bpf) on %s, loaded %llu s ago, %llu bytes preallocated\n",
		HUGETRACK_VERSION, u.release, (now_ns() - bpf->loaded_ns) / 1000000000ULL,
		footprint(bpf));
	fprintf(out, "recording %s, events dropped %llu\n",
		bpf->skel->data->recording ? "enabled" : "disabled", events_dropped(bpf, c));
	for (i = 0; i < bpf->skel->bss->nr_hstate_view; i++) {
		h = &bpf->skel->bss->hstate_view[i];
		fprintf(out, "%s: nr %llu free %llu resv %llu (since load or reset: min %lld, max %lld) surplus %llu\n",
			h->name, (unsigned long long)h->nr, (unsigned long long)h->free,
			(unsigned long long)h->resv, bpf->resv_min[i], bpf->resv_max[i],
			(unsigned long long)h->surplus);
	}
	for (i = 0; i < HT_RULE_NR; i++)
		total += c[HT_CTR_ANOMALIES + i];
	fprintf(out, "anomalies: %llu", total);
	for (i = 0; i < HT_RULE_NR; i++)
		if (c[HT_CTR_ANOMALIES + i])
			fprintf(out, ", %s %llu", ht_rule_names[i], c[HT_CTR_ANOMALIES + i]);
	fputs("\n", out);
	show_judgements(bpf, c, out);
	show_top_tasks(bpf, out);
	return 0;
}

/*
 * The module's reservations file but for what BPF cannot reach: no file or
 * subpool line, so no ledger line (docs/bpf.md).
 */
static int show_reservations(struct ht_bpf *bpf, FILE *out)
{
	fputs("# holders: private only: no BPF iterator reaches a mount's files or subpools, so no hstate is reconciled (docs/bpf.md)\n",
	      out);
	return ht_bpf_read_private(bpf, out);
}

bool ht_bpf_walks_tasks(const char *name)
{
	return !strcmp(name, "reservations");
}

int ht_bpf_render(struct ht_bpf *bpf, const char *name, FILE *out)
{
	ring_buffer__consume(bpf->rb);
	if (!strcmp(name, "probes"))
		return show_probes(bpf, out);
	if (!strcmp(name, "hstates"))
		return show_hstates(bpf, out);
	if (!strcmp(name, "counters"))
		return show_counters(bpf, out);
	if (!strcmp(name, "summary"))
		return show_summary(bpf, out);
	if (!strcmp(name, "reservations"))
		return show_reservations(bpf, out);
	if (!strcmp(name, "events"))
		show_events(bpf, out);
	else if (!strcmp(name, "faults"))
		show_faults(bpf, out);
	else if (!strcmp(name, "anomalies"))
		show_anomalies(bpf, out);
	else if (!strcmp(name, "control"))
		show_control(bpf, out);
	else
		return -ENOENT;
	return 0;
}
