/* tree.c: the read-only root file tree (--root, --file) as a guest image. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "monitor.h"

/*
 * Limits, so that a mistaken --root (a whole disk) fails in bounded time
 * and memory, and so that the guest kernel's walks stay short:
 * TREE_MAX_NODES entries (the node table alone is 48 bytes each, and a
 * name offset must fit in 32 bits); paths of at most TREE_MAX_DEPTH
 * components (the walk holds one directory fd per level and recurses) and
 * TREE_PATH_MAX bytes with the NUL, Linux's PATH_MAX, so that every entry
 * can be named by an absolute path in the guest; names of TREE_NAME_MAX
 * bytes, Linux's NAME_MAX.
 */
#ifndef TREE_MAX_NODES
#define TREE_MAX_NODES (1u << 20)
#endif
#define TREE_MAX_DEPTH 64
#define TREE_PATH_MAX 4096
#define TREE_NAME_MAX 255
#define TREE_ALIGN 16 /* of each file's bytes in the image */

enum { NODE_BYTES_MAX = sizeof(struct svm_node) + TREE_NAME_MAX + 1 };
_Static_assert(sizeof(struct svm_tree) == 16 && sizeof(struct svm_node) == 48,
    "the image layout below counts on these sizes");
/* Names follow the nodes, and a node names its name by a 32-bit offset. */
_Static_assert(sizeof(struct svm_tree) +
            (uint64_t)TREE_MAX_NODES * NODE_BYTES_MAX <
        (1ull << 32),
    "name offsets are 32 bits");

/* Where a node's bytes come from when the image is written. */
enum origin {
	FROM_NONE, /* made here: directories of --file, /dev, /proc */
	FROM_ROOT, /* under --root: its path from "/" is its host path */
	FROM_FILE, /* a --file: host is its host path */
};

struct tnode {
	struct tnode *parent, *child, *next; /* entries sorted by name */
	uint32_t mode, rdev;
	uint64_t size, mtime;
	enum origin origin;
	/* FROM_ROOT, FROM_FILE: the object as it was seen, to know it again
	 * at write time (mtim: regular files only) */
	dev_t dev;
	ino_t ino;
	struct timespec mtim;
	char *host;   /* FROM_FILE */
	char *target; /* S_IFLNK: size bytes, not NUL-terminated */
	/* Set by layout(). */
	uint32_t index, name_off;
	uint64_t data_off;
	char name[]; /* "" for "/" */
};

struct tree {
	struct tnode *root;
	uint32_t count;
	uint64_t names; /* bytes of the names, NULs included */
	uint64_t links; /* bytes of the symlink targets */
	uint64_t data;  /* bytes of the files, each aligned; saturates */
	int root_fd;    /* --root's directory, or -1 */
	char *root_path;
	char *scratch; /* TREE_PATH_MAX bytes: deep recursion, small stacks */
};

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Paths come from the host's file names: keep the message one line. */
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	for (p = err; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return -1;
}

#define BRIEF 96
#define CHANGED "changed while the root tree was being built"

/* s for a message: whole, or its start and end around "..." in buf. */
static const char *brief(const char *s, char buf[BRIEF])
{
	size_t n = strlen(s), h = (BRIEF - 4) / 2;

	if (n < BRIEF)
		return s;
	memcpy(buf, s, h);
	memcpy(buf + h, "...", 3);
	memcpy(buf + h + 3, s + n - h, h + 1);
	return buf;
}

/* "--root DIR: DIR/path" then what fmt says (its own separator first). */
static int root_fail(const char *root, const char *path, char *err,
    size_t errlen, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int root_fail(const char *root, const char *path, char *err,
    size_t errlen, const char *fmt, ...)
{
	char what[256], full[2 * TREE_PATH_MAX], b1[BRIEF], b2[BRIEF];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "%s%s", root, path);
	return fail(err, errlen, "--root %s: %s%s", brief(root, b1),
	    brief(full, b2), what);
}

static uint64_t align_up(uint64_t v)
{
	return (v + TREE_ALIGN - 1) & ~(uint64_t)(TREE_ALIGN - 1);
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	uint64_t r;

	return __builtin_add_overflow(a, b, &r) ? UINT64_MAX : r;
}

static struct tnode *node_new(struct tree *t, const char *name, size_t len)
{
	struct tnode *n;

	if (t->count >= TREE_MAX_NODES)
		return NULL;
	if ((n = calloc(1, sizeof(*n) + len + 1)) == NULL)
		return NULL;
	memcpy(n->name, name, len);
	t->count++;
	t->names += len + 1;
	return n;
}

/* The reason node_new() returned NULL. */
static int node_fail(const struct tree *t, char *err, size_t errlen)
{
	if (t->count >= TREE_MAX_NODES)
		return fail(err, errlen,
		    "root tree has more than %u entries (files, directories, "
		    "symlinks)",
		    TREE_MAX_NODES);
	return fail(err, errlen, "out of memory");
}

/* Link n into dir after prev (NULL: first). */
static void node_link(struct tnode *dir, struct tnode *prev, struct tnode *n)
{
	n->parent = dir;
	if (prev == NULL) {
		n->next = dir->child;
		dir->child = n;
	} else {
		n->next = prev->next;
		prev->next = n;
	}
}

/* The entry name (len bytes) of dir, or NULL; *prev: where it would go. */
static struct tnode *node_find(struct tnode *dir, const char *name, size_t len,
    struct tnode **prev)
{
	struct tnode *c;

	*prev = NULL;
	for (c = dir->child; c; c = c->next) {
		int d = strncmp(c->name, name, len);

		if (d == 0 && c->name[len] == 0)
			return c;
		if (d > 0 || (d == 0 && c->name[len] != 0))
			break;
		*prev = c;
	}
	return NULL;
}

/* n's guest path into buf (TREE_PATH_MAX bytes; the checks kept it short). */
static const char *node_path(const struct tnode *n, char *buf)
{
	const struct tnode *p;
	size_t len = 0, at;

	for (p = n; p->parent; p = p->parent)
		len += strlen(p->name) + 1;
	if (len == 0 || len >= TREE_PATH_MAX)
		return len == 0 ? "/" : "(too long)";
	buf[len] = 0;
	for (p = n, at = len; p->parent; p = p->parent) {
		size_t k = strlen(p->name);

		at -= k;
		memcpy(buf + at, p->name, k);
		buf[--at] = '/';
	}
	return buf;
}

static void node_free(struct tnode *n)
{
	while (n) {
		struct tnode *next = n->next;

		node_free(n->child);
		free(n->host);
		free(n->target);
		free(n);
		n = next;
	}
}

struct tree *tree_new(void)
{
	struct tree *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->root_fd = -1;
	t->scratch = malloc(TREE_PATH_MAX);
	if (t->scratch == NULL || (t->root = node_new(t, "", 0)) == NULL) {
		free(t->scratch);
		free(t);
		return NULL;
	}
	t->root->mode = S_IFDIR | 0755;
	return t;
}

void tree_free(struct tree *t)
{
	if (t == NULL)
		return;
	node_free(t->root);
	if (t->root_fd >= 0)
		close(t->root_fd);
	free(t->root_path);
	free(t->scratch);
	free(t);
}

uint64_t tree_size(const struct tree *t)
{
	uint64_t meta = sizeof(struct svm_tree) +
	    (uint64_t)t->count * sizeof(struct svm_node) + t->names + t->links;

	return sat_add(align_up(meta), t->data);
}

static const char *kind(mode_t m)
{
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISLNK(m))
		return "a symlink";
	if (S_ISREG(m))
		return "a regular file";
	return "of an unknown type";
}

static uint64_t secs(const struct timespec *ts)
{
	return ts->tv_sec < 0 ? 0 : (uint64_t)ts->tv_sec;
}

/* A regular file's node fields from st, as it is now on the host. */
static void set_file(struct tree *t, struct tnode *n, const struct stat *st)
{
	n->mode = S_IFREG | (st->st_mode & 07777);
	n->size = (uint64_t)st->st_size;
	n->mtime = secs(&st->st_mtim);
	n->dev = st->st_dev;
	n->ino = st->st_ino;
	n->mtim = st->st_mtim;
	t->data = sat_add(t->data, align_up(n->size));
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in directory fd, sorted, in *names (*count of them). */
static int list_dir(int fd, char ***names, size_t *count)
{
	DIR *d;
	struct dirent *e;
	size_t cap = 0;
	bool e2big;
	int dfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);

	*names = NULL;
	*count = 0;
	if (dfd < 0)
		return -1;
	if ((d = fdopendir(dfd)) == NULL) {
		close(dfd);
		return -1;
	}
	for (errno = 0; (e = readdir(d)) != NULL; errno = 0) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (*count >= TREE_MAX_NODES) {
			errno = E2BIG;
			goto fail;
		}
		if (*count == cap) {
			char **more;

			cap = cap ? cap * 2 : 16;
			if ((more = realloc(*names, cap * sizeof(*more))) ==
			    NULL)
				goto fail;
			*names = more;
		}
		if (((*names)[*count] = strdup(e->d_name)) == NULL)
			goto fail;
		++*count;
	}
	if (errno != 0)
		goto fail;
	closedir(d);
	if (*count > 1)
		qsort(*names, *count, sizeof(**names), by_name);
	return 0;
fail:
	e2big = errno == E2BIG;
	closedir(d);
	while (*count > 0)
		free((*names)[--*count]);
	free(*names);
	*names = NULL;
	errno = e2big ? E2BIG : errno ? errno : ENOMEM;
	return -1;
}

/*
 * Add the entries of host directory fd (guest directory dir, depth
 * components below "/", guest path path of plen bytes) to dir, which is
 * new and empty. Never follows a symlink: entries are looked at with
 * AT_SYMLINK_NOFOLLOW and directories opened with O_NOFOLLOW from their
 * parent's fd, and each opened directory must be the one looked at.
 */
static int walk(struct tree *t, struct tnode *dir, int fd, unsigned depth,
    char *path, size_t plen, char *err, size_t errlen)
{
	char **names;
	size_t count, i;
	struct tnode *last = NULL;
	int rc = -1;

	if (list_dir(fd, &names, &count) < 0) {
		if (errno == E2BIG)
			return fail(err, errlen,
			    "root tree has more than %u entries (files, "
			    "directories, symlinks)",
			    TREE_MAX_NODES);
		return root_fail(t->root_path, path, err, errlen, ": %s",
		    strerror(errno));
	}
	for (i = 0; i < count; i++) {
		const char *name = names[i];
		size_t len = strlen(name);
		struct stat st;
		struct tnode *n;

		if (len > TREE_NAME_MAX || plen + 1 + len >= TREE_PATH_MAX) {
			root_fail(t->root_path, path, err, errlen,
			    ": an entry's name or path is too long for the "
			    "guest (%d, %d bytes at most)",
			    TREE_NAME_MAX, TREE_PATH_MAX - 1);
			goto out;
		}
		path[plen] = '/';
		memcpy(path + plen + 1, name, len + 1);
		if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			root_fail(t->root_path, path, err, errlen, ": %s",
			    strerror(errno));
			goto out;
		}
		if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode) &&
		    !S_ISLNK(st.st_mode)) {
			root_fail(t->root_path, path, err, errlen,
			    " is %s: only directories, regular files and "
			    "symlinks can be copied",
			    kind(st.st_mode));
			goto out;
		}
		if (depth + 1 > TREE_MAX_DEPTH) {
			root_fail(t->root_path, path, err, errlen,
			    ": more than %d components deep", TREE_MAX_DEPTH);
			goto out;
		}
		if ((n = node_new(t, name, len)) == NULL) {
			node_fail(t, err, errlen);
			goto out;
		}
		n->origin = FROM_ROOT;
		n->mtime = secs(&st.st_mtim);
		n->dev = st.st_dev;
		n->ino = st.st_ino;
		node_link(dir, last, n);
		last = n;
		if (S_ISREG(st.st_mode)) {
			set_file(t, n, &st);
		} else if (S_ISLNK(st.st_mode)) {
			char *buf = t->scratch;
			ssize_t k = readlinkat(fd, name, buf, TREE_PATH_MAX);

			n->mode = S_IFLNK | 0777;
			if (k < 0 || k >= TREE_PATH_MAX) {
				root_fail(t->root_path, path, err, errlen,
				    ": %s",
				    k < 0 ? strerror(errno) :
				            "symlink target too long");
				goto out;
			}
			if ((n->target = malloc((size_t)k + 1)) == NULL) {
				fail(err, errlen, "out of memory");
				goto out;
			}
			memcpy(n->target, buf, (size_t)k);
			n->size = (uint64_t)k;
			t->links += (uint64_t)k;
		} else {
			struct stat now;
			int cfd = openat(fd, name,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			int r;

			n->mode = S_IFDIR | (st.st_mode & 07777);
			if (cfd < 0 || fstat(cfd, &now) < 0 ||
			    now.st_dev != st.st_dev ||
			    now.st_ino != st.st_ino) {
				root_fail(t->root_path, path, err, errlen,
				    ": %s",
				    cfd < 0 && errno != ELOOP &&
				            errno != ENOTDIR ?
				        strerror(errno) :
				        CHANGED);
				if (cfd >= 0)
					close(cfd);
				goto out;
			}
			r = walk(t, n, cfd, depth + 1, path, plen + 1 + len,
			    err, errlen);
			close(cfd);
			if (r < 0)
				goto out;
		}
	}
	rc = 0;
out:
	path[plen] = 0;
	for (i = 0; i < count; i++)
		free(names[i]);
	free(names);
	return rc;
}

int tree_add_root(struct tree *t, const char *host_dir, char *err,
    size_t errlen)
{
	char path[TREE_PATH_MAX];
	struct stat st;
	int fd;

	if (t->root_fd >= 0 || t->root->child != NULL)
		return fail(err, errlen,
		    "only one --root, and before any --file");
	/* The directory the user named, through symlinks if they say so. */
	fd = open(host_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		char b[BRIEF];

		fail(err, errlen, "--root %s: %s", brief(host_dir, b),
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if ((t->root_path = strdup(host_dir)) == NULL) {
		close(fd);
		return fail(err, errlen, "out of memory");
	}
	t->root_fd = fd;
	t->root->origin = FROM_ROOT;
	t->root->mode = S_IFDIR | (st.st_mode & 07777);
	t->root->mtime = secs(&st.st_mtim);
	path[0] = 0;
	return walk(t, t->root, fd, 0, path, 0, err, errlen);
}

/*
 * Check guest path p (absolute; no empty, "." or ".." component; not "/";
 * short enough). Returns 0, or -1 with why in err, after prefix.
 */
static int check_guest(const char *prefix, const char *p, char *err,
    size_t errlen)
{
	size_t len = strlen(p), depth = 0;
	const char *c = p;
	char b[BRIEF];

	if (p[0] != '/')
		return fail(err, errlen, "%s: guest path '%s' is not absolute",
		    prefix, brief(p, b));
	if (len >= TREE_PATH_MAX)
		return fail(err, errlen, "%s: guest path longer than %d bytes",
		    prefix, TREE_PATH_MAX - 1);
	while (*c == '/') {
		const char *e = strchr(c + 1, '/');
		size_t k = e ? (size_t)(e - c - 1) : strlen(c + 1);

		if (k == 0 || (k == 1 && c[1] == '.') ||
		    (k == 2 && c[1] == '.' && c[2] == '.'))
			return fail(err, errlen,
			    "%s: guest path '%s' has an empty, '.' or '..' "
			    "component",
			    prefix, brief(p, b));
		if (k > TREE_NAME_MAX)
			return fail(err, errlen,
			    "%s: guest path has a name longer than %d bytes",
			    prefix, TREE_NAME_MAX);
		if (++depth > TREE_MAX_DEPTH)
			return fail(err, errlen,
			    "%s: guest path more than %d components deep",
			    prefix, TREE_MAX_DEPTH);
		c += 1 + k;
	}
	return 0;
}

/*
 * The directory that holds the last component of guest path p (checked),
 * made with its missing parents (0755) and merged into existing ones; the
 * last component's name in *leaf, *leaf_len. NULL with err set if a parent
 * is not a directory.
 */
static struct tnode *make_parents(struct tree *t, const char *prefix,
    const char *p, const char **leaf, size_t *leaf_len, char *err,
    size_t errlen)
{
	struct tnode *dir = t->root;
	const char *c = p + 1;
	char b[BRIEF];

	for (;;) {
		const char *e = strchr(c, '/');
		struct tnode *n, *prev;
		size_t k;

		if (e == NULL) {
			*leaf = c;
			*leaf_len = strlen(c);
			return dir;
		}
		k = (size_t)(e - c);
		n = node_find(dir, c, k, &prev);
		if (n == NULL) {
			if ((n = node_new(t, c, k)) == NULL) {
				node_fail(t, err, errlen);
				return NULL;
			}
			n->mode = S_IFDIR | 0755;
			node_link(dir, prev, n);
		} else if (!S_ISDIR(n->mode)) {
			/* Not even through a symlink: it may point anywhere. */
			fail(err, errlen,
			    "%s: %s is %s in the root tree, not a directory",
			    prefix, brief(node_path(n, t->scratch), b),
			    kind(n->mode));
			return NULL;
		}
		dir = n;
		c = e + 1;
	}
}

/* Add a node (not a directory) at guest path p; NULL with err set. */
static struct tnode *add_leaf(struct tree *t, const char *prefix, const char *p,
    char *err, size_t errlen)
{
	struct tnode *dir, *n, *prev;
	const char *leaf;
	size_t len;

	if (check_guest(prefix, p, err, errlen) < 0)
		return NULL;
	if ((dir = make_parents(t, prefix, p, &leaf, &len, err, errlen)) ==
	    NULL)
		return NULL;
	if (node_find(dir, leaf, len, &prev) != NULL) {
		char b[BRIEF];

		fail(err, errlen, "%s: %s already exists in the root tree",
		    prefix, brief(p, b));
		return NULL;
	}
	if ((n = node_new(t, leaf, len)) == NULL) {
		node_fail(t, err, errlen);
		return NULL;
	}
	node_link(dir, prev, n);
	return n;
}

int tree_add_file(struct tree *t, const char *host, const char *guest,
    char *err, size_t errlen)
{
	char prefix[2 * BRIEF + 8], b1[BRIEF], b2[BRIEF];
	const char *h = brief(host, b1);
	struct stat st;
	struct tnode *n;

	snprintf(prefix, sizeof(prefix), "--file %s:%s", h, brief(guest, b2));
	if (check_guest(prefix, guest, err, errlen) < 0)
		return -1;
	/* stat, not open: no device is ever opened, even to be refused. */
	if (stat(host, &st) < 0)
		return fail(err, errlen, "%s: %s: %s", prefix, h,
		    strerror(errno));
	if (!S_ISREG(st.st_mode))
		return fail(err, errlen, "%s: %s is %s, not a regular file",
		    prefix, h, kind(st.st_mode));
	if ((n = add_leaf(t, prefix, guest, err, errlen)) == NULL)
		return -1;
	n->origin = FROM_FILE;
	set_file(t, n, &st);
	if ((n->host = strdup(host)) == NULL)
		return fail(err, errlen, "out of memory");
	return 0;
}

int tree_add_file_arg(struct tree *t, const char *arg, char *err, size_t errlen)
{
	const char *colon = NULL, *p;
	char *host, b[BRIEF];
	int rc;

	for (p = arg; (p = strchr(p, ':')) != NULL; p++)
		if (p[1] == '/')
			colon = p;
	if (colon == NULL || colon == arg)
		return fail(err, errlen,
		    "--file %s: expected HOSTPATH:GUESTPATH, GUESTPATH "
		    "absolute",
		    brief(arg, b));
	if ((host = strndup(arg, (size_t)(colon - arg))) == NULL)
		return fail(err, errlen, "out of memory");
	rc = tree_add_file(t, host, colon + 1, err, errlen);
	free(host);
	return rc;
}

int tree_add_defaults(struct tree *t, const char *exe_guest_path, char *err,
    size_t errlen)
{
	static const struct {
		const char *path;
		unsigned minor;
	} devs[] = {
		{ "/dev/null", 3 },
		{ "/dev/zero", 5 },
		{ "/dev/random", 8 },
		{ "/dev/urandom", 9 },
	};
	const char *pre = "the monitor adds /dev and /proc/self/exe";
	size_t i, len;
	struct tnode *n;

	if (check_guest("/proc/self/exe", exe_guest_path, err, errlen) < 0)
		return -1;
	for (i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
		if ((n = add_leaf(t, pre, devs[i].path, err, errlen)) == NULL)
			return -1;
		n->mode = S_IFCHR | 0666;
		n->rdev = 1 << 8 | devs[i].minor;
	}
	if ((n = add_leaf(t, pre, "/proc/self/exe", err, errlen)) == NULL)
		return -1;
	len = strlen(exe_guest_path);
	n->mode = S_IFLNK | 0777;
	n->size = len;
	if ((n->target = strdup(exe_guest_path)) == NULL)
		return fail(err, errlen, "out of memory");
	t->links += len;
	return 0;
}

/* Give every node its index (preorder) and its offsets in the image. */
static void layout(struct tnode *n, uint32_t *index, uint64_t *name_at,
    uint64_t *link_at, uint64_t *data_at)
{
	for (; n; n = n->next) {
		n->index = (*index)++;
		n->name_off = (uint32_t)*name_at;
		*name_at += strlen(n->name) + 1;
		if (S_ISLNK(n->mode)) {
			n->data_off = *link_at;
			*link_at += n->size;
		} else if (S_ISREG(n->mode) && n->size > 0) {
			n->data_off = *data_at;
			*data_at += align_up(n->size);
		}
		layout(n->child, index, name_at, link_at, data_at);
	}
}

/* What n is on the host, for a message that ends with reason. */
static int host_fail(const struct tree *t, const struct tnode *n,
    const char *reason, char *err, size_t errlen)
{
	const char *path = n->parent ? node_path(n, t->scratch) : "";
	char b1[BRIEF], b2[BRIEF];

	if (n->origin == FROM_FILE)
		return fail(err, errlen, "--file %s:%s: %s", brief(n->host, b1),
		    brief(path, b2), reason);
	return root_fail(t->root_path, path, err, errlen, ": %s", reason);
}

/* Copy regular file n, open at fd, into dst (its data_off, size bytes). */
static int copy_file(const struct tree *t, const struct tnode *n, int fd,
    uint8_t *dst, char *err, size_t errlen)
{
	struct stat st;
	uint64_t done = 0;

	if (fstat(fd, &st) < 0)
		return host_fail(t, n, strerror(errno), err, errlen);
	if (!S_ISREG(st.st_mode) || st.st_dev != n->dev ||
	    st.st_ino != n->ino || (uint64_t)st.st_size != n->size ||
	    st.st_mtim.tv_sec != n->mtim.tv_sec ||
	    st.st_mtim.tv_nsec != n->mtim.tv_nsec)
		return host_fail(t, n, CHANGED, err, errlen);
	while (done < n->size) {
		uint64_t want = n->size - done;
		ssize_t k = read(fd, dst + n->data_off + done,
		    want > (1u << 30) ? (1u << 30) : (size_t)want);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return host_fail(t, n,
			    k < 0 ? strerror(errno) : CHANGED, err, errlen);
		done += (uint64_t)k;
	}
	/* The padding up to the next file's bytes. */
	memset(dst + n->data_off + n->size, 0, align_up(n->size) - n->size);
	return 0;
}

/* Open FROM_ROOT n (a directory, or a file if dir is false) at dir_fd. */
static int open_again(const struct tree *t, const struct tnode *n, int dir_fd,
    bool dir, char *err, size_t errlen)
{
	int fd = openat(dir_fd, n->name,
	    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC |
	        (dir ? O_DIRECTORY : 0));
	struct stat st;

	/* ELOOP, ENOTDIR: a symlink or a file is there now. */
	if (fd < 0)
		return host_fail(t, n,
		    errno == ELOOP || errno == ENOTDIR ? CHANGED :
		                                         strerror(errno),
		    err, errlen);
	if (dir &&
	    (fstat(fd, &st) < 0 || st.st_dev != n->dev ||
	        st.st_ino != n->ino)) {
		close(fd);
		return host_fail(t, n, CHANGED, err, errlen);
	}
	return fd;
}

/*
 * Write n and its siblings (and their entries) into dst. dir_fd: the host
 * directory of FROM_ROOT entries, else -1. Every host object is opened
 * again from its parent's fd with O_NOFOLLOW and must be the one the walk
 * saw; the stack holds no buffer per level.
 */
static int write_nodes(const struct tree *t, const struct tnode *n, int dir_fd,
    uint8_t *dst, char *err, size_t errlen)
{
	for (; n; n = n->next) {
		struct svm_node out = { 0 };
		int fd = -1, rc = 0;

		out.mode = n->mode;
		out.parent = n->parent ? n->parent->index : 0;
		out.child = n->child ? n->child->index : 0;
		out.next = n->next ? n->next->index : 0;
		out.name = n->name_off;
		out.rdev = n->rdev;
		out.size = n->size;
		out.data = n->data_off;
		out.mtime = n->mtime;
		memcpy(dst + sizeof(struct svm_tree) +
		        (uint64_t)n->index * sizeof(out),
		    &out, sizeof(out));
		memcpy(dst + n->name_off, n->name, strlen(n->name) + 1);
		if (S_ISLNK(n->mode))
			memcpy(dst + n->data_off, n->target, n->size);

		if (S_ISREG(n->mode)) {
			if (n->origin == FROM_ROOT)
				fd = open_again(t, n, dir_fd, false, err,
				    errlen);
			else if ((fd = open(n->host,
			              O_RDONLY | O_NONBLOCK | O_NOCTTY |
			                  O_CLOEXEC)) < 0)
				host_fail(t, n, strerror(errno), err, errlen);
			if (fd < 0)
				return -1;
			rc = copy_file(t, n, fd, dst, err, errlen);
			close(fd);
		} else if (S_ISDIR(n->mode) && n->child) {
			if (n->origin == FROM_ROOT && n->parent &&
			    (fd = open_again(t, n, dir_fd, true, err, errlen)) <
			        0)
				return -1;
			rc = write_nodes(t, n->child,
			    n->origin != FROM_ROOT ? -1 :
			        n->parent          ? fd :
			                             t->root_fd,
			    dst, err, errlen);
			if (fd >= 0)
				close(fd);
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

int tree_write(struct tree *t, uint8_t *dst, uint64_t avail, char *err,
    size_t errlen)
{
	uint64_t size = tree_size(t);
	uint64_t names = sizeof(struct svm_tree) +
	    (uint64_t)t->count * sizeof(struct svm_node);
	uint64_t links = names + t->names, data = align_up(links + t->links);
	uint64_t name_at = names, link_at = links, data_at = data;
	struct svm_tree hdr = { SVM_TREE_MAGIC, t->count, size };
	uint32_t index = 0;

	if (size > avail)
		return fail(err, errlen,
		    "root tree of %llu bytes does not fit in guest memory "
		    "(%llu available): use a larger --mem",
		    (unsigned long long)size, (unsigned long long)avail);
	layout(t->root, &index, &name_at, &link_at, &data_at);
	memcpy(dst, &hdr, sizeof(hdr));
	memset(dst + link_at, 0, data - link_at);
	return write_nodes(t, t->root, -1, dst, err, errlen);
}
