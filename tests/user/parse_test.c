// SPDX-License-Identifier: GPL-2.0
/*
 * The reader's parsers on the files the module wrote on each test kernel
 * (tests/fixtures/<series>/, refreshed by `make fixtures`), on every
 * truncation of them, and on malformed and oversized input.  Built with
 * ASan and UBSan by tests/user.sh.  TAP on stdout; exit 1 on any failure.
 * Usage: parse_test FIXTURE_DIR...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../user/parse.h"
#include "tap.h"

enum parser { HSTATES, PROBES, COUNTERS, ANOMALIES, WINDOWS, SAMPLES, EVENTS, RESERVATIONS };

/* Parses @text (modified) with @which; 0 or -1, with the count in *@n. */
static int run(enum parser which, char *text, size_t *n, struct ht_parse_error *err)
{
	struct ht_hstate *h;
	struct ht_probe_row *p;
	struct ht_counter *c;
	struct ht_kvrecord *r;
	struct ht_sample *s;
	struct ht_ledger_row *l;
	struct ht_kvline kv;
	char *line, *next;
	int ret = 0;

	*n = 0;
	memset(err, 0, sizeof(*err));
	switch (which) {
	case HSTATES:
		ret = ht_parse_hstates(text, &h, n, err);
		if (!ret)
			free(h);
		break;
	case PROBES:
		ret = ht_parse_probes(text, &p, n, err);
		if (!ret)
			free(p);
		break;
	case COUNTERS:
		ret = ht_parse_counters(text, &c, n, err);
		if (!ret)
			free(c);
		break;
	case ANOMALIES:
	case WINDOWS:
		ret = (which == ANOMALIES ? ht_parse_anomalies : ht_parse_windows)(text, &r, n, err);
		if (!ret)
			ht_kvrecords_free(r, *n);
		break;
	case SAMPLES:
		ret = ht_parse_samples(text, &s, n, err);
		if (!ret)
			free(s);
		break;
	case RESERVATIONS:
		ret = ht_parse_reservations(text, &l, n, err);
		if (!ret)
			free(l);
		break;
	case EVENTS:
		for (line = text; *line && !ret; line = next) {
			next = strchr(line, '\n');
			if (next)
				*next++ = '\0';
			else
				next = line + strlen(line);
			ret = ht_parse_event(line, &kv, err);
			if (!ret)
				(*n)++;
		}
		break;
	}
	return ret;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *text;
	long size;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	text = malloc(size + 1);
	*len = fread(text, 1, size, f);
	text[*len] = '\0';
	fclose(f);
	return text;
}

static const struct {
	const char *file;
	enum parser parser;
	size_t min_records;	/* what the capture's workload made */
} fixture_files[] = {
	{ "hstates", HSTATES, 2 },
	{ "probes", PROBES, 40 },
	{ "counters", COUNTERS, 20 },
	{ "anomalies", ANOMALIES, 1 },
	{ "faults", EVENTS, 10 },
	{ "windows", WINDOWS, 3 },
	{ "reservations", RESERVATIONS, 2 },
};

/* Every prefix parses or fails cleanly; a cut inside a line is caught. */
static void check_truncations(const char *path, enum parser which, const char *text, size_t len)
{
	struct ht_parse_error err;
	bool clean = true;
	size_t cut, n;
	char *copy;

	for (cut = 0; cut <= len; cut++) {
		copy = malloc(cut + 1);
		memcpy(copy, text, cut);
		copy[cut] = '\0';
		if (cut && text[cut - 1] != '\n' && !ht_check_text(copy, cut, &err))
			clean = false;
		run(which, copy, &n, &err);
		free(copy);
	}
	check(clean, "%s: each of its %zu truncations is caught or parses", path, len + 1);
}

/* @complete: a capture of every file; else a sample of some (contract/) */
static void check_fixture_dir(const char *dir, bool complete)
{
	struct ht_parse_error err;
	char path[4096], *text;
	size_t i, len, n, min;
	int ret;

	for (i = 0; i < sizeof(fixture_files) / sizeof(fixture_files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, fixture_files[i].file);
		text = read_file(path, &len);
		if (!text) {
			/* windows, reservations: only modules that have them write them */
			if (complete && fixture_files[i].parser != WINDOWS &&
			    fixture_files[i].parser != RESERVATIONS)
				check(false, "%s: present", path);
			continue;
		}
		check(!ht_check_text(text, len, &err), "%s: whole lines, no NUL", path);
		check_truncations(path, fixture_files[i].parser, text, len);
		min = complete ? fixture_files[i].min_records : 1;
		ret = run(fixture_files[i].parser, text, &n, &err);
		check(!ret && n >= min, "%s: parses, %zu records (at least %zu)%s%s", path,
		      n, min, ret ? ": " : "", ret ? err.msg : "");
		free(text);
	}
}

/* Semantics on a fixture: values land in the right fields. */
static void check_fields(const char *dir)
{
	struct ht_parse_error err;
	struct ht_hstate *h = NULL;
	struct ht_kvrecord *a = NULL;
	char path[4096], *text;
	size_t len, n = 0, i;
	bool found = false;

	snprintf(path, sizeof(path), "%s/hstates", dir);
	text = read_file(path, &len);
	if (text && !ht_parse_hstates(text, &h, &n, &err)) {
		for (i = 0; i < n; i++)
			if (!strcmp(h[i].name, "hugepages-2048kB") && h[i].size_kb == 2048 &&
			    h[i].nr == 16)
				found = true;
		free(h);
	}
	check(found, "%s: hugepages-2048kB with size_kb 2048, nr 16 (hugepages=16)", path);
	free(text);
	found = false;
	snprintf(path, sizeof(path), "%s/anomalies", dir);
	text = read_file(path, &len);
	if (text && !ht_parse_anomalies(text, &a, &n, &err)) {
		for (i = 0; i < n; i++)
			if (!strcmp(ht_kv_get(&a[i].kv, "rule"), "ref_map_mismatch") &&
			    a[i].nr_frames > 3 && strstr(a[i].frames[0], "+0x"))
				found = true;
		ht_kvrecords_free(a, n);
	}
	check(found, "%s: the injected ref_map_mismatch with its stack", path);
	free(text);
}

static const struct {
	enum parser parser;
	const char *text;
	unsigned int line;	/* the line the error must name */
	const char *what;
} malformed[] = {
	{ HSTATES, "", 1, "empty file" },
	{ HSTATES, "hugepages-2048kB 2048 16 16 0 0 0\n", 1, "no header" },
	{ HSTATES, "# hstate size_kb nr free resv surplus\n", 1, "a column short" },
	{ HSTATES, "# hstate size_kb nr free rsv surplus overcommit\n", 1, "renamed column" },
	{ HSTATES, "# hstate size_kb nr free resv surplus overcommit\nh 2048 16 16 0 0\n", 2, "short row" },
	{ HSTATES, "# hstate size_kb nr free resv surplus overcommit\nh 2048 16 -1 0 0 0\n", 2, "negative" },
	{ HSTATES, "# hstate size_kb nr free resv surplus overcommit\nh 2048 16 99999999999999999999 0 0 0\n", 2, "overflow" },
	{ HSTATES, "# hstate size_kb nr free resv surplus overcommit\nh 2048 16 0x10 0 0 0\n", 2, "hex" },
	{ PROBES, "# probe group symbol type state hits\n", 1, "no missed column" },
	{ PROBES, "# probe group symbol type state hits missed\np g s kprobe active 1\n", 2, "short row" },
	{ COUNTERS, "events_fault 1\nevents_fault 2\n", 0, "repeated" },
	{ COUNTERS, "events_fault\n", 1, "no value" },
	{ COUNTERS, "events_fault 1 2\n", 1, "two values" },
	{ COUNTERS, "events_fault 1\n\n", 2, "empty line" },
	{ COUNTERS, "events-fault 1\n", 1, "not a metric name" },
	{ COUNTERS, "1events 1\n", 1, "digit first" },
	{ COUNTERS, "a 1\nb 2\nc -3\n", 3, "negative" },
	{ ANOMALIES, "  frame+0x0/0x10\n", 1, "frame first" },
	{ ANOMALIES, "rule=x anomaly=1 seq=1 kind=fault\n", 1, "wrong first key" },
	{ ANOMALIES, "anomaly=1 rule=x seq=1 kind=fault\n   frame\n", 2, "three spaces" },
	{ ANOMALIES, "anomaly=1 rule=x seq=1 kind=fault junk\n", 1, "not key=value" },
	{ ANOMALIES, "anomaly=1 rule=x seq=1 kind=fault =v\n", 1, "empty key" },
	{ ANOMALIES, "anomaly=1 seq=1 kind=fault\n", 0, "no rule" },
	{ WINDOWS, "window=w hits=1\n  c: frame\n", 2, "neither a: nor b:" },
	{ WINDOWS, "window=w hits=x\n", 0, "hits not a number" },
	{ WINDOWS, "window=w\n", 0, "no hits" },
	{ EVENTS, "kind=fault seq=1\n", 1, "seq not first" },
	{ EVENTS, "seq=one kind=fault\n", 1, "seq not a number" },
	{ EVENTS, "seq=1 pid=3\n", 1, "no kind" },
	{ RESERVATIONS, "subpool\n", 1, "a kind alone" },
	{ RESERVATIONS, "dev=0:1 min=1\n", 1, "no kind" },
	{ RESERVATIONS, "file dev=0:1 junk\n", 1, "not key=value" },
	{ RESERVATIONS, "# holders\nledger global=1 sum=1 in_flight=0 diff=0\n", 2, "ledger without hstate" },
	{ RESERVATIONS, "ledger hstate=h global=1 sum=1 in_flight=0\n", 1, "ledger without diff" },
	{ RESERVATIONS, "ledger hstate=h global=1 sum=x in_flight=0 diff=0\n", 1, "sum not a number" },
	{ RESERVATIONS, "ledger hstate=h global=1 sum=1 in_flight=0 diff=0 lost=-\n", 1, "lost not a number" },
	{ SAMPLES, "time_s,hstate\n", 1, "header" },
	{ SAMPLES, HT_CSV_HEADER "\n1.0,h,1,2,3,4,5.0,6\n", 2, "8 fields" },
	{ SAMPLES, HT_CSV_HEADER "\n1.0,h,1,2,3,4,5.0,6,7,8\n", 2, "10 fields" },
	{ SAMPLES, HT_CSV_HEADER "\nnan,h,1,2,3,4,5.0,6,7\n", 2, "NaN time" },
	{ SAMPLES, HT_CSV_HEADER "\n1.0,,1,2,3,4,5.0,6,7\n", 2, "empty hstate" },
	{ SAMPLES, HT_CSV_HEADER "\n1.0,h,1,2,,4,5.0,6,7\n", 2, "empty count" },
};

static void check_malformed(void)
{
	struct ht_parse_error err;
	size_t i, n;
	char *text;
	int ret;

	for (i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		text = strdup(malformed[i].text);
		ret = run(malformed[i].parser, text, &n, &err);
		check(ret && err.line == malformed[i].line && err.msg[0],
		      "malformed (%s) fails at line %u: line %u, %s", malformed[i].what,
		      malformed[i].line, err.line, err.msg);
		free(text);
	}
}

/* Sizes the module never writes: parsed or refused, in bounded memory. */
static void check_oversized(void)
{
	struct ht_parse_error err;
	size_t i, n, len = 0, size = 200000 * 32;
	char *text = malloc(size);
	int ret;

	for (i = 0; i < 200000; i++)
		len += snprintf(text + len, size - len, "counter_%zu %zu\n", i, i);
	ret = run(COUNTERS, text, &n, &err);
	check(ret == 0 && n == 200000, "200000 counters parse");
	free(text);

	text = malloc(1 << 20);
	memset(text, 'x', (1 << 20) - 1);
	text[(1 << 20) - 1] = '\0';
	check(run(EVENTS, text, &n, &err) && err.line == 1, "a 1 MiB word is not an event");
	memcpy(text, "seq=1 kind=fault ", 17);
	check(run(EVENTS, text, &n, &err) && err.line == 1, "a 1 MiB value after the keys is refused");
	free(text);

	text = malloc(HT_KV_MAX * 8 + 64);
	len = sprintf(text, "seq=1 kind=fault");
	for (i = 0; i < HT_KV_MAX; i++)
		len += sprintf(text + len, " k%zu=v", i);
	check(run(EVENTS, text, &n, &err) && strstr(err.msg, "more than"),
	      "an event of more than %d keys is refused: %s", HT_KV_MAX, err.msg);
	free(text);

	text = strdup("seq=1 kind=collapse page_kb=2048 result=SCAN_SUCCEED path=madvise owner=1 uffd=0 file=0 dur_ns=5");
	ret = run(EVENTS, text, &n, &err);
	check(!ret && n == 1, "a collapse event (new kind, new keys) parses");
	free(text);
}

int main(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		bool complete = !strstr(argv[i], "contract");

		check_fixture_dir(argv[i], complete);
		if (complete)
			check_fields(argv[i]);
	}
	check_malformed();
	check_oversized();
	printf("1..%d\n", tests);
	return failures ? 1 : 0;
}
