/* SPDX-License-Identifier: GPL-2.0 */
/* TAP for the reader's host tests: one "ok N - what" line per check. */
#ifndef HT_TEST_TAP_H
#define HT_TEST_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static int tests, failures;

static void check(bool ok, const char *fmt, ...)
{
	va_list ap;

	tests++;
	if (!ok)
		failures++;
	printf("%sok %d - ", ok ? "" : "not ", tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

#endif /* HT_TEST_TAP_H */
