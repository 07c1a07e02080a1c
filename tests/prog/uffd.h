/* SPDX-License-Identifier: GPL-2.0 */
/* userfaultfd for the test programs: one descriptor, one registered range. */
#ifndef HT_TEST_UFFD_H
#define HT_TEST_UFFD_H

#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static void uffd_die(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, what, strerror(errno));
	exit(2);
}

/* A non-blocking userfaultfd with [p, p + len) registered in @mode. */
static int uffd_register(void *p, unsigned long len, __u64 mode, __u64 features)
{
	struct uffdio_api api = { .api = UFFD_API, .features = features };
	struct uffdio_register reg = {
		.range = { .start = (unsigned long)p, .len = len },
		.mode = mode,
	};
	int uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);

	if (uffd < 0)
		uffd_die("userfaultfd (CONFIG_USERFAULTFD, root?)");
	if (ioctl(uffd, UFFDIO_API, &api))
		uffd_die("UFFDIO_API");
	if (ioctl(uffd, UFFDIO_REGISTER, &reg))
		uffd_die("UFFDIO_REGISTER");
	return uffd;
}

#endif /* HT_TEST_UFFD_H */
