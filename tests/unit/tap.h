/*
 * tap.h -- a minimal TAP producer for the C unit tests.
 *
 * ok(cond, fmt...) prints one test line; done_testing() prints the plan
 * and returns the exit status (non-zero if any test failed).
 */
#ifndef TAP_H
#define TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_fail;

static int __attribute__((format(printf, 2, 3), unused))
ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	if (!cond)
		tap_fail++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	return cond;
}

#define is_str(got, want, ...)						\
	(ok(strcmp((got), (want)) == 0, __VA_ARGS__) ? 1 :		\
	    (printf("#   got:  \"%s\"\n#   want: \"%s\"\n", (got), (want)), 0))
#define is_int(got, want, ...)						\
	(ok((long long)(got) == (long long)(want), __VA_ARGS__) ? 1 :	\
	    (printf("#   got:  %lld\n#   want: %lld\n", (long long)(got),	\
	    (long long)(want)), 0))

static int __attribute__((unused))
done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_fail ? 1 : 0;
}

#endif
