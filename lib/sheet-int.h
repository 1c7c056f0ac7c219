/*
 * sheet-int.h -- what the spreadsheet readers share; sheet*.c only.
 *
 * Each reader (sheet_csv.c, sheet_xlsx.c, sheet_xls.c) turns the bytes of
 * one format into rows of cells and hands them to the row sink in
 * sheet.c, which owns everything the formats have in common: finding the
 * header, choosing the two columns, skipping blank rows, the row limit,
 * and building the result.  A reader calls
 *
 *	fx_srd_row(r, row)	a row starts (1-based number in the sheet)
 *	fx_srd_cell(r, col, s, len, flags)	once per cell, any order
 *	fx_srd_end(r)		the row ends
 *
 * and stops at the first -1, which means err is filled in.  Cells are
 * text: a reader formats numbers with fx_srd_num first.
 */
#ifndef FX_SHEET_INT_H
#define FX_SHEET_INT_H

#include <stdarg.h>

#include "fx-int.h"

#define SHEET_MAX_CELL	65536		/* bytes of text in one cell */
#define SHEET_MAX_COL	16384		/* Excel's last column, XFD */
#define SHEET_MAX_ROW	1048576		/* Excel's last row */
#define SHEET_NUMBUF	400		/* fx_srd_num's buffer: 1e308 */

/* Cell flags. */
enum {
	SRD_NUM		= 1 << 0,	/* a number cell, formatted */
	SRD_NOVALUE	= 1 << 1,	/* a formula without a saved value */
};

struct srd_cell {
	long		 col;
	size_t		 off, len;	/* in the sink's cbuf */
	unsigned	 flags;
};

/* A data row as kept: at most two cells. */
struct srd_row {
	long		 row;
	long		 col[2];	/* 0: no cell */
	size_t		 off[2], len[2];	/* in the arena */
	unsigned	 flags[2];
};

/* Rows seen before the layout is known: a title may sit above a header. */
#define SRD_PREAMBLE	10
struct srd_pend {
	long		 row;
	size_t		 first, n;	/* in pcells */
};

enum srd_layout {
	SRD_UNKNOWN = 0,	/* no header among the rows so far */
	SRD_HEADER,		/* columns named by a header row */
	SRD_FIRST2,		/* the first two non-empty columns */
};

struct fx_srd {
	/* Set up by fx_sheet_read. */
	const char	*name;		/* the file in messages */
	const char	*path;
	const char	*want;		/* sheet asked for, or NULL */
	size_t		 max_rows;
	int		 xls_cpu;	/* seconds */
	uint64_t	 xls_mem;	/* bytes */
	struct fx_err	*err;
	struct fx_sheet	*out;		/* readers set format, sheet, ... */
	int		 codes;		/* a codes sheet: code, article */

	/* The row being read. */
	long		 row;
	int		 in_row;
	struct srd_cell	*cells;
	size_t		 ncells, cellcap;
	struct fx_buf	 cbuf;

	enum srd_layout	 layout;
	long		 acol, qcol;	/* SRD_HEADER */
	struct srd_pend	 pend[SRD_PREAMBLE];	/* SRD_UNKNOWN */
	size_t		 npend;
	struct srd_cell	*pcells;
	size_t		 npcells, pcellcap;
	struct fx_buf	 pbuf;

	/* The data rows kept, their strings in arena. */
	struct srd_row	*rows;
	size_t		 nrows, rowcap;
	struct fx_buf	 arena;
};

int	 fx_srd_row(struct fx_srd *, long);
int	 fx_srd_cell(struct fx_srd *, long, const char *, size_t, unsigned);
int	 fx_srd_end(struct fx_srd *);
/* Fail with the file's name and a row (0: none); returns -1. */
int	 fx_srd_err(struct fx_srd *, long, enum fx_code, const char *, ...)
	    __attribute__((format(printf, 4, 5)));
/* The column letters of col ("A", "XFD") into buf (at least 8 bytes). */
char	*fx_srd_colname(char *, size_t, long);
/*
 * Format a number as the dealer sees it: integers exactly, others as the
 * shortest decimal that reads back as the same double, never with an
 * exponent.  -1 for NaN and infinities.  buf holds SHEET_NUMBUF bytes.
 * The caller runs in the C locale (fx_sheet_read sees to it).
 */
int	 fx_srd_num(char *, size_t, double);
/* An integer in decimal into buf (at least 21 bytes). */
char	*fx_srd_itoa(char *, int64_t);
/* "5.2 GB", "200 MB", "12 KB": sizes in messages, powers of 1000. */
char	*fx_srd_size(char *, size_t, uint64_t);

/* The readers: buf/len is the whole file, read once by fx_sheet_read. */
int	 fx_srd_csv(struct fx_srd *, const char *, size_t);
int	 fx_srd_xlsx(struct fx_srd *, const char *, size_t);
int	 fx_srd_xls(struct fx_srd *, const char *, size_t);

#endif /* FX_SHEET_INT_H */
