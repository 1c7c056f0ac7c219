/*
 * log.c -- formixd's log, after OpenSMTPD's log.c.
 *
 * With -d every line goes to stderr (systemd's journal takes it from
 * there under "formixd -d"); otherwise to syslog, LOG_DAEMON, tagged
 * with the pid.  Before the daemon has started (options, configuration,
 * lock) main logs to stderr whatever -d says, so that a failing start is
 * seen by whoever started it, as OpenSMTPD does.
 *
 * One line per event.  Lines come from formixd itself or, already
 * formatted, from the queue (lib/queue.c), which quotes every untrusted
 * value: nothing here has to.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static int	 debug = 1;
static int	 verbose;
static int	 opened;

static void	 vlog(int, const char *, va_list);

void
log_init(int n_debug, int facility)
{
	debug = n_debug;
	if (!debug && !opened) {
		openlog("formixd", LOG_PID | LOG_NDELAY, facility);
		opened = 1;
	}
	tzset();
}

void
log_verbose(int v)
{
	verbose = v;
}

static void
vlog(int pri, const char *fmt, va_list ap)
{
	if (debug) {
		/* One line whole, whichever thread (the SFTP one) logs. */
		flockfile(stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		fflush(stderr);
		funlockfile(stderr);
	} else
		vsyslog(pri, fmt, ap);
}

static void
logit(int pri, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(pri, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *emsg, ...)
{
	char msg[2048];
	int saved = errno;
	va_list ap;

	va_start(ap, emsg);
	vsnprintf(msg, sizeof(msg), emsg, ap);
	va_end(ap);
	logit(LOG_ERR, "%s: %s", msg, strerror(saved));
	errno = saved;
}

void
log_warnx(const char *emsg, ...)
{
	va_list ap;

	va_start(ap, emsg);
	vlog(LOG_ERR, emsg, ap);
	va_end(ap);
}

void
log_alert(const char *emsg, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, emsg);
	vsnprintf(msg, sizeof(msg), emsg, ap);
	va_end(ap);
	logit(LOG_ALERT, "alert: %s", msg);
}

void
log_info(const char *emsg, ...)
{
	va_list ap;

	va_start(ap, emsg);
	vlog(LOG_INFO, emsg, ap);
	va_end(ap);
}

void
log_debug(const char *emsg, ...)
{
	va_list ap;

	if (!verbose)
		return;
	va_start(ap, emsg);
	vlog(LOG_DEBUG, emsg, ap);
	va_end(ap);
}

static void __attribute__((noreturn))
vfatalc(int code, const char *emsg, va_list ap)
{
	char msg[2048];

	vsnprintf(msg, sizeof(msg), emsg, ap);
	if (code != 0)
		logit(LOG_CRIT, "fatal: %s: %s", msg, strerror(code));
	else
		logit(LOG_CRIT, "fatal: %s", msg);
	exit(70);
}

void
fatal(const char *emsg, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, emsg);
	vfatalc(saved, emsg, ap);
}

void
fatalx(const char *emsg, ...)
{
	va_list ap;

	va_start(ap, emsg);
	vfatalc(0, emsg, ap);
}
