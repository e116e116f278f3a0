/* rootfs.c: guest paths resolved inside the container's root, as the guest
 * (and runc inside its chroot) sees them. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci.h"

#define MAX_LINKS 40 /* Linux's MAXSYMLINKS */

/* dst = a + b, or -1 if it does not fit. */
static int join(char *dst, size_t cap, const char *a, const char *b)
{
	int n = snprintf(dst, cap, "%s%s", a, b);

	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

int rootfs_resolve(const char *rootfs, const char *cwd, const char *path,
    char out[PATH_MAX], int *why, char *err, size_t errlen)
{
	/* rest: what is left to walk; done: the guest path so far, "" for /. */
	char rest[2 * PATH_MAX], next[2 * PATH_MAX], done[PATH_MAX];
	char host[2 * PATH_MAX], target[PATH_MAX], cand[PATH_MAX];
	int links = 0;
	size_t at = 0;

	*why = 0;
	if (path[0] != '/' ? snprintf(rest, sizeof(rest), "%s/%s", cwd, path) >=
	            (int)sizeof(rest) :
	                     join(rest, sizeof(rest), path, "") < 0)
		goto toolong;
	done[0] = '\0';
	for (;;) {
		struct stat st;
		const char *comp;
		size_t len;
		ssize_t n;

		while (rest[at] == '/')
			at++;
		if (rest[at] == '\0')
			break;
		comp = rest + at;
		len = strcspn(comp, "/");
		at += len;
		if (len == 1 && comp[0] == '.')
			continue;
		if (len == 2 && comp[0] == '.' && comp[1] == '.') {
			char *slash = strrchr(done, '/');

			if (slash != NULL)
				*slash = '\0';
			continue;
		}
		if (snprintf(cand, sizeof(cand), "%s/%.*s", done, (int)len,
		        comp) >= (int)sizeof(cand) ||
		    join(host, sizeof(host), rootfs, cand) < 0)
			goto toolong;
		if (lstat(host, &st) < 0) {
			*why = errno;
			return fail(err, errlen, "%s: %s", cand,
			    strerror(errno));
		}
		if (S_ISLNK(st.st_mode)) {
			if (++links > MAX_LINKS) {
				*why = ELOOP;
				return fail(err, errlen, "%s: %s", path,
				    strerror(ELOOP));
			}
			n = readlink(host, target, sizeof(target));
			if (n < 0) {
				*why = errno;
				return fail(err, errlen, "%s: %s", cand,
				    strerror(errno));
			}
			if ((size_t)n >= sizeof(target))
				goto toolong;
			target[n] = '\0';
			/* The target, then what was left after the link. */
			if (join(next, sizeof(next), target, rest + at) < 0)
				goto toolong;
			memcpy(rest, next, strlen(next) + 1);
			at = 0;
			if (target[0] == '/')
				done[0] = '\0';
			continue;
		}
		if (!S_ISDIR(st.st_mode) && rest[at] != '\0' &&
		    rest[at + strspn(rest + at, "/")] != '\0') {
			*why = ENOTDIR;
			return fail(err, errlen, "%s: %s", cand,
			    strerror(ENOTDIR));
		}
		memcpy(done, cand, strlen(cand) + 1);
	}
	if (join(out, PATH_MAX, done[0] ? done : "/", "") < 0)
		goto toolong;
	return 0;
toolong:
	*why = ENAMETOOLONG;
	return fail(err, errlen, "%s: %s", path, strerror(ENAMETOOLONG));
}

/* guest (canonical) is a regular file with an execute bit: 0, or the errno
 * runc's lookup gives (EACCES for a directory or no x bit). */
static int executable(const char *rootfs, const char *guest)
{
	char host[2 * PATH_MAX];
	struct stat st;

	if (join(host, sizeof(host), rootfs, guest) < 0)
		return ENAMETOOLONG;
	if (lstat(host, &st) < 0)
		return errno;
	if (!S_ISREG(st.st_mode) || (st.st_mode & 0111) == 0)
		return EACCES;
	return 0;
}

int rootfs_find_program(const char *rootfs, const char *cwd, const char *args0,
    char *const env[], int envc, char guest[PATH_MAX], char *err, size_t errlen)
{
	char why_text[OCI_ERR_LEN], cand[PATH_MAX];
	const char *path = NULL, *p;
	int i, why, e;

	if (args0[0] == '\0')
		return fail(err, errlen, "process.args[0] is empty");
	if (strchr(args0, '/') != NULL) {
		if (rootfs_resolve(rootfs, cwd, args0, guest, &why, why_text,
		        sizeof(why_text)) < 0)
			return fail(err, errlen, "exec: \"%s\": %s", args0,
			    why == ENOENT ? "no such file or directory" :
			                    why_text);
		if ((e = executable(rootfs, guest)) != 0)
			return fail(err, errlen, "exec: \"%s\": %s%s", args0,
			    strerror(e),
			    e == EACCES ? " (not an executable file)" : "");
		return 0;
	}
	/* The last PATH wins, as in runc, which sets each variable in turn. */
	for (i = 0; i < envc; i++)
		if (strncmp(env[i], "PATH=", 5) == 0)
			path = env[i] + 5;
	for (p = path; p != NULL;) {
		size_t len = strcspn(p, ":");

		/* An empty entry is ".", the working directory. */
		if (snprintf(cand, sizeof(cand), "%.*s/%s", len ? (int)len : 1,
		        len ? p : ".", args0) < (int)sizeof(cand) &&
		    rootfs_resolve(rootfs, cwd, cand, guest, &why, why_text,
		        sizeof(why_text)) == 0 &&
		    executable(rootfs, guest) == 0)
			return 0;
		p = p[len] == ':' ? p + len + 1 : NULL;
	}
	return fail(err, errlen,
	    "exec: \"%s\": executable file not found in $PATH", args0);
}
