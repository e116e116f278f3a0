/*
 * tree_test: unit tests of the root file tree builder (tree.c) on temporary
 * host trees; host-only, run under ASan and UBSan. Every image is checked
 * by a reader that trusts nothing in it, as the guest kernel must, and
 * compared with the host tree it came from. Built with TREE_MAX_NODES 300.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include "monitor.h"

static int passed, failed;
static char top[64]; /* the temporary directory of this run */

static void check(int ok, const char *name, const char *detail)
{
	if (ok) {
		passed++;
	} else {
		failed++;
		printf("FAIL %s%s%s\n", name, detail ? ": " : "",
		    detail ? detail : "");
	}
}

static void die(const char *what)
{
	printf("FAIL setup: %s: %s\n", what, strerror(errno));
	printf("%d passed, %d failed\n", passed, failed + 1);
	exit(1);
}

/* A path under this run's directory. */
static const char *at(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static const char *at(const char *fmt, ...)
{
	static char buf[8][8192];
	static unsigned k;
	char *p = buf[k++ % 8];
	va_list ap;
	int n = snprintf(p, sizeof(buf[0]), "%s/", top);

	va_start(ap, fmt);
	vsnprintf(p + n, sizeof(buf[0]) - (size_t)n, fmt, ap);
	va_end(ap);
	return p;
}

static void mkdir_or_die(const char *p)
{
	if (mkdir(p, 0755) < 0)
		die(p);
}

/* A file of len bytes of a pattern seeded by seed, with mode and mtime. */
static void put(const char *p, size_t len, unsigned seed, mode_t mode,
    time_t mtime)
{
	struct timespec ts[2] = { { mtime, 0 }, { mtime, 123456789 } };
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	size_t i;

	if (fd < 0)
		die(p);
	for (i = 0; i < len; i++) {
		uint8_t c = (uint8_t)(seed * 31 + i * 7 + (i >> 8));

		if (write(fd, &c, 1) != 1)
			die(p);
	}
	if (fchmod(fd, mode) < 0 || futimens(fd, ts) < 0)
		die(p);
	close(fd);
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(p);
}

static void rm_rf(const char *p)
{
	nftw(p, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* --- a reader that trusts nothing in the image ------------------------- */

struct image {
	const uint8_t *b;
	uint64_t size;
	uint32_t count;
};

static struct svm_node node_at(const struct image *im, uint32_t i)
{
	struct svm_node n;

	memcpy(&n, im->b + sizeof(struct svm_tree) + (uint64_t)i * sizeof(n),
	    sizeof(n));
	return n;
}

static const char *name_of(const struct image *im, const struct svm_node *n)
{
	return (const char *)im->b + n->name;
}

/*
 * The checks the guest kernel makes before serving the image: every offset
 * inside size, indexes below count, names NUL-terminated, directory lists
 * without cycles or sharing, every node reachable once, names unique (here
 * also sorted) and valid. 0, or -1 with why.
 */
static int validate(const uint8_t *b, uint64_t len, struct image *im, char *why,
    size_t whylen)
{
	struct svm_tree h;
	uint8_t *seen;
	uint32_t *stack, sp = 0, i, reached = 1;
	int rc = -1;

	if (len < sizeof(h)) {
		snprintf(why, whylen, "shorter than the header");
		return -1;
	}
	memcpy(&h, b, sizeof(h));
	if (h.magic != SVM_TREE_MAGIC || h.size > len || h.size < sizeof(h) ||
	    h.count == 0 ||
	    h.count > (h.size - sizeof(h)) / sizeof(struct svm_node)) {
		snprintf(why, whylen, "bad header");
		return -1;
	}
	im->b = b;
	im->size = h.size;
	im->count = h.count;
	for (i = 0; i < h.count; i++) {
		struct svm_node n = node_at(im, i);
		uint64_t end;
		uint32_t type = n.mode & S_IFMT;

		if (n.name >= h.size ||
		    memchr(b + n.name, 0, h.size - n.name) == NULL) {
			snprintf(why, whylen, "node %u: name outside", i);
			return -1;
		}
		if (type != S_IFDIR && type != S_IFREG && type != S_IFLNK &&
		    type != S_IFCHR) {
			snprintf(why, whylen, "node %u: type %o", i, type);
			return -1;
		}
		if (n.parent >= h.count || n.child >= h.count ||
		    n.next >= h.count) {
			snprintf(why, whylen, "node %u: index out of range", i);
			return -1;
		}
		if ((type == S_IFREG || type == S_IFLNK) &&
		    (__builtin_add_overflow(n.data, n.size, &end) ||
		        end > h.size)) {
			snprintf(why, whylen, "node %u: data outside", i);
			return -1;
		}
		if (type != S_IFDIR && n.child != 0) {
			snprintf(why, whylen, "node %u: entries, not a dir", i);
			return -1;
		}
	}
	{
		struct svm_node r = node_at(im, 0);

		if ((r.mode & S_IFMT) != S_IFDIR || r.parent != 0 ||
		    r.next != 0 || name_of(im, &r)[0] != 0) {
			snprintf(why, whylen, "node 0 is not \"/\"");
			return -1;
		}
	}
	seen = calloc(h.count, 1);
	stack = calloc(h.count, sizeof(*stack));
	if (seen == NULL || stack == NULL)
		die("calloc");
	seen[0] = 1;
	stack[sp++] = 0;
	while (sp > 0) {
		uint32_t d = stack[--sp], c, steps = 0;
		struct svm_node dn = node_at(im, d);
		const char *prev = NULL;

		for (c = dn.child; c != 0; c = node_at(im, c).next) {
			struct svm_node cn = node_at(im, c);
			const char *nm = name_of(im, &cn);

			if (seen[c] || ++steps > h.count) {
				snprintf(why, whylen,
				    "node %u reached twice (cycle)", c);
				goto out;
			}
			seen[c] = 1;
			reached++;
			if (cn.parent != d) {
				snprintf(why, whylen,
				    "node %u: parent %u, in %u", c, cn.parent,
				    d);
				goto out;
			}
			if (nm[0] == 0 || strchr(nm, '/') ||
			    strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0) {
				snprintf(why, whylen, "node %u: bad name '%s'",
				    c, nm);
				goto out;
			}
			if (prev && strcmp(prev, nm) >= 0) {
				snprintf(why, whylen,
				    "node %u: '%s' after '%s': unsorted or "
				    "twice",
				    c, nm, prev);
				goto out;
			}
			prev = nm;
			if ((cn.mode & S_IFMT) == S_IFDIR)
				stack[sp++] = c;
		}
	}
	if (reached != h.count) {
		snprintf(why, whylen, "%u of %u nodes reachable", reached,
		    h.count);
		goto out;
	}
	rc = 0;
out:
	free(seen);
	free(stack);
	return rc;
}

/* The node of guest path p (absolute), or -1; without following links. */
static int64_t lookup(const struct image *im, const char *p)
{
	uint32_t cur = 0;
	char buf[4096], *save, *c;

	snprintf(buf, sizeof(buf), "%s", p);
	for (c = strtok_r(buf, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		struct svm_node d = node_at(im, cur);
		uint32_t k;

		for (k = d.child; k != 0; k = node_at(im, k).next) {
			struct svm_node n = node_at(im, k);

			if (strcmp(name_of(im, &n), c) == 0)
				break;
		}
		if (k == 0)
			return -1;
		cur = k;
	}
	return cur;
}

/* Guest paths the comparison with the host leaves out (the monitor's). */
static const char *const *extras;

static int is_extra(const char *p)
{
	const char *const *e;

	for (e = extras; e && *e; e++)
		if (strcmp(*e, p) == 0)
			return 1;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Compare guest directory d (at guest path gp) with host directory hp:
 * the same entries, types, permission bits, sizes, mtimes, bytes and
 * symlink targets. Returns the number of differences, reported.
 */
static int compare_dir(const struct image *im, uint32_t d, const char *gp,
    const char *hp)
{
	DIR *dir = opendir(hp);
	struct dirent *e;
	char *names[512];
	size_t n = 0, i, guest = 0;
	int bad = 0;
	uint32_t k;
	char msg[9000];

	if (dir == NULL)
		die(hp);
	while ((e = readdir(dir)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
		    n < 512)
			names[n++] = strdup(e->d_name);
	closedir(dir);
	qsort(names, n, sizeof(names[0]), by_name);
	for (k = node_at(im, d).child; k; k = node_at(im, k).next) {
		struct svm_node c = node_at(im, k);
		char g[4096], h[4096];
		struct stat st;

		snprintf(g, sizeof(g), "%s/%s", strcmp(gp, "/") ? gp : "",
		    name_of(im, &c));
		if (is_extra(g))
			continue;
		guest++;
		snprintf(h, sizeof(h), "%s/%s", hp, name_of(im, &c));
		if (lstat(h, &st) < 0) {
			snprintf(msg, sizeof(msg), "%s: not on the host", g);
			check(0, "image as the host tree", msg);
			bad++;
			continue;
		}
		if ((st.st_mode & S_IFMT) != (c.mode & S_IFMT) ||
		    (!S_ISLNK(st.st_mode) &&
		        (st.st_mode & 07777) != (c.mode & 07777)) ||
		    (uint64_t)st.st_mtim.tv_sec != c.mtime) {
			snprintf(msg, sizeof(msg),
			    "%s: mode %o mtime %llu, host %o %llu", g, c.mode,
			    (unsigned long long)c.mtime, st.st_mode,
			    (unsigned long long)st.st_mtim.tv_sec);
			check(0, "image as the host tree", msg);
			bad++;
			continue;
		}
		if (S_ISREG(st.st_mode)) {
			uint8_t *buf = malloc((size_t)st.st_size + 1);
			int fd = open(h, O_RDONLY);
			ssize_t got =
			    fd < 0 ? -1 : read(fd, buf, (size_t)st.st_size + 1);

			if (fd >= 0)
				close(fd);
			if (c.size != (uint64_t)st.st_size ||
			    got != st.st_size ||
			    memcmp(buf, im->b + c.data, c.size) != 0) {
				snprintf(msg, sizeof(msg), "%s: bytes differ",
				    g);
				check(0, "image as the host tree", msg);
				bad++;
			}
			free(buf);
		} else if (S_ISLNK(st.st_mode)) {
			char t[4096];
			ssize_t tl = readlink(h, t, sizeof(t));

			if (tl < 0 || c.size != (uint64_t)tl ||
			    memcmp(t, im->b + c.data, c.size) != 0) {
				snprintf(msg, sizeof(msg), "%s: target differs",
				    g);
				check(0, "image as the host tree", msg);
				bad++;
			}
		} else if (S_ISDIR(st.st_mode)) {
			bad += compare_dir(im, k, g, h);
		}
	}
	if (guest != n) {
		snprintf(msg, sizeof(msg), "%s: %zu entries, host %zu", gp,
		    guest, n);
		check(0, "image as the host tree", msg);
		bad++;
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	return bad;
}

/* --- building and writing ----------------------------------------------- */

/* Write t into an exact-size heap buffer (ASan sees any write past it). */
static uint8_t *write_tree(struct tree *t, uint64_t *size, char *err,
    size_t errlen)
{
	uint8_t *b;

	*size = tree_size(t);
	if ((b = malloc(*size)) == NULL)
		die("malloc");
	memset(b, 0xa5, *size); /* no byte may stay as it was */
	if (tree_write(t, b, *size, err, errlen) < 0) {
		free(b);
		return NULL;
	}
	return b;
}

/* A tree of --root dir plus the defaults must be refused with want. */
static void expect_root_fail(const char *name, const char *dir,
    const char *want)
{
	struct tree *t = tree_new();
	char err[SVM_ERR_LEN] = "";
	int rc = tree_add_root(t, dir, err, sizeof(err));

	check(rc < 0 && strstr(err, want) != NULL && !strchr(err, '\n'), name,
	    rc < 0 ? err : "accepted");
	tree_free(t);
}

static void test_basic(void)
{
	static const char *const ex[] = { "/dev/null", "/dev/zero",
		"/dev/random", "/dev/urandom", "/proc", NULL };
	struct tree *t;
	char err[SVM_ERR_LEN] = "", why[256] = "";
	uint8_t *b, *b2;
	uint64_t size, size2;
	struct image im;
	int64_t k;

	mkdir_or_die(at("basic"));
	mkdir_or_die(at("basic/a"));
	mkdir_or_die(at("basic/a/b"));
	mkdir_or_die(at("basic/a/b/c"));
	mkdir_or_die(at("basic/dev"));
	mkdir_or_die(at("basic/empty"));
	put(at("basic/a/file"), 5000, 1, 0644, 1000000000);
	put(at("basic/a/b/exec"), 100, 2, 0755, 1200000000);
	put(at("basic/a/b/c/secret"), 1, 3, 0600, 1);
	put(at("basic/a/b/c/setuid"), 17, 4, 04755, 1300000000);
	put(at("basic/zero-length"), 0, 5, 0444, 1400000000);
	put(at("basic/big"), 300000, 6, 0644, 1500000000);
	put(at("basic/dev/foo"), 3, 7, 0644, 1600000000);
	if (link(at("basic/a/file"), at("basic/hardlink")) < 0 ||
	    symlink("/etc/passwd", at("basic/abs-link")) < 0 ||
	    symlink("../b/exec", at("basic/a/b/c/rel-link")) < 0 ||
	    symlink("no/such/target", at("basic/dangling")) < 0 ||
	    symlink("a", at("basic/dir-link")) < 0)
		die("link");
	chmod(at("basic/a/b"), 0750);

	t = tree_new();
	check(tree_add_root(t, at("basic"), err, sizeof(err)) == 0,
	    "root accepted", err);
	check(tree_add_defaults(t, "/bin/prog", err, sizeof(err)) == 0,
	    "defaults merged into the root's /dev", err);
	b = write_tree(t, &size, err, sizeof(err));
	check(b != NULL, "root tree written", err);
	if (b == NULL) {
		tree_free(t);
		return;
	}
	check(validate(b, size, &im, why, sizeof(why)) == 0, "root tree valid",
	    why);
	extras = ex;
	check(compare_dir(&im, 0, "/", at("basic")) == 0,
	    "root tree as the host tree", NULL);
	extras = NULL;
	k = lookup(&im, "/dev/null");
	check(k > 0 && node_at(&im, (uint32_t)k).mode == (S_IFCHR | 0666) &&
	        node_at(&im, (uint32_t)k).rdev == (1 << 8 | 3),
	    "/dev/null", NULL);
	k = lookup(&im, "/dev/urandom");
	check(k > 0 && node_at(&im, (uint32_t)k).rdev == (1 << 8 | 9),
	    "/dev/urandom", NULL);
	k = lookup(&im, "/dev/foo");
	check(k > 0 && (node_at(&im, (uint32_t)k).mode & S_IFMT) == S_IFREG,
	    "the root's /dev/foo kept", NULL);
	k = lookup(&im, "/proc/self/exe");
	check(k > 0 && (node_at(&im, (uint32_t)k).mode & S_IFMT) == S_IFLNK &&
	        node_at(&im, (uint32_t)k).size == 9 &&
	        memcmp(b + node_at(&im, (uint32_t)k).data, "/bin/prog", 9) == 0,
	    "/proc/self/exe", NULL);
	k = lookup(&im, "/dir-link");
	check(k > 0 && (node_at(&im, (uint32_t)k).mode & S_IFMT) == S_IFLNK,
	    "a symlink to a directory stays a symlink", NULL);

	/* The same host tree gives the same bytes. */
	b2 = write_tree(t, &size2, err, sizeof(err));
	check(b2 && size2 == size && memcmp(b, b2, size) == 0,
	    "written twice: the same image", err);
	free(b2);
	free(b);

	/* The budget: exactly enough, and one byte less. */
	b = malloc(size);
	check(tree_write(t, b, size, err, sizeof(err)) == 0,
	    "budget of exactly its size", err);
	{
		char want[200];

		snprintf(want, sizeof(want),
		    "root tree of %llu bytes does not fit in guest memory "
		    "(%llu available): use a larger --mem",
		    (unsigned long long)size, (unsigned long long)size - 1);
		check(tree_write(t, b, size - 1, err, sizeof(err)) < 0 &&
		        strcmp(err, want) == 0,
		    "budget one byte short", err);
	}
	free(b);
	tree_free(t);

	t = tree_new();
	tree_add_root(t, at("basic"), err, sizeof(err));
	check(tree_add_root(t, at("basic"), err, sizeof(err)) < 0 &&
	        strstr(err, "only one --root"),
	    "a second --root refused", err);
	tree_free(t);
}

static void test_special(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s;

	mkdir_or_die(at("fifo"));
	mkdir_or_die(at("fifo/sub"));
	if (mkfifo(at("fifo/sub/pipe"), 0644) < 0)
		die("mkfifo");
	expect_root_fail("FIFO in --root", at("fifo"),
	    "fifo/sub/pipe is a FIFO: only directories, regular files and "
	    "symlinks can be copied");

	mkdir_or_die(at("dev"));
	if (mknod(at("dev/null"), S_IFCHR | 0666, makedev(1, 3)) < 0)
		die("mknod (the device case needs it)");
	expect_root_fail("character device in --root", at("dev"),
	    "dev/null is a character device");

	mkdir_or_die(at("sock"));
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", at("sock/s"));
	if ((s = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 ||
	    bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("socket");
	close(s);
	expect_root_fail("socket in --root", at("sock"), "sock/s is a socket");

	/* A name with a newline stays one line in the message. */
	mkdir_or_die(at("nl"));
	if (mkfifo(at("nl/bad\nname"), 0644) < 0)
		die("mkfifo");
	expect_root_fail("unprintable name", at("nl"), "nl/bad?name is a FIFO");

	expect_root_fail("missing --root", at("no-such-dir"),
	    "No such file or directory");
	put(at("plain"), 1, 1, 0644, 1);
	expect_root_fail("--root a file", at("plain"), "Not a directory");
}

/* t with --file host:guest must be refused with want in the message. */
static void expect_file_fail(struct tree *t, const char *name, const char *host,
    const char *guest, const char *want)
{
	char err[SVM_ERR_LEN] = "";
	int rc = tree_add_file(t, host, guest, err, sizeof(err));

	check(rc < 0 && strstr(err, want) != NULL, name,
	    rc < 0 ? err : "accepted");
}

static void test_files(void)
{
	struct tree *t;
	char err[SVM_ERR_LEN] = "", why[256] = "", deep[4200], name[300];
	uint8_t *b;
	uint64_t size;
	struct image im;
	int64_t k;
	int i;

	put(at("host-file"), 1234, 9, 0640, 1700000000);
	mkdir_or_die(at("files"));
	mkdir_or_die(at("files/etc"));
	put(at("files/etc/passwd"), 10, 1, 0644, 5);
	if (symlink("usr/lib", at("files/lib")) < 0)
		die("symlink");

	t = tree_new();
	check(tree_add_root(t, at("files"), err, sizeof(err)) == 0,
	    "files: root", err);
	check(tree_add_file(t, at("host-file"), "/opt/a/b/c/d/file", err,
	          sizeof(err)) == 0,
	    "--file into a new deep path", err);
	check(tree_add_file(t, at("host-file"), "/etc/aaa", err, sizeof(err)) ==
	        0,
	    "--file into a --root directory", err);
	snprintf(name, sizeof(name), "%s:/etc/zzz", at("host-file"));
	check(tree_add_file_arg(t, name, err, sizeof(err)) == 0,
	    "--file as HOST:GUEST", err);

	expect_file_fail(t, "--file onto a --root file", at("host-file"),
	    "/etc/passwd", "/etc/passwd already exists in the root tree");
	expect_file_fail(t, "--file onto a --root directory", at("host-file"),
	    "/etc", "/etc already exists in the root tree");
	expect_file_fail(t, "--file onto a --file", at("host-file"),
	    "/opt/a/b/c/d/file", "already exists in the root tree");
	expect_file_fail(t, "--file through a file", at("host-file"),
	    "/etc/passwd/x",
	    "/etc/passwd is a regular file in the root tree, not a directory");
	expect_file_fail(t, "--file through a symlink", at("host-file"),
	    "/lib/x", "/lib is a symlink in the root tree, not a directory");
	expect_file_fail(t, "--file /dev/null", "/dev/null", "/null",
	    "/dev/null is a character device, not a regular file");
	expect_file_fail(t, "--file of a directory", at("files"), "/x",
	    "is a directory, not a regular file");
	expect_file_fail(t, "--file of a missing file", at("missing"), "/x",
	    "No such file or directory");
	expect_file_fail(t, "guest path relative", at("host-file"), "etc/x",
	    "guest path 'etc/x' is not absolute");
	expect_file_fail(t, "guest path empty", at("host-file"), "",
	    "is not absolute");
	expect_file_fail(t, "guest path /", at("host-file"), "/",
	    "has an empty, '.' or '..' component");
	static const char *const bad[] = { "//x", "/a//b", "/a/./b", "/a/../b",
		"/a/", "/.", "/..", "/a/.", "/a/.." };
	for (i = 0; i < (int)(sizeof(bad) / sizeof(bad[0])); i++) {
		snprintf(name, sizeof(name), "guest path %s", bad[i]);
		expect_file_fail(t, name, at("host-file"), bad[i],
		    "has an empty, '.' or '..' component");
	}
	memset(deep, 'n', 256);
	deep[0] = '/';
	deep[257] = 0;
	deep[256] = 'n';
	expect_file_fail(t, "guest name of 256 bytes", at("host-file"), deep,
	    "a name longer than 255 bytes");
	for (i = 0; i < 2100; i++)
		memcpy(deep + 2 * i, "/d", 2);
	deep[4200 - 2] = 0;
	expect_file_fail(t, "guest path of 4096 bytes", at("host-file"), deep,
	    "guest path longer than 4095 bytes");
	deep[2 * 65] = 0;
	expect_file_fail(t, "guest path of 65 components", at("host-file"),
	    deep, "more than 64 components deep");
	deep[2 * 64] = 0;
	check(tree_add_file(t, at("host-file"), deep, err, sizeof(err)) == 0,
	    "guest path of 64 components", err);
	snprintf(name, sizeof(name), "%s", "no-colon");
	check(tree_add_file_arg(t, name, err, sizeof(err)) < 0 &&
	        strstr(err, "expected HOSTPATH:GUESTPATH"),
	    "--file without GUESTPATH", err);
	check(tree_add_file_arg(t, ":/x", err, sizeof(err)) < 0 &&
	        strstr(err, "expected HOSTPATH:GUESTPATH"),
	    "--file without HOSTPATH", err);

	check(tree_add_defaults(t, "/opt/a/b/c/d/file", err, sizeof(err)) == 0,
	    "files: defaults", err);
	b = write_tree(t, &size, err, sizeof(err));
	check(b != NULL, "files: written", err);
	if (b) {
		check(validate(b, size, &im, why, sizeof(why)) == 0,
		    "files: valid", why);
		k = lookup(&im, "/opt/a/b/c/d/file");
		check(k > 0 && node_at(&im, (uint32_t)k).size == 1234 &&
		        node_at(&im, (uint32_t)k).mode == (S_IFREG | 0640) &&
		        node_at(&im, (uint32_t)k).mtime == 1700000000,
		    "files: the deep file", NULL);
		k = lookup(&im, "/opt/a/b");
		check(k > 0 &&
		        node_at(&im, (uint32_t)k).mode == (S_IFDIR | 0755),
		    "files: parents made as 0755 directories", NULL);
		k = lookup(&im, "/etc");
		if (k > 0) {
			struct svm_node first =
			    node_at(&im, node_at(&im, (uint32_t)k).child);

			check(strcmp(name_of(&im, &first), "aaa") == 0,
			    "files: merged into /etc, sorted", NULL);
		} else {
			check(0, "files: /etc", NULL);
		}
		{
			static const char *const ex[] = { "/opt", "/etc/aaa",
				"/etc/zzz", "/d", "/dev", "/proc", NULL };

			extras = ex;
			check(compare_dir(&im, 0, "/", at("files")) == 0,
			    "files: the rest as the host tree", NULL);
			extras = NULL;
		}
		free(b);
	}
	tree_free(t);

	/* Defaults that would collide with what the tree has. */
	mkdir_or_die(at("devfile"));
	put(at("devfile/dev"), 1, 1, 0644, 1);
	t = tree_new();
	tree_add_root(t, at("devfile"), err, sizeof(err));
	check(tree_add_defaults(t, "/x", err, sizeof(err)) < 0 &&
	        strstr(err,
	            "/dev is a regular file in the root tree, not a "
	            "directory"),
	    "defaults: /dev a file", err);
	tree_free(t);
	t = tree_new();
	check(tree_add_file(t, at("host-file"), "/dev/null", err,
	          sizeof(err)) == 0,
	    "a --file /dev/null", err);
	check(tree_add_defaults(t, "/x", err, sizeof(err)) < 0 &&
	        strstr(err, "/dev/null already exists in the root tree"),
	    "defaults: /dev/null there already", err);
	tree_free(t);
	mkdir_or_die(at("procself"));
	mkdir_or_die(at("procself/proc"));
	if (symlink("/", at("procself/proc/self")) < 0)
		die("symlink");
	t = tree_new();
	tree_add_root(t, at("procself"), err, sizeof(err));
	check(tree_add_defaults(t, "/x", err, sizeof(err)) < 0 &&
	        strstr(err, "/proc/self is a symlink in the root tree"),
	    "defaults: /proc/self a symlink", err);
	tree_free(t);
	t = tree_new();
	check(tree_add_defaults(t, "x", err, sizeof(err)) < 0 &&
	        strstr(err, "not absolute"),
	    "defaults: exe path relative", err);
	tree_free(t);

	/* Only the defaults. */
	t = tree_new();
	check(tree_add_defaults(t, "/prog", err, sizeof(err)) == 0,
	    "defaults alone", err);
	b = write_tree(t, &size, err, sizeof(err));
	check(b && validate(b, size, &im, why, sizeof(why)) == 0 &&
	        im.count == 9 && node_at(&im, 0).mode == (S_IFDIR | 0755),
	    "defaults alone: valid, 9 nodes", b ? why : err);
	free(b);
	tree_free(t);
	t = tree_new();
	tree_add_file(t, at("host-file"), "/x", err, sizeof(err));
	check(tree_add_root(t, at("files"), err, sizeof(err)) < 0,
	    "--root after --file refused", NULL);
	tree_free(t);
}

/* What changes between tree_add_*() and tree_write() is caught. */
static void test_changes(void)
{
	struct tree *t;
	char err[SVM_ERR_LEN] = "";
	uint64_t size;
	uint8_t *b;

	mkdir_or_die(at("ch"));
	mkdir_or_die(at("ch/d"));
	put(at("ch/d/f"), 100, 1, 0644, 1);
	put(at("ch/other"), 100, 2, 0644, 1);

	/* A file that grew. */
	t = tree_new();
	tree_add_root(t, at("ch"), err, sizeof(err));
	put(at("ch/d/f"), 101, 1, 0644, 1);
	b = write_tree(t, &size, err, sizeof(err));
	check(b == NULL && strstr(err, "ch/d/f: changed while the root tree"),
	    "a file that grew", b ? "written" : err);
	free(b);
	tree_free(t);

	/* The same size, new bytes: the mtime says so. */
	t = tree_new();
	tree_add_root(t, at("ch"), err, sizeof(err));
	put(at("ch/d/f"), 101, 3, 0644, 2);
	b = write_tree(t, &size, err, sizeof(err));
	check(b == NULL && strstr(err, "changed while"),
	    "a file rewritten, same size", b ? "written" : err);
	free(b);
	tree_free(t);

	/* A file swapped for a symlink to one just like it: not followed. */
	t = tree_new();
	tree_add_root(t, at("ch"), err, sizeof(err));
	put(at("ch/twin"), 101, 3, 0644, 2);
	if (unlink(at("ch/d/f")) < 0 || symlink(at("ch/twin"), at("ch/d/f")))
		die("swap");
	b = write_tree(t, &size, err, sizeof(err));
	check(b == NULL && strstr(err, "ch/d/f: changed while"),
	    "a file swapped for a symlink", b ? "written" : err);
	free(b);
	tree_free(t);

	/* A directory swapped for a symlink to a copy: not followed. */
	if (unlink(at("ch/d/f")) < 0)
		die("unlink");
	put(at("ch/d/f"), 100, 1, 0644, 1);
	unlink(at("ch/twin"));
	t = tree_new();
	tree_add_root(t, at("ch"), err, sizeof(err));
	if (rename(at("ch/d"), at("d-moved")) < 0 ||
	    symlink(at("d-moved"), at("ch/d")) < 0)
		die("swap dir");
	b = write_tree(t, &size, err, sizeof(err));
	check(b == NULL && strstr(err, "ch/d: changed while"),
	    "a directory swapped for a symlink", b ? "written" : err);
	free(b);
	tree_free(t);

	/* A directory swapped for another one. */
	if (unlink(at("ch/d")) < 0 || rename(at("d-moved"), at("ch/d")) < 0)
		die("unswap");
	t = tree_new();
	tree_add_root(t, at("ch"), err, sizeof(err));
	if (rename(at("ch/d"), at("d-moved")) < 0 || mkdir(at("ch/d"), 0755) ||
	    rename(at("d-moved/f"), at("ch/d/f")) < 0)
		die("swap dir");
	b = write_tree(t, &size, err, sizeof(err));
	check(b == NULL && strstr(err, "ch/d: changed while"),
	    "a directory replaced", b ? "written" : err);
	free(b);
	tree_free(t);

	/* A --file replaced. */
	t = tree_new();
	tree_add_file(t, at("ch/other"), "/o", err, sizeof(err));
	put(at("new"), 100, 2, 0644, 1);
	if (rename(at("new"), at("ch/other")) < 0)
		die("rename");
	b = write_tree(t, &size, err, sizeof(err));
	check(b == NULL && strstr(err, "--file") &&
	        strstr(err, "changed while"),
	    "a --file replaced", b ? "written" : err);
	free(b);
	tree_free(t);
}

static void test_limits(void)
{
	struct tree *t;
	char err[SVM_ERR_LEN] = "", p[4096];
	size_t len;
	int i;

	/* 64 components are fine, 65 not. */
	len = (size_t)snprintf(p, sizeof(p), "%s", at("depth"));
	mkdir_or_die(p);
	for (i = 0; i < 64; i++) {
		len += (size_t)snprintf(p + len, sizeof(p) - len, "/d");
		mkdir_or_die(p);
	}
	t = tree_new();
	check(tree_add_root(t, at("depth"), err, sizeof(err)) == 0,
	    "64 directories deep", err);
	tree_free(t);
	snprintf(p + len, sizeof(p) - len, "/d");
	mkdir_or_die(p);
	expect_root_fail("65 directories deep", at("depth"),
	    "more than 64 components deep");

	/* This build has TREE_MAX_NODES 300: "/" and 299 entries. */
	mkdir_or_die(at("many"));
	for (i = 0; i < 299; i++)
		put(at("many/f%03d", i), 0, 0, 0644, 1);
	t = tree_new();
	check(tree_add_root(t, at("many"), err, sizeof(err)) == 0,
	    "299 entries", err);
	check(tree_add_file(t, at("many/f000"), "/one-more", err, sizeof(err)) <
	            0 &&
	        strstr(err, "root tree has more than 300 entries"),
	    "entry 301 by --file", err);
	tree_free(t);
	put(at("many/f299"), 0, 0, 0644, 1);
	expect_root_fail("300 entries in --root", at("many"),
	    "root tree has more than 300 entries");
}

int main(void)
{
	snprintf(top, sizeof(top), "/tmp/tree_test.XXXXXX");
	if (mkdtemp(top) == NULL)
		die("mkdtemp");
	test_basic();
	test_special();
	test_files();
	test_changes();
	test_limits();
	rm_rf(top);
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
