/*
 * fx-xlsx.h -- writing an XLSX workbook safely (xlsx.c) with libxlsxwriter,
 * for the workbooks plain tables cannot be: order documents (orderdoc.c)
 * and receivables with their chart (arxlsx.c); tables are xlsxw.c's.
 * Internal, as fx-int.h; apart from it so that only those modules see
 * libxlsxwriter.
 *
 * libxlsxwriter has been seen to report success for a workbook truncated
 * because its temporary directory was full (RELIABILITY.md), so success
 * from workbook_close proves nothing.  fx_xlsx_open creates the workbook
 * under a hidden temporary name beside the target (".NAME.tmp.XXXXXX",
 * mode 0640, so that neither the spool nor a dealer's SFTP client takes
 * it); fx_xlsx_finish closes it, reads it back -- the ZIP directory,
 * every member's CRC, and the rows of each sheet counted against the
 * rows the caller wrote -- fsyncs it, renames it into place and fsyncs
 * the directory.  On any failure the temporary file is removed and the
 * target is untouched.
 *
 * Rows: a sheet's row is counted when the file has a <row> element for
 * it, which libxlsxwriter writes for a row that has a cell or a format of
 * its own (worksheet_set_row): the caller counts the same.
 *
 * XXX libxlsxwriter opens the temporary file again by name after mkstemp
 * created it; the directory must not be writable by others.
 */
#ifndef FX_XLSX_H
#define FX_XLSX_H

#include <xlsxwriter.h>

#include "fx-int.h"

struct fx_xlsx {
	lxw_workbook	*wb;		/* NULL once closed */
	const char	*path;		/* the target, borrowed */
	char		*dir;		/* its directory */
	char		*tmp;		/* the temporary file, or NULL */
	lxw_error	 e;		/* the first write error, for FX_XW */
};

/* Record the first libxlsxwriter error of a write call. */
#define FX_XW(x, call)	do { lxw_error e_ = (call); \
	if (e_ != LXW_NO_ERROR && (x)->e == LXW_NO_ERROR) (x)->e = e_; \
	} while (0)

/*
 * Create the workbook (constant_memory: libxlsxwriter's row-at-a-time
 * mode, rows strictly in order).  libxlsxwriter's own working files go to
 * ctx's spool.scratch, else beside the target.
 */
int	 fx_xlsx_open(struct fx_xlsx *, struct fx_ctx *, const char *path,
	    int constant_memory, struct fx_err *);
/*
 * Close, verify that sheet i (1-based in the file, in order of creation)
 * holds rows[i - 1] rows for each of nsheets, and move into place.  The
 * struct is released whatever happens.
 */
int	 fx_xlsx_finish(struct fx_xlsx *, const uint64_t *rows, size_t nsheets,
	    struct fx_err *);
/* Give up: close the workbook and remove the temporary file. */
void	 fx_xlsx_abort(struct fx_xlsx *);

#endif /* FX_XLSX_H */
