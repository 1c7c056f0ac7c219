/*
 * err.c -- error records.
 *
 * Every library call reports failure through a caller-owned struct fx_err:
 * a code the tools map to an exit status, the input position, and a fixed
 * message buffer so that the error path never allocates.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fx-int.h"

void
fx_err_clear(struct fx_err *e)
{
	if (e == NULL)
		return;
	memset(e, 0, sizeof(*e));
}

static void
vset(struct fx_err *e, enum fx_code code, const char *fmt, va_list ap)
{
	e->code = code;
	e->sys_errno = 0;
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
}

int
fx_err_set(struct fx_err *e, enum fx_code code, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return -1;
	va_start(ap, fmt);
	vset(e, code, fmt, ap);
	va_end(ap);
	e->file[0] = '\0';
	e->line = e->col = 0;
	return -1;
}

int
fx_err_setloc(struct fx_err *e, enum fx_code code, const char *file,
    long line, long col, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return -1;
	va_start(ap, fmt);
	vset(e, code, fmt, ap);
	va_end(ap);
	fx_strlcpy(e->file, file ? file : "", sizeof(e->file));
	e->line = line;
	e->col = col;
	return -1;
}

int
fx_err_sys(struct fx_err *e, enum fx_code code, const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	if (e == NULL)
		return -1;
	va_start(ap, fmt);
	vset(e, code, fmt, ap);
	va_end(ap);
	e->sys_errno = saved;
	e->file[0] = '\0';
	e->line = e->col = 0;
	errno = saved;
	return -1;
}

void
fx_err_format(const struct fx_err *e, char *buf, size_t sz)
{
	size_t n = 0;
	int r;

	if (sz == 0)
		return;
	buf[0] = '\0';
	if (e->file[0] != '\0') {
		if (e->line > 0 && e->col > 0)
			r = snprintf(buf, sz, "%s:%ld:%ld: ", e->file, e->line,
			    e->col);
		else if (e->line > 0)
			r = snprintf(buf, sz, "%s:%ld: ", e->file, e->line);
		else
			r = snprintf(buf, sz, "%s: ", e->file);
		if (r < 0 || (size_t)r >= sz)
			return;
		n = (size_t)r;
	}
	if (e->sys_errno != 0)
		snprintf(buf + n, sz - n, "%s: %s", e->msg,
		    strerror(e->sys_errno));
	else
		snprintf(buf + n, sz - n, "%s", e->msg);
}

/*
 * Quote an untrusted value, vis-style: printable UTF-8 passes, control
 * bytes, quotes and backslashes are escaped, so that a hostile name can
 * neither forge a second message line nor hide its end.
 */
char *
fx_quote(char *buf, size_t sz, const char *s)
{
	size_t o = 0;
	const unsigned char *p;
	char tmp[8];
	size_t tl;

	if (sz < 8) {
		if (sz > 0)
			buf[0] = '\0';
		return buf;
	}
	for (p = (const unsigned char *)(s ? s : ""); *p != '\0'; p++) {
		if (*p == '"' || *p == '\\') {
			tmp[0] = '\\';
			tmp[1] = (char)*p;
			tl = 2;
		} else if (*p < 0x20 || *p == 0x7f) {
			switch (*p) {
			case '\n': memcpy(tmp, "\\n", 2); tl = 2; break;
			case '\t': memcpy(tmp, "\\t", 2); tl = 2; break;
			case '\r': memcpy(tmp, "\\r", 2); tl = 2; break;
			default:
				snprintf(tmp, sizeof(tmp), "\\x%02x", *p);
				tl = 4;
			}
		} else {
			tmp[0] = (char)*p;
			tl = 1;
		}
		if (o + tl + 4 >= sz) {
			/*
			 * Cut at a character boundary: if *p continues a
			 * character, drop that character's bytes already out.
			 */
			if ((*p & 0xc0) == 0x80) {
				while (o > 0 &&
				    ((unsigned char)buf[o - 1] & 0xc0) == 0x80)
					o--;
				if (o > 0)
					o--;
			}
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		memcpy(buf + o, tmp, tl);
		o += tl;
	}
	buf[o] = '\0';
	return buf;
}

void
fx_bug(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "formix: BUG at %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}
