/*
 * lazy.c -- the heavy libraries, loaded when first needed.
 *
 * libxml2 (which brings ICU and libstdc++), libxlsxwriter (which brings
 * libcrypto), libcrypto and freexl take 3 ms to map and relocate at
 * every start of a process here (3.5 with libzip, no longer used):
 * more than a whole formix-stock lookup, and most runs need none of
 * them (a CSV order check, a stock query, a receivables report).  So
 * the programs are not linked against them.  This module defines the functions of theirs
 * that libformix calls, each a trampoline that jumps through a table
 * the first call fills: dlopen of the library by the SONAME configure
 * found (so the version compiled against), then dlsym of every function
 * the table lists.  The prototypes are the libraries' own headers', so a
 * trampoline that does not match its function does not compile.
 *
 * Entry points that can report an error call fx_lazy_load first, so a
 * library that is missing or broken is an ordinary error there: "cannot
 * load libxml2.so.2 (needed to read XLSX and XML files): ...".  A
 * trampoline reached without that loads its library itself and, if it
 * cannot, stops the process with the message, as the dynamic linker
 * would have at start.
 *
 * The table is process state, set once and never changed after, like
 * the dynamic linker's own: the one exception to the rule that the
 * library keeps none.  Loading is serialised by a mutex; a forked child
 * (freexl's sandbox) finds its library loaded by the parent.
 */
#include "config.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <openssl/evp.h>
#include <freexl.h>
#include <xlsxwriter.h>

#include "fx-int.h"

/*
 * Each library's functions: F for those returning a value, V for void
 * ones: (return type, name, parameters, arguments).
 */
#define XML_FUNCS(F, V)							\
	F(long, xmlByteConsumed, (xmlParserCtxtPtr c), (c))		\
	F(xmlParserCtxtPtr, xmlCreateIOParserCtxt, (xmlSAXHandlerPtr s,	\
	    void *u, xmlInputReadCallback r, xmlInputCloseCallback c,	\
	    void *a, xmlCharEncoding e), (s, u, r, c, a, e))		\
	F(int, xmlCtxtUseOptions, (xmlParserCtxtPtr c, int o), (c, o))	\
	V(xmlFreeDoc, (xmlDocPtr d), (d))				\
	V(xmlFreeParserCtxt, (xmlParserCtxtPtr c), (c))			\
	F(xmlExternalEntityLoader, xmlGetExternalEntityLoader, (void), ())\
	V(xmlInitParser, (void), ())					\
	F(int, xmlParseDocument, (xmlParserCtxtPtr c), (c))		\
	V(xmlSetExternalEntityLoader, (xmlExternalEntityLoader f), (f))	\
	V(xmlStopParser, (xmlParserCtxtPtr c), (c))

#define CRYPTO_FUNCS(F, V)						\
	F(int, EVP_Digest, (const void *d, size_t n, unsigned char *md,	\
	    unsigned int *s, const EVP_MD *t, ENGINE *e),		\
	    (d, n, md, s, t, e))					\
	F(int, EVP_DigestFinal_ex, (EVP_MD_CTX *c, unsigned char *md,	\
	    unsigned int *s), (c, md, s))				\
	F(int, EVP_DigestInit_ex, (EVP_MD_CTX *c, const EVP_MD *t,	\
	    ENGINE *e), (c, t, e))					\
	F(int, EVP_DigestUpdate, (EVP_MD_CTX *c, const void *d,		\
	    size_t n), (c, d, n))					\
	V(EVP_MD_CTX_free, (EVP_MD_CTX *c), (c))			\
	F(EVP_MD_CTX *, EVP_MD_CTX_new, (void), ())			\
	F(const EVP_MD *, EVP_sha256, (void), ())

#define XLSXW_FUNCS(F, V)						\
	F(lxw_chart_series *, chart_add_series, (lxw_chart *c,		\
	    const char *cat, const char *val), (c, cat, val))		\
	V(chart_axis_set_num_format, (lxw_chart_axis *a,		\
	    const char *f), (a, f))					\
	V(chart_legend_set_position, (lxw_chart *c, uint8_t p), (c, p))	\
	V(chart_series_set_categories, (lxw_chart_series *s,		\
	    const char *n, lxw_row_t r0, lxw_col_t c0, lxw_row_t r1,	\
	    lxw_col_t c1), (s, n, r0, c0, r1, c1))			\
	V(chart_series_set_name, (lxw_chart_series *s, const char *n),	\
	    (s, n))							\
	V(chart_series_set_values, (lxw_chart_series *s, const char *n,	\
	    lxw_row_t r0, lxw_col_t c0, lxw_row_t r1, lxw_col_t c1),	\
	    (s, n, r0, c0, r1, c1))					\
	V(chart_title_set_name, (lxw_chart *c, const char *n), (c, n))	\
	V(format_set_align, (lxw_format *f, uint8_t a), (f, a))		\
	V(format_set_bg_color, (lxw_format *f, lxw_color_t c), (f, c))	\
	V(format_set_bold, (lxw_format *f), (f))			\
	V(format_set_border, (lxw_format *f, uint8_t s), (f, s))	\
	V(format_set_bottom, (lxw_format *f, uint8_t s), (f, s))	\
	V(format_set_font_size, (lxw_format *f, double s), (f, s))	\
	V(format_set_num_format, (lxw_format *f, const char *n), (f, n))\
	V(format_set_text_wrap, (lxw_format *f), (f))			\
	F(char *, lxw_strerror, (lxw_error e), (e))			\
	F(lxw_chart *, workbook_add_chart, (lxw_workbook *w, uint8_t t),\
	    (w, t))							\
	F(lxw_format *, workbook_add_format, (lxw_workbook *w), (w))	\
	F(lxw_worksheet *, workbook_add_worksheet, (lxw_workbook *w,	\
	    const char *n), (w, n))					\
	F(lxw_error, workbook_close, (lxw_workbook *w), (w))		\
	F(lxw_workbook *, workbook_new_opt, (const char *f,		\
	    lxw_workbook_options *o), (f, o))				\
	V(worksheet_freeze_panes, (lxw_worksheet *w, lxw_row_t r,	\
	    lxw_col_t c), (w, r, c))					\
	F(lxw_error, worksheet_insert_chart, (lxw_worksheet *w,		\
	    lxw_row_t r, lxw_col_t c, lxw_chart *ch), (w, r, c, ch))	\
	F(lxw_error, worksheet_set_column, (lxw_worksheet *w,		\
	    lxw_col_t c0, lxw_col_t c1, double wd, lxw_format *f),	\
	    (w, c0, c1, wd, f))						\
	F(lxw_error, worksheet_set_row, (lxw_worksheet *w, lxw_row_t r,	\
	    double h, lxw_format *f), (w, r, h, f))			\
	F(lxw_error, worksheet_write_datetime, (lxw_worksheet *w,	\
	    lxw_row_t r, lxw_col_t c, lxw_datetime *d, lxw_format *f),	\
	    (w, r, c, d, f))						\
	F(lxw_error, worksheet_write_number, (lxw_worksheet *w,		\
	    lxw_row_t r, lxw_col_t c, double n, lxw_format *f),		\
	    (w, r, c, n, f))						\
	F(lxw_error, worksheet_write_string, (lxw_worksheet *w,		\
	    lxw_row_t r, lxw_col_t c, const char *s, lxw_format *f),	\
	    (w, r, c, s, f))

#define FREEXL_FUNCS(F, V)						\
	F(int, freexl_get_cell_value, (const void *h, unsigned int r,	\
	    unsigned short c, FreeXL_CellValue *v), (h, r, c, v))	\
	F(int, freexl_get_info, (const void *h, unsigned short w,	\
	    unsigned int *i), (h, w, i))				\
	F(int, freexl_get_worksheet_name, (const void *h,		\
	    unsigned short i, const char **s), (h, i, s))		\
	F(int, freexl_open, (const char *p, const void **h), (p, h))	\
	F(int, freexl_select_active_worksheet, (const void *h,		\
	    unsigned short i), (h, i))					\
	F(int, freexl_worksheet_dimensions, (const void *h,		\
	    unsigned int *r, unsigned short *c), (h, r, c))

struct lazylib {
	enum fx_lazy	 bit;
	const char	*soname;
	const char	*need;		/* what it does for us, in errors */
	const char *const *names;
	void		**fp;
	size_t		 n;
	int		 loaded;	/* atomic: 1 once every fp is set */
};

#define NAME_F(ret, name, params, args)	#name,
#define NAME_V(name, params, args)	#name,
#define IDX_F(ret, name, params, args)	I_##name,
#define IDX_V(name, params, args)	I_##name,

#define TABLE(L, FUNCS)							\
enum { FUNCS(IDX_F, IDX_V) L##_N };					\
static const char *const L##_names[] = { FUNCS(NAME_F, NAME_V) };	\
static void *L##_fp[L##_N]

TABLE(XML, XML_FUNCS);
TABLE(CRYPTO, CRYPTO_FUNCS);
TABLE(XLSXW, XLSXW_FUNCS);
TABLE(FREEXL, FREEXL_FUNCS);

#define LIB(L, bit, soname, need)					\
	{ bit, soname, need, L##_names, L##_fp, L##_N, 0 }

static struct lazylib libs[] = {
	LIB(XML, FX_LAZY_XML, FX_SONAME_XML, "to read XLSX and XML files"),
	LIB(CRYPTO, FX_LAZY_CRYPTO, FX_SONAME_CRYPTO,
	    "to fingerprint files"),
	LIB(XLSXW, FX_LAZY_XLSXW, FX_SONAME_XLSXW,
	    "to write documents and reports"),
	LIB(FREEXL, FX_LAZY_FREEXL, FX_SONAME_FREEXL, "to read XLS files"),
};

static pthread_mutex_t lazy_lock = PTHREAD_MUTEX_INITIALIZER;

static int
load(struct lazylib *l, struct fx_err *err)
{
	const char *why;
	void *h, *p;
	size_t i;
	int rc = 0;

	pthread_mutex_lock(&lazy_lock);
	if (__atomic_load_n(&l->loaded, __ATOMIC_ACQUIRE))
		goto out;
	/* Lazy binding inside it too: most of its functions go unused. */
	if ((h = dlopen(l->soname, RTLD_LAZY | RTLD_LOCAL)) == NULL) {
		why = dlerror();
		rc = fx_err_set(err, FX_EUNAVAIL, "cannot load %s (needed %s): "
		    "%s", l->soname, l->need, why != NULL ? why : "dlopen");
		goto out;
	}
	for (i = 0; i < l->n; i++) {
		if ((p = dlsym(h, l->names[i])) == NULL) {
			rc = fx_err_set(err, FX_EUNAVAIL, "cannot load %s "
			    "(needed %s): it has no %s", l->soname, l->need,
			    l->names[i]);
			/* The handle stays open: dlclose is not worth a risk. */
			goto out;
		}
		l->fp[i] = p;
	}
	__atomic_store_n(&l->loaded, 1, __ATOMIC_RELEASE);
out:
	pthread_mutex_unlock(&lazy_lock);
	return rc;
}

int
fx_lazy_load(unsigned which, struct fx_err *err)
{
	size_t i;

	for (i = 0; i < nitems(libs); i++)
		if ((which & libs[i].bit) &&
		    !__atomic_load_n(&libs[i].loaded, __ATOMIC_ACQUIRE) &&
		    load(&libs[i], err) == -1)
			return -1;
	return 0;
}

/* A function of library k, loading it if no entry point did. */
static void *
fn(size_t k, size_t i)
{
	struct lazylib *l = &libs[k];
	struct fx_err err;

	if (!__atomic_load_n(&l->loaded, __ATOMIC_ACQUIRE)) {
		fx_err_clear(&err);
		if (load(l, &err) == -1) {
			/* What ld.so does when a library is missing. */
			fprintf(stderr, "formix: %s\n", err.msg);
			_exit(127);
		}
	}
	return l->fp[i];
}

#define TRAMP_F(ret, name, params, args)				\
ret name params { return ((__typeof__(&name))fn(K, I_##name))args; }
#define TRAMP_V(name, params, args)					\
void name params { ((__typeof__(&name))fn(K, I_##name))args; }

#define K 0
XML_FUNCS(TRAMP_F, TRAMP_V)
#undef K
#define K 1
CRYPTO_FUNCS(TRAMP_F, TRAMP_V)
#undef K
#define K 2
XLSXW_FUNCS(TRAMP_F, TRAMP_V)
#undef K
#define K 3
FREEXL_FUNCS(TRAMP_F, TRAMP_V)
#undef K
