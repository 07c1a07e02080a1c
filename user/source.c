// SPDX-License-Identifier: GPL-2.0
/*
 * Where the reader gets the module's files: a directory (debugfs, a copy of
 * it, or the one `hugetrack-bpf serve` keeps), or the BPF backend running
 * in this process (bpf/ht_bpf.h), whose files are rendered into memory in
 * the module's formats.  Either way the same parsers read the same text.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "files.h"
#include "ht_bpf.h"
#include "source.h"
#include "stream.h"

/* hugetrack-bpf serve counts its rounds in DIR/round: no module writes it */
#define SERVE_MARK		"round"
#define SERVE_ANSWER_SECONDS	30
#define BPF_POLL_MS		100

static int open_bpf(struct ht_source *src)
{
	char err[512];

	src->bpf = ht_bpf_open(NULL, err, sizeof(err));
	if (src->bpf)
		return 0;
	fprintf(stderr, "hugetrack: %s\n", err);
	return geteuid() ? HT_EXIT_NOT_ROOT : HT_EXIT_NO_BPF;
}

/* auto: the module where its directory exists (or is hidden: not root) */
static bool module_loaded(void)
{
	struct stat st;

	return !stat(HT_DEBUGFS_DEFAULT, &st) || errno == EACCES;
}

int ht_source_open(struct ht_source *src)
{
	const char *dir = ht_debugfs;

	memset(src, 0, sizeof(*src));
	if (!dir && (ht_backend == HT_BACKEND_MODULE ||
		     (ht_backend == HT_BACKEND_AUTO && module_loaded())))
		dir = HT_DEBUGFS_DEFAULT;
	src->dir = dir;
	src->where = dir ?: "bpf";
	return dir ? 0 : open_bpf(src);
}

int ht_source_open_and_run(struct ht_source *src, char **command)
{
	int status = ht_source_open(src);

	if (!status && command)
		status = ht_source_run(src, command);
	if (status)
		ht_source_close(src);
	return status;
}

void ht_source_close(struct ht_source *src)
{
	ht_bpf_close(src->bpf);
	src->bpf = NULL;
}

int ht_source_read(struct ht_source *src, const char *name, char **text)
{
	struct ht_parse_error err = { 0 };
	size_t len = 0;
	FILE *out;
	int ret;

	if (src->dir)
		return ht_read_file(src->dir, name, text);
	*text = NULL;
	out = open_memstream(text, &len);
	if (!out) {
		fprintf(stderr, "hugetrack: cannot render %s: %s\n", name, strerror(errno));
		return HT_EXIT_IO;
	}
	ret = ht_bpf_render(src->bpf, name, out);
	if (fclose(out) && !ret)
		ret = -errno;
	if (ret) {
		fprintf(stderr, "hugetrack: the BPF backend cannot give %s: %s\n", name,
			strerror(-ret));
		free(*text);
		*text = NULL;
		return HT_EXIT_IO;
	}
	if (ht_check_text(*text, len, &err)) {
		free(*text);
		*text = NULL;
		return ht_format_error(src->where, name, &err);
	}
	return 0;
}

bool ht_source_has(const struct ht_source *src, const char *name)
{
	const char *const *file;
	char path[PATH_MAX];

	if (src->dir) {
		snprintf(path, sizeof(path), "%s/%s", src->dir, name);
		return !access(path, F_OK);
	}
	for (file = ht_bpf_files; *file; file++)
		if (!strcmp(*file, name))
			return true;
	return false;
}

/* The module's control file: the command in one write. */
static int write_control(const struct ht_source *src, const char *cmd)
{
	int fd = ht_open(src->dir, "control", O_WRONLY);
	size_t len = strlen(cmd) + 1;
	char line[128];
	ssize_t n;

	if (fd < 0)
		return -fd;
	snprintf(line, sizeof(line), "%s\n", cmd);
	n = write(fd, line, len);
	close(fd);
	if (n == (ssize_t)len)
		return 0;
	fprintf(stderr, "hugetrack: cannot write '%s' to %s/control: %s\n", cmd, src->dir,
		n < 0 ? strerror(errno) : "short write");
	return HT_EXIT_IO;
}

/*
 * hugetrack-bpf serve's control: the command in DIR/control.cmd (whole, by
 * rename), its answer ("0 ok", "-22 Invalid argument") in DIR/control.status
 * after its next round.
 */
static int serve_control(const struct ht_source *src, const char *cmd)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8], status_path[PATH_MAX], answer[128] = "";
	const struct timespec tick = { .tv_nsec = 100 * 1000000 };
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "%s/control.cmd", src->dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	snprintf(status_path, sizeof(status_path), "%s/control.status", src->dir);
	unlink(status_path);
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "%s\n", cmd) < 0 || fclose(f) || rename(tmp, path)) {
		fprintf(stderr, "hugetrack: cannot write %s: %s\n", path, strerror(errno));
		return HT_EXIT_IO;
	}
	for (i = 0; i < SERVE_ANSWER_SECONDS * 10 && !ht_stopped(); i++) {
		f = fopen(status_path, "r");
		if (f) {
			if (!fgets(answer, sizeof(answer), f))
				answer[0] = '\0';
			fclose(f);
			if (strchr(answer, '\n'))
				break;
		}
		nanosleep(&tick, NULL);
	}
	if (!strcmp(answer, "0 ok\n"))
		return 0;
	if (!strchr(answer, '\n')) {
		fprintf(stderr, "hugetrack: no answer to '%s' in %s for %d s: is 'hugetrack-bpf serve %s' running?\n",
			cmd, status_path, SERVE_ANSWER_SECONDS, src->dir);
		return HT_EXIT_IO;
	}
	answer[strcspn(answer, "\n")] = '\0';
	fprintf(stderr, "hugetrack: hugetrack-bpf serve %s refused '%s': %s\n", src->dir, cmd,
		answer);
	return HT_EXIT_IO;
}

int ht_source_control(struct ht_source *src, const char *cmd)
{
	int err;

	if (src->dir)
		return ht_source_has(src, SERVE_MARK) ? serve_control(src, cmd) :
							 write_control(src, cmd);
	err = ht_bpf_control(src->bpf, cmd);
	if (!err)
		return 0;
	fprintf(stderr, "hugetrack: the BPF backend refused '%s': %s\n", cmd, strerror(-err));
	return HT_EXIT_IO;
}

/*
 * Each whole line of @text to @line, then NULL (all that was ready is
 * delivered); the unfinished rest stays in @text.
 */
static int for_each_line(char *text, size_t *len, int (*line)(char *line, void *ctx),
			 void *ctx)
{
	char *start = text, *nl;
	int status = 0;

	text[*len] = '\0';
	while (!status && (nl = strchr(start, '\n'))) {
		*nl = '\0';
		status = line(start, ctx);
		start = nl + 1;
	}
	*len -= start - text;
	memmove(text, start, *len);
	return status ?: line(NULL, ctx);
}

/*
 * DIR/events_bin where the module has it, the cheaper stream: records read
 * in batches, printed here as the module prints them.
 */
static int dir_records(struct ht_source *src, bool drain, const struct ht_event_sink *sink)
{
	int fd, status;

	fd = ht_open(src->dir, "events_bin", O_RDONLY | (drain ? O_NONBLOCK : 0));
	if (fd < 0)
		return -fd;
	status = ht_stream_events(fd, src->dir, sink, ht_stopped);
	close(fd);
	return status;
}

/* DIR/events: blocks (polls) until there is an event; EOF at unload. */
static int dir_events(struct ht_source *src, bool drain, const struct ht_event_sink *sink)
{
	char buf[8192];
	size_t len = 0;
	ssize_t got;
	int fd, status = 0;

	if (ht_source_has(src, "events_bin"))
		return dir_records(src, drain, sink);
	fd = ht_open(src->dir, "events", O_RDONLY | (drain ? O_NONBLOCK : 0));
	if (fd < 0)
		return -fd;
	while (!status && !ht_stopped()) {
		got = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (got < 0 && errno == EINTR)
			continue;
		if ((got < 0 && errno == EAGAIN) || !got)
			break;
		if (got < 0) {
			fprintf(stderr, "hugetrack: cannot read %s/events: %s\n", src->dir,
				strerror(errno));
			status = HT_EXIT_IO;
			break;
		}
		len += got;
		status = for_each_line(buf, &len, sink->line, sink->ctx);
		if (!status && len == sizeof(buf) - 1) {
			fprintf(stderr, "hugetrack: %s/events: a line longer than %zu bytes: unexpected format for this reader (%s)\n",
				src->dir, sizeof(buf) - 1, HT_VERSION);
			status = HT_EXIT_FORMAT;
		}
	}
	close(fd);
	return status;
}

/* The backend's events as it renders them: what arrived since the last. */
static int bpf_events(struct ht_source *src, bool drain, const struct ht_event_sink *sink)
{
	char *text;
	size_t len;
	int status = 0;

	while (!status && !ht_stopped()) {
		status = ht_source_read(src, "events", &text);
		if (status)
			break;
		len = strlen(text);
		status = for_each_line(text, &len, sink->line, sink->ctx);
		free(text);
		if (drain)
			break;
		ht_bpf_poll(src->bpf, BPF_POLL_MS);
	}
	return status;
}

int ht_source_events(struct ht_source *src, bool drain, const struct ht_event_sink *sink)
{
	return src->dir ? dir_events(src, drain, sink) : bpf_events(src, drain, sink);
}

void ht_source_wait(struct ht_source *src, double seconds)
{
	double end = ht_now() + seconds, left;
	struct timespec ts;

	while (!ht_stopped() && (left = end - ht_now()) > 0) {
		if (src->bpf) {
			ht_bpf_poll(src->bpf, left * 1000 < BPF_POLL_MS ? (int)(left * 1000) + 1 :
								       BPF_POLL_MS);
			continue;
		}
		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - (time_t)left) * 1e9);
		nanosleep(&ts, NULL);
	}
}

int ht_source_run(struct ht_source *src, char **argv)
{
	int wstatus;
	pid_t pid, got;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "hugetrack: cannot run %s: %s\n", argv[0], strerror(errno));
		return HT_EXIT_IO;
	}
	if (!pid) {
		execvp(argv[0], argv);
		fprintf(stderr, "hugetrack: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	/* the BPF backend drains its ring while it waits, so that none is lost */
	while ((got = waitpid(pid, &wstatus, src->bpf ? WNOHANG : 0)) != pid) {
		if (got < 0 && errno != EINTR) {
			fprintf(stderr, "hugetrack: waiting for %s: %s\n", argv[0], strerror(errno));
			return HT_EXIT_IO;
		}
		if (src->bpf)
			ht_bpf_poll(src->bpf, BPF_POLL_MS);
	}
	if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus))
		fprintf(stderr, "hugetrack: %s exited with status %d\n", argv[0],
			WEXITSTATUS(wstatus));
	else if (WIFSIGNALED(wstatus))
		fprintf(stderr, "hugetrack: %s was killed by signal %d\n", argv[0],
			WTERMSIG(wstatus));
	return 0;
}
