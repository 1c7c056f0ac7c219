/*
 * mail.c -- e-mail for formixd: reading a message the MTA delivered
 * (fx_mail_parse), judging who sent it (fx_mail_auth_pass), and making
 * (fx_mail_build) and sending (fx_mail_send) a notice as a message.
 *
 * MIME is GMime's: a hand-made parser is where mail security goes wrong
 * (RFC 2047 and RFC 2231 names, nested multiparts, broken encodings).
 * SMTP is libcurl's.  Nothing here trusts what a message says about
 * itself: the sender is the one From: mailbox, whose word counts only
 * when the first Authentication-Results header, the one our own MTA
 * adds (and strips from what arrives), carries our authserv-id and a
 * pass; attachment names are reduced to a plain name that is never used
 * as a path.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <gmime/gmime.h>

#include "fx-int.h"

#define NAME_MAX_BYTES	100	/* of a sanitised attachment name */

static void
gmime_once(void)
{
	/* g_mime_init counts its calls: a second one is a no-op. */
	static int done;

	if (!done) {
		g_mime_init();
		done = 1;
	}
}

void
fx_mail_release(struct fx_mail *m)
{
	size_t i;

	free(m->from);
	free(m->auth);
	free(m->subject);
	free(m->message_id);
	for (i = 0; i < m->nrcpt; i++)
		free(m->rcpt[i]);
	free(m->rcpt);
	for (i = 0; i < m->natt; i++) {
		free(m->att[i].name);
		free(m->att[i].data);
	}
	free(m->att);
	fx_buf_release(&m->notes);
	memset(m, 0, sizeof(*m));
}

/*
 * A name fit to show and to build a file name from: its last path
 * component; control characters, '/', '\\' and ':' made '_'; no leading
 * dot; at most NAME_MAX_BYTES bytes, cut on a character boundary.
 */
char *
fx_mail_safe_name(const char *in)
{
	const char *s, *base = in;
	char *out, *p;
	size_t n;

	if (in == NULL)
		in = base = "";
	for (s = in; *s != '\0'; s++)
		if (*s == '/' || *s == '\\')
			base = s + 1;
	n = strlen(base);
	if (n > NAME_MAX_BYTES) {
		n = NAME_MAX_BYTES;
		/* Not in the middle of a UTF-8 sequence. */
		while (n > 0 && ((unsigned char)base[n] & 0xc0) == 0x80)
			n--;
	}
	out = fx_strndup(base, n);
	for (p = out; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == ':' ||
		    *p == '"')
			*p = '_';
	/* Trailing blanks and dots (Windows would drop them). */
	while ((n = strlen(out)) > 0 && (out[n - 1] == ' ' ||
	    out[n - 1] == '.'))
		out[n - 1] = '\0';
	for (p = out; *p == '.' || *p == ' '; p++)
		*p = '_';
	if (out[0] == '\0') {
		free(out);
		out = fx_strdup("attachment");
	}
	return out;
}

/* Is name an order file by its extension (.xlsx, .xls, .csv)? */
int
fx_mail_order_name(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot != NULL && (strcasecmp(dot, ".xlsx") == 0 ||
	    strcasecmp(dot, ".xls") == 0 || strcasecmp(dot, ".csv") == 0);
}

static void
add_rcpt(struct fx_mail *m, size_t *cap, const char *addr)
{
	m->rcpt = fx_grow(m->rcpt, cap, m->nrcpt + 1, sizeof(*m->rcpt));
	m->rcpt[m->nrcpt++] = fx_strdup(addr);
}

/* Every mailbox of a header's address list, groups included. */
static void
list_addrs(struct fx_mail *m, size_t *cap, InternetAddressList *l)
{
	InternetAddress *ia;
	int i, n;

	n = l != NULL ? internet_address_list_length(l) : 0;
	for (i = 0; i < n; i++) {
		ia = internet_address_list_get_address(l, i);
		if (INTERNET_ADDRESS_IS_MAILBOX(ia))
			add_rcpt(m, cap, internet_address_mailbox_get_addr(
			    INTERNET_ADDRESS_MAILBOX(ia)));
		else if (INTERNET_ADDRESS_IS_GROUP(ia))
			list_addrs(m, cap, internet_address_group_get_members(
			    INTERNET_ADDRESS_GROUP(ia)));
	}
}

/* A header's value unfolded to one line, or NULL. */
static char *
one_line(const char *v)
{
	char *s, *p;

	if (v == NULL)
		return NULL;
	s = fx_strdup(v);
	for (p = s; *p != '\0'; p++)
		if (*p == '\r' || *p == '\n' || *p == '\t')
			*p = ' ';
	return s;
}

struct walk {
	struct fx_mail	*m;
	const struct fx_mail_limits *lim;
	size_t		 cap;
	int		 toomany;
};

static void
note(struct fx_mail *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
note(struct fx_mail *m, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fx_buf_addf(&m->notes, "%s\n", buf);
}

static void
walk_part(GMimeObject *parent, GMimeObject *part, gpointer arg)
{
	struct walk *w = arg;
	struct fx_mail *m = w->m;
	struct fx_mail_att *a;
	GMimeDataWrapper *dw;
	GMimeStream *out;
	GByteArray *ba;
	const char *fn;
	char *name, q[300];
	int isatt;

	(void)parent;
	if (!GMIME_IS_PART(part))
		return;		/* multiparts are walked into; messages not */
	fn = g_mime_part_get_filename(GMIME_PART(part));
	isatt = fn != NULL && fn[0] != '\0';
	if (!isatt)
		return;		/* a body, not a file */
	name = fx_mail_safe_name(fn);
	fx_quote(q, sizeof(q), name);
	if (!fx_mail_order_name(name)) {
		note(m, "\"%s\": not an order file (.xlsx, .xls or .csv): "
		    "ignored", q);
		free(name);
		return;
	}
	if (m->natt >= (size_t)w->lim->max_attachments) {
		w->toomany++;
		free(name);
		return;
	}
	dw = g_mime_part_get_content(GMIME_PART(part));
	if (dw == NULL) {
		note(m, "\"%s\": empty: ignored", q);
		free(name);
		return;
	}
	out = g_mime_stream_mem_new();
	if (g_mime_data_wrapper_write_to_stream(dw, out) < 0) {
		note(m, "\"%s\": cannot be decoded: ignored", q);
		g_object_unref(out);
		free(name);
		return;
	}
	ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out));
	if (ba->len == 0) {
		note(m, "\"%s\": empty: ignored", q);
	} else if ((uint64_t)ba->len > w->lim->max_attachment_size) {
		note(m, "\"%s\": %u bytes, over the limit of %llu: ignored",
		    q, ba->len,
		    (unsigned long long)w->lim->max_attachment_size);
	} else {
		m->att = fx_grow(m->att, &w->cap, m->natt + 1,
		    sizeof(*m->att));
		a = &m->att[m->natt++];
		a->name = name;
		a->len = ba->len;
		a->data = fx_malloc(ba->len);
		memcpy(a->data, ba->data, ba->len);
		name = NULL;
	}
	g_object_unref(out);
	free(name);
}

int
fx_mail_parse(const void *buf, size_t len, const struct fx_mail_limits *lim,
    struct fx_mail *m, struct fx_err *err)
{
	GMimeStream *s;
	GMimeParser *p;
	GMimeMessage *msg;
	GMimeHeaderList *hl;
	GMimeHeader *h;
	InternetAddressList *from;
	InternetAddress *ia;
	struct walk w;
	const char *v;
	size_t rcap = 0;
	int i, n;

	memset(m, 0, sizeof(*m));
	gmime_once();
	if (len == 0)
		return fx_err_set(err, FX_EDATA, "an empty message");
	s = g_mime_stream_mem_new_with_buffer(buf, len);
	p = g_mime_parser_new_with_stream(s);
	g_mime_parser_set_format(p, GMIME_FORMAT_MESSAGE);
	msg = g_mime_parser_construct_message(p, NULL);
	g_object_unref(p);
	g_object_unref(s);
	if (msg == NULL)
		return fx_err_set(err, FX_EDATA, "not a mail message");

	/* The sender: exactly one mailbox. */
	from = g_mime_message_get_from(msg);
	if (from != NULL && internet_address_list_length(from) == 1 &&
	    INTERNET_ADDRESS_IS_MAILBOX(ia =
	    internet_address_list_get_address(from, 0)) &&
	    (v = internet_address_mailbox_get_addr(
	    INTERNET_ADDRESS_MAILBOX(ia))) != NULL)
		m->from = fx_strdup(v);
	else
		m->from = fx_strdup("");
	if (strncasecmp(m->from, "mailer-daemon@", 14) == 0 ||
	    strncasecmp(m->from, "postmaster@", 11) == 0)
		m->auto_submitted = 1;

	/*
	 * The first Authentication-Results only (RFC 8601 section 5: the
	 * MTA prepends its own; any below it came with the message), and
	 * the envelope recipients the MTA wrote (Delivered-To,
	 * X-Original-To) before the ones the sender wrote.
	 */
	hl = g_mime_object_get_header_list(GMIME_OBJECT(msg));
	n = g_mime_header_list_get_count(hl);
	for (i = 0; i < n; i++) {
		h = g_mime_header_list_get_header_at(hl, i);
		v = g_mime_header_get_name(h);
		if (m->auth == NULL &&
		    strcasecmp(v, "Authentication-Results") == 0)
			m->auth = one_line(g_mime_header_get_value(h));
		else if (strcasecmp(v, "Auto-Submitted") == 0) {
			/* RFC 3834: anything but "no" is a machine's. */
			const char *a = g_mime_header_get_value(h);

			a += a != NULL ? strspn(a, " \t") : 0;
			if (a == NULL || strncasecmp(a, "no", 2) != 0 ||
			    (a[2] != '\0' && a[2] != ' ' && a[2] != ';'))
				m->auto_submitted = 1;
		} else if (strcasecmp(v, "Return-Path") == 0) {
			const char *a = g_mime_header_get_value(h);

			/* A bounce: the null reverse path. */
			if (a != NULL && strspn(a, " <>") == strlen(a))
				m->auto_submitted = 1;
		}
		else if (strcasecmp(v, "Delivered-To") == 0 ||
		    strcasecmp(v, "X-Original-To") == 0) {
			InternetAddressList *l = internet_address_list_parse(
			    NULL, g_mime_header_get_value(h));

			if (l != NULL) {
				list_addrs(m, &rcap, l);
				g_object_unref(l);
			}
		}
	}
	list_addrs(m, &rcap, g_mime_message_get_to(msg));
	list_addrs(m, &rcap, g_mime_message_get_cc(msg));
	m->subject = one_line(g_mime_message_get_subject(msg));
	if (m->subject == NULL)
		m->subject = fx_strdup("");
	m->message_id = one_line(g_mime_message_get_message_id(msg));
	if (m->message_id == NULL)
		m->message_id = fx_strdup("");

	memset(&w, 0, sizeof(w));
	w.m = m;
	w.lim = lim;
	g_mime_message_foreach(msg, walk_part, &w);
	g_object_unref(msg);
	m->too_many = (size_t)w.toomany;
	return 0;
}

/*
 * Does an Authentication-Results value ("authserv-id [version]; method=
 * result ...; ...") say ours, and a pass for the From: domain?  DMARC's
 * pass is one (it checks alignment with From:); DKIM's pass counts only
 * with header.d (or header.i) of the From: domain; SPF's alone never
 * (it is about the envelope sender, not From:).
 */
int
fx_mail_auth_pass(const char *ar, const char *authserv_id, const char *from)
{
	const char *p = ar, *dom, *e, *sem;
	size_t n, dl;
	char res[512], *q, *t, *save;
	int pass = 0;

	if (ar == NULL || authserv_id == NULL || authserv_id[0] == '\0' ||
	    from == NULL || (dom = strrchr(from, '@')) == NULL)
		return 0;
	dom++;
	dl = strlen(dom);
	p += strspn(p, " ");
	n = strlen(authserv_id);
	if (strncasecmp(p, authserv_id, n) != 0 ||
	    (p[n] != ';' && p[n] != ' '))
		return 0;
	p += n;
	/* An optional version number after the id. */
	p += strspn(p, " ");
	p += strspn(p, "0123456789");
	p += strspn(p, " ");
	if (*p != ';')
		return 0;
	/* Each resinfo: "method=result ptype.prop=value ..." */
	while (*p == ';' && !pass) {
		p++;
		sem = strchr(p, ';');
		e = sem != NULL ? sem : p + strlen(p);
		n = (size_t)(e - p) < sizeof(res) - 1 ? (size_t)(e - p) :
		    sizeof(res) - 1;
		memcpy(res, p, n);
		res[n] = '\0';
		p = e;
		/* Comments in parentheses are dropped. */
		for (q = res; (q = strchr(q, '(')) != NULL; ) {
			char *c = strchr(q, ')');

			if (c == NULL)
				*q = '\0';
			else
				memset(q, ' ', (size_t)(c - q + 1));
		}
		t = strtok_r(res, " ", &save);
		if (t == NULL)
			continue;
		if (strcasecmp(t, "dmarc=pass") == 0) {
			/* header.from, if given, must be From:'s domain. */
			int ok = 1;

			while ((t = strtok_r(NULL, " ", &save)) != NULL)
				if (strncasecmp(t, "header.from=", 12) == 0)
					ok = strcasecmp(t + 12, dom) == 0;
			pass = ok;
		} else if (strcasecmp(t, "dkim=pass") == 0) {
			while ((t = strtok_r(NULL, " ", &save)) != NULL) {
				const char *d = NULL;

				if (strncasecmp(t, "header.d=", 9) == 0)
					d = t + 9;
				else if (strncasecmp(t, "header.i=", 9) == 0)
					d = strrchr(t, '@') != NULL ?
					    strrchr(t, '@') + 1 : t + 9;
				if (d != NULL && strlen(d) == dl &&
				    strcasecmp(d, dom) == 0)
					pass = 1;
			}
		}
	}
	return pass;
}

/* What a file is, for its part's type. */
static void
mime_type(const char *name, const char **type, const char **sub)
{
	const char *dot = strrchr(name, '.');

	*type = "application";
	*sub = "octet-stream";
	if (dot == NULL)
		return;
	if (strcasecmp(dot, ".xlsx") == 0)
		*sub = "vnd.openxmlformats-officedocument.spreadsheetml.sheet";
	else if (strcasecmp(dot, ".xls") == 0)
		*sub = "vnd.ms-excel";
	else if (strcasecmp(dot, ".csv") == 0) {
		*type = "text";
		*sub = "csv";
	} else if (strcasecmp(dot, ".txt") == 0) {
		*type = "text";
		*sub = "plain";
	} else if (strcasecmp(dot, ".xml") == 0) {
		*type = "application";
		*sub = "xml";
	}
}

static int
read_all(const char *path, uint64_t max, char **data, size_t *len,
    struct fx_err *err)
{
	struct stat st;
	ssize_t r;
	size_t got = 0;
	int fd;

	*data = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	if (fd == -1)
		return fx_err_sys(err, errno == ENOENT ? FX_ENOINPUT : FX_EIO,
		    "%s", path);
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return fx_err_set(err, FX_EDATA, "%s: not a regular file",
		    path);
	}
	if ((uint64_t)st.st_size > max) {
		close(fd);
		return fx_err_set(err, FX_EDATA, "%s: %lld bytes, over the "
		    "limit of %llu", path, (long long)st.st_size,
		    (unsigned long long)max);
	}
	*data = fx_malloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		r = read(fd, *data + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (got != (size_t)st.st_size) {
		free(*data);
		*data = NULL;
		return fx_err_sys(err, FX_EIO, "read %s", path);
	}
	(*data)[got] = '\0';
	*len = got;
	return 0;
}

int
fx_mail_read(const char *path, uint64_t max, char **data, size_t *len,
    struct fx_err *err)
{
	return read_all(path, max, data, len, err);
}

int
fx_mail_build(const struct fx_notice *n, const char *from, const char *host,
    const char *spool, char **out, size_t *outlen, struct fx_err *err)
{
	GMimeMessage *m;
	GMimeTextPart *text;
	GMimeMultipart *mix = NULL;
	GMimeFormatOptions *fo;
	GDateTime *dt;
	char id[128], *s, *path, *data, *name;
	const char *type, *sub;
	size_t i, len;
	int rc = -1;

	gmime_once();
	*out = NULL;
	*outlen = 0;
	m = g_mime_message_new(TRUE);
	g_mime_message_add_mailbox(m, GMIME_ADDRESS_TYPE_FROM, "Formix",
	    from);
	for (i = 0; i < n->nto; i++)
		g_mime_message_add_mailbox(m, GMIME_ADDRESS_TYPE_TO, NULL,
		    n->to[i]);
	g_mime_message_set_subject(m, n->subject[0] != '\0' ? n->subject :
	    "Formix", "utf-8");
	/* The notice's own id and time: a redelivery is the same mail. */
	snprintf(id, sizeof(id), "formix-notice-%s@%s", n->seq, host);
	g_mime_message_set_message_id(m, id);
	dt = g_date_time_new_from_iso8601(n->at, NULL);
	if (dt != NULL) {
		g_mime_message_set_date(m, dt);
		g_date_time_unref(dt);
	}
	g_mime_object_set_header(GMIME_OBJECT(m), "Auto-Submitted",
	    "auto-generated", NULL);
	g_mime_object_set_header(GMIME_OBJECT(m), "X-Formix-Notice", n->seq,
	    NULL);

	text = g_mime_text_part_new_with_subtype("plain");
	g_mime_text_part_set_text(text, n->body);
	if (n->nfiles == 0)
		g_mime_message_set_mime_part(m, GMIME_OBJECT(text));
	else {
		mix = g_mime_multipart_new_with_subtype("mixed");
		g_mime_multipart_add(mix, GMIME_OBJECT(text));
		for (i = 0; i < n->nfiles; i++) {
			GMimeStream *st;
			GMimeDataWrapper *dw;
			GMimePart *part;

			/* Spool-relative names, written by formixd. */
			if (n->files[i][0] == '/' ||
			    strstr(n->files[i], "..") != NULL) {
				fx_err_set(err, FX_EDATA, "notice %s: file "
				    "\"%s\" is not inside the spool", n->seq,
				    n->files[i]);
				goto out;
			}
			path = fx_path_join(spool, n->files[i]);
			if (read_all(path, (uint64_t)1 << 30, &data, &len,
			    err) == -1) {
				free(path);
				goto out;
			}
			free(path);
			s = strrchr(n->files[i], '/');
			name = s != NULL ? s + 1 : n->files[i];
			mime_type(name, &type, &sub);
			part = g_mime_part_new_with_type(type, sub);
			g_mime_part_set_filename(part, name);
			g_mime_object_set_disposition(GMIME_OBJECT(part),
			    "attachment");
			g_mime_part_set_filename(part, name);
			st = g_mime_stream_mem_new_with_buffer(data, len);
			free(data);
			dw = g_mime_data_wrapper_new_with_stream(st,
			    GMIME_CONTENT_ENCODING_DEFAULT);
			g_mime_part_set_content(part, dw);
			g_mime_part_set_content_encoding(part,
			    GMIME_CONTENT_ENCODING_BASE64);
			g_object_unref(dw);
			g_object_unref(st);
			g_mime_multipart_add(mix, GMIME_OBJECT(part));
			g_object_unref(part);
		}
		g_mime_message_set_mime_part(m, GMIME_OBJECT(mix));
	}
	/* SMTP wants CRLF. */
	fo = g_mime_format_options_new();
	g_mime_format_options_set_newline_format(fo,
	    GMIME_NEWLINE_FORMAT_DOS);
	s = g_mime_object_to_string(GMIME_OBJECT(m), fo);
	g_mime_format_options_free(fo);
	*outlen = strlen(s);
	*out = fx_strndup(s, *outlen);
	g_free(s);
	rc = 0;
out:
	g_object_unref(text);
	if (mix != NULL)
		g_object_unref(mix);
	g_object_unref(m);
	return rc;
}

struct upload {
	const char	*p;
	size_t		 left;
};

static size_t
upload_read(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct upload *u = arg;
	size_t n = size * nmemb;

	if (n > u->left)
		n = u->left;
	memcpy(buf, u->p, n);
	u->p += n;
	u->left -= n;
	return n;
}

int
fx_mail_send(const struct fx_mail_smtp *smtp, char *const *to, size_t nto,
    const char *msg, size_t len, struct fx_err *err)
{
	struct curl_slist *rcpt = NULL;
	struct upload u;
	char errbuf[CURL_ERROR_SIZE], addr[400];
	CURLcode cc;
	CURL *c;
	size_t i;
	int rc = 0;

	if (nto == 0)
		return 0;
	if ((c = curl_easy_init()) == NULL)
		return fx_err_set(err, FX_ETEMP, "smtp: curl_easy_init "
		    "failed");
	for (i = 0; i < nto; i++) {
		snprintf(addr, sizeof(addr), "<%s>", to[i]);
		rcpt = curl_slist_append(rcpt, addr);
	}
	snprintf(addr, sizeof(addr), "<%s>", smtp->from);
	u.p = msg;
	u.left = len;
	errbuf[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, smtp->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, addr);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, upload_read);
	curl_easy_setopt(c, CURLOPT_READDATA, &u);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)smtp->timeout);
	if (smtp->user != NULL && smtp->user[0] != '\0') {
		curl_easy_setopt(c, CURLOPT_USERNAME, smtp->user);
		curl_easy_setopt(c, CURLOPT_PASSWORD,
		    smtp->password != NULL ? smtp->password : "");
		/* A password is never sent in the clear. */
		if (strncasecmp(smtp->url, "smtps://", 8) != 0)
			curl_easy_setopt(c, CURLOPT_USE_SSL,
			    (long)CURLUSESSL_ALL);
	}
	cc = curl_easy_perform(c);
	if (cc != CURLE_OK)
		rc = fx_err_set(err, FX_ETEMP, "smtp %s: %s", smtp->url,
		    errbuf[0] != '\0' ? errbuf : curl_easy_strerror(cc));
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(c);
	return rc;
}
