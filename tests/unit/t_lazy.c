/*
 * t_lazy.c -- lib/lazy.c: loading, its errors, and the fallback of a
 * trampoline reached before any entry point loaded its library.
 *
 * The dynamic loader reads LD_LIBRARY_PATH once, at a process's start,
 * so the broken-library cases run this program again ("child CASE") with
 * a directory holding an empty libfreexl.so.1 first on it.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <freexl.h>

#include "config.h"
#include "fx-int.h"
#include "tap.h"

extern char **environ;

/* What the child cases do; their exit status and stderr are checked. */
static int
child(const char *what)
{
	struct fx_err err;
	unsigned info = 0;

	fx_err_clear(&err);
	if (strcmp(what, "load") == 0) {
		/* An entry point: an error it can report. */
		if (fx_lazy_load(FX_LAZY_FREEXL, &err) == 0)
			return 0;
		fprintf(stderr, "%d %s\n", err.code == FX_EUNAVAIL, err.msg);
		/* And again: still an error, not a crash. */
		if (fx_lazy_load(FX_LAZY_FREEXL, &err) == 0)
			return 0;
		return 3;
	}
	if (strcmp(what, "trampoline") == 0) {
		/* No entry point first: the fallback must stop the process. */
		(void)freexl_get_info(NULL, FREEXL_BIFF_SHEET_COUNT, &info);
		return 4;	/* not reached */
	}
	return 5;
}

/* Run "self child what" with LD_LIBRARY_PATH=dir; its status and stderr. */
static int
run_child(const char *self, const char *dir, const char *what, char *out,
    size_t outsz)
{
	posix_spawn_file_actions_t fa;
	char *argv[] = { (char *)self, "child", (char *)what, NULL };
	char env[4096], errf[4096], **envp;
	size_t n = 0, i;
	pid_t pid;
	ssize_t k;
	int st, fd;

	snprintf(errf, sizeof(errf), "%s/stderr", dir);
	snprintf(env, sizeof(env), "LD_LIBRARY_PATH=%s", dir);
	while (environ[n] != NULL)
		n++;
	envp = calloc(n + 2, sizeof(*envp));
	for (i = 0, n = 0; environ[i] != NULL; i++)
		if (strncmp(environ[i], "LD_LIBRARY_PATH=", 16) != 0)
			envp[n++] = environ[i];
	envp[n++] = env;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 2, errf, O_WRONLY | O_CREAT |
	    O_TRUNC, 0600);
	if (posix_spawn(&pid, self, &fa, NULL, argv, envp) != 0) {
		free(envp);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	free(envp);
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		continue;
	out[0] = '\0';
	if ((fd = open(errf, O_RDONLY)) != -1) {
		k = read(fd, out, outsz - 1);
		out[k > 0 ? k : 0] = '\0';
		close(fd);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int
main(int argc, char **argv)
{
	const char *tmp = getenv("TMPDIR");
	char dir[1024], lib[1200], out[4096], want[4096];
	struct fx_err err;
	int fd, st;

	if (argc == 3 && strcmp(argv[1], "child") == 0)
		return child(argv[2]);

	/* Loading what is there, twice, and every library at once. */
	fx_err_clear(&err);
	if (!ok(fx_lazy_load(FX_LAZY_FREEXL, &err) == 0, "freexl loads"))
		printf("#   %s\n", err.msg);
	ok(fx_lazy_load(FX_LAZY_FREEXL, &err) == 0, "... and again");
	if (!ok(fx_lazy_load(FX_LAZY_ALL, &err) == 0, "all of them load"))
		printf("#   %s\n", err.msg);
	ok(fx_lazy_load(0, &err) == 0, "none is nothing to do");

	/* A broken libfreexl.so.1 first on the path. */
	snprintf(dir, sizeof(dir), "%s/t_lazy.XXXXXX", tmp && *tmp ? tmp :
	    "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 99;
	}
	snprintf(lib, sizeof(lib), "%s/%s", dir, FX_SONAME_FREEXL);
	if ((fd = open(lib, O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1) {
		perror(lib);
		return 99;
	}
	close(fd);

	st = run_child(argv[0], dir, "load", out, sizeof(out));
	is_int(st, 3, "an unloadable library is an error, twice over");
	snprintf(want, sizeof(want), "1 cannot load %s (needed to read XLS "
	    "files): %s: file too short\n", FX_SONAME_FREEXL, lib);
	is_str(out, want, "... FX_EUNAVAIL, naming it and why");

	st = run_child(argv[0], dir, "trampoline", out, sizeof(out));
	is_int(st, 127, "a trampoline that cannot load stops the process, "
	    "as ld.so would");
	snprintf(want, sizeof(want), "formix: cannot load %s (needed to read "
	    "XLS files): %s: file too short\n", FX_SONAME_FREEXL, lib);
	is_str(out, want, "... with one line naming the library");

	unlink(lib);
	snprintf(lib, sizeof(lib), "%s/stderr", dir);
	unlink(lib);
	rmdir(dir);
	return done_testing();
}
