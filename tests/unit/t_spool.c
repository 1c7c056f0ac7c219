/*
 * t_spool.c -- the spool's rules: which dropped names are taken, when a
 * file closed after writing counts as complete, renames that never
 * replace, the durable write into a queue entry.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fx-int.h"
#include "tap.h"

static char dir[] = "/tmp/t_spool.XXXXXX";

/* Is data, written to a file, complete? */
static int
complete(const char *data, size_t len)
{
	char path[256];
	struct stat st;
	int fd, r;

	snprintf(path, sizeof(path), "%s/f", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd == -1 || write(fd, data, len) != (ssize_t)len ||
	    fstat(fd, &st) == -1)
		return -2;
	r = fx_spool_complete(fd, &st);
	close(fd);
	return r;
}

#define C(s)	complete((s), sizeof(s) - 1)

int
main(void)
{
	char big[20000], a[256], b[256];
	struct fx_err err;

	if (mkdtemp(dir) == NULL)
		return 1;

	/* Names. */
	is_int(fx_spool_name_kind(".hidden.xml"), FX_NAME_SKIP, "dot-file");
	is_int(fx_spool_name_kind("offers.xml.part"), FX_NAME_SKIP, ".part");
	is_int(fx_spool_name_kind("a.FILEPART"), FX_NAME_SKIP, ".filepart");
	is_int(fx_spool_name_kind("a.tmp"), FX_NAME_SKIP, ".tmp");
	is_int(fx_spool_name_kind("new\nline.xml"), FX_NAME_BAD,
	    "control characters");
	is_int(fx_spool_name_kind("import.xml"), FX_NAME_PART, "import.xml");
	is_int(fx_spool_name_kind("import0_1.xml"), FX_NAME_PART, "import0_1");
	is_int(fx_spool_name_kind("offers___7f30.xml"), FX_NAME_PART,
	    "offers___");
	is_int(fx_spool_name_kind("rests___1.XML"), FX_NAME_PART, "rests___");
	is_int(fx_spool_name_kind("prices.xml"), FX_NAME_PART, "prices");
	is_int(fx_spool_name_kind("conditions.xml"), FX_NAME_FILE,
	    "conditions: a file of its own");
	is_int(fx_spool_name_kind("import.xml.err"), FX_NAME_FILE,
	    "a part's name needs .xml at the end");
	is_int(fx_spool_name_kind("x..y.xml"), FX_NAME_FILE, "\"..\" inside");

	/* Completeness. */
	is_int(C(""), 0, "empty: not complete");
	is_int(C("   \n"), 0, "white space only: not complete");
	is_int(C("<?xml version=\"1.0\"?>\n<a><b/></a>\n"), 1, "whole XML");
	is_int(C("\xef\xbb\xbf<?xml version=\"1.0\"?>\r\n<!-- c -->\n"
	    "<ns:Root x=\"1\">t</ns:Root>\r\n"), 1, "BOM, comment, prefix");
	is_int(C("<?xml version=\"1.0\"?>\n<a><b/></a"), 0, "cut in the tag");
	is_int(C("<?xml version=\"1.0\"?>\n<a><b>text"), 0, "cut in text");
	is_int(C("<?xml version=\"1.0\"?>\n<a><b></b>"), 0,
	    "a child's end is not the root's");
	is_int(C("<a></b>"), 0, "another element's end");
	is_int(C("<?xml version=\"1.0\"?>\n<a/>\n"), 1, "an empty root");
	is_int(C("<?xml version=\"1.0\""), 0, "cut in the declaration");
	is_int(C("article;qty\n27087;1\n"), 1, "not XML: not judged here");
	is_int(C("\xff\xfe<\0a\0>\0"), 1, "UTF-16: not judged here");
	is_int(C("<\xca\xee\xec>\xd2</\xca\xee\xec>"), 1,
	    "windows-1251 names compare as bytes");
	memset(big, ' ', sizeof(big));
	memcpy(big, "<root>", 6);
	memcpy(big + sizeof(big) - 8, "</root>\n", 8);
	is_int(complete(big, sizeof(big)), 1, "head and tail of a big file");
	is_int(complete(big, sizeof(big) - 3), 0, "a big file cut short");

	/* Renames never replace. */
	snprintf(a, sizeof(a), "%s/a", dir);
	snprintf(b, sizeof(b), "%s/b", dir);
	close(open(a, O_CREAT | O_WRONLY, 0600));
	close(open(b, O_CREAT | O_WRONLY, 0600));
	fx_err_clear(&err);
	ok(fx_spool_rename(a, b, &err) == -1 && err.code == FX_EIO &&
	    err.sys_errno == EEXIST, "rename onto an existing name fails");
	ok(access(a, F_OK) == 0, "... and leaves the source");
	unlink(b);
	ok(fx_spool_move(a, b, &err) == 0 && access(b, F_OK) == 0 &&
	    access(a, F_OK) == -1, "move");
	ok(fx_spool_move(a, b, &err) == -1 && err.code == FX_ENOINPUT,
	    "moving what is gone: FX_ENOINPUT");
	unlink(b);

	/* FX_CRASH_AT names other points: nothing happens here. */
	setenv("FX_CRASH_AT", "elsewhere:1", 1);
	fx_crash_at("here");
	ok(1, "fx_crash_at of another point returns");
	unsetenv("FX_CRASH_AT");

	snprintf(a, sizeof(a), "%s/f", dir);
	unlink(a);
	rmdir(dir);
	return done_testing();
}
