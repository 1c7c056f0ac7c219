/*
 * log.h -- formixd's log (OpenSMTPD's log.c shape): stderr with -d,
 * syslog otherwise.
 */
#ifndef FORMIXD_LOG_H
#define FORMIXD_LOG_H

#include <stdarg.h>

/* n_debug: log to stderr, not syslog.  facility: LOG_DAEMON. */
void	 log_init(int n_debug, int facility);
/* Whether log_debug lines are written (-v). */
void	 log_verbose(int);
/* The message, then ": strerror(errno)". */
void	 log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
/* An alert: staff must act (LOG_ALERT). */
void	 log_alert(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
/* Log "fatal: msg[: strerror]" and exit 70 (EX_SOFTWARE). */
void	 fatal(const char *, ...)
	    __attribute__((noreturn, format(printf, 1, 2)));
void	 fatalx(const char *, ...)
	    __attribute__((noreturn, format(printf, 1, 2)));

#endif /* FORMIXD_LOG_H */
