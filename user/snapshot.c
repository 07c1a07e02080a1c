// SPDX-License-Identifier: GPL-2.0
/*
 * A snapshot: every file of a source but the events stream, read and parsed
 * at once, and the sums of its counters that the commands show.
 */
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "snapshot.h"

enum { TEXT_HSTATES, TEXT_PROBES, TEXT_COUNTERS, TEXT_ANOMALIES, TEXT_WINDOWS };

void ht_snapshot_free(struct ht_snapshot *s)
{
	size_t i;

	free(s->hstates);
	free(s->probes);
	free(s->counters);
	ht_kvrecords_free(s->anomalies, s->nr_anomalies);
	ht_kvrecords_free(s->windows, s->nr_windows);
	for (i = 0; i < sizeof(s->texts) / sizeof(s->texts[0]); i++)
		free(s->texts[i]);
	memset(s, 0, sizeof(*s));
}

static const char *const file_names[] = {
	[TEXT_HSTATES] = "hstates",
	[TEXT_PROBES] = "probes",
	[TEXT_COUNTERS] = "counters",
	[TEXT_ANOMALIES] = "anomalies",
	[TEXT_WINDOWS] = "windows",
};

static int parse_text(struct ht_snapshot *s, int which, struct ht_parse_error *err)
{
	char *text = s->texts[which];

	switch (which) {
	case TEXT_HSTATES:
		return ht_parse_hstates(text, &s->hstates, &s->nr_hstates, err);
	case TEXT_PROBES:
		return ht_parse_probes(text, &s->probes, &s->nr_probes, err);
	case TEXT_COUNTERS:
		return ht_parse_counters(text, &s->counters, &s->nr_counters, err);
	case TEXT_ANOMALIES:
		return ht_parse_anomalies(text, &s->anomalies, &s->nr_anomalies, err);
	default:
		return ht_parse_windows(text, &s->windows, &s->nr_windows, err);
	}
}

int ht_snapshot_load(struct ht_source *src, struct ht_snapshot *s)
{
	struct ht_parse_error err = { 0 };
	int i, status;

	memset(s, 0, sizeof(*s));
	for (i = 0; i <= TEXT_WINDOWS; i++) {
		if (i == TEXT_WINDOWS) {
			/* the windows file came with the race windows */
			s->has_windows = ht_source_has(src, file_names[i]);
			if (!s->has_windows)
				break;
		}
		status = ht_source_read(src, file_names[i], &s->texts[i]);
		if (status)
			goto cleanup;
		if (parse_text(s, i, &err)) {
			status = ht_format_error(src->where, file_names[i], &err);
			goto cleanup;
		}
	}
	return 0;
cleanup:
	ht_snapshot_free(s);
	return status;
}

unsigned long long ht_counters_sum(const struct ht_snapshot *s,
				   const char *prefix)
{
	unsigned long long sum = 0;
	size_t i, len = strlen(prefix);

	for (i = 0; i < s->nr_counters; i++)
		if (!strncmp(s->counters[i].name, prefix, len))
			sum += s->counters[i].value;
	return sum;
}

unsigned long long ht_events_total(const struct ht_snapshot *s)
{
	return ht_counters_sum(s, "events_") -
	       ht_counter_value(s->counters, s->nr_counters, "events_dropped");
}

unsigned long long ht_window_hits(const struct ht_snapshot *s)
{
	return ht_counters_sum(s, "window_");
}

int ht_ledger_load(struct ht_source *src, struct ht_ledger *ledger)
{
	struct ht_parse_error err = { 0 };
	size_t i;
	int status;

	memset(ledger, 0, sizeof(*ledger));
	if (!ht_source_has(src, "reservations"))
		return 0;
	status = ht_source_read(src, "reservations", &ledger->text);
	if (!status && ht_parse_reservations(ledger->text, &ledger->rows, &ledger->n, &err))
		status = ht_format_error(src->where, "reservations", &err);
	if (status) {
		free(ledger->text);
		ledger->text = NULL;
		return status;
	}
	ledger->present = true;
	for (i = 0; i < ledger->n; i++)
		ledger->reconciled |= !strcmp(ledger->rows[i].kind, "ledger");
	return 0;
}

void ht_ledger_free(struct ht_ledger *ledger)
{
	free(ledger->rows);
	free(ledger->text);
	memset(ledger, 0, sizeof(*ledger));
}
