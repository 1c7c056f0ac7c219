/* t_attach.c -- a claim attachment's type from its content; its name. */
#include <string.h>

#include "formix.h"
#include "tap.h"

/* The type sniffed from n bytes of s, or the refusal's message. */
static const char *
sniff(const char *s, size_t n)
{
	static char buf[300];
	struct fx_err e;
	const char *type;

	fx_err_clear(&e);
	if (fx_attach_sniff(s, n, &type, &e) == -1) {
		if (e.code != FX_EDATA)
			return "(not FX_EDATA)";
		(void)snprintf(buf, sizeof(buf), "refused: %s", e.msg);
		return buf;
	}
	return type;
}

#define S(lit)	sniff(lit, sizeof(lit) - 1)

static const char *
name(const char *s)
{
	static char buf[300];
	struct fx_err e;

	fx_err_clear(&e);
	if (fx_attach_name_check(s, &e) == 0)
		return "ok";
	(void)snprintf(buf, sizeof(buf), "%s", e.msg);
	return buf;
}

int
main(void)
{
	is_str(S("\xff\xd8\xff\xe0\x00\x10JFIF"), "image/jpeg", "JPEG");
	is_str(S("\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), "image/png", "PNG");
	is_str(S("GIF89a\x01\0\x01\0"), "image/gif", "GIF89a");
	is_str(S("GIF87a\x01\0\x01\0"), "image/gif", "GIF87a");
	is_str(S("RIFF\x10\0\0\0WEBPVP8 "), "image/webp", "WebP");
	is_str(S("RIFF\x10\0\0\0AVI LIST"), "video/x-msvideo", "AVI");
	is_str(S("\0\0\0\x18" "ftypheic\0\0\0\0mif1heic"), "image/heic",
	    "HEIC (ftyp heic)");
	is_str(S("\0\0\0\x18" "ftypmif1\0\0\0\0mif1heic"), "image/heif",
	    "HEIF (ftyp mif1)");
	is_str(S("\0\0\0\x18" "ftypisom\0\0\x02\0isomiso2"), "video/mp4",
	    "MP4 (ftyp isom)");
	is_str(S("\0\0\0\x14" "ftypqt  \0\0\x02\0qt  "), "video/quicktime",
	    "MOV (ftyp qt)");
	is_str(S("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), "application/pdf", "PDF");
	is_str(S("PK\x03\x04\x14\0\0\0\0\0[Content_Types].xml...word/document"
	    ".xml"), "application/vnd.openxmlformats-officedocument."
	    "wordprocessingml.document", "DOCX");
	is_str(S("PK\x03\x04\x14\0\0\0\0\0[Content_Types].xml...xl/workbook"
	    ".xml"), "application/vnd.openxmlformats-officedocument."
	    "spreadsheetml.sheet", "XLSX");
	is_str(S("PK\x03\x04\x14\0\0\0\0\0readme.txt"), "refused: a ZIP "
	    "archive, not an Office document (DOCX, XLSX)", "a plain ZIP");
	is_str(S("PK\x03\x04\x14\0\0\0\0\0[Content_Types].xml"), "refused: a "
	    "ZIP archive, not an Office document (DOCX, XLSX)",
	    "an OOXML package that is neither Word nor Excel");
	is_str(S("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\0\0"),
	    "application/x-ole-storage", "OLE2 (DOC, XLS)");
	is_str(S("Акт осмотра\r\nТрещина на корпусе.\n"), "text/plain",
	    "UTF-8 text");
	is_str(S("\xef\xbb\xbfwith a BOM\n"), "text/plain", "text with a BOM");

	/* Refused, saying what it is. */
	is_str(S("\x7f" "ELF\x02\x01\x01"), "refused: an executable (ELF), not "
	    "a photo, video or document", "ELF");
	is_str(S("MZ\x90\0\x03\0"), "refused: a Windows executable (MZ), not "
	    "a photo, video or document", "PE/MZ");
	is_str(S("\xcf\xfa\xed\xfe\x07\0\0\x01"), "refused: an executable "
	    "(Mach-O), not a photo, video or document", "Mach-O");
	is_str(S("#!/bin/sh\nrm -rf /\n"), "refused: a script (#!), not a "
	    "photo, video or document", "a script");
	is_str(S(""), "refused: empty file", "empty");
	is_str(S("\0\x01\x02\x03garbage"), "refused: type not recognised "
	    "(taken: JPEG, PNG, GIF, WebP, HEIC, MP4, MOV, AVI, PDF, DOCX, "
	    "XLSX, DOC, XLS, UTF-8 text)", "binary garbage");
	is_str(S("text with a \x1b escape"), "refused: type not recognised "
	    "(taken: JPEG, PNG, GIF, WebP, HEIC, MP4, MOV, AVI, PDF, DOCX, "
	    "XLSX, DOC, XLS, UTF-8 text)", "text with a control character");
	is_str(S("windows-1251 \xcf\xf0\xe8\xe2\xe5\xf2"), "refused: type not "
	    "recognised (taken: JPEG, PNG, GIF, WebP, HEIC, MP4, MOV, AVI, "
	    "PDF, DOCX, XLSX, DOC, XLS, UTF-8 text)", "not UTF-8");
	is_str(S("\xff\xd8"), "refused: type not recognised (taken: JPEG, "
	    "PNG, GIF, WebP, HEIC, MP4, MOV, AVI, PDF, DOCX, XLSX, DOC, XLS, "
	    "UTF-8 text)", "two bytes of JPEG are not a JPEG");

	/* Names: shown only, never a path. */
	is_str(name("фото 1.jpg"), "ok", "a Cyrillic name with a space");
	is_str(name("..hidden"), "file name \"..hidden\" would be a path: a "
	    "name is only shown, never used as a path", "a name starting ..");
	is_str(name("a..b.jpg"), "ok", "two dots inside");
	is_str(name("../etc/passwd"), "file name \"../etc/passwd\" would be a "
	    "path: a name is only shown, never used as a path", "../");
	is_str(name("a/b.jpg"), "file name \"a/b.jpg\" would be a path: a name "
	    "is only shown, never used as a path", "a slash");
	is_str(name(".."), "file name \"..\" would be a path: a name is only "
	    "shown, never used as a path", "..");
	is_str(name("."), "file name \".\" would be a path: a name is only "
	    "shown, never used as a path", ".");
	is_str(name("a\nb.jpg"), "file name \"a\\nb.jpg\" holds a control "
	    "character", "a newline");
	is_str(name("a\x7f.jpg"), "file name \"a\\x7f.jpg\" holds a control "
	    "character", "DEL");
	is_str(name("\xff.jpg"), "file name is not valid UTF-8",
	    "not UTF-8");
	is_str(name(""), "empty file name", "empty");
	return done_testing();
}
