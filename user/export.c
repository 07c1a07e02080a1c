// SPDX-License-Identifier: GPL-2.0
/*
 * Snapshots for programs: JSON (jansson does the escaping) and the Prometheus
 * text exposition format for node_exporter's textfile collector.
 */
#include <jansson.h>
#include <limits.h>
#include <string.h>

#include "export.h"

static json_t *json_u64(unsigned long long v)
{
	return v <= LLONG_MAX ? json_integer((json_int_t)v) : json_real((double)v);
}

/* "-" is null, a whole decimal number a number, anything else a string. */
static json_t *json_value(const char *v)
{
	long long n;

	if (!strcmp(v, "-"))
		return json_null();
	if (ht_parse_s64(v, &n))
		return json_integer(n);
	return json_string(v);
}

static json_t *kv_object(const struct ht_kvline *kv)
{
	json_t *o = json_object();
	unsigned int i;

	for (i = 0; i < kv->n; i++)
		json_object_set_new(o, kv->kv[i].key, json_value(kv->kv[i].value));
	return o;
}

static json_t *hstates_json(const struct ht_snapshot *s)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < s->nr_hstates; i++) {
		const struct ht_hstate *h = &s->hstates[i];

		json_array_append_new(a, json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o}",
			"name", h->name, "size_kb", json_u64(h->size_kb),
			"nr", json_u64(h->nr), "free", json_u64(h->free),
			"resv", json_u64(h->resv), "surplus", json_u64(h->surplus),
			"overcommit", json_u64(h->overcommit)));
	}
	return a;
}

static json_t *probes_json(const struct ht_snapshot *s)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < s->nr_probes; i++) {
		const struct ht_probe_row *p = &s->probes[i];

		json_array_append_new(a, json_pack("{s:s, s:s, s:o, s:s, s:s, s:o, s:o}",
			"name", p->name, "group", p->group,
			"symbol", json_value(p->symbol), "type", p->type,
			"state", p->state, "hits", json_u64(p->hits),
			"missed", json_u64(p->missed)));
	}
	return a;
}

/* counters as they are, and events_<kind> again as {"kind": n} */
static void counters_json(const struct ht_snapshot *s, json_t *root)
{
	json_t *counters = json_object(), *events = json_object();
	size_t i;

	for (i = 0; i < s->nr_counters; i++) {
		const struct ht_counter *c = &s->counters[i];

		json_object_set_new(counters, c->name, json_u64(c->value));
		if (!strncmp(c->name, "events_", 7) && strcmp(c->name, "events_dropped"))
			json_object_set_new(events, c->name + 7, json_u64(c->value));
	}
	json_object_set_new(root, "events", events);
	json_object_set_new(root, "events_dropped",
		json_u64(ht_counter_value(s->counters, s->nr_counters, "events_dropped")));
	json_object_set_new(root, "counters", counters);
}

static json_t *anomalies_json(const struct ht_snapshot *s)
{
	json_t *a = json_array(), *o, *stack;
	size_t i, f;

	for (i = 0; i < s->nr_anomalies; i++) {
		o = kv_object(&s->anomalies[i].kv);
		stack = json_array();
		for (f = 0; f < s->anomalies[i].nr_frames; f++)
			json_array_append_new(stack, json_string(s->anomalies[i].frames[f]));
		json_object_set_new(o, "stack", stack);
		json_array_append_new(a, o);
	}
	return a;
}

/* Each window with the frames of its two tasks, "stack_a" and "stack_b". */
static json_t *windows_json(const struct ht_snapshot *s)
{
	json_t *a, *o, *stacks[2];
	size_t i, f;
	int t;

	if (!s->has_windows)
		return json_null();
	a = json_array();
	for (i = 0; i < s->nr_windows; i++) {
		const struct ht_kvrecord *w = &s->windows[i];

		o = kv_object(&w->kv);
		stacks[0] = json_array();
		stacks[1] = json_array();
		for (f = 0; f < w->nr_frames; f++) {
			t = w->frames[f][0] == 'b';
			json_array_append_new(stacks[t], json_string(w->frames[f] + 3));
		}
		json_object_set_new(o, "stack_a", stacks[0]);
		json_object_set_new(o, "stack_b", stacks[1]);
		json_array_append_new(a, o);
	}
	return a;
}

int ht_write_json(const struct ht_snapshot *s, FILE *out)
{
	json_t *root = json_object();
	int err;

	json_object_set_new(root, "reader_version", json_string(HT_VERSION));
	json_object_set_new(root, "hstates", hstates_json(s));
	counters_json(s, root);
	json_object_set_new(root, "probes", probes_json(s));
	json_object_set_new(root, "anomalies", anomalies_json(s));
	json_object_set_new(root, "windows", windows_json(s));
	err = json_dumpf(root, out, JSON_COMPACT | JSON_PRESERVE_ORDER);
	fputc('\n', out);
	json_decref(root);
	return err;
}

int ht_write_event_json(const struct ht_kvline *ev, FILE *out)
{
	json_t *o = kv_object(ev);
	int err = json_dumpf(o, out, JSON_COMPACT | JSON_PRESERVE_ORDER);

	fputc('\n', out);
	json_decref(o);
	return err;
}

/* A label value: backslash, double quote and newline escaped. */
static void prom_label(FILE *out, const char *name, const char *value)
{
	fprintf(out, "%s=\"", name);
	for (; *value; value++) {
		if (*value == '\\' || *value == '"')
			fputc('\\', out);
		if (*value == '\n')
			fputs("\\n", out);
		else
			fputc(*value, out);
	}
	fputc('"', out);
}

static void prom_family(FILE *out, const char *name, const char *type,
			const char *help)
{
	fprintf(out, "# HELP hugetrack_%s %s\n# TYPE hugetrack_%s %s\n", name, help,
		name, type);
}

/*
 * Counters whose names share a prefix become one family labelled by the
 * rest: events_fault -> hugetrack_events_total{kind="fault"}.
 */
static const struct {
	const char *prefix, *family, *label, *help;
} labelled[] = {
	{ "events_", "events_total", "kind", "Events recorded since load or reset, by kind." },
	{ "anomaly_", "anomalies_total", "rule", "Anomalies detected since load or reset, by rule." },
	{ "window_", "window_hits_total", "window", "Race windows seen open since load or reset." },
	{ "collapse_result_", "collapse_results_total", "result", "Collapse attempts since load or reset, by the kernel's SCAN_ result." },
};

#define NR_LABELLED	(sizeof(labelled) / sizeof(labelled[0]))

/* Which family a counter is in: an index of labelled, or -1 for its own. */
static int family_of(const char *name)
{
	unsigned int i;

	if (!strcmp(name, "events_dropped"))
		return -1;
	for (i = 0; i < NR_LABELLED; i++)
		if (!strncmp(name, labelled[i].prefix, strlen(labelled[i].prefix)))
			return i;
	return -1;
}

/* What the counters the reader knows count; others are passed on as named. */
static const char *counter_help(const char *name)
{
	static const struct {
		const char *name, *help;
	} known[] = {
		{ "events_dropped", "Events the events stream lost: overwritten in the ring before they were read." },
		{ "resv_reserved", "Huge page reservations made by mappings and files (reserve, vma_close, truncate, hole_punch, subpools)." },
		{ "resv_unreserved", "Huge page reservations given back by mappings and files." },
		{ "resv_consumed", "Huge page reservations consumed by faults, uffd fills, zaps and forks." },
		{ "resv_restored", "Huge page reservations given back by faults, uffd fills, zaps and forks." },
		{ "collapse_attempts", "THP collapse attempts (khugepaged and MADV_COLLAPSE)." },
		{ "collapse_succeeded", "THP collapse attempts that succeeded." },
		{ "collapse_failed", "THP collapse attempts that failed." },
	};
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(name, known[i].name))
			return known[i].help;
	return "The hugetrack counter of the same name, since load or reset.";
}

static void prom_counters(const struct ht_snapshot *s, FILE *out)
{
	unsigned int f;
	size_t i;
	bool header;

	for (f = 0; f < NR_LABELLED; f++) {
		header = false;
		for (i = 0; i < s->nr_counters; i++) {
			const struct ht_counter *c = &s->counters[i];

			if (family_of(c->name) != (int)f)
				continue;
			if (!header)
				prom_family(out, labelled[f].family, "counter", labelled[f].help);
			header = true;
			fprintf(out, "hugetrack_%s{", labelled[f].family);
			prom_label(out, labelled[f].label, c->name + strlen(labelled[f].prefix));
			fprintf(out, "} %llu\n", c->value);
		}
	}
	for (i = 0; i < s->nr_counters; i++) {
		const struct ht_counter *c = &s->counters[i];
		char family[160];

		if (family_of(c->name) >= 0)
			continue;
		snprintf(family, sizeof(family), "%s_total", c->name);
		prom_family(out, family, "counter", counter_help(c->name));
		fprintf(out, "hugetrack_%s %llu\n", family, c->value);
	}
}

static void prom_hstates(const struct ht_snapshot *s, FILE *out)
{
	static const char *const states[] = { "nr", "free", "resv", "surplus", "overcommit" };
	unsigned int k;
	size_t i;

	prom_family(out, "hstate_pages", "gauge",
		    "Huge pages of each size, by state (nr, free, resv, surplus; overcommit: the limit).");
	for (i = 0; i < s->nr_hstates; i++) {
		const struct ht_hstate *h = &s->hstates[i];
		const unsigned long long v[] = { h->nr, h->free, h->resv, h->surplus, h->overcommit };

		for (k = 0; k < 5; k++) {
			fputs("hugetrack_hstate_pages{", out);
			prom_label(out, "hstate", h->name);
			fputc(',', out);
			prom_label(out, "state", states[k]);
			fprintf(out, "} %llu\n", v[k]);
		}
	}
	prom_family(out, "hstate_page_size_bytes", "gauge", "The page size of each hstate.");
	for (i = 0; i < s->nr_hstates; i++) {
		fputs("hugetrack_hstate_page_size_bytes{", out);
		prom_label(out, "hstate", s->hstates[i].name);
		fprintf(out, "} %llu\n", s->hstates[i].size_kb * 1024);
	}
}

static void prom_probe_labels(FILE *out, const char *family,
			      const struct ht_probe_row *p)
{
	fprintf(out, "hugetrack_%s{", family);
	prom_label(out, "probe", p->name);
	fputc(',', out);
	prom_label(out, "group", p->group);
	fputs("} ", out);
}

static void prom_probes(const struct ht_snapshot *s, FILE *out)
{
	size_t i;

	prom_family(out, "probe_active", "gauge",
		    "1 where the probe point is registered, 0 where it is missing on this kernel or failed.");
	for (i = 0; i < s->nr_probes; i++) {
		prom_probe_labels(out, "probe_active", &s->probes[i]);
		fprintf(out, "%d\n", !strcmp(s->probes[i].state, "active"));
	}
	prom_family(out, "probe_hits_total", "counter", "Calls (writes, for a watchpoint) each probe saw since load.");
	for (i = 0; i < s->nr_probes; i++) {
		prom_probe_labels(out, "probe_hits_total", &s->probes[i]);
		fprintf(out, "%llu\n", s->probes[i].hits);
	}
	prom_family(out, "probe_missed_total", "counter", "Calls each probe could not follow since load (kretprobe maxactive, recursion).");
	for (i = 0; i < s->nr_probes; i++) {
		prom_probe_labels(out, "probe_missed_total", &s->probes[i]);
		fprintf(out, "%llu\n", s->probes[i].missed);
	}
}

void ht_write_prom(const struct ht_snapshot *s, FILE *out)
{
	prom_hstates(s, out);
	prom_counters(s, out);
	prom_probes(s, out);
}

int ht_write_ledger_json(const struct ht_ledger_row *rows, size_t n, FILE *out)
{
	json_t *root = json_object(), *holders = json_array(), *ledger = json_array(), *o, *keys;
	size_t i;
	int err;

	for (i = 0; i < n; i++) {
		if (!strcmp(rows[i].kind, "ledger")) {
			json_array_append_new(ledger, kv_object(&rows[i].kv));
			continue;
		}
		o = json_pack("{ss}", "kind", rows[i].kind);
		keys = kv_object(&rows[i].kv);
		json_object_update(o, keys);
		json_decref(keys);
		json_array_append_new(holders, o);
	}
	json_object_set_new(root, "reader_version", json_string(HT_VERSION));
	json_object_set_new(root, "holders", holders);
	json_object_set_new(root, "ledger", ledger);
	err = json_dumpf(root, out, JSON_COMPACT | JSON_PRESERVE_ORDER);
	fputc('\n', out);
	json_decref(root);
	return err;
}

void ht_write_ledger_prom(const struct ht_ledger_row *rows, size_t n, FILE *out)
{
	static const struct {
		const char *key, *family, *help;
	} figures[] = {
		{ "sum", "ledger_outstanding_pages", "Reserved huge pages the ledger finds held (subpool minimums and holders' outstanding), by hstate." },
		{ "diff", "ledger_difference_pages", "resv_huge_pages less the ledger's sum, by hstate (0 on a correct kernel with nothing in flight)." },
		{ "in_flight", "ledger_in_flight", "Operations in flight while the ledger was walked, by hstate." },
		{ "lost", "ledger_lost_pages", "Pages of private mappings whose reservation was used and whose page is gone, by hstate." },
	};
	const char *v;
	size_t f, i;

	for (f = 0; f < sizeof(figures) / sizeof(figures[0]); f++) {
		prom_family(out, figures[f].family, "gauge", figures[f].help);
		for (i = 0; i < n; i++) {
			if (strcmp(rows[i].kind, "ledger"))
				continue;
			v = ht_kv_get(&rows[i].kv, figures[f].key);
			if (!v)
				continue;
			fprintf(out, "hugetrack_%s{", figures[f].family);
			prom_label(out, "hstate", ht_kv_get(&rows[i].kv, "hstate"));
			fprintf(out, "} %s\n", v);
		}
	}
}
