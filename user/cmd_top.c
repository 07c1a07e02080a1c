// SPDX-License-Identifier: GPL-2.0
/*
 * hugetrack top: a live view, redrawn in place on a terminal, one line per
 * interval on a pipe.  It reads counters, never the events stream (which
 * consumes): rates are counter deltas.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "parse.h"
#include "snapshot.h"
#include "source.h"

#define MAX_TRACKED_HSTATES	8
#define SHOWN_ANOMALIES		4
#define SHOWN_HOLDERS		3

/* Since top started: the hstate's lowest and highest of each count. */
struct range {
	unsigned long long min[4], max[4];
};

struct top {
	bool tty;
	double started;
	struct ht_snapshot prev;
	double prev_time;
	bool have_prev;
	struct range ranges[MAX_TRACKED_HSTATES];
};

static error_t parse_top(int key, char *arg, struct argp_state *state)
{
	if (key != ARGP_KEY_ARG)
		return ARGP_ERR_UNKNOWN;
	argp_error(state, "unexpected argument '%s'", arg);
	return 0;
}

static unsigned long long delta(unsigned long long now, unsigned long long before)
{
	/* a reset in between: count from 0 */
	return now >= before ? now - before : now;
}

static const char *on(const struct top *t, bool changed)
{
	return t->tty && changed ? "\033[7m" : "";
}

static const char *off(const struct top *t, bool changed)
{
	return t->tty && changed ? "\033[0m" : "";
}

/* One row per hstate, changed values highlighted, with their range. */
static void show_hstates(struct top *t, const struct ht_snapshot *s)
{
	size_t i, k;

	printf("%-20s %7s %7s %7s %7s  %-12s %-12s\033[K\n", "HSTATE", "NR", "FREE",
	       "RESV", "SURPLUS", "RESV MIN-MAX", "FREE MIN-MAX");
	for (i = 0; i < s->nr_hstates; i++) {
		const struct ht_hstate *h = &s->hstates[i];
		const unsigned long long v[4] = { h->nr, h->free, h->resv, h->surplus };
		const struct ht_hstate *p = t->have_prev && i < t->prev.nr_hstates ?
					    &t->prev.hstates[i] : h;
		const unsigned long long pv[4] = { p->nr, p->free, p->resv, p->surplus };
		struct range *r = &t->ranges[i < MAX_TRACKED_HSTATES ? i : MAX_TRACKED_HSTATES - 1];
		char resv[24], free_range[24];

		printf("%-20s", h->name);
		for (k = 0; k < 4; k++) {
			if (!t->have_prev || v[k] < r->min[k])
				r->min[k] = v[k];
			if (!t->have_prev || v[k] > r->max[k])
				r->max[k] = v[k];
			printf(" %s%7llu%s", on(t, v[k] != pv[k]), v[k], off(t, v[k] != pv[k]));
		}
		snprintf(resv, sizeof(resv), "%llu-%llu", r->min[2], r->max[2]);
		snprintf(free_range, sizeof(free_range), "%llu-%llu", r->min[1], r->max[1]);
		printf("  %-12s %-12s\033[K\n", resv, free_range);
	}
}

/* Items after a label, wrapped under 80 columns (highlights take none). */
struct wrap {
	const struct top *t;
	int col;
};

#define WRAP_INDENT	10
#define WRAP_WIDTH	79

static void wrap_start(struct wrap *w, const struct top *t, const char *label)
{
	w->t = t;
	w->col = printf("%-*s", WRAP_INDENT, label);
}

static void wrap_item(struct wrap *w, bool changed, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void wrap_item(struct wrap *w, bool changed, const char *fmt, ...)
{
	char item[160];
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(item, sizeof(item), fmt, ap);
	va_end(ap);
	if (w->col > WRAP_INDENT && w->col + 2 + len > WRAP_WIDTH) {
		printf("\033[K\n%*s", WRAP_INDENT, "");
		w->col = WRAP_INDENT;
	} else if (w->col > WRAP_INDENT) {
		w->col += printf("  ");
	}
	printf("%s%s%s", on(w->t, changed), item, off(w->t, changed));
	w->col += len;
}

static void wrap_end(void)
{
	printf("\033[K\n");
}

static void show_rates(struct top *t, const struct ht_snapshot *s, double dt)
{
	struct wrap w;
	size_t i;
	int shown = 0;

	wrap_start(&w, t, "EVENTS/S");
	for (i = 0; t->have_prev && i < s->nr_counters; i++) {
		const struct ht_counter *c = &s->counters[i];
		unsigned long long d;

		if (strncmp(c->name, "events_", 7) || !strcmp(c->name, "events_dropped"))
			continue;
		d = delta(c->value, ht_counter_value(t->prev.counters, t->prev.nr_counters, c->name));
		if (!d)
			continue;
		wrap_item(&w, false, "%s %.1f", c->name + 7, d / dt);
		shown++;
	}
	if (!shown)
		wrap_item(&w, false, "idle");
	wrap_item(&w, false, "(total %llu)", ht_events_total(s));
	wrap_end();
}

static void show_anomalies(struct top *t, const struct ht_snapshot *s)
{
	unsigned long long total = ht_counters_sum(s, "anomaly_");
	unsigned long long before = t->have_prev ? ht_counters_sum(&t->prev, "anomaly_") : total;
	bool changed = total != before;
	struct wrap w;
	size_t i;

	wrap_start(&w, t, "ANOMALIES");
	wrap_item(&w, changed, "%llu", total);
	if (changed)
		wrap_item(&w, false, "(+%llu)", delta(total, before));
	for (i = 0; i < s->nr_counters; i++)
		if (!strncmp(s->counters[i].name, "anomaly_", 8) && s->counters[i].value)
			wrap_item(&w, false, "%s %llu", s->counters[i].name + 8, s->counters[i].value);
	wrap_end();
	/* the newest few, one line each */
	for (i = s->nr_anomalies > SHOWN_ANOMALIES ? s->nr_anomalies - SHOWN_ANOMALIES : 0;
	     i < s->nr_anomalies; i++) {
		const struct ht_kvline *kv = &s->anomalies[i].kv;

		printf("  #%s %s: pid %s %s %s %s exp %s act %s\033[K\n",
		       ht_kv_get(kv, "anomaly"), ht_kv_get(kv, "rule"),
		       ht_kv_get(kv, "pid") ?: "-", ht_kv_get(kv, "comm") ?: "-",
		       ht_kv_get(kv, "kind"), ht_kv_get(kv, "addr") ?: "-",
		       ht_kv_get(kv, "expected") ?: "-", ht_kv_get(kv, "actual") ?: "-");
	}
}

static unsigned long long window_hits_of(const struct ht_snapshot *s, const char *name)
{
	unsigned long long hits = 0;
	size_t i;

	for (i = 0; i < s->nr_windows; i++)
		if (!strcmp(ht_kv_get(&s->windows[i].kv, "window"), name))
			ht_parse_u64(ht_kv_get(&s->windows[i].kv, "hits"), &hits);
	return hits;
}

static void show_windows(struct top *t, const struct ht_snapshot *s)
{
	struct wrap w;
	size_t i;

	wrap_start(&w, t, "WINDOWS");
	if (!s->has_windows)
		wrap_item(&w, false, "(this module has no race windows)");
	for (i = 0; i < s->nr_windows; i++) {
		const char *name = ht_kv_get(&s->windows[i].kv, "window");
		unsigned long long hits = window_hits_of(s, name);
		bool changed = t->have_prev && hits != window_hits_of(&t->prev, name);

		wrap_item(&w, changed, "%s %llu", name, hits);
	}
	wrap_end();
}

static void show_health(struct top *t, const struct ht_snapshot *s)
{
	unsigned long long missed = 0, dropped;
	size_t i, active = 0, missing = 0, failed = 0;
	bool changed;

	for (i = 0; i < s->nr_probes; i++) {
		const struct ht_probe_row *p = &s->probes[i];

		missed += p->missed;
		if (!strcmp(p->state, "active"))
			active++;
		else if (!strcmp(p->state, "missing"))
			missing++;
		else
			failed++;
	}
	dropped = ht_counter_value(s->counters, s->nr_counters, "events_dropped");
	changed = t->have_prev &&
		  dropped != ht_counter_value(t->prev.counters, t->prev.nr_counters, "events_dropped");
	printf("PROBES    %zu active, %zu missing, %zu failed; missed %llu; events dropped %s%llu%s\033[K\n",
	       active, missing, failed, missed, on(t, changed), dropped, off(t, changed));
}

/* What a ledger row holds: a subpool its minimum, the others what is outstanding. */
static long long held(const struct ht_ledger_row *r)
{
	return ht_ledger_figure(r, strcmp(r->kind, "subpool") ? "outstanding" : "rsv");
}

static void print_holder(const struct ht_ledger_row *r)
{
	if (!strcmp(r->kind, "private"))
		printf("pid %s (%s) %lld", ht_kv_get(&r->kv, "pid"), ht_kv_get(&r->kv, "comm") ?: "-",
		       held(r));
	else if (!strcmp(r->kind, "file"))
		printf("file %s/%s %lld", ht_kv_get(&r->kv, "dev") ?: "-",
		       ht_kv_get(&r->kv, "ino") ?: "-", held(r));
	else
		printf("subpool %s %lld", ht_kv_get(&r->kv, "dev") ?: "-", held(r));
}

/*
 * Each hstate the ledger reconciles, with its verdict, then the holders
 * that hold the most (the BPF backend's: private mappings, nothing reconciled).
 */
static void show_holders(const struct ht_ledger *ledger)
{
	const struct ht_ledger_row *top[SHOWN_HOLDERS] = { NULL };
	const char *sep = "";
	size_t i, j;

	printf("HOLDERS   ");
	if (!ledger->present) {
		printf("no ledger in this source\033[K\n");
		return;
	}
	for (i = 0; i < ledger->n; i++) {
		const struct ht_ledger_row *r = &ledger->rows[i];

		if (!strcmp(r->kind, "ledger")) {
			if (ht_ledger_figure(r, "global") || ht_ledger_figure(r, "holders")) {
				printf("%s%s %lld held, %s%s", sep, ht_kv_get(&r->kv, "hstate"),
				       ht_ledger_figure(r, "sum"), ht_ledger_verdict(r),
				       ht_ledger_figure(r, "judged") ? "" : " (in flight)");
				sep = "; ";
			}
			continue;
		}
		if (!held(&ledger->rows[i]))
			continue;
		for (j = 0; j < SHOWN_HOLDERS; j++)
			if (!top[j] || held(r) > held(top[j])) {
				memmove(&top[j + 1], &top[j], (SHOWN_HOLDERS - j - 1) * sizeof(top[0]));
				top[j] = r;
				break;
			}
	}
	if (!ledger->reconciled)
		printf("not reconciled (private mappings alone)");
	else if (!*sep)
		printf("nothing reserved");
	for (j = 0; j < SHOWN_HOLDERS && top[j]; j++) {
		printf(j ? ", " : "; most: ");
		print_holder(top[j]);
	}
	printf("\033[K\n");
}

static void draw_screen(struct top *t, const struct ht_snapshot *s,
			const struct ht_ledger *ledger, double now, double interval)
{
	struct utsname u;
	char clock[16];
	time_t wall = time(NULL);

	strftime(clock, sizeof(clock), "%H:%M:%S", localtime(&wall));
	uname(&u);
	printf("\033[H");
	printf("hugetrack top  %s  %s  every %.1f s, %.0f s so far\033[K\n\033[K\n",
	       u.release, clock, interval, now - t->started);
	show_hstates(t, s);
	printf("\033[K\n");
	show_rates(t, s, now - t->prev_time);
	show_anomalies(t, s);
	show_windows(t, s);
	show_health(t, s);
	show_holders(ledger);
	printf("\033[J");
}

/* The ledger's worst verdict over the hstates: ok, DIFFERS or LOST; - without one. */
static const char *ledger_verdict(const struct ht_ledger *ledger)
{
	const char *worst = ledger->reconciled ? "ok" : "-", *v;
	size_t i;

	for (i = 0; i < ledger->n; i++)
		if (!strcmp(ledger->rows[i].kind, "ledger") &&
		    strcmp((v = ht_ledger_verdict(&ledger->rows[i])), "ok") && strcmp(worst, "DIFFERS"))
			worst = v;
	return worst;
}

/* On a pipe: the hstates in use, event rate, anomalies, windows, drops, the ledger. */
static void print_line(struct top *t, const struct ht_snapshot *s,
		       const struct ht_ledger *ledger, double now)
{
	char clock[16];
	time_t wall = time(NULL);
	size_t i, shown = 0;
	unsigned long long missed = 0;

	strftime(clock, sizeof(clock), "%H:%M:%S", localtime(&wall));
	printf("%s", clock);
	for (i = 0; i < s->nr_hstates; i++) {
		const struct ht_hstate *h = &s->hstates[i];

		if (!h->nr && !h->resv && !h->surplus && (shown || i + 1 < s->nr_hstates))
			continue;
		printf(" %s nr=%llu free=%llu resv=%llu surplus=%llu", h->name, h->nr,
		       h->free, h->resv, h->surplus);
		shown++;
	}
	if (t->have_prev)
		printf(" events/s=%.1f", delta(ht_events_total(s), ht_events_total(&t->prev)) /
					  (now - t->prev_time));
	else
		printf(" events/s=-");
	for (i = 0; i < s->nr_probes; i++)
		missed += s->probes[i].missed;
	printf(" anomalies=%llu windows=%llu dropped=%llu missed=%llu ledger=%s\n",
	       ht_counters_sum(s, "anomaly_"), ht_window_hits(s),
	       ht_counter_value(s->counters, s->nr_counters, "events_dropped"), missed,
	       ledger_verdict(ledger));
}

int cmd_top(int argc, char **argv)
{
	static const struct argp argp = {
		NULL, parse_top, NULL,
		"A live view of the module: huge pages by state (changes highlighted, range since top started), events per second by kind, anomalies, race windows, probe health, the reservation ledger's verdict and its biggest holders.  On a pipe, one line per interval.\v"
		"EXAMPLES:\n  hugetrack top\n  hugetrack top -i 5 | tee hugetrack.log\n"
		"  hugetrack top --backend bpf      # no module: the BPF backend, in this process",
		ht_sampling_children, NULL, NULL
	};
	struct top t = { 0 };
	struct ht_ledger ledger;
	struct ht_source src;
	struct ht_snapshot s;
	unsigned long n;
	double now;
	int status = 0;

	ht_parse_args(&argp, argc, argv, NULL);
	ht_catch_stop();
	status = ht_source_open(&src);
	if (status)
		return status;
	t.tty = isatty(STDOUT_FILENO);
	t.started = ht_now();
	if (t.tty)
		printf("\033[2J");
	for (n = 0; !ht_stopped(); n++) {
		status = ht_snapshot_load(&src, &s);
		if (status)
			break;
		status = ht_ledger_load(&src, &ledger);
		if (status) {
			ht_snapshot_free(&s);
			break;
		}
		now = ht_now();
		if (t.tty)
			draw_screen(&t, &s, &ledger, now, ht_interval);
		else
			print_line(&t, &s, &ledger, now);
		ht_ledger_free(&ledger);
		fflush(stdout);
		if (t.have_prev)
			ht_snapshot_free(&t.prev);
		t.prev = s;
		t.prev_time = now;
		t.have_prev = true;
		if (ht_count && n + 1 >= ht_count)
			break;
		ht_source_wait(&src, ht_interval);
	}
	if (t.have_prev)
		ht_snapshot_free(&t.prev);
	ht_source_close(&src);
	return status;
}
