// SPDX-License-Identifier: GPL-2.0
/*
 * hugetrack plot: a series of 'hugetrack record' as an SVG timeline of
 * resv / free / surplus, with a marker where an anomaly was recorded or a
 * race window opened.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "parse.h"

struct plot_args {
	const char *input, *output, *hstate;
};

static const struct argp_option plot_options[] = {
	{ "output", 'o', "FILE.svg", 0, "Write the SVG here (required)", 0 },
	{ "hstate", 'H', "NAME", 0, "Plot this hstate (default: the one with the most pages)", 0 },
	{ 0 }
};

static error_t parse_plot(int key, char *arg, struct argp_state *state)
{
	struct plot_args *args = state->input;

	switch (key) {
	case 'o':
		args->output = arg;
		return 0;
	case 'H':
		args->hstate = arg;
		return 0;
	case ARGP_KEY_ARG:
		if (args->input)
			argp_error(state, "one input file only");
		args->input = arg;
		return 0;
	case ARGP_KEY_END:
		if (!args->input || !args->output)
			argp_error(state, "give the recorded file and the output: FILE.csv -o FILE.svg");
		return 0;
	}
	return ARGP_ERR_UNKNOWN;
}

#define SVG_W		960
#define SVG_H		420
#define PLOT_X0		70
#define PLOT_Y0		50
#define PLOT_W		(SVG_W - PLOT_X0 - 160)
#define PLOT_H		(SVG_H - PLOT_Y0 - 60)
#define Y_TICKS		5

struct plot_line {
	const char *name, *color;
	size_t offset;	/* of the count in struct ht_sample */
};

static const struct plot_line plot_lines[] = {
	{ "resv", "#1f77b4", offsetof(struct ht_sample, resv) },
	{ "free", "#2ca02c", offsetof(struct ht_sample, free) },
	{ "surplus", "#ff7f0e", offsetof(struct ht_sample, surplus) },
};

static unsigned long long count_of(const struct ht_sample *s, const struct plot_line *l)
{
	return *(const unsigned long long *)((const char *)s + l->offset);
}

/* The samples of one hstate, in place at the front of the array. */
static size_t select_hstate(struct ht_sample *v, size_t n, const char *hstate)
{
	size_t i, kept = 0;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i].hstate, hstate))
			v[kept++] = v[i];
	return kept;
}

static const char *busiest_hstate(const struct ht_sample *v, size_t n)
{
	unsigned long long most = 0;
	const char *name = n ? v[0].hstate : NULL;
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].nr + v[i].surplus > most) {
			most = v[i].nr + v[i].surplus;
			name = v[i].hstate;
		}
	return name;
}

/* Text for an SVG element: & < > escaped. */
static void svg_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '&')
			fputs("&amp;", out);
		else if (*s == '<')
			fputs("&lt;", out);
		else if (*s == '>')
			fputs("&gt;", out);
		else if ((unsigned char)*s >= 0x20)
			fputc(*s, out);
	}
}

struct scale {
	double t0, t1;
	unsigned long long ymax;
};

static double x_of(const struct scale *sc, double t)
{
	return PLOT_X0 + (sc->t1 > sc->t0 ? (t - sc->t0) / (sc->t1 - sc->t0) : 0) * PLOT_W;
}

static double y_of(const struct scale *sc, unsigned long long v)
{
	return PLOT_Y0 + PLOT_H - (double)v / sc->ymax * PLOT_H;
}

static void svg_axes(FILE *out, const struct scale *sc)
{
	int i;

	fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#888\"/>\n",
		PLOT_X0, PLOT_Y0, PLOT_W, PLOT_H);
	for (i = 0; i <= Y_TICKS; i++) {
		unsigned long long v = sc->ymax * i / Y_TICKS;
		double y = y_of(sc, v);

		fprintf(out, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>\n",
			PLOT_X0, y, PLOT_X0 + PLOT_W, y);
		fprintf(out, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%llu</text>\n",
			PLOT_X0 - 6, y + 4, v);
	}
	for (i = 0; i <= 4; i++) {
		double t = sc->t0 + (sc->t1 - sc->t0) * i / 4;

		fprintf(out, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.1f s</text>\n",
			x_of(sc, t), PLOT_Y0 + PLOT_H + 18, t);
	}
	fprintf(out, "<text x=\"20\" y=\"%d\" transform=\"rotate(-90 20 %d)\" text-anchor=\"middle\">huge pages</text>\n",
		PLOT_Y0 + PLOT_H / 2, PLOT_Y0 + PLOT_H / 2);
}

/*
 * Labels of one kind closer than this (px) would overlap: the later ones
 * are added into the first one's count ("window +2").
 */
#define MARKER_LABEL_W	80

static void svg_marker_label(FILE *out, double x, bool anomalies, const char *color,
			     unsigned long long count)
{
	fprintf(out, "<text x=\"%.1f\" y=\"%d\" fill=\"%s\" text-anchor=\"middle\">%s +%llu</text>\n",
		x, PLOT_Y0 - (anomalies ? 6 : 20), color, anomalies ? "anomaly" : "window", count);
}

/*
 * A dashed vertical line where a count went up: anomaly or window.  Each
 * kind has a row of labels of its own above the plot.
 */
static void svg_markers(FILE *out, const struct scale *sc, const struct ht_sample *v,
			size_t n, bool anomalies)
{
	const char *color = anomalies ? "#d62728" : "#9467bd";
	unsigned long long before, now, label_count = 0;
	double x, label_x = 0;
	size_t i;

	for (i = 1; i < n; i++) {
		before = anomalies ? v[i - 1].anomalies : v[i - 1].window_hits;
		now = anomalies ? v[i].anomalies : v[i].window_hits;
		if (now <= before)
			continue;
		x = x_of(sc, v[i].time_s);
		fprintf(out, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" stroke-dasharray=\"%s\"/>\n",
			x, PLOT_Y0, x, PLOT_Y0 + PLOT_H, color, anomalies ? "6,3" : "2,3");
		if (label_count && x - label_x < MARKER_LABEL_W) {
			label_count += now - before;
			continue;
		}
		if (label_count)
			svg_marker_label(out, label_x, anomalies, color, label_count);
		label_x = x;
		label_count = now - before;
	}
	if (label_count)
		svg_marker_label(out, label_x, anomalies, color, label_count);
}

static void svg_line(FILE *out, const struct scale *sc, const struct ht_sample *v,
		     size_t n, const struct plot_line *l, int legend_row)
{
	size_t i;

	fprintf(out, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", l->color);
	for (i = 0; i < n; i++)
		fprintf(out, "%s%.1f,%.1f", i ? " " : "", x_of(sc, v[i].time_s),
			y_of(sc, count_of(&v[i], l)));
	fprintf(out, "\"/>\n");
	fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/>\n",
		PLOT_X0 + PLOT_W + 15, PLOT_Y0 + 10 + 20 * legend_row,
		PLOT_X0 + PLOT_W + 40, PLOT_Y0 + 10 + 20 * legend_row, l->color);
	fprintf(out, "<text x=\"%d\" y=\"%d\">%s</text>\n", PLOT_X0 + PLOT_W + 46,
		PLOT_Y0 + 14 + 20 * legend_row, l->name);
}

static void write_svg(FILE *out, const char *title, const struct ht_sample *v, size_t n)
{
	struct scale sc = { .t0 = v[0].time_s, .t1 = v[n - 1].time_s, .ymax = 1 };
	size_t i, k;
	int row = 0;

	for (i = 0; i < n; i++)
		for (k = 0; k < sizeof(plot_lines) / sizeof(plot_lines[0]); k++)
			if (count_of(&v[i], &plot_lines[k]) > sc.ymax)
				sc.ymax = count_of(&v[i], &plot_lines[k]);
	/* headroom, and ticks on whole pages */
	sc.ymax = (sc.ymax + sc.ymax / 10 + Y_TICKS) / Y_TICKS * Y_TICKS;
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n"
		"<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
		"<text x=\"%d\" y=\"20\" font-size=\"15\" font-weight=\"bold\">",
		SVG_W, SVG_H, SVG_W, SVG_H, PLOT_X0);
	svg_text(out, title);
	fprintf(out, "</text>\n");
	svg_axes(out, &sc);
	svg_markers(out, &sc, v, n, false);
	svg_markers(out, &sc, v, n, true);
	for (k = 0; k < sizeof(plot_lines) / sizeof(plot_lines[0]); k++)
		svg_line(out, &sc, v, n, &plot_lines[k], row++);
	fprintf(out, "<text x=\"%d\" y=\"%d\" fill=\"#d62728\">- - anomaly</text>\n",
		PLOT_X0 + PLOT_W + 15, PLOT_Y0 + 14 + 20 * row++);
	fprintf(out, "<text x=\"%d\" y=\"%d\" fill=\"#9467bd\">&#183;&#183; race window</text>\n",
		PLOT_X0 + PLOT_W + 15, PLOT_Y0 + 14 + 20 * row);
	fprintf(out, "</svg>\n");
}

/* The whole of a regular file, NUL-terminated; NULL with a message. */
static char *slurp(const char *path, int *status)
{
	struct ht_parse_error err = { 0 };
	struct stat st;
	char *text = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*status = HT_EXIT_IO;
	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "hugetrack: cannot read %s: %s\n", path, strerror(errno));
		goto cleanup;
	}
	if (st.st_size > HT_TEXT_MAX) {
		fprintf(stderr, "hugetrack: %s: larger than %u MiB: not a hugetrack record\n",
			path, HT_TEXT_MAX >> 20);
		*status = HT_EXIT_FORMAT;
		goto cleanup;
	}
	text = malloc(st.st_size + 1);
	if (!text || read(fd, text, st.st_size) != st.st_size) {
		fprintf(stderr, "hugetrack: cannot read %s: %s\n", path, strerror(errno));
		free(text);
		text = NULL;
		goto cleanup;
	}
	text[st.st_size] = '\0';
	if (ht_check_text(text, st.st_size, &err)) {
		fprintf(stderr, "hugetrack: %s:%u: %s: not a record of hugetrack %s\n", path,
			err.line, err.msg, HT_VERSION);
		free(text);
		text = NULL;
		*status = HT_EXIT_FORMAT;
	}
cleanup:
	if (fd >= 0)
		close(fd);
	return text;
}

int cmd_plot(int argc, char **argv)
{
	static const struct argp argp = {
		plot_options, parse_plot, "FILE.csv",
		"Draws a series from 'hugetrack record' as an SVG timeline: resv, free and surplus huge pages, anomalies and race windows marked.\v"
		"EXAMPLE:\n  hugetrack plot run.csv -o run.svg",
		NULL, NULL, NULL
	};
	struct ht_parse_error err = { 0 };
	struct plot_args args = { 0 };
	struct ht_sample *v = NULL;
	const char *hstate;
	char title[256];
	char *text;
	size_t n = 0;
	FILE *out;
	int status;

	ht_parse_args(&argp, argc, argv, &args);
	text = slurp(args.input, &status);
	if (!text)
		return status;
	if (ht_parse_samples(text, &v, &n, &err)) {
		fprintf(stderr, "hugetrack: %s:%u: %s: not a record of hugetrack %s\n",
			args.input, err.line, err.msg, HT_VERSION);
		status = HT_EXIT_FORMAT;
		goto cleanup;
	}
	hstate = args.hstate ?: busiest_hstate(v, n);
	n = hstate ? select_hstate(v, n, hstate) : 0;
	if (!n) {
		fprintf(stderr, "hugetrack: %s: no samples%s%s: record longer, or name a recorded hstate\n",
			args.input, args.hstate ? " of " : "", args.hstate ?: "");
		status = HT_EXIT_FORMAT;
		goto cleanup;
	}
	snprintf(title, sizeof(title), "hugetrack: %s, %zu samples over %.1f s", hstate, n,
		 v[n - 1].time_s - v[0].time_s);
	out = fopen(args.output, "w");
	if (!out) {
		fprintf(stderr, "hugetrack: cannot create %s: %s\n", args.output, strerror(errno));
		status = HT_EXIT_IO;
		goto cleanup;
	}
	write_svg(out, title, v, n);
	status = 0;
	if (fclose(out)) {
		fprintf(stderr, "hugetrack: cannot write %s: %s\n", args.output, strerror(errno));
		status = HT_EXIT_IO;
	}
cleanup:
	free(v);
	free(text);
	return status;
}
