/*
 * cli.h -- what the formix tools share: messages, exit codes, common
 * options and the three output formats (aligned table, TSV, JSON Lines).
 *
 * Diagnostics go to stderr as "prog: file:line: message"; results go to
 * stdout.  Machine output never depends on isatty.
 */
#ifndef CLI_H
#define CLI_H

#include <stdio.h>

#include "formix.h"

/* sysexits(3) values, as documented under EXIT STATUS in every page. */
#define EX_OK_		0
#define EX_NEGATIVE	1
#define EX_USAGE_	64
#define EX_DATAERR_	65
#define EX_NOINPUT_	66
#define EX_UNAVAILABLE_	69
#define EX_SOFTWARE_	70
#define EX_CANTCREAT_	73
#define EX_IOERR_	74
#define EX_TEMPFAIL_	75
#define EX_NOPERM_	77
#define EX_CONFIG_	78

extern const char *cli_prog;

/*
 * Set the program name and register the stdout check at exit; a tool's
 * heap then comes in huge pages (cli.c: heap_huge).  formixd runs for
 * months and reuses its heap: cli_init_daemon leaves it to malloc.
 */
void	 cli_init(const char *prog);
void	 cli_init_daemon(const char *prog);
/* Map a library error code to the exit status. */
int	 cli_exit_code(enum fx_code);
/* Print "prog: <formatted err>" and return its exit status. */
int	 cli_fail(const struct fx_err *);
/* Print "prog: message" to stderr. */
void	 cli_errx(const char *, ...) __attribute__((format(printf, 1, 2)));
/* Usage error: the message, then "try 'prog --help'", exit 64. */
void	 cli_usage(const char *, ...)
	    __attribute__((noreturn, format(printf, 1, 2)));
/*
 * What getopt_long (with a leading ':' in its optstring) refused: an
 * option without its value (c == ':') or an unknown one.  Exits 64.
 */
void	 cli_bad_option(int c, char **argv) __attribute__((noreturn));
/* "prog (formix) X.Y" on stdout, exit 0. */
void	 cli_version(void) __attribute__((noreturn));
/* fx_warn_fn that prints "prog: warning: <formatted err>". */
void	 cli_warn(void *, const struct fx_err *);
/*
 * Open the instance (-D/-c values, may be NULL) and route its warnings to
 * cli_warn.  Returns 0, or prints the error and returns its exit status.
 */
int	 cli_open(struct fx_ctx **, const char *root, const char *conf,
	    int flags);
/*
 * The same, then resolve who is acting (as: the --as value or NULL):
 * every tool does this before anything else.  Returns 0 or the exit
 * status, with the error printed.
 */
int	 cli_open_as(struct fx_ctx **, const char *root, const char *conf,
	    int flags, const char *as);
/* A YYYY-MM-DD date option (a real date), else a usage error. */
void	 cli_check_date(const char *opt, const char *date);
/* Parse a non-negative decimal count ("0".."SIZE_MAX"); 0, or -1 if bad. */
int	 cli_parse_count(const char *, size_t *);

/* Memory for the tools: print "prog: out of memory" and exit 70 on failure. */
void	*cli_xmalloc(size_t);
void	*cli_xrealloc(void *, size_t);
char	*cli_xstrdup(const char *);
/*
 * Keep what len bytes at p hold (a handle and what hangs off it) until
 * the process exits, rather than freeing it just before: git's UNLEAK.
 * Only for a command about to return to main.
 */
void	 cli_keep(const void *p, size_t len);

/*
 * A growable string, for values built from parts (JSON objects and lists
 * given to cli_out_row with CLI_RAW).  Zero-initialise; release frees.
 */
struct cli_str {
	char		*p;
	size_t		 len, cap;
};
void	 cli_str_add(struct cli_str *, const char *, size_t);
void	 cli_str_adds(struct cli_str *, const char *);
/* Append s as a JSON string literal (with quotes); NULL appends null. */
void	 cli_str_json(struct cli_str *, const char *);
void	 cli_str_reset(struct cli_str *);
void	 cli_str_release(struct cli_str *);
/* The NUL-terminated contents ("" when nothing was added). */
const char *cli_str_get(const struct cli_str *);

/* Output. */

enum cli_fmt {
	CLI_TABLE = 0,		/* aligned columns for people */
	CLI_TSV,		/* tab-separated, \t \n \\ escaped */
	CLI_JSON,		/* one JSON object per line */
};

enum cli_col_flags {
	CLI_RIGHT	= 1 << 0,	/* right-align in tables (numbers) */
	CLI_NUM		= 1 << 1,	/* JSON: a number, not a string */
	CLI_RAW		= 1 << 2,	/* JSON: the value is JSON already */
};

struct cli_col {
	const char	*name;		/* stable field name */
	int		 flags;
};

struct cli_out;

/*
 * Start output of rows with the given columns to fp (cols borrowed: they
 * must outlive the cli_out).  TSV and JSON rows are written as they come;
 * a table is kept until cli_out_end, which aligns it (display width, so
 * Cyrillic lines up) and prints nothing at all when there were no rows.
 */
struct cli_out *cli_out_new(FILE *, enum cli_fmt, int header,
	    const struct cli_col *, size_t ncols);
/* Add one row: ncols strings (NULL prints empty / JSON null). */
void	 cli_out_row(struct cli_out *, const char *const *);
/* Flush (tables are aligned here) and free.  Returns 0, -1 on I/O error. */
int	 cli_out_end(struct cli_out *);

/*
 * Write s as a JSON string literal (with quotes): control characters as
 * \u00XX (\n \r \t short), invalid UTF-8 bytes as U+FFFD.
 */
void	 cli_json_str(FILE *, const char *);
/* Write s as a TSV field (\t, \n, \r, \\ escaped). */
void	 cli_tsv_str(FILE *, const char *);

#endif /* CLI_H */
