/*
 * t_mail.c -- reading mail (lib/mail.c): the sender, the first
 * Authentication-Results, the recipients, and the order files attached,
 * through the edge cases a hostile or broken message brings: a truncated
 * message, base64 garbage, nested multiparts, RFC 2047 and RFC 2231
 * names in Cyrillic, a huge header, names that try to be paths, too many
 * and too big files.  Then the judgement of Authentication-Results, and a
 * notice built as a message and read back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fx-int.h"
#include "tap.h"

static const struct fx_mail_limits lim = { 2, 64 };

/* "PK\3\4" and some bytes, as base64: a small "workbook". */
#define XLSX_B64	"UEsDBGhlbGxv"		/* "PK\3\4hello" */

static int
parse(const char *text, struct fx_mail *m)
{
	struct fx_err err;
	int r;

	r = fx_mail_parse(text, strlen(text), &lim, m, &err);
	if (r == -1)
		printf("# parse: %s\n", err.msg);
	return r;
}

static const char simple[] =
    "Authentication-Results: mx.example; dmarc=pass header.from=d.test\r\n"
    "Authentication-Results: mx.example; dmarc=fail\r\n"
    "Delivered-To: orders+s3cr3t@formix.test\r\n"
    "From: \"Ivan\" <Ivan@D.test>\r\n"
    "Reply-To: other@evil.test\r\n"
    "To: orders@formix.test\r\n"
    "Subject: order\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
    "\r\n"
    "--b1\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "see attached\r\n"
    "--b1\r\n"
    "Content-Type: application/octet-stream\r\n"
    "Content-Disposition: attachment; filename=\"order.xlsx\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    XLSX_B64 "\r\n"
    "--b1\r\n"
    "Content-Type: image/png\r\n"
    "Content-Disposition: attachment; filename=\"logo.png\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "iVBORw0K\r\n"
    "--b1--\r\n";

static void
t_simple(void)
{
	struct fx_mail m;

	if (!ok(parse(simple, &m) == 0, "a plain message is read"))
		return;
	is_str(m.from, "Ivan@D.test", "From: is the mailbox, not Reply-To:");
	ok(m.auth != NULL && strstr(m.auth, "dmarc=pass") != NULL,
	    "the first Authentication-Results is the one kept");
	ok(m.nrcpt == 2 && strcmp(m.rcpt[0], "orders+s3cr3t@formix.test") ==
	    0, "Delivered-To comes first among the recipients");
	is_int(m.natt, 1, "one order file (the image is not one)");
	if (m.natt == 1) {
		is_str(m.att[0].name, "order.xlsx", "its name");
		ok(m.att[0].len == 9 && memcmp(m.att[0].data, "PK\3\4hello",
		    9) == 0, "its content, decoded");
	}
	ok(strstr(fx_buf_str(&m.notes), "logo.png") != NULL,
	    "the image is noted as ignored");
	fx_mail_release(&m);
}

static void
t_truncated(void)
{
	struct fx_mail m;
	char *cut;

	/* Cut inside the attachment's base64, boundary never closed. */
	cut = fx_strndup(simple, strstr(simple, XLSX_B64) - simple + 5);
	ok(parse(cut, &m) == 0, "a truncated message is read, not a crash");
	is_str(m.from, "Ivan@D.test", "its sender still known");
	fx_mail_release(&m);
	free(cut);

	cut = fx_strndup(simple, 30);
	ok(parse(cut, &m) == 0 && m.from[0] == '\0' && m.natt == 0,
	    "cut inside the first header: no sender, nothing attached");
	fx_mail_release(&m);
	free(cut);
}

static void
t_garbage(void)
{
	struct fx_mail m;
	struct fx_err err;
	const char *g =
	    "From: a@d.test\n"
	    "Content-Type: multipart/mixed; boundary=x\n\n"
	    "--x\n"
	    "Content-Disposition: attachment; filename=a.csv\n"
	    "Content-Transfer-Encoding: base64\n\n"
	    "!!!!%%%%****\x01\x02\xff\xfe====@@@@\n"
	    "--x--\n";

	ok(parse(g, &m) == 0, "base64 garbage: read, not a crash");
	ok(m.natt <= 1, "at most one file from it");
	fx_mail_release(&m);
	ok(fx_mail_parse("", 0, &lim, &m, &err) == -1 && err.code == FX_EDATA,
	    "an empty message is refused");
}

static void
t_nested(void)
{
	struct fx_mail m;
	const char *n =
	    "From: a@d.test\n"
	    "Content-Type: multipart/mixed; boundary=outer\n\n"
	    "--outer\n"
	    "Content-Type: multipart/alternative; boundary=alt\n\n"
	    "--alt\nContent-Type: text/plain\n\nhi\n"
	    "--alt\nContent-Type: text/html\n\n<p>hi</p>\n"
	    "--alt--\n"
	    "--outer\n"
	    "Content-Type: multipart/mixed; boundary=inner\n\n"
	    "--inner\n"
	    "Content-Type: text/csv\n"
	    "Content-Disposition: attachment; filename=deep.csv\n\n"
	    "a;b\n"
	    "--inner--\n"
	    "--outer\n"
	    "Content-Type: message/rfc822\n\n"
	    "From: x@y.test\n"
	    "Content-Type: text/csv\n"
	    "Content-Disposition: attachment; filename=forwarded.csv\n\n"
	    "c;d\n"
	    "--outer--\n";

	if (!ok(parse(n, &m) == 0, "nested multiparts are read"))
		return;
	ok(m.natt == 1 && strcmp(m.att[0].name, "deep.csv") == 0,
	    "the file deep inside is found; a forwarded message's is not");
	fx_mail_release(&m);
}

static void
t_names(void)
{
	struct fx_mail m;
	char *s;
	const char *c =
	    "From: a@d.test\n"
	    "Content-Type: multipart/mixed; boundary=b\n\n"
	    "--b\n"
	    "Content-Disposition: attachment;\n"
	    " filename=\"=?UTF-8?B?0LfQsNC60LDQty54bHN4?=\"\n\n"
	    "PK\n"
	    "--b\n"
	    "Content-Disposition: attachment;\n"
	    " filename*=UTF-8''%D1%81%D1%87%D0%B5%D1%82.csv\n\n"
	    "x;y\n"
	    "--b--\n";

	if (ok(parse(c, &m) == 0, "Cyrillic names are read")) {
		ok(m.natt == 2 && strcmp(m.att[0].name, "заказ.xlsx") == 0,
		    "an RFC 2047 name is decoded");
		ok(m.natt == 2 && strcmp(m.att[1].name, "счет.csv") == 0,
		    "an RFC 2231 name is decoded");
	}
	fx_mail_release(&m);

	s = fx_mail_safe_name("../../etc/cron.d/x.csv");
	is_str(s, "x.csv", "a path: its last part only");
	free(s);
	s = fx_mail_safe_name("..\\..\\win.ini.csv");
	is_str(s, "win.ini.csv", "a Windows path too");
	free(s);
	s = fx_mail_safe_name("..");
	is_str(s, "attachment", "\"..\" is no name");
	free(s);
	s = fx_mail_safe_name(".hidden.csv");
	is_str(s, "_hidden.csv", "no leading dot");
	free(s);
	s = fx_mail_safe_name("a\nb\x01:c.csv");
	is_str(s, "a_b__c.csv", "no control characters, no colon");
	free(s);
	s = fx_mail_safe_name("");
	is_str(s, "attachment", "an empty name gets one");
	free(s);
	{
		char big[400];

		memset(big, 'a', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		s = fx_mail_safe_name(big);
		ok(strlen(s) <= 100, "a long name is cut");
		free(s);
		/* 60 two-byte letters: cut on a character boundary. */
		big[0] = '\0';
		for (int i = 0; i < 60; i++)
			strcat(big, "ж");
		s = fx_mail_safe_name(big);
		ok(strlen(s) == 100 && (unsigned char)s[98] == 0xd0,
		    "cut between characters, not inside one");
		free(s);
	}
}

static void
t_limits(void)
{
	struct fx_mail m;
	struct fx_buf b = { 0 };
	int i;

	fx_buf_adds(&b, "From: a@d.test\nContent-Type: multipart/mixed; "
	    "boundary=b\n\n");
	for (i = 0; i < 3; i++)
		fx_buf_addf(&b, "--b\nContent-Disposition: attachment; "
		    "filename=f%d.csv\n\na;b\n", i);
	fx_buf_addf(&b, "--b\nContent-Disposition: attachment; "
	    "filename=big.csv\n\n%0100d\n", 0);
	fx_buf_adds(&b, "--b--\n");
	if (ok(parse(fx_buf_str(&b), &m) == 0, "too many files: still read")) {
		is_int(m.natt, 2, "no more than max_attachments are kept");
		is_int(m.too_many, 2, "the others are counted");
	}
	fx_mail_release(&m);
	fx_buf_reset(&b);
	fx_buf_addf(&b, "From: a@d.test\nContent-Disposition: attachment; "
	    "filename=big.csv\n\n%0100d\n", 0);
	if (ok(parse(fx_buf_str(&b), &m) == 0, "a file over the size limit")) {
		is_int(m.natt, 0, "is left out");
		ok(strstr(fx_buf_str(&m.notes), "over the limit") != NULL,
		    "with a note");
	}
	fx_mail_release(&m);
	fx_buf_release(&b);
}

static void
t_huge_header(void)
{
	struct fx_mail m;
	struct fx_buf b = { 0 };
	int i;

	fx_buf_adds(&b, "From: a@d.test\nSubject: ");
	for (i = 0; i < 100000; i++)
		fx_buf_adds(&b, "word ");
	fx_buf_adds(&b, "\nX-Long:");
	for (i = 0; i < 20000; i++)
		fx_buf_adds(&b, "\n continued");
	fx_buf_adds(&b, "\n\nbody\n");
	ok(parse(fx_buf_str(&b), &m) == 0 && strcmp(m.from, "a@d.test") == 0,
	    "a huge header is read");
	ok(strchr(m.subject, '\n') == NULL, "the subject is one line");
	fx_mail_release(&m);
	fx_buf_release(&b);
}

static void
t_from(void)
{
	struct fx_mail m;

	ok(parse("From: a@d.test, b@d.test\n\nx\n", &m) == 0 &&
	    m.from[0] == '\0', "two From: mailboxes: no sender");
	fx_mail_release(&m);
	ok(parse("From: group: a@d.test;\n\nx\n", &m) == 0 &&
	    m.from[0] == '\0', "a group: no sender");
	fx_mail_release(&m);
	ok(parse("Subject: x\n\nx\n", &m) == 0 && m.from[0] == '\0',
	    "no From: no sender");
	fx_mail_release(&m);
}

static void
t_auto(void)
{
	struct fx_mail m;

	ok(parse("From: a@d.test\nAuto-Submitted: auto-replied\n\nx\n",
	    &m) == 0 && m.auto_submitted, "Auto-Submitted: auto-replied is "
	    "a machine's");
	fx_mail_release(&m);
	ok(parse("From: a@d.test\nAuto-Submitted: no\n\nx\n", &m) == 0 &&
	    !m.auto_submitted, "Auto-Submitted: no is a person's");
	fx_mail_release(&m);
	ok(parse("Return-Path: <>\nFrom: a@d.test\n\nx\n", &m) == 0 &&
	    m.auto_submitted, "a null reverse path is a bounce");
	fx_mail_release(&m);
	ok(parse("From: MAILER-DAEMON@d.test\n\nx\n", &m) == 0 &&
	    m.auto_submitted, "MAILER-DAEMON is a machine");
	fx_mail_release(&m);
	ok(parse("Return-Path: <a@d.test>\nFrom: a@d.test\n\nx\n", &m) ==
	    0 && !m.auto_submitted, "a plain message is a person's");
	fx_mail_release(&m);
}

static void
t_auth(void)
{
	const char *f = "ivan@dealer.test";

	ok(fx_mail_auth_pass("mx.f; dmarc=pass header.from=dealer.test",
	    "mx.f", f), "our id, DMARC pass");
	ok(fx_mail_auth_pass("MX.F 1; spf=fail; dmarc=pass (p=none)", "mx.f",
	    f), "version and comments are read past");
	ok(!fx_mail_auth_pass("mx.evil; dmarc=pass", "mx.f", f),
	    "another authserv-id: no");
	ok(!fx_mail_auth_pass("mx.f.evil; dmarc=pass", "mx.f", f),
	    "an id that merely starts with ours: no");
	ok(!fx_mail_auth_pass("mx.f; dmarc=fail; spf=pass", "mx.f", f),
	    "SPF alone says nothing of From: no");
	ok(!fx_mail_auth_pass("mx.f; dmarc=pass header.from=evil.test",
	    "mx.f", f), "DMARC for another domain: no");
	ok(fx_mail_auth_pass("mx.f; dkim=pass header.d=dealer.test", "mx.f",
	    f), "DKIM of the From: domain");
	ok(!fx_mail_auth_pass("mx.f; dkim=pass header.d=evil.test", "mx.f",
	    f), "DKIM of another domain: no");
	ok(!fx_mail_auth_pass("mx.f; none", "mx.f", f), "none: no");
	ok(!fx_mail_auth_pass(NULL, "mx.f", f), "no header: no");
	ok(!fx_mail_auth_pass("mx.f; dmarc=pass", "", f),
	    "no authserv-id configured: no");
	ok(!fx_mail_auth_pass("mx.f; dmarc=pass (x; dmarc=fail",
	    "mx.f", "nodomain"), "a From: without a domain: no");
}

static void
t_build(void)
{
	struct fx_notice n;
	struct fx_mail m;
	struct fx_err err;
	char dir[] = "/tmp/t_mail.XXXXXX", *p, *out = NULL;
	char *to[] = { (char *)"ivan@dealer.test" };
	char *files[] = { (char *)"out/r.result.xlsx" };
	size_t len = 0;
	FILE *fp;

	if (mkdtemp(dir) == NULL)
		return;
	p = fx_path_join(dir, "out");
	mkdir(p, 0700);
	free(p);
	p = fx_path_join(dir, "out/r.result.xlsx");
	fp = fopen(p, "w");
	fputs("PK\3\4result", fp);
	fclose(fp);
	free(p);
	memset(&n, 0, sizeof(n));
	n.seq = (char *)"00000000000000000042";
	n.at = (char *)"2026-01-02T03:04:05Z";
	n.to = to;
	n.nto = 1;
	n.subject = (char *)"Re: Заказ";
	n.body = (char *)"Принято.\n";
	n.files = files;
	n.nfiles = 1;
	if (!ok(fx_mail_build(&n, "orders@formix.test", "formix.test", dir,
	    &out, &len, &err) == 0, "a notice is built as a message"))
		printf("# %s\n", err.msg);
	else {
		ok(strstr(out, "Message-Id: <formix-notice-"
		    "00000000000000000042@formix.test>\r\n") != NULL,
		    "its Message-ID is the notice's");
		ok(strstr(out, "\r\n\r\n") != NULL && strstr(out, "\n\n") ==
		    NULL, "CRLF lines");
		if (ok(fx_mail_parse(out, len, &lim, &m, &err) == 0,
		    "and read back")) {
			is_str(m.from, "orders@formix.test", "its sender");
			ok(m.natt == 1 && strcmp(m.att[0].name,
			    "r.result.xlsx") == 0 && m.att[0].len == 10,
			    "the workbook attached, whole");
			is_str(m.subject, "Re: Заказ", "its subject");
		}
		fx_mail_release(&m);
		free(out);
		out = NULL;
		/* The same again: the same mail (the Date is the notice's). */
		{
			char *again = NULL;
			size_t l2 = 0;
			char *a, *b;

			fx_mail_build(&n, "orders@formix.test", "formix.test",
			    dir, &again, &l2, &err);
			fx_mail_build(&n, "orders@formix.test", "formix.test",
			    dir, &out, &len, &err);
			a = strstr(again, "Date: ");
			b = strstr(out, "Date: ");
			ok(a != NULL && b != NULL && strncmp(a, b, 37) == 0 &&
			    strstr(a, "2026") != NULL,
			    "built again: the same Date");
			free(again);
		}
	}
	free(out);
	files[0] = (char *)"../etc/passwd";
	ok(fx_mail_build(&n, "orders@formix.test", "formix.test", dir, &out,
	    &len, &err) == -1 && err.code == FX_EDATA,
	    "a file outside the spool is never attached");
	p = fx_path_join(dir, "out/r.result.xlsx");
	unlink(p);
	free(p);
	p = fx_path_join(dir, "out");
	rmdir(p);
	free(p);
	rmdir(dir);
}

int
main(void)
{
	t_simple();
	t_truncated();
	t_garbage();
	t_nested();
	t_names();
	t_limits();
	t_huge_header();
	t_from();
	t_auto();
	t_auth();
	t_build();
	return done_testing();
}
