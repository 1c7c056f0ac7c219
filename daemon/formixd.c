/*
 * formixd -- the Formix file-exchange daemon: applies the files 1C drops
 * into spool/1c/in, exactly once, and acknowledges each in spool/1c/out;
 * dealers' order files in spool/dealers/DEALER/in likewise, answered in
 * their out/.
 *
 * Thin by design: the spool protocol, the queue states, what is taken
 * and when, how a package is applied and where it goes after are
 * libformix's (lib/queue.c, formix-spool(7)).  This file only parses
 * options, holds the instance lock, turns signals and inotify events
 * into calls, and logs.
 *
 *	formixd [-dnv] [--once] [-D dir] [-c file]
 *
 * It never forks into the background: daemonising is systemd's job
 * (conf/formixd.service), or the supervisor's; formixd --once from cron
 * needs none.  Signals (blocked, read from a signalfd between packages,
 * so a package in hand is always finished):
 *
 *	SIGTERM, SIGINT	finish the package in hand, stop
 *	SIGHUP		read the configuration again; keep the old if the
 *			new one is not valid; scan the spool
 *	SIGUSR1		retry every deferred package now
 *
 * SFTP (sftp.pull, sftp.push): a thread of its own runs libformix's SFTP
 * client (lib/sftp.c), so that a long transfer never holds the queue up;
 * files it pulls are renamed into 1c/in, which the queue sees as any
 * drop.  SIGTERM aborts a transfer in hand (nothing is lost), SIGUSR1
 * retries the remotes at once too.  --once pulls first and pushes last.
 *
 * One formixd per instance: an flock(2) on INSTANCE/formixd.lock, held
 * for the life of the process (and released by the kernel however it
 * ends, so a kill -9 leaves no stale lock to clean up).
 */
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "formix.h"
#include "log.h"
#include "watch.h"

struct opts {
	int		 debug;		/* -d: stderr, not syslog */
	int		 check;		/* -n */
	int		 once;		/* --once */
	int		 verbose;	/* -v */
	const char	*root;		/* -D */
	const char	*conf;		/* -c */
};

enum { O_ONCE = 256 };

static void __attribute__((noreturn))
usage(void)
{
	printf(
"Usage: %s [options]\n"
"\n"
"The Formix file-exchange daemon: applies the files 1C drops into\n"
"spool/1c/in exactly once and acknowledges each in spool/1c/out;\n"
"checks and places the orders dealers drop into spool/dealers/*/in.\n"
"\n"
"Options:\n"
"  -D, --root DIR     instance directory (default: $FORMIX_ROOT, else\n"
"                     %s)\n"
"  -c, --config FILE  configuration file (default: $FORMIX_CONF, else\n"
"                     DIR/formix.yaml)\n"
"  -d, --debug        stay attached and log to stderr, not syslog\n"
"  -n, --check        check the configuration and the store, then exit\n"
"      --once         process what is there, then exit (for cron)\n"
"  -v, --verbose      log debug lines too\n"
"  -h, --help         display this help and exit\n"
"  -V, --version      display version and exit\n",
	    cli_prog, FX_ROOTDIR);
	exit(0);
}

static void
qlog(void *arg, enum fx_qlog lvl, const char *line)
{
	(void)arg;
	switch (lvl) {
	case FX_QLOG_DEBUG:
		log_debug("%s", line);
		break;
	case FX_QLOG_INFO:
		log_info("%s", line);
		break;
	case FX_QLOG_WARN:
		log_warnx("%s", line);
		break;
	case FX_QLOG_ALERT:
		log_alert("%s", line);
		break;
	}
}

/*
 * The SFTP thread: runs the remotes when due, sleeps on a condition
 * variable in between; stop and flush come from the main thread.
 */
struct sftpd {
	struct fx_sftp	*s;
	pthread_t	 th;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	volatile int	 stop;		/* also read by transfers */
	int		 flush;
	int		 running;
};

static void *
sftp_main(void *arg)
{
	struct sftpd *d = arg;
	struct timespec ts;
	long w;
	int flags;

	pthread_mutex_lock(&d->mu);
	while (!d->stop) {
		flags = d->flush ? FX_SFTP_FORCE : 0;
		d->flush = 0;
		pthread_mutex_unlock(&d->mu);
		(void)fx_sftp_run(d->s, flags, &d->stop);
		pthread_mutex_lock(&d->mu);
		if (d->stop || d->flush)
			continue;
		w = fx_sftp_wait(d->s);
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += w / 1000;
		ts.tv_nsec += (w % 1000) * 1000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		(void)pthread_cond_timedwait(&d->cv, &d->mu, &ts);
	}
	pthread_mutex_unlock(&d->mu);
	return NULL;
}

static int
sftp_start(struct sftpd *d)
{
	pthread_condattr_t ca;

	d->stop = d->flush = d->running = 0;
	if (d->s == NULL)
		return 0;
	pthread_mutex_init(&d->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&d->cv, &ca);
	pthread_condattr_destroy(&ca);
	if ((errno = pthread_create(&d->th, NULL, sftp_main, d)) != 0) {
		log_warn("sftp: thread");
		return -1;
	}
	d->running = 1;
	return 0;
}

static void
sftp_poke(struct sftpd *d, int stop)
{
	if (!d->running)
		return;
	pthread_mutex_lock(&d->mu);
	if (stop)
		d->stop = 1;
	else
		d->flush = 1;
	pthread_cond_signal(&d->cv);
	pthread_mutex_unlock(&d->mu);
	if (stop) {
		pthread_join(d->th, NULL);
		pthread_cond_destroy(&d->cv);
		pthread_mutex_destroy(&d->mu);
		d->running = 0;
	}
}

/* Log a library error; its exit status. */
static int
fail(const struct fx_err *err)
{
	char buf[1024];

	fx_err_format(err, buf, sizeof(buf));
	log_warnx("%s", buf);
	return cli_exit_code(err->code);
}

/* -n: the configuration parses and the store opens. */
static int
check(const struct opts *o)
{
	struct fx_ctx *ctx;
	struct fx_err err;

	fx_err_clear(&err);
	if (fx_ctx_open(&ctx, o->root, o->conf, FX_OPEN_RDONLY, &err) == -1)
		return fail(&err);
	if (fx_sftp_check(ctx, &err) == -1) {
		fx_ctx_free(ctx);
		return fail(&err);
	}
	fx_ctx_free(ctx);
	log_info("configuration OK");
	return 0;
}

/*
 * The single-instance lock.  flock, not a pid file: the kernel releases
 * it when the process ends, however it ends.  The pid written into the
 * file is only for the message of a second formixd.
 */
static int
lock_instance(const struct fx_conf *conf, int *fdp)
{
	char path[4096], buf[32];
	ssize_t n;
	int fd;

	*fdp = -1;
	if (snprintf(path, sizeof(path), "%s/formixd.lock", conf->root) >=
	    (int)sizeof(path)) {
		log_warnx("%s: instance path too long", conf->root);
		return EX_CANTCREAT_;
	}
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0640);
	if (fd == -1) {
		log_warn("lock %s", path);
		return EX_CANTCREAT_;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno != EWOULDBLOCK) {
			log_warn("lock %s", path);
			close(fd);
			return EX_CANTCREAT_;
		}
		n = pread(fd, buf, sizeof(buf) - 1, 0);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		log_warnx("another formixd is running on %s%s%s: try again "
		    "later", conf->root, buf[0] ? ", pid " : "", buf);
		close(fd);
		return EX_TEMPFAIL_;
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == -1 || pwrite(fd, buf, (size_t)n, 0) != n)
		log_warn("lock %s: writing the pid", path);
	*fdp = fd;
	return 0;
}

/* What the signals asked for. */
struct sigs {
	int		 stop;
	int		 reload;
	int		 flush;
};

static void
read_signals(int sfd, struct sigs *s)
{
	struct signalfd_siginfo si;

	while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			if (!s->stop)
				log_info("signal %s: finishing the package in "
				    "hand, then stopping",
				    si.ssi_signo == SIGTERM ? "TERM" : "INT");
			s->stop = 1;
			break;
		case SIGHUP:
			s->reload = 1;
			break;
		case SIGUSR1:
			s->flush = 1;
			break;
		}
	}
}

static int
reload(struct fx_ctx *ctx)
{
	struct fx_err err;
	char buf[1024];

	fx_err_clear(&err);
	if (fx_ctx_reload(ctx, &err) == -1) {
		fx_err_format(&err, buf, sizeof(buf));
		log_warnx("reload: %s: keeping the configuration in force",
		    buf);
		return -1;
	}
	log_info("reload: configuration read again");
	return 0;
}

/*
 * The SFTP client again from the new configuration: its thread stopped
 * first (a transfer in hand is cut, and done again), so that the new
 * one's start never meets the old one's files.  A bad sftp.* keeps the
 * old remotes.
 */
static void
reload_sftp(struct fx_ctx *ctx, struct sftpd *d)
{
	struct fx_sftp *n;
	struct fx_err err;
	char buf[1024];

	sftp_poke(d, 1);
	fx_err_clear(&err);
	if (fx_sftp_open(&n, ctx, qlog, NULL, &err) == -1) {
		fx_err_format(&err, buf, sizeof(buf));
		log_warnx("reload: %s: keeping the SFTP remotes in force", buf);
	} else {
		fx_sftp_free(d->s);
		d->s = n;
	}
	if (sftp_start(d) == -1)
		fatal("sftp: cannot start");
}

static void
stats_line(struct fx_queue *q, const char *what)
{
	struct fx_queue_stats st;

	fx_queue_stats(q, &st);
	log_info("%s: taken %llu, applied %llu, already applied %llu, "
	    "corrupt %llu, deferred %llu; waiting: %llu incoming, %llu "
	    "deferred", what, (unsigned long long)st.taken,
	    (unsigned long long)st.applied, (unsigned long long)st.already,
	    (unsigned long long)st.corrupt, (unsigned long long)st.deferred,
	    (unsigned long long)st.queued, (unsigned long long)st.waiting);
}

/*
 * --once: what is there, then exit; 75 if some of it must wait (deferred
 * packages, or files left in in/ for lack of space).
 */
static int
run_once(struct fx_queue *q, struct fx_sftp *sftp, int sfd)
{
	struct fx_queue_stats st;
	struct fx_err err;
	struct sigs s = { 0, 0, 0 };
	struct pollfd pfd;
	long w;
	int sftp_failed = 0;

	fx_err_clear(&err);
	/* 1C's remote files first, so that this run applies them. */
	if (sftp != NULL)
		sftp_failed += fx_sftp_run(sftp, FX_SFTP_FORCE | FX_SFTP_NOPUSH,
		    NULL);
	if (fx_queue_intake(q, 1, &err) == -1)
		return fail(&err);
	for (;;) {
		while (!s.stop && fx_queue_run(q, &err) != 0)
			read_signals(sfd, &s);
		if (s.stop)
			break;
		/* Files settling and packages still open come soon; deferred
		 * retries and files that look cut short are not waited for. */
		if ((w = fx_queue_wait(q, 1)) < 0)
			break;
		if (w > 0) {
			pfd.fd = sfd;
			pfd.events = POLLIN;
			(void)poll(&pfd, 1, w > INT32_MAX ? INT32_MAX : (int)w);
			read_signals(sfd, &s);
			if (s.stop)
				break;
		}
		(void)fx_queue_intake(q, 0, &err);
	}
	/* The outbox: what is due now, once (retries are not waited for). */
	if (!s.stop)
		(void)fx_queue_deliver(q);
	/* And what this run answered, notices included, goes out with it. */
	if (sftp != NULL && !s.stop)
		sftp_failed += fx_sftp_run(sftp, FX_SFTP_FORCE | FX_SFTP_NOPULL,
		    NULL);
	stats_line(q, "once");
	fx_queue_stats(q, &st);
	return st.waiting > 0 || st.intake_stopped || sftp_failed > 0 ?
	    EX_TEMPFAIL_ : 0;
}

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
run(struct fx_ctx *ctx, struct fx_queue *q, struct fx_sftp **sftpp, int sfd)
{
	struct sftpd sd;
	struct watch w;
	struct fx_err err;
	struct sigs s = { 0, 0, 0 };
	struct pollfd pfd[2];
	int64_t next_scan = 0, now;
	long t, dw;
	int full = 1, n, r;

	/* Watches first, then the scan: nothing falls in between. */
	if (watch_init(&w, q) == -1) {
		log_warn("inotify: unavailable; scanning every second "
		    "instead");
		w.fd = -1;
		w.wd = NULL;
	}
	fx_err_clear(&err);
	sd.s = *sftpp;
	if (sftp_start(&sd) == -1)
		fatal("sftp: cannot start");
	for (;;) {
		now = mono_ms();
		if (full || now >= next_scan) {
			if (fx_queue_intake(q, 1, &err) == -1)
				(void)fail(&err);
			next_scan = now + (w.fd == -1 ? 1000 :
			    (int64_t)fx_ctx_conf(ctx)->spool_scan_interval *
			    1000);
			full = 0;
			if (w.fd != -1 && fx_queue_nchan(q) > w.n) {
				/* New dealer folders: watched, then read
				 * again for what came in between. */
				watch_read(&w, &full);
				(void)fx_queue_intake(q, 1, &err);
				full = 0;
			}
		} else
			(void)fx_queue_intake(q, 0, &err);

		/* One package at a time; between two, the signals (a stop
		 * waits for nothing more) and the files just dropped. */
		while (!s.stop) {
			r = fx_queue_run(q, &err);
			if (r == 0)
				break;
			read_signals(sfd, &s);
			watch_read(&w, &full);
			(void)fx_queue_intake(q, 0, &err);
			if (r == -1)
				break;	/* the spool failed: logged; later */
		}
		if (s.stop)
			break;
		/* The outbox, after the packages whose notices it holds. */
		dw = fx_queue_deliver(q);

		t = fx_queue_wait(q, 0);
		if (dw >= 0 && (t < 0 || dw < t))
			t = dw;
		now = mono_ms();
		if (t < 0 || t > next_scan - now)
			t = next_scan - now > 0 ? (long)(next_scan - now) : 0;
		pfd[0].fd = sfd;
		pfd[0].events = POLLIN;
		pfd[1].fd = w.fd;
		pfd[1].events = POLLIN;
		n = poll(pfd, w.fd == -1 ? 1 : 2, t > INT32_MAX ? INT32_MAX :
		    (int)t);
		if (n == -1 && errno != EINTR)
			fatal("poll");
		read_signals(sfd, &s);
		if (s.stop)
			break;
		if (s.reload) {
			s.reload = 0;
			if (reload(ctx) == 0)
				reload_sftp(ctx, &sd);
			full = 1;
		}
		if (s.flush) {
			s.flush = 0;
			log_info("signal USR1: retrying deferred packages now");
			fx_queue_flush(q);
			sftp_poke(&sd, 0);
		}
		watch_read(&w, &full);
	}
	sftp_poke(&sd, 1);
	*sftpp = sd.s;	/* a reload may have made a new one */
	stats_line(q, "stopped");
	watch_release(&w);
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "root",	required_argument,	NULL, 'D' },
		{ "config",	required_argument,	NULL, 'c' },
		{ "debug",	no_argument,		NULL, 'd' },
		{ "check",	no_argument,		NULL, 'n' },
		{ "once",	no_argument,		NULL, O_ONCE },
		{ "verbose",	no_argument,		NULL, 'v' },
		{ "help",	no_argument,		NULL, 'h' },
		{ "version",	no_argument,		NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct opts o;
	struct fx_ctx *ctx = NULL;
	struct fx_queue *q = NULL;
	struct fx_sftp *sftp = NULL;
	struct fx_err err;
	sigset_t set;
	int c, rc, sfd = -1, lockfd = -1;

	memset(&o, 0, sizeof(o));
	cli_init_daemon("formixd");
	while ((c = getopt_long(argc, argv, "D:c:dnvhV", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'D':
			o.root = optarg;
			break;
		case 'c':
			o.conf = optarg;
			break;
		case 'd':
			o.debug = 1;
			break;
		case 'n':
			o.check = 1;
			break;
		case O_ONCE:
			o.once = 1;
			break;
		case 'v':
			o.verbose = 1;
			break;
		case 'h':
			usage();
		case 'V':
			cli_version();
		default:
			fprintf(stderr, "try '%s --help'\n", cli_prog);
			return EX_USAGE_;
		}
	}
	if (optind < argc)
		cli_usage("unexpected argument \"%s\"", argv[optind]);

	/* Until the start is done, to stderr, whatever -d says. */
	log_init(1, LOG_DAEMON);
	log_verbose(o.verbose);
	if (o.check)
		return check(&o);

	/* Signals are read between packages, never in the middle of one;
	 * blocked before the library starts any thread. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		fatal("sigprocmask");
	signal(SIGPIPE, SIG_IGN);
	if ((sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		fatal("signalfd");

	fx_err_clear(&err);
	if (fx_ctx_open(&ctx, o.root, o.conf, 0, &err) == -1) {
		rc = fail(&err);
		goto out;
	}
	if ((rc = lock_instance(fx_ctx_conf(ctx), &lockfd)) != 0)
		goto out;
	if (fx_queue_open(&q, ctx, qlog, NULL, &err) == -1 ||
	    fx_queue_recover(q, &err) == -1 ||
	    fx_sftp_open(&sftp, ctx, qlog, NULL, &err) == -1) {
		rc = fail(&err);
		goto out;
	}
	if (!o.debug)
		log_init(0, LOG_DAEMON);
	log_info("started on %s%s", fx_ctx_conf(ctx)->root,
	    o.once ? " (once)" : "");
	rc = o.once ? run_once(q, sftp, sfd) : run(ctx, q, &sftp, sfd);
out:
	fx_sftp_free(sftp);
	fx_queue_free(q);
	fx_ctx_free(ctx);
	if (lockfd != -1)
		close(lockfd);
	if (sfd != -1)
		close(sfd);
	return rc;
}
