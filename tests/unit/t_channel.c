/*
 * t_channel.c -- the channel file reader (fx_channel_read): every
 * keyword, comments and blanks, CRLF, the last user/mode/mail winning,
 * bad lines by number, too big, not a regular file, a symbolic link.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fx-int.h"
#include "tap.h"

static char dir[] = "/tmp/t_channel.XXXXXX";
static char path[256];
static char why[256];
static struct fx_channel ch;

/* Write text as the channel file and read it: the reader's result. */
static int
rd(const char *text)
{
	FILE *f;

	fx_channel_release(&ch);
	why[0] = '\0';
	if ((f = fopen(path, "w")) == NULL)
		return -2;
	fputs(text, f);
	fclose(f);
	return fx_channel_read(path, &ch, why, sizeof(why));
}

#define BADLINE(n)	"line " #n ": expected \"user LOGIN\", \"mode " \
	"auto|check|draft\", \"mail ADDRESS\", \"pull URL\" or \"push URL\""

int
main(void)
{
	char big[FX_CHANNEL_MAX + 16], link[300];
	enum fx_chmode m;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/channel", dir);

	/* Every keyword; words after the value are ignored. */
	is_int(rd("# made by hand\n\n  user ivan extra words\nmode check\n"
	    "mail Orders+K@Formix.Test\npull sftp://h/a\npush sftp://h/o\n"
	    "pull sftp://h/b\n"), 0, "every keyword");
	is_str(ch.login, "ivan", "user");
	is_int(ch.mode, FX_CHMODE_CHECK, "mode");
	is_str(ch.mail, "orders+k@formix.test", "mail is folded");
	ok(ch.npull == 2 && strcmp(ch.pull[0], "sftp://h/a") == 0 &&
	    strcmp(ch.pull[1], "sftp://h/b") == 0, "two pulls, in order");
	ok(ch.npush == 1 && strcmp(ch.push[0], "sftp://h/o") == 0, "a push");

	/* Defaults, the last one wins, CRLF and tabs. */
	is_int(rd("user a\r\nuser b\r\n\tmode draft\r\nmode auto\r\n"), 0,
	    "CRLF");
	is_str(ch.login, "b", "the last user line wins");
	is_int(ch.mode, FX_CHMODE_AUTO, "the last mode line wins");
	ok(ch.mail[0] == '\0' && ch.npull == 0 && ch.npush == 0,
	    "no mail, no remotes");
	is_int(rd("user x"), 0, "no newline at the end");
	is_int(rd("   # indented comment\r\n\r\nuser x\n"), 0,
	    "an indented comment, a blank CRLF line");

	/* Bad lines, named by number; nothing kept. */
	is_int(rd("user ivan\nmode fast\n"), -1, "an unknown mode");
	is_str(why, BADLINE(2), "... says the line");
	ok(ch.login[0] == '\0' && ch.pull == NULL, "... and keeps nothing");
	is_int(rd("# c\nuser ivan\nmail no-at-sign\n"), -1, "mail without @");
	is_str(why, BADLINE(3), "... line 3");
	is_int(rd("user ivan\npull\n"), -1, "pull without a URL");
	is_str(why, BADLINE(2), "... line 2");
	is_int(rd("user\n"), -1, "user without a login");
	is_str(why, BADLINE(1), "... line 1");
	memset(big, 'a', 70);
	memcpy(big, "user ", 5);
	big[70] = '\n';
	big[71] = '\0';
	is_int(rd(big), -1, "a login over 64 bytes");
	is_int(rd("User ivan\n"), -1, "keywords are lower case");
	is_int(rd("mode auto\n"), -1, "no user line");
	is_str(why, "no \"user LOGIN\" line", "... says so");
	is_int(rd("# only a comment\n"), -1, "only comments");

	/* Too big: 4 KiB and more, even if the start is good. */
	memset(big, '#', sizeof(big));
	memcpy(big, "user ivan\n", 10);
	big[FX_CHANNEL_MAX] = '\0';
	is_int(rd(big), -1, "4096 bytes");
	is_str(why, "not a regular file under 4 KiB", "... too big");
	big[FX_CHANNEL_MAX - 2] = '\n';
	big[FX_CHANNEL_MAX - 1] = '\0';
	is_int(rd(big), 0, "4095 bytes");

	/* Not a regular file; a symbolic link is not followed. */
	unlink(path);
	mkdir(path, 0700);
	is_int(fx_channel_read(path, &ch, why, sizeof(why)), -1,
	    "a directory");
	is_str(why, "not a regular file under 4 KiB", "... refused");
	rmdir(path);
	snprintf(link, sizeof(link), "%s/real", dir);
	rd("user ivan\n");
	rename(path, link);
	if (symlink(link, path) == -1)
		return 1;
	is_int(fx_channel_read(path, &ch, why, sizeof(why)), -1,
	    "a symbolic link");
	is_str(why, strerror(ELOOP), "... not followed");
	unlink(path);
	unlink(link);
	is_int(fx_channel_read(path, &ch, why, sizeof(why)), -1, "missing");
	is_str(why, strerror(ENOENT), "... says so");

	/* Modes and folder names. */
	ok(fx_channel_mode_parse("draft", &m) == 0 && m == FX_CHMODE_DRAFT,
	    "mode draft");
	ok(fx_channel_mode_parse("Auto", &m) == -1, "modes are lower case");
	is_str(fx_channel_mode_name(FX_CHMODE_CHECK), "check", "mode name");
	ok(fx_channel_dir_ok("D00001") && fx_channel_dir_ok("a_b-9"),
	    "folder names");
	ok(!fx_channel_dir_ok("") && !fx_channel_dir_ok(".x") &&
	    !fx_channel_dir_ok("a/b") && !fx_channel_dir_ok("..") &&
	    !fx_channel_dir_ok("a b") && !fx_channel_dir_ok("д"),
	    "bad folder names");
	memset(big, 'x', 65);
	big[65] = '\0';
	ok(!fx_channel_dir_ok(big), "65 characters");
	big[64] = '\0';
	ok(fx_channel_dir_ok(big), "64 characters");

	fx_channel_release(&ch);
	fx_channel_release(NULL);
	rmdir(dir);
	return done_testing();
}
