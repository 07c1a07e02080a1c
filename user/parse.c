// SPDX-License-Identifier: GPL-2.0
/*
 * Parsers of hugetrack's files.  Formats may grow (columns and keys are added
 * at the end, files and counters appear), so what is unknown is kept or
 * skipped; what contradicts the format is an error naming the line.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

#define WORDS_MAX	HT_KV_MAX

struct lines {
	char *next;
	unsigned int nr;
};

static char *next_line(struct lines *l)
{
	char *line = l->next, *nl;

	if (!*line)
		return NULL;
	nl = strchr(line, '\n');
	if (nl) {
		*nl = '\0';
		l->next = nl + 1;
	} else {
		l->next = line + strlen(line);
	}
	l->nr++;
	return line;
}

static int fail(struct ht_parse_error *err, unsigned int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct ht_parse_error *err, unsigned int line, const char *fmt, ...)
{
	va_list ap;

	err->line = line;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int ht_check_text(const char *text, size_t len, struct ht_parse_error *err)
{
	size_t i;
	unsigned int line = 1;

	for (i = 0; i < len; i++) {
		if (!text[i])
			return fail(err, line, "a NUL byte");
		if (text[i] == '\n')
			line++;
	}
	if (len && text[len - 1] != '\n')
		return fail(err, line, "the last line has no newline: the file is truncated");
	return 0;
}

/* The line's space-separated words, in place; -1 past WORDS_MAX. */
static int split_words(char *line, char **words)
{
	int n = 0;

	for (;;) {
		while (*line == ' ' || *line == '\t')
			line++;
		if (!*line)
			return n;
		if (n == WORDS_MAX)
			return -1;
		words[n++] = line;
		while (*line && *line != ' ' && *line != '\t')
			line++;
		if (*line)
			*line++ = '\0';
	}
}

bool ht_parse_u64(const char *s, unsigned long long *out)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return !errno && !*end;
}

bool ht_parse_s64(const char *s, long long *out)
{
	char *end;

	if (!isdigit((unsigned char)(*s == '-' ? s[1] : *s)))
		return false;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return !errno && !*end;
}

/*
 * @array with room for element @n of @size, or NULL when memory ran out
 * (@array is then still valid and unchanged).
 */
static void *grow(void *array, size_t *cap, size_t n, size_t size)
{
	size_t new_cap;
	void *bigger;

	if (n < *cap)
		return array;
	new_cap = *cap ? *cap * 2 : 16;
	bigger = realloc(array, new_cap * size);
	if (bigger)
		*cap = new_cap;
	return bigger;
}

/* Grows @array (an lvalue) for element @n; -1 with @err when it cannot. */
#define GROW_OR_FAIL(array, cap, n, err, line)					\
	(grow_into((void *)&(array), grow((array), &(cap), (n), sizeof(*(array)))) ? \
	 0 : fail((err), (line), "out of memory"))

/* Stores @bigger through @array_ptr unless it is NULL; false then. */
static bool grow_into(void *array_ptr, void *bigger)
{
	if (!bigger)
		return false;
	memcpy(array_ptr, &bigger, sizeof(bigger));
	return true;
}

/*
 * A table file: a "# name ..." header whose first columns are @columns (more
 * may follow), then rows of at least as many words.  @row fills element
 * @n of the array from the words.  Returns the array (malloc'ed, *@n rows),
 * or NULL with @err filled.
 */
typedef int (*row_fn)(char **words, void *array, size_t n, unsigned int line,
		      struct ht_parse_error *err);

static void *parse_table(char *text, const char *const *columns, int ncols,
			 size_t elem_size, size_t *n, row_fn row,
			 struct ht_parse_error *err)
{
	struct lines l = { .next = text };
	char *words[WORDS_MAX], *line;
	void *array = NULL, *bigger;
	size_t cap = 0;
	int nw, i;

	*n = 0;
	line = next_line(&l);
	if (!line) {
		fail(err, 1, "empty file, expected the header '# %s ...'", columns[0]);
		return NULL;
	}
	nw = split_words(line, words);
	if (nw < ncols + 1 || strcmp(words[0], "#")) {
		fail(err, 1, "expected the header '# %s ...'", columns[0]);
		return NULL;
	}
	for (i = 0; i < ncols; i++) {
		if (strcmp(words[i + 1], columns[i])) {
			fail(err, 1, "header column %d is '%.40s', expected '%s'",
			     i + 1, words[i + 1], columns[i]);
			return NULL;
		}
	}
	while ((line = next_line(&l))) {
		nw = split_words(line, words);
		if (nw < 0) {
			fail(err, l.nr, "more than %d columns", WORDS_MAX);
			goto error;
		}
		if (nw < ncols) {
			fail(err, l.nr, "%d columns, expected %d", nw, ncols);
			goto error;
		}
		bigger = grow(array, &cap, *n, elem_size);
		if (!bigger) {
			fail(err, l.nr, "out of memory");
			goto error;
		}
		array = bigger;
		if (row(words, array, *n, l.nr, err))
			goto error;
		(*n)++;
	}
	/* a table of no rows is still a table: never NULL on success */
	if (!array && !(array = malloc(elem_size)))
		fail(err, 0, "out of memory");
	return array;
error:
	free(array);
	*n = 0;
	return NULL;
}

static int number_column(char **words, int i, unsigned long long *out,
			 unsigned int line, struct ht_parse_error *err)
{
	if (ht_parse_u64(words[i], out))
		return 0;
	return fail(err, line, "column %d is '%.40s', not a number", i + 1, words[i]);
}

static int hstate_row(char **words, void *array, size_t n, unsigned int line,
		      struct ht_parse_error *err)
{
	struct ht_hstate *h = (struct ht_hstate *)array + n;

	h->name = words[0];
	return number_column(words, 1, &h->size_kb, line, err) ||
	       number_column(words, 2, &h->nr, line, err) ||
	       number_column(words, 3, &h->free, line, err) ||
	       number_column(words, 4, &h->resv, line, err) ||
	       number_column(words, 5, &h->surplus, line, err) ||
	       number_column(words, 6, &h->overcommit, line, err) ? -1 : 0;
}

int ht_parse_hstates(char *text, struct ht_hstate **out, size_t *n,
		     struct ht_parse_error *err)
{
	static const char *const columns[] = {
		"hstate", "size_kb", "nr", "free", "resv", "surplus", "overcommit"
	};

	*out = parse_table(text, columns, 7, sizeof(**out), n, hstate_row, err);
	return *out ? 0 : -1;
}

static int probe_row(char **words, void *array, size_t n, unsigned int line,
		     struct ht_parse_error *err)
{
	struct ht_probe_row *p = (struct ht_probe_row *)array + n;

	p->name = words[0];
	p->group = words[1];
	p->symbol = words[2];
	p->type = words[3];
	p->state = words[4];
	return number_column(words, 5, &p->hits, line, err) ||
	       number_column(words, 6, &p->missed, line, err) ? -1 : 0;
}

int ht_parse_probes(char *text, struct ht_probe_row **out, size_t *n,
		    struct ht_parse_error *err)
{
	static const char *const columns[] = {
		"probe", "group", "symbol", "type", "state", "hits", "missed"
	};

	*out = parse_table(text, columns, 7, sizeof(**out), n, probe_row, err);
	return *out ? 0 : -1;
}

/* Counter names become Prometheus metric names: [a-z0-9_], no digit first. */
static bool counter_name(const char *s)
{
	if (!*s || isdigit((unsigned char)*s))
		return false;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) &&
		    *s != '_' && !isupper((unsigned char)*s))
			return false;
	return true;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A name twice would be two values of one metric: sorted, in O(n log n). */
static int repeated_counter(const struct ht_counter *c, size_t n,
			    struct ht_parse_error *err)
{
	const char **names = malloc((n ? n : 1) * sizeof(*names));
	int ret = 0;
	size_t i;

	if (!names)
		return fail(err, 0, "out of memory");
	for (i = 0; i < n; i++)
		names[i] = c[i].name;
	qsort(names, n, sizeof(*names), by_name);
	for (i = 1; i < n && !ret; i++)
		if (!strcmp(names[i - 1], names[i]))
			ret = fail(err, 0, "counter %.40s repeated", names[i]);
	free(names);
	return ret;
}

int ht_parse_counters(char *text, struct ht_counter **out, size_t *n,
		      struct ht_parse_error *err)
{
	struct lines l = { .next = text };
	char *words[WORDS_MAX], *line;
	size_t cap = 0;
	int nw;

	*out = NULL;
	*n = 0;
	while ((line = next_line(&l))) {
		nw = split_words(line, words);
		if (nw != 2) {
			fail(err, l.nr, "expected 'name value'");
			goto error;
		}
		if (!counter_name(words[0])) {
			fail(err, l.nr, "'%.40s' is not a counter name", words[0]);
			goto error;
		}
		if (GROW_OR_FAIL(*out, cap, *n, err, l.nr))
			goto error;
		(*out)[*n].name = words[0];
		if (number_column(words, 1, &(*out)[*n].value, l.nr, err))
			goto error;
		(*n)++;
	}
	if (repeated_counter(*out, *n, err))
		goto error;
	return 0;
error:
	free(*out);
	*out = NULL;
	*n = 0;
	return -1;
}

unsigned long long ht_counter_value(const struct ht_counter *c, size_t n,
				    const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(c[i].name, name))
			return c[i].value;
	return 0;
}

static int split_kvline(char *line, struct ht_kvline *out, unsigned int nr,
			struct ht_parse_error *err)
{
	char *words[WORDS_MAX], *eq;
	int nw, i;

	nw = split_words(line, words);
	if (nw < 0)
		return fail(err, nr, "more than %d keys", WORDS_MAX);
	if (!nw)
		return fail(err, nr, "an empty line");
	out->n = 0;
	for (i = 0; i < nw; i++) {
		eq = strchr(words[i], '=');
		if (!eq || eq == words[i])
			return fail(err, nr, "'%.40s' is not key=value", words[i]);
		*eq = '\0';
		out->kv[out->n].key = words[i];
		out->kv[out->n].value = eq + 1;
		out->n++;
	}
	return 0;
}

const char *ht_kv_get(const struct ht_kvline *line, const char *key)
{
	unsigned int i;

	for (i = 0; i < line->n; i++)
		if (!strcmp(line->kv[i].key, key))
			return line->kv[i].value;
	return NULL;
}

long long ht_ledger_figure(const struct ht_ledger_row *row, const char *key)
{
	const char *v = ht_kv_get(&row->kv, key);
	long long n = 0;

	return v && ht_parse_s64(v, &n) ? n : 0;
}

const char *ht_ledger_verdict(const struct ht_ledger_row *row)
{
	return ht_ledger_figure(row, "diff") ? "DIFFERS" :
	       ht_ledger_figure(row, "lost") ? "LOST" : "ok";
}

static int require_number(const struct ht_kvline *kv, const char *key,
			  unsigned int nr, struct ht_parse_error *err)
{
	const char *v = ht_kv_get(kv, key);
	unsigned long long ignored;

	if (!v)
		return fail(err, nr, "no %s=", key);
	if (!ht_parse_u64(v, &ignored))
		return fail(err, nr, "%s=%.40s is not a number", key, v);
	return 0;
}

int ht_parse_event(char *line, struct ht_kvline *out, struct ht_parse_error *err)
{
	if (split_kvline(line, out, 1, err))
		return -1;
	if (strcmp(out->kv[0].key, "seq"))
		return fail(err, 1, "the line does not start with seq=");
	if (require_number(out, "seq", 1, err))
		return -1;
	if (!ht_kv_get(out, "kind"))
		return fail(err, 1, "no kind=");
	return 0;
}

void ht_kvrecords_free(struct ht_kvrecord *records, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(records[i].frames);
	free(records);
}

/*
 * Records of @first_key=N lines, each followed by its frames: lines of two
 * spaces then a frame that starts with one of @frame_prefixes ("" for any).
 */
static int parse_records(char *text, const char *first_key,
			 const char *const *frame_prefixes, int nr_prefixes,
			 struct ht_kvrecord **out, size_t *n,
			 struct ht_parse_error *err)
{
	struct lines l = { .next = text };
	struct ht_kvrecord *r = NULL;
	size_t cap = 0, frame_cap = 0;
	char *line;
	int i;

	*out = NULL;
	*n = 0;
	while ((line = next_line(&l))) {
		if (!strncmp(line, "  ", 2)) {
			line += 2;
			if (!r) {
				fail(err, l.nr, "a frame line before any %s= line", first_key);
				goto error;
			}
			for (i = 0; i < nr_prefixes; i++)
				if (!strncmp(line, frame_prefixes[i], strlen(frame_prefixes[i])))
					break;
			if (i == nr_prefixes || !*line || *line == ' ') {
				fail(err, l.nr, "unexpected frame line '%.40s'", line);
				goto error;
			}
			if (GROW_OR_FAIL(r->frames, frame_cap, r->nr_frames, err, l.nr))
				goto error;
			r->frames[r->nr_frames++] = line;
			continue;
		}
		if (GROW_OR_FAIL(*out, cap, *n, err, l.nr))
			goto error;
		r = &(*out)[(*n)++];
		memset(r, 0, sizeof(*r));
		frame_cap = 0;
		if (split_kvline(line, &r->kv, l.nr, err))
			goto error;
		if (strcmp(r->kv.kv[0].key, first_key)) {
			fail(err, l.nr, "the line does not start with %s=", first_key);
			goto error;
		}
	}
	return 0;
error:
	ht_kvrecords_free(*out, *n);
	*out = NULL;
	*n = 0;
	return -1;
}

int ht_parse_anomalies(char *text, struct ht_kvrecord **out, size_t *n,
		       struct ht_parse_error *err)
{
	static const char *const any[] = { "" };
	static const char *const keys[] = { "anomaly", "rule", "seq", "kind" };
	size_t i, k;

	if (parse_records(text, "anomaly", any, 1, out, n, err))
		return -1;
	/* where each record starts: the line of the i-th record is not kept */
	for (i = 0; i < *n; i++)
		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			if (!ht_kv_get(&(*out)[i].kv, keys[k])) {
				fail(err, 0, "anomaly %zu has no %s=", i + 1, keys[k]);
				ht_kvrecords_free(*out, *n);
				*out = NULL;
				*n = 0;
				return -1;
			}
	return 0;
}

int ht_parse_windows(char *text, struct ht_kvrecord **out, size_t *n,
		     struct ht_parse_error *err)
{
	static const char *const tasks[] = { "a: ", "b: " };
	size_t i;

	if (parse_records(text, "window", tasks, 2, out, n, err))
		return -1;
	for (i = 0; i < *n; i++) {
		const char *hits = ht_kv_get(&(*out)[i].kv, "hits");
		unsigned long long ignored;

		if (!hits || !ht_parse_u64(hits, &ignored)) {
			fail(err, 0, "window %zu has no hits=N", i + 1);
			ht_kvrecords_free(*out, *n);
			*out = NULL;
			*n = 0;
			return -1;
		}
	}
	return 0;
}

static bool parse_double(const char *s, double *out)
{
	char *end;

	if (!*s || isspace((unsigned char)*s))
		return false;
	errno = 0;
	*out = strtod(s, &end);
	return !errno && !*end && isfinite(*out) && *out >= 0;
}

/* Splits a CSV line of plain fields (no quoting: the reader writes none). */
static int split_csv(char *line, char **fields, int max)
{
	int n = 0;

	for (;;) {
		if (n == max)
			return -1;
		fields[n++] = line;
		line = strchr(line, ',');
		if (!line)
			return n;
		*line++ = '\0';
	}
}

int ht_parse_samples(char *text, struct ht_sample **out, size_t *n,
		     struct ht_parse_error *err)
{
	struct lines l = { .next = text };
	char *f[10], *line;
	struct ht_sample *s;
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	line = next_line(&l);
	if (!line || strcmp(line, HT_CSV_HEADER))
		return fail(err, 1, "expected the header " HT_CSV_HEADER);
	while ((line = next_line(&l))) {
		if (split_csv(line, f, 10) != 9) {
			fail(err, l.nr, "expected 9 fields");
			goto error;
		}
		if (GROW_OR_FAIL(*out, cap, *n, err, l.nr))
			goto error;
		s = &(*out)[*n];
		s->hstate = f[1];
		if (!parse_double(f[0], &s->time_s) || !*f[1] ||
		    !ht_parse_u64(f[2], &s->nr) || !ht_parse_u64(f[3], &s->free) ||
		    !ht_parse_u64(f[4], &s->resv) || !ht_parse_u64(f[5], &s->surplus) ||
		    !parse_double(f[6], &s->events_per_s) ||
		    !ht_parse_u64(f[7], &s->anomalies) ||
		    !ht_parse_u64(f[8], &s->window_hits)) {
			fail(err, l.nr, "a field is empty or not a number");
			goto error;
		}
		(*n)++;
	}
	return 0;
error:
	free(*out);
	*out = NULL;
	*n = 0;
	return -1;
}

static int require_signed(const struct ht_kvline *kv, const char *key,
			  unsigned int nr, struct ht_parse_error *err)
{
	const char *v = ht_kv_get(kv, key);
	long long ignored;

	if (!v)
		return fail(err, nr, "no %s=", key);
	if (!ht_parse_s64(v, &ignored))
		return fail(err, nr, "%s=%.40s is not a number", key, v);
	return 0;
}

/* A ledger line's figures: each there, each a number. */
static int ledger_row_valid(const struct ht_kvline *kv, unsigned int nr,
			    struct ht_parse_error *err)
{
	static const char *const figures[] = { "global", "sum", "in_flight", "diff" };
	size_t i;

	if (!ht_kv_get(kv, "hstate"))
		return fail(err, nr, "a ledger line without hstate=");
	for (i = 0; i < sizeof(figures) / sizeof(figures[0]); i++)
		if (require_signed(kv, figures[i], nr, err))
			return -1;
	/* lost= and used_diff= came after the first ledger lines */
	if (ht_kv_get(kv, "lost") && require_signed(kv, "lost", nr, err))
		return -1;
	return ht_kv_get(kv, "used_diff") ? require_signed(kv, "used_diff", nr, err) : 0;
}

int ht_parse_reservations(char *text, struct ht_ledger_row **out, size_t *n,
			  struct ht_parse_error *err)
{
	struct lines l = { .next = text };
	struct ht_ledger_row *r;
	size_t cap = 0;
	char *line, *rest;

	*out = NULL;
	*n = 0;
	while ((line = next_line(&l))) {
		if (*line == '#')
			continue;
		rest = strchr(line, ' ');
		if (!rest || rest == line || memchr(line, '=', rest - line)) {
			fail(err, l.nr, "the line does not start with a holder's kind");
			goto error;
		}
		*rest++ = '\0';
		if (GROW_OR_FAIL(*out, cap, *n, err, l.nr))
			goto error;
		r = &(*out)[(*n)++];
		r->kind = line;
		if (split_kvline(rest, &r->kv, l.nr, err))
			goto error;
		if (!strcmp(r->kind, "ledger") && ledger_row_valid(&r->kv, l.nr, err))
			goto error;
	}
	return 0;
error:
	free(*out);
	*out = NULL;
	*n = 0;
	return -1;
}
