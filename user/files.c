// SPDX-License-Identifier: GPL-2.0
/*
 * Opens and reads the module's files in a directory.  A failure says what is
 * wrong in the terms of the person at the terminal: debugfs not mounted,
 * module not loaded, not root, or a file this reader does not understand
 * (which file, which line).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "cli.h"
#include "files.h"

#define DEBUGFS_MAGIC	0x64626720

/* Why DIR cannot be used, when opening a file in it failed with ENOENT. */
static int diagnose_missing_dir(const char *dir)
{
	char parent[PATH_MAX];
	struct statfs fs;
	struct stat st;

	if (!stat(dir, &st))
		return 0;
	if (errno == EACCES) {
		fprintf(stderr, "hugetrack: %s: permission denied: debugfs is root-only, run as root (sudo hugetrack ...)\n",
			dir);
		return -HT_EXIT_NOT_ROOT;
	}
	snprintf(parent, sizeof(parent), "%s", dir);
	dirname(parent);
	if (!statfs(parent, &fs) && fs.f_type == DEBUGFS_MAGIC) {
		fprintf(stderr, "hugetrack: no %s: the hugetrack module is not loaded: sudo insmod hugetrack.ko, or where it cannot load, --backend bpf\n",
			dir);
		return -HT_EXIT_NO_MODULE;
	}
	if (!strcmp(parent, "/sys/kernel/debug")) {
		fprintf(stderr, "hugetrack: debugfs is not mounted on /sys/kernel/debug: sudo mount -t debugfs none /sys/kernel/debug\n");
		return -HT_EXIT_NO_DEBUGFS;
	}
	fprintf(stderr, "hugetrack: no %s: load the module (sudo insmod hugetrack.ko) or give --debugfs its directory\n",
		dir);
	return -HT_EXIT_NO_MODULE;
}

int ht_open(const char *dir, const char *name, int flags)
{
	char path[PATH_MAX];
	int fd, status;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, flags | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	if (errno == EACCES || errno == EPERM) {
		fprintf(stderr, "hugetrack: %s: permission denied: the files are root-only, run as root (sudo hugetrack ...)\n",
			path);
		return -HT_EXIT_NOT_ROOT;
	}
	if (errno == ENOENT) {
		status = diagnose_missing_dir(dir);
		if (status)
			return status;
		fprintf(stderr, "hugetrack: %s is missing: the module is older or newer than this reader (%s): use the reader built with it\n",
			path, HT_VERSION);
		return -HT_EXIT_FORMAT;
	}
	fprintf(stderr, "hugetrack: cannot open %s: %s\n", path, strerror(errno));
	return -HT_EXIT_IO;
}

int ht_format_error(const char *where, const char *name,
		    const struct ht_parse_error *err)
{
	if (err->line)
		fprintf(stderr, "hugetrack: %s/%s:%u: %s: unexpected format for this reader (%s): use the reader built with the module\n",
			where, name, err->line, err->msg, HT_VERSION);
	else
		fprintf(stderr, "hugetrack: %s/%s: %s: unexpected format for this reader (%s): use the reader built with the module\n",
			where, name, err->msg, HT_VERSION);
	return HT_EXIT_FORMAT;
}

int ht_read_file(const char *dir, const char *name, char **text)
{
	struct ht_parse_error err = { 0 };
	size_t len = 0, cap = 0;
	char *buf = NULL, *bigger;
	ssize_t got;
	int fd, status = 0;

	fd = ht_open(dir, name, O_RDONLY);
	if (fd < 0)
		return -fd;
	for (;;) {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 16384;
			bigger = cap <= HT_TEXT_MAX + 1 ? realloc(buf, cap) : NULL;
			if (!bigger) {
				snprintf(err.msg, sizeof(err.msg), "larger than %u MiB",
					 HT_TEXT_MAX >> 20);
				status = ht_format_error(dir, name, &err);
				goto cleanup;
			}
			buf = bigger;
		}
		got = read(fd, buf + len, cap - len - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			fprintf(stderr, "hugetrack: cannot read %s/%s: %s\n", dir, name,
				strerror(errno));
			status = HT_EXIT_IO;
			goto cleanup;
		}
		if (!got)
			break;
		len += got;
	}
	buf[len] = '\0';
	if (ht_check_text(buf, len, &err)) {
		status = ht_format_error(dir, name, &err);
		goto cleanup;
	}
	*text = buf;
	buf = NULL;
cleanup:
	free(buf);
	close(fd);
	return status;
}
