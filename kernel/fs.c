/*
 * fs.c: files: the read-only tree the monitor wrote (struct svm_tree), the
 * character devices in it, the program's stdin/stdout/stderr (the monitor's,
 * through hypercalls), pipes within the program, and the fd table.
 *
 * The tree is data: every index and offset read from it is checked against
 * its count and size once, in node() and the helpers below, so a bad tree
 * gives errors, not wild reads. Nothing here asks the host for a file.
 */
#include "kernel.h"

#define MAX_FD 256
#define MAX_FILES 256
#define MAX_LINKS 40 /* symlinks followed in one lookup, as Linux */
#define PATH_MAX 4096
#define PIPE_SIZE 65536
#define IOV_MAX 1024
#define BOUNCE 65536

enum ftype { F_FREE, F_NODE, F_HOST_IN, F_HOST_OUT, F_PIPE_R, F_PIPE_W };

struct pipe {
	uint64_t buf; /* PIPE_SIZE bytes from kalloc */
	uint32_t head, len;
	int readers, writers;
};

/* An open file description: what dup shares (offset, flags). */
struct file {
	enum ftype type;
	int refs;
	uint32_t node;
	uint64_t off;
	int flags;   /* O_ACCMODE, O_APPEND, O_NONBLOCK... */
	int host_fd; /* F_HOST_OUT: the monitor's fd 1 or 2 */
	struct pipe *pipe;
};

static const struct svm_tree *tree;
static uint32_t tree_count;
static uint64_t tree_size;
static struct file files[MAX_FILES];
static struct pipe pipes[MAX_FILES / 2];
static int fd_file[MAX_FD]; /* index into files, -1 when closed */
static uint8_t fd_cloexec[MAX_FD];
static uint32_t cwd;
static char bounce[BOUNCE]; /* writev gathers here: one hypercall */
static int stdin_ended;     /* the monitor said stdin has no more */

/* --- the tree ------------------------------------------------------------ */

static const struct svm_node *node(uint32_t i)
{
	const struct svm_node *n = (const struct svm_node *)(tree + 1);

	return i < tree_count ? &n[i] : NULL;
}

static const char *node_name(const struct svm_node *n)
{
	if (n->name >= tree_size)
		return "";
	return (const char *)tree + n->name;
}

const uint8_t *fs_data(const struct svm_node *n)
{
	return (const uint8_t *)tree + n->data;
}

/* The node's bytes lie inside the tree: checked before any use of them. */
static int data_ok(const struct svm_node *n)
{
	uint64_t end;

	return !__builtin_add_overflow(n->data, n->size, &end) &&
	    end <= tree_size;
}

static int is_dir(const struct svm_node *n)
{
	return S_ISDIR(n->mode);
}

void fs_init(void)
{
	int i;

	for (i = 0; i < MAX_FD; i++)
		fd_file[i] = -1;
	files[0] = (struct file) { .type = F_HOST_IN, .refs = 1 };
	files[1] = (struct file) { .type = F_HOST_OUT,
		.refs = 1,
		.flags = O_WRONLY,
		.host_fd = 1 };
	files[2] = (struct file) { .type = F_HOST_OUT,
		.refs = 1,
		.flags = O_WRONLY,
		.host_fd = 2 };
	fd_file[0] = 0;
	fd_file[1] = 1;
	fd_file[2] = 2;
	if (boot->tree != 0) {
		tree = (const struct svm_tree *)(uintptr_t)boot->tree;
		if (tree->magic != SVM_TREE_MAGIC || tree->count == 0 ||
		    tree->size < sizeof(*tree) ||
		    (tree->size - sizeof(*tree)) / sizeof(struct svm_node) <
		        tree->count)
			kpanic("bad root tree");
		tree_count = tree->count;
		tree_size = tree->size;
	}
}

/*
 * Walk path from dir (or "/" if absolute): the node index, or -errno. follow
 * says whether a symlink as the last component is followed; *links counts
 * the symlinks followed so far.
 */
static long walk(uint32_t dir, const char *path, int follow, int *links)
{
	uint32_t at = path[0] == '/' ? 0 : dir;
	const char *p = path;

	if (tree == NULL)
		return -ENOENT;
	if (*p == '\0')
		return -ENOENT;
	for (;;) {
		const struct svm_node *d = node(at), *c;
		const char *end;
		size_t len;
		uint32_t i, steps = 0;

		while (*p == '/')
			p++;
		if (*p == '\0')
			return at;
		for (end = p; *end != '\0' && *end != '/'; end++)
			;
		len = (size_t)(end - p);
		if (d == NULL || !is_dir(d))
			return -ENOTDIR;
		if (len == 1 && p[0] == '.') {
			p = end;
			continue;
		}
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			at = d->parent < tree_count ? d->parent : 0;
			p = end;
			continue;
		}
		if (len > 255)
			return -ENAMETOOLONG;
		/* steps bounds a broken (cyclic) child list. */
		for (i = d->child; i != 0; i = c->next) {
			if ((c = node(i)) == NULL || ++steps > tree_count)
				return -EIO;
			if (strnlen(node_name(c), len + 1) == len &&
			    memcmp(node_name(c), p, len) == 0)
				break;
		}
		if (i == 0)
			return -ENOENT;
		c = node(i);
		while (*end == '/')
			end++;
		if (S_ISLNK(c->mode) && (*end != '\0' || follow)) {
			char target[PATH_MAX];
			size_t rest = strlen(end);
			long r;

			if (++*links > MAX_LINKS)
				return -ELOOP;
			if (!data_ok(c) || c->size == 0 ||
			    c->size + 1 + rest >= sizeof(target))
				return -ENAMETOOLONG;
			/* The target, then what is left of the path. */
			memcpy(target, fs_data(c), c->size);
			target[c->size] = '/';
			memcpy(target + c->size + 1, end, rest + 1);
			if (rest == 0)
				target[c->size] = '\0';
			r = walk(at, target, follow, links);
			return r;
		}
		at = i;
		p = end;
	}
}

/* The directory an *at call starts from: -errno if dirfd is not one. */
static long at_dir(int dirfd, const char *path)
{
	struct file *f;

	if (path[0] == '/' || dirfd == AT_FDCWD)
		return cwd;
	if (dirfd < 0 || dirfd >= MAX_FD || fd_file[dirfd] < 0)
		return -EBADF;
	f = &files[fd_file[dirfd]];
	if (f->type != F_NODE || !is_dir(node(f->node)))
		return -ENOTDIR;
	return f->node;
}

/* Look path up from dirfd; follow the last symlink or not. */
static long lookup(int dirfd, uint64_t upath, int follow, char *buf)
{
	long r = user_string(buf, upath, PATH_MAX);
	int links = 0;
	long dir;

	if (r < 0)
		return r;
	if ((dir = at_dir(dirfd, buf)) < 0)
		return dir;
	return walk((uint32_t)dir, buf, follow, &links);
}

/* --- the fd table -----------------------------------------------------------
 */

static struct file *get(long fd)
{
	if (fd < 0 || fd >= MAX_FD || fd_file[fd] < 0)
		return NULL;
	return &files[fd_file[fd]];
}

static int new_file(void)
{
	int i;

	for (i = 0; i < MAX_FILES; i++)
		if (files[i].refs == 0) {
			files[i] = (struct file) { .refs = 1 };
			return i;
		}
	return -ENFILE;
}

/* The lowest free fd at or above min for file index fi: the fd or -EMFILE. */
static int install(int fi, int min, int cloexec)
{
	int fd;

	for (fd = min; fd < MAX_FD; fd++)
		if (fd_file[fd] < 0) {
			fd_file[fd] = fi;
			fd_cloexec[fd] = (uint8_t)cloexec;
			return fd;
		}
	return -EMFILE;
}

static void put_file(int fi)
{
	struct file *f = &files[fi];

	if (--f->refs > 0)
		return;
	if (f->type == F_PIPE_R || f->type == F_PIPE_W) {
		struct pipe *p = f->pipe;

		if (f->type == F_PIPE_R)
			p->readers--;
		else
			p->writers--;
		if (p->readers == 0 && p->writers == 0) {
			kfree(p->buf, PIPE_SIZE);
			p->buf = 0;
		}
	}
	f->type = F_FREE;
}

static long close_fd(long fd)
{
	if (get(fd) == NULL)
		return -EBADF;
	put_file(fd_file[fd]);
	fd_file[fd] = -1;
	return 0;
}

long fs_mappable(int fd, int shared_write, const struct svm_node **np)
{
	struct file *f = get(fd);
	const struct svm_node *n;

	if (f == NULL)
		return -EBADF;
	if (f->type != F_NODE || !S_ISREG((n = node(f->node))->mode) ||
	    !data_ok(n))
		return -ENODEV;
	if (shared_write)
		return -EACCES;
	*np = n;
	return 0;
}

/* --- reading and writing
 * ------------------------------------------------------ */

/* The character devices of the tree: null, zero, random, urandom. */
static long dev_read(const struct svm_node *n, uint64_t buf, uint64_t len)
{
	uint64_t done = 0;

	if (n->rdev == (1 << 8 | 3))
		return 0;
	if (!user_ok(buf, len, 1))
		return -EFAULT;
	if (n->rdev == (1 << 8 | 5)) {
		memset((void *)(uintptr_t)buf, 0, len);
		return (long)len;
	}
	if (n->rdev == (1 << 8 | 8) || n->rdev == (1 << 8 | 9)) {
		while (done < len) {
			uint64_t k = len - done < SVM_RANDOM_MAX ?
			    len - done :
			    SVM_RANDOM_MAX;

			if (hc_random((void *)(uintptr_t)(buf + done), k) < 0)
				return done ? (long)done : -EIO;
			done += k;
		}
		return (long)len;
	}
	return -ENXIO;
}

static long pipe_read(struct pipe *p, uint64_t buf, uint64_t len)
{
	uint64_t n = len < p->len ? len : p->len, first;

	if (p->len == 0)
		/* One thread: a writer that would fill it can never run. */
		return p->writers > 0 ? -EAGAIN : 0;
	if (!user_ok(buf, n, 1))
		return -EFAULT;
	first = PIPE_SIZE - p->head < n ? PIPE_SIZE - p->head : n;
	memcpy((void *)(uintptr_t)buf,
	    (const void *)(uintptr_t)(p->buf + p->head), first);
	memcpy((void *)(uintptr_t)(buf + first),
	    (const void *)(uintptr_t)p->buf, n - first);
	p->head = (uint32_t)((p->head + n) % PIPE_SIZE);
	p->len -= (uint32_t)n;
	return (long)n;
}

static long pipe_write(struct pipe *p, uint64_t buf, uint64_t len)
{
	uint64_t room = PIPE_SIZE - p->len, n = len < room ? len : room, tail,
	         first;

	if (p->readers == 0)
		return -EPIPE;
	if (len == 0)
		return 0;
	if (n == 0)
		return -EAGAIN; /* the reader can never drain it meanwhile */
	if (!user_ok(buf, n, 0))
		return -EFAULT;
	tail = (p->head + p->len) % PIPE_SIZE;
	first = PIPE_SIZE - tail < n ? PIPE_SIZE - tail : n;
	memcpy((void *)(uintptr_t)(p->buf + tail), (const void *)(uintptr_t)buf,
	    first);
	memcpy((void *)(uintptr_t)p->buf,
	    (const void *)(uintptr_t)(buf + first), n - first);
	p->len += (uint32_t)n;
	return (long)n;
}

/* Read len bytes at off (or the file's offset if off < 0). */
static long do_read(struct file *f, uint64_t buf, uint64_t len, int64_t off)
{
	const struct svm_node *n;
	uint64_t at, avail;
	long r;

	if ((f->flags & O_ACCMODE) == O_WRONLY)
		return -EBADF;
	switch (f->type) {
	case F_HOST_IN:
		if (off >= 0)
			return -ESPIPE;
		if (!user_ok(buf, len, 1))
			return -EFAULT;
		/* The monitor said the input ends here: no hypercall for it. */
		if (stdin_ended)
			return 0;
		r = hc_read((void *)(uintptr_t)buf, len, &stdin_ended);
		return r < 0 ? -EIO : r;
	case F_PIPE_R:
		return off >= 0 ? -ESPIPE : pipe_read(f->pipe, buf, len);
	case F_NODE:
		n = node(f->node);
		if (is_dir(n))
			return -EISDIR;
		if (S_ISCHR(n->mode))
			return dev_read(n, buf, len);
		if (!S_ISREG(n->mode) || !data_ok(n))
			return -EIO;
		at = off >= 0 ? (uint64_t)off : f->off;
		avail = at < n->size ? n->size - at : 0;
		if (len > avail)
			len = avail;
		if (copy_to_user(buf, fs_data(n) + at, len) < 0)
			return -EFAULT;
		if (off < 0)
			f->off = at + len;
		return (long)len;
	default:
		return -EBADF;
	}
}

static long do_write(struct file *f, uint64_t buf, uint64_t len)
{
	const struct svm_node *n;

	if ((f->flags & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	switch (f->type) {
	case F_HOST_OUT:
		if (!user_ok(buf, len, 0))
			return -EFAULT;
		/* The monitor writes it all or ends the run. */
		return hc_write(f->host_fd, (const void *)(uintptr_t)buf, len) <
		        0 ?
		    -EIO :
		    (long)len;
	case F_PIPE_W:
		return pipe_write(f->pipe, buf, len);
	case F_NODE:
		n = node(f->node);
		if (S_ISCHR(n->mode))
			return n->rdev == (1 << 8 | 5) ? -EINVAL : (long)len;
		return -EBADF;
	default:
		return -EBADF;
	}
}

long sys_read(long fd, long buf, long len, long a3, long a4, long a5)
{
	struct file *f = get(fd);

	(void)a3, (void)a4, (void)a5;
	if (f == NULL)
		return -EBADF;
	if (len < 0)
		return -EINVAL;
	return do_read(f, (uint64_t)buf, (uint64_t)len, -1);
}

long sys_pread64(long fd, long buf, long len, long off, long a4, long a5)
{
	struct file *f = get(fd);

	(void)a4, (void)a5;
	if (f == NULL)
		return -EBADF;
	if (len < 0 || off < 0)
		return -EINVAL;
	if (f->type != F_NODE)
		return -ESPIPE;
	return do_read(f, (uint64_t)buf, (uint64_t)len, off);
}

long sys_write(long fd, long buf, long len, long a3, long a4, long a5)
{
	struct file *f = get(fd);

	(void)a3, (void)a4, (void)a5;
	if (f == NULL)
		return -EBADF;
	if (len < 0)
		return -EINVAL;
	return do_write(f, (uint64_t)buf, (uint64_t)len);
}

long sys_pwrite64(long fd, long buf, long len, long off, long a4, long a5)
{
	struct file *f = get(fd);

	(void)buf, (void)len, (void)off, (void)a4, (void)a5;
	if (f == NULL)
		return -EBADF;
	return f->type == F_NODE && S_ISREG(node(f->node)->mode) ? -EBADF :
	                                                           -ESPIPE;
}

/* Copy an iovec array in: its count, or -errno. */
static long get_iov(uint64_t uiov, long cnt, struct iovec *iov)
{
	if (cnt < 0 || cnt > IOV_MAX)
		return -EINVAL;
	if (copy_from_user(iov, uiov, (size_t)cnt * sizeof(*iov)) < 0)
		return -EFAULT;
	return cnt;
}

static struct iovec iovs[IOV_MAX];

static long vec_read(long fd, long uiov, long cnt, int64_t off)
{
	struct file *f = get(fd);
	long n, i, total = 0;

	if (f == NULL)
		return -EBADF;
	if ((n = get_iov((uint64_t)uiov, cnt, iovs)) < 0)
		return n;
	for (i = 0; i < n; i++) {
		long r = do_read(f, (uint64_t)iovs[i].iov_base, iovs[i].iov_len,
		    off >= 0 ? off + total : -1);

		if (r < 0)
			return total ? total : r;
		total += r;
		if ((size_t)r < iovs[i].iov_len)
			break;
	}
	return total;
}

long sys_readv(long fd, long uiov, long cnt, long a3, long a4, long a5)
{
	(void)a3, (void)a4, (void)a5;
	return vec_read(fd, uiov, cnt, -1);
}

long sys_preadv(long fd, long uiov, long cnt, long off, long a4, long a5)
{
	struct file *f = get(fd);

	(void)a4, (void)a5;
	if (f != NULL && f->type != F_NODE)
		return -ESPIPE;
	return off < 0 ? -EINVAL : vec_read(fd, uiov, cnt, off);
}

long sys_writev(long fd, long uiov, long cnt, long a3, long a4, long a5)
{
	struct file *f = get(fd);
	long n, i, total = 0;
	size_t fill = 0;

	(void)a3, (void)a4, (void)a5;
	if (f == NULL)
		return -EBADF;
	if ((n = get_iov((uint64_t)uiov, cnt, iovs)) < 0)
		return n;
	/* To the monitor, small vectors go in one hypercall (stdio's). */
	if (f->type == F_HOST_OUT) {
		for (i = 0; i < n; i++)
			fill += iovs[i].iov_len <= BOUNCE ? iovs[i].iov_len :
			                                    BOUNCE + 1;
		if (fill <= BOUNCE) {
			for (fill = 0, i = 0; i < n; i++) {
				if (copy_from_user(bounce + fill,
				        (uint64_t)iovs[i].iov_base,
				        iovs[i].iov_len) < 0)
					return -EFAULT;
				fill += iovs[i].iov_len;
			}
			return hc_write(f->host_fd, bounce, fill) < 0 ?
			    -EIO :
			    (long)fill;
		}
	}
	for (i = 0; i < n; i++) {
		long r =
		    do_write(f, (uint64_t)iovs[i].iov_base, iovs[i].iov_len);

		if (r < 0)
			return total ? total : r;
		total += r;
		if ((size_t)r < iovs[i].iov_len)
			break;
	}
	return total;
}

long sys_sendfile(long out, long in, long uoff, long count, long a4, long a5)
{
	struct file *fo = get(out), *fi = get(in);
	int64_t off = -1;
	long total = 0;

	(void)a4, (void)a5;
	if (fo == NULL || fi == NULL)
		return -EBADF;
	if (uoff != 0 && copy_from_user(&off, (uint64_t)uoff, 8) < 0)
		return -EFAULT;
	while (total < count) {
		long want = count - total < BOUNCE ? count - total : BOUNCE;
		long r, w;

		/* bounce is kernel memory: read into it directly. */
		if (fi->type == F_NODE && S_ISREG(node(fi->node)->mode)) {
			const struct svm_node *n = node(fi->node);
			uint64_t at =
			    off >= 0 ? (uint64_t)off + total : fi->off;

			if (!data_ok(n))
				return -EIO;
			r = at < n->size ? (long)(n->size - at) : 0;
			if (r > want)
				r = want;
			memcpy(bounce, fs_data(n) + at, (size_t)r);
			if (off < 0)
				fi->off += (uint64_t)r;
		} else {
			return total ? total : -EINVAL;
		}
		if (r == 0)
			break;
		if (fo->type == F_HOST_OUT)
			w = hc_write(fo->host_fd, bounce, (size_t)r) < 0 ?
			    -EIO :
			    r;
		else
			w = -EINVAL;
		if (w < 0)
			return total ? total : w;
		total += w;
	}
	if (uoff != 0) {
		off += total;
		if (copy_to_user((uint64_t)uoff, &off, 8) < 0)
			return -EFAULT;
	}
	return total;
}

long sys_copy_file_range(long a0, long a1, long a2, long a3, long a4, long a5)
{
	(void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	return -EXDEV; /* callers fall back to read and write */
}

long sys_lseek(long fd, long off, long whence, long a3, long a4, long a5)
{
	struct file *f = get(fd);
	const struct svm_node *n;
	int64_t base;

	(void)a3, (void)a4, (void)a5;
	if (f == NULL)
		return -EBADF;
	if (f->type != F_NODE)
		return -ESPIPE;
	n = node(f->node);
	if (S_ISCHR(n->mode))
		return 0;
	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = (int64_t)f->off;
		break;
	case SEEK_END:
		base = (int64_t)n->size;
		break;
	case SEEK_DATA:
	case SEEK_HOLE:
		if ((uint64_t)off >= n->size)
			return -ENXIO;
		return whence == SEEK_DATA ? off : (long)n->size;
	default:
		return -EINVAL;
	}
	if (__builtin_add_overflow(base, off, &base) || base < 0)
		return -EINVAL;
	f->off = (uint64_t)base;
	return base;
}

/* --- opening and closing -------------------------------------------------- */

static long open_at(long dirfd, uint64_t upath, long flags)
{
	char path[PATH_MAX];
	const struct svm_node *n;
	long r, fi;
	int acc = (int)flags & O_ACCMODE;

	r = lookup((int)dirfd, upath, !(flags & O_NOFOLLOW), path);
	if (r == -ENOENT && (flags & O_CREAT))
		return -EROFS;
	if (r < 0)
		return r;
	n = node((uint32_t)r);
	if ((flags & O_CREAT) && (flags & O_EXCL))
		return -EEXIST;
	if (S_ISLNK(n->mode))
		return -ELOOP; /* O_NOFOLLOW on a symlink */
	if ((flags & O_DIRECTORY) && !is_dir(n))
		return -ENOTDIR;
	if (is_dir(n) && (acc != O_RDONLY || (flags & O_TRUNC)))
		return -EISDIR;
	if (!S_ISCHR(n->mode) && (acc != O_RDONLY || (flags & O_TRUNC)))
		return -EROFS;
	if ((fi = new_file()) < 0)
		return fi;
	files[fi].type = F_NODE;
	files[fi].node = (uint32_t)r;
	files[fi].flags = (int)flags & (O_ACCMODE | O_APPEND | O_NONBLOCK);
	if ((r = install((int)fi, 0, (flags & O_CLOEXEC) != 0)) < 0)
		files[fi].refs = 0;
	return r;
}

long sys_open(long upath, long flags, long mode, long a3, long a4, long a5)
{
	(void)mode, (void)a3, (void)a4, (void)a5;
	return open_at(AT_FDCWD, (uint64_t)upath, flags);
}

long sys_openat(long dirfd, long upath, long flags, long mode, long a4, long a5)
{
	(void)mode, (void)a4, (void)a5;
	return open_at(dirfd, (uint64_t)upath, flags);
}

long sys_creat(long upath, long mode, long a2, long a3, long a4, long a5)
{
	(void)mode, (void)a2, (void)a3, (void)a4, (void)a5;
	return open_at(AT_FDCWD, (uint64_t)upath, O_CREAT | O_WRONLY | O_TRUNC);
}

long sys_close(long fd, long a1, long a2, long a3, long a4, long a5)
{
	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	return close_fd(fd);
}

long sys_close_range(long first, long last, long flags, long a3, long a4,
    long a5)
{
	long fd;

	(void)a3, (void)a4, (void)a5;
	if (first < 0 || last < first || (flags & ~4 /* CLOEXEC */) != 0)
		return -EINVAL;
	for (fd = first; fd <= last && fd < MAX_FD; fd++)
		if (get(fd) != NULL) {
			if (flags & 4)
				fd_cloexec[fd] = 1;
			else
				close_fd(fd);
		}
	return 0;
}

long sys_dup(long fd, long a1, long a2, long a3, long a4, long a5)
{
	long r;

	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	if (get(fd) == NULL)
		return -EBADF;
	if ((r = install(fd_file[fd], 0, 0)) >= 0)
		files[fd_file[fd]].refs++;
	return r;
}

long sys_dup3(long old, long new, long flags, long a3, long a4, long a5)
{
	(void)a3, (void)a4, (void)a5;
	if (get(old) == NULL)
		return -EBADF;
	if (new < 0 || new >= MAX_FD)
		return -EBADF;
	if (old == new || (flags & ~O_CLOEXEC) != 0)
		return -EINVAL;
	if (fd_file[new] >= 0)
		close_fd(new);
	files[fd_file[old]].refs++;
	fd_file[new] = fd_file[old];
	fd_cloexec[new] = (flags & O_CLOEXEC) != 0;
	return new;
}

long sys_dup2(long old, long new, long a2, long a3, long a4, long a5)
{
	(void)a2;
	if (old == new)
		return get(old) != NULL ? new : -EBADF;
	return sys_dup3(old, new, 0, a3, a4, a5);
}

long sys_fcntl(long fd, long cmd, long arg, long a3, long a4, long a5)
{
	struct file *f = get(fd);
	long r;

	(void)a3, (void)a4, (void)a5;
	if (f == NULL)
		return -EBADF;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (arg < 0 || arg >= MAX_FD)
			return -EINVAL;
		if ((r = install(fd_file[fd], (int)arg,
		         cmd == F_DUPFD_CLOEXEC)) >= 0)
			f->refs++;
		return r;
	case F_GETFD:
		return fd_cloexec[fd] ? FD_CLOEXEC : 0;
	case F_SETFD:
		fd_cloexec[fd] = (arg & FD_CLOEXEC) != 0;
		return 0;
	case F_GETFL:
		return f->flags;
	case F_SETFL:
		f->flags = (f->flags & O_ACCMODE) |
		    ((int)arg & (O_APPEND | O_NONBLOCK));
		return 0;
	case F_GETLK: {
		struct flock fl;

		if (copy_from_user(&fl, (uint64_t)arg, sizeof(fl)) < 0)
			return -EFAULT;
		fl.l_type = F_UNLCK; /* one process: nobody else holds it */
		return copy_to_user((uint64_t)arg, &fl, sizeof(fl));
	}
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		return 0;
	case F_GETPIPE_SZ:
		return f->type == F_PIPE_R || f->type == F_PIPE_W ? PIPE_SIZE :
		                                                    -EINVAL;
	default:
		return -EINVAL;
	}
}

long sys_ioctl(long fd, long req, long arg, long a3, long a4, long a5)
{
	struct file *f = get(fd);
	int v;

	(void)a3, (void)a4, (void)a5;
	if (f == NULL)
		return -EBADF;
	switch ((unsigned)req) {
	case FIONREAD:
		v = f->type == F_PIPE_R ? (int)f->pipe->len : 0;
		return copy_to_user((uint64_t)arg, &v, sizeof(v));
	case FIOCLEX:
		fd_cloexec[fd] = 1;
		return 0;
	case FIONBIO:
		return 0;
	default:
		return -ENOTTY; /* no terminals here: TCGETS, TIOCGWINSZ... */
	}
}

long sys_pipe2(long ufds, long flags, long a2, long a3, long a4, long a5)
{
	int fds[2], r, w, i;
	struct pipe *p = NULL;

	(void)a2, (void)a3, (void)a4, (void)a5;
	if ((flags & ~(O_CLOEXEC | O_NONBLOCK)) != 0)
		return -EINVAL;
	if (!user_ok((uint64_t)ufds, sizeof(fds), 1))
		return -EFAULT;
	for (i = 0; i < MAX_FILES / 2; i++)
		if (pipes[i].buf == 0) {
			p = &pipes[i];
			break;
		}
	if (p == NULL)
		return -ENFILE;
	if ((r = new_file()) < 0)
		return r;
	if ((w = new_file()) < 0) {
		files[r].refs = 0;
		return w;
	}
	if ((p->buf = kalloc(PIPE_SIZE)) == 0) {
		files[r].refs = files[w].refs = 0;
		return -ENOMEM;
	}
	p->head = p->len = 0;
	p->readers = p->writers = 1;
	files[r] = (struct file) { .type = F_PIPE_R,
		.refs = 1,
		.flags = O_RDONLY | ((int)flags & O_NONBLOCK),
		.pipe = p };
	files[w] = (struct file) { .type = F_PIPE_W,
		.refs = 1,
		.flags = O_WRONLY | ((int)flags & O_NONBLOCK),
		.pipe = p };
	fds[0] = install(r, 0, (flags & O_CLOEXEC) != 0);
	fds[1] = fds[0] < 0 ? -EMFILE : install(w, 0, (flags & O_CLOEXEC) != 0);
	if (fds[1] < 0) {
		if (fds[0] >= 0)
			close_fd(fds[0]);
		else
			put_file(r);
		put_file(w);
		return -EMFILE;
	}
	return copy_to_user((uint64_t)ufds, fds, sizeof(fds));
}

long sys_pipe(long ufds, long a1, long a2, long a3, long a4, long a5)
{
	(void)a1;
	return sys_pipe2(ufds, 0, a2, a3, a4, a5);
}

/* --- names and attributes ---------------------------------------------------
 */

static void fill_stat(struct stat *st, uint32_t i)
{
	const struct svm_node *n = node(i);

	memset(st, 0, sizeof(*st));
	st->st_dev = 1;
	st->st_ino = i + 1;
	st->st_mode = n->mode;
	st->st_nlink = is_dir(n) ? 2 : 1;
	st->st_rdev = n->rdev;
	st->st_size = S_ISCHR(n->mode) ? 0 : (long)n->size;
	st->st_blksize = 4096;
	st->st_blocks = (long)((n->size + 511) / 512);
	st->st_atime = st->st_mtime = st->st_ctime = (long)n->mtime;
}

/* What the program's stdin, stdout and stderr look like: pipes. */
static void fill_stat_stream(struct stat *st, long fd)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = 2;
	st->st_ino = (unsigned long)fd + 1;
	st->st_mode = S_IFIFO | 0600;
	st->st_nlink = 1;
	st->st_blksize = 4096;
}

static long fstat_fd(long fd, struct stat *st)
{
	struct file *f = get(fd);

	if (f == NULL)
		return -EBADF;
	if (f->type == F_NODE)
		fill_stat(st, f->node);
	else
		fill_stat_stream(st, fd);
	return 0;
}

long sys_fstat(long fd, long ust, long a2, long a3, long a4, long a5)
{
	struct stat st;
	long r;

	(void)a2, (void)a3, (void)a4, (void)a5;
	if ((r = fstat_fd(fd, &st)) < 0)
		return r;
	return copy_to_user((uint64_t)ust, &st, sizeof(st));
}

static long stat_at(long dirfd, uint64_t upath, uint64_t ust, long flags)
{
	char path[PATH_MAX];
	struct stat st;
	long r;

	if ((flags & AT_EMPTY_PATH) && user_ok(upath, 1, 0) &&
	    *(const char *)(uintptr_t)upath == '\0') {
		if ((r = dirfd == AT_FDCWD ? (fill_stat(&st, cwd), 0) :
		                             fstat_fd(dirfd, &st)) < 0)
			return r;
		return copy_to_user(ust, &st, sizeof(st));
	}
	if ((r = lookup((int)dirfd, upath, !(flags & AT_SYMLINK_NOFOLLOW),
	         path)) < 0)
		return r;
	fill_stat(&st, (uint32_t)r);
	return copy_to_user(ust, &st, sizeof(st));
}

long sys_stat(long upath, long ust, long a2, long a3, long a4, long a5)
{
	(void)a2, (void)a3, (void)a4, (void)a5;
	return stat_at(AT_FDCWD, (uint64_t)upath, (uint64_t)ust, 0);
}

long sys_lstat(long upath, long ust, long a2, long a3, long a4, long a5)
{
	(void)a2, (void)a3, (void)a4, (void)a5;
	return stat_at(AT_FDCWD, (uint64_t)upath, (uint64_t)ust,
	    AT_SYMLINK_NOFOLLOW);
}

long sys_newfstatat(long dirfd, long upath, long ust, long flags, long a4,
    long a5)
{
	(void)a4, (void)a5;
	return stat_at(dirfd, (uint64_t)upath, (uint64_t)ust, flags);
}

long sys_statx(long dirfd, long upath, long flags, long mask, long usx, long a5)
{
	struct stat st;
	struct statx sx;
	long r;

	(void)mask, (void)a5;
	/* stat_at copies out: do it into a kernel struct through a path. */
	if ((flags & AT_EMPTY_PATH) && user_ok((uint64_t)upath, 1, 0) &&
	    *(const char *)(uintptr_t)upath == '\0') {
		if ((r = dirfd == AT_FDCWD ? (fill_stat(&st, cwd), 0) :
		                             fstat_fd(dirfd, &st)) < 0)
			return r;
	} else {
		char path[PATH_MAX];

		if ((r = lookup((int)dirfd, (uint64_t)upath,
		         !(flags & AT_SYMLINK_NOFOLLOW), path)) < 0)
			return r;
		fill_stat(&st, (uint32_t)r);
	}
	memset(&sx, 0, sizeof(sx));
	sx.stx_mask = STATX_BASIC_STATS;
	sx.stx_blksize = (uint32_t)st.st_blksize;
	sx.stx_nlink = (uint32_t)st.st_nlink;
	sx.stx_mode = (uint16_t)st.st_mode;
	sx.stx_ino = st.st_ino;
	sx.stx_size = (uint64_t)st.st_size;
	sx.stx_blocks = (uint64_t)st.st_blocks;
	sx.stx_atime.tv_sec = sx.stx_mtime.tv_sec = sx.stx_ctime.tv_sec =
	    st.st_mtime;
	sx.stx_rdev_major = (uint32_t)(st.st_rdev >> 8);
	sx.stx_rdev_minor = (uint32_t)(st.st_rdev & 0xff);
	sx.stx_dev_major = (uint32_t)st.st_dev;
	return copy_to_user((uint64_t)usx, &sx, sizeof(sx));
}

long sys_readlinkat(long dirfd, long upath, long ubuf, long len, long a4,
    long a5)
{
	char path[PATH_MAX];
	const struct svm_node *n;
	uint64_t k;
	long r;

	(void)a4, (void)a5;
	if (len <= 0)
		return -EINVAL;
	if ((r = lookup((int)dirfd, (uint64_t)upath, 0, path)) < 0)
		return r;
	n = node((uint32_t)r);
	if (!S_ISLNK(n->mode))
		return -EINVAL;
	if (!data_ok(n))
		return -EIO;
	k = n->size < (uint64_t)len ? n->size : (uint64_t)len;
	if (copy_to_user((uint64_t)ubuf, fs_data(n), k) < 0)
		return -EFAULT;
	return (long)k;
}

long sys_readlink(long upath, long ubuf, long len, long a3, long a4, long a5)
{
	return sys_readlinkat(AT_FDCWD, upath, ubuf, len, a3, a4 + a5 * 0);
}

static long access_at(long dirfd, uint64_t upath, long mode, long flags)
{
	char path[PATH_MAX];
	const struct svm_node *n;
	long r;

	if ((mode & ~7) != 0)
		return -EINVAL;
	if ((r = lookup((int)dirfd, upath, !(flags & AT_SYMLINK_NOFOLLOW),
	         path)) < 0)
		return r;
	n = node((uint32_t)r);
	if ((mode & 2 /* W_OK */) && !S_ISCHR(n->mode))
		return -EROFS;
	if ((mode & 1 /* X_OK */) && !(n->mode & 0111))
		return -EACCES;
	return 0;
}

long sys_access(long upath, long mode, long a2, long a3, long a4, long a5)
{
	(void)a2, (void)a3, (void)a4, (void)a5;
	return access_at(AT_FDCWD, (uint64_t)upath, mode, 0);
}

long sys_faccessat(long dirfd, long upath, long mode, long a3, long a4, long a5)
{
	(void)a3, (void)a4, (void)a5;
	return access_at(dirfd, (uint64_t)upath, mode, 0);
}

long sys_faccessat2(long dirfd, long upath, long mode, long flags, long a4,
    long a5)
{
	(void)a4, (void)a5;
	return access_at(dirfd, (uint64_t)upath, mode, flags);
}

long sys_getcwd(long ubuf, long size, long a2, long a3, long a4, long a5)
{
	char path[PATH_MAX];
	size_t len = 0, k;
	uint32_t at = cwd, steps = 0;

	(void)a2, (void)a3, (void)a4, (void)a5;
	/* Built backwards from the cwd up to "/". */
	path[sizeof(path) - 1] = '\0';
	while (at != 0 && steps++ < tree_count) {
		const struct svm_node *n = node(at);
		const char *name = node_name(n);

		k = strnlen(name, 256);
		if (len + k + 1 >= sizeof(path) - 1)
			return -ENAMETOOLONG;
		len += k + 1;
		memcpy(path + sizeof(path) - 1 - len + 1, name, k);
		path[sizeof(path) - 1 - len] = '/';
		at = n->parent;
	}
	if (len == 0) {
		len = 1;
		path[sizeof(path) - 2] = '/';
	}
	if ((uint64_t)size < len + 1)
		return -ERANGE;
	if (copy_to_user((uint64_t)ubuf, path + sizeof(path) - 1 - len,
	        len + 1) < 0)
		return -EFAULT;
	return (long)(len + 1);
}

long sys_chdir(long upath, long a1, long a2, long a3, long a4, long a5)
{
	char path[PATH_MAX];
	long r;

	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	if ((r = lookup(AT_FDCWD, (uint64_t)upath, 1, path)) < 0)
		return r;
	if (!is_dir(node((uint32_t)r)))
		return -ENOTDIR;
	cwd = (uint32_t)r;
	return 0;
}

long sys_fchdir(long fd, long a1, long a2, long a3, long a4, long a5)
{
	struct file *f = get(fd);

	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	if (f == NULL)
		return -EBADF;
	if (f->type != F_NODE || !is_dir(node(f->node)))
		return -ENOTDIR;
	cwd = f->node;
	return 0;
}

static uint8_t dtype(const struct svm_node *n)
{
	return S_ISDIR(n->mode) ? DT_DIR :
	    S_ISREG(n->mode)    ? DT_REG :
	    S_ISLNK(n->mode)    ? DT_LNK :
	    S_ISCHR(n->mode)    ? DT_CHR :
	                          DT_UNKNOWN;
}

/*
 * A directory's offset counts entries: 0 ".", 1 "..", then its children in
 * tree order.
 */
long sys_getdents64(long fd, long ubuf, long cap, long a3, long a4, long a5)
{
	struct file *f = get(fd);
	const struct svm_node *d;
	uint64_t pos = 0, done = 0;
	uint32_t i, steps = 0;
	char rec[sizeof(struct linux_dirent64) + 264];

	(void)a3, (void)a4, (void)a5;
	if (f == NULL)
		return -EBADF;
	if (f->type != F_NODE || !is_dir(d = node(f->node)))
		return -ENOTDIR;
	i = d->child;
	for (;; pos++) {
		struct linux_dirent64 *e = (struct linux_dirent64 *)rec;
		const char *name;
		uint32_t ino;
		size_t len, reclen;

		if (pos == 0) {
			name = ".", ino = f->node;
		} else if (pos == 1) {
			name = "..", ino = d->parent;
		} else {
			if (pos > 2) {
				if (i == 0)
					break;
				i = node(i)->next;
			}
			if (i == 0 || ++steps > tree_count || node(i) == NULL)
				break;
			name = node_name(node(i)), ino = i;
		}
		if (pos < f->off)
			continue;
		len = strnlen(name, 256);
		reclen = (sizeof(*e) + len + 1 + 7) & ~7ul;
		if (done + reclen > (uint64_t)cap) {
			if (done == 0)
				return -EINVAL;
			break;
		}
		memset(rec, 0, reclen);
		e->d_ino = ino + 1;
		e->d_off = (int64_t)pos + 1;
		e->d_reclen = (uint16_t)reclen;
		e->d_type = dtype(node(ino));
		memcpy(e->d_name, name, len);
		if (copy_to_user((uint64_t)ubuf + done, rec, reclen) < 0)
			return -EFAULT;
		done += reclen;
		f->off = pos + 1;
	}
	return (long)done;
}

/* --- waiting: everything is ready but an empty pipe ---------------------- */

static short ready(long fd, short events)
{
	struct file *f = get(fd);
	short r = 0;

	if (f == NULL)
		return POLLNVAL;
	if (f->type == F_PIPE_R)
		r = f->pipe->len > 0      ? POLLIN :
		    f->pipe->writers == 0 ? POLLHUP :
		                            0;
	else if (f->type == F_PIPE_W)
		r = f->pipe->readers == 0    ? POLLERR :
		    f->pipe->len < PIPE_SIZE ? POLLOUT :
		                               0;
	else
		r = POLLIN | POLLOUT; /* the monitor blocks for stdin itself */
	return (short)(r & (events | POLLHUP | POLLERR | POLLNVAL));
}

static long do_poll(uint64_t ufds, long nfds)
{
	struct pollfd p;
	long i, n = 0;

	if (nfds < 0 || nfds > MAX_FD)
		return -EINVAL;
	for (i = 0; i < nfds; i++) {
		if (copy_from_user(&p, ufds + (uint64_t)i * sizeof(p),
		        sizeof(p)) < 0)
			return -EFAULT;
		p.revents = p.fd < 0 ? 0 : ready(p.fd, p.events);
		n += p.revents != 0;
		if (copy_to_user(ufds + (uint64_t)i * sizeof(p), &p,
		        sizeof(p)) < 0)
			return -EFAULT;
	}
	/* Nothing can become ready in a single thread: no waiting. */
	return n;
}

long sys_poll(long ufds, long nfds, long tmo, long a3, long a4, long a5)
{
	(void)tmo, (void)a3, (void)a4, (void)a5;
	return do_poll((uint64_t)ufds, nfds);
}

long sys_ppoll(long ufds, long nfds, long tmo, long a3, long a4, long a5)
{
	(void)tmo, (void)a3, (void)a4, (void)a5;
	return do_poll((uint64_t)ufds, nfds);
}

static long do_select(long n, uint64_t r, uint64_t w, uint64_t e)
{
	uint64_t in[16] = { 0 }, out[16] = { 0 }, rr[16] = { 0 },
	         ww[16] = { 0 };
	long fd, count = 0;
	size_t bytes = (size_t)((n + 63) / 64 * 8);

	if (n < 0 || n > 1024)
		return -EINVAL;
	if ((r && copy_from_user(in, r, bytes) < 0) ||
	    (w && copy_from_user(out, w, bytes) < 0))
		return -EFAULT;
	for (fd = 0; fd < n; fd++) {
		uint64_t bit = 1ull << (fd % 64);

		if ((in[fd / 64] & bit) &&
		    (ready(fd, POLLIN) & (POLLIN | POLLHUP)))
			rr[fd / 64] |= bit, count++;
		if ((out[fd / 64] & bit) && (ready(fd, POLLOUT) & POLLOUT))
			ww[fd / 64] |= bit, count++;
		if (((in[fd / 64] | out[fd / 64]) & bit) && get(fd) == NULL)
			return -EBADF;
	}
	if ((r && copy_to_user(r, rr, bytes) < 0) ||
	    (w && copy_to_user(w, ww, bytes) < 0))
		return -EFAULT;
	if (e && user_ok(e, bytes, 1))
		memset((void *)(uintptr_t)e, 0, bytes);
	return count;
}

long sys_select(long n, long r, long w, long e, long tmo, long a5)
{
	(void)tmo, (void)a5;
	return do_select(n, (uint64_t)r, (uint64_t)w, (uint64_t)e);
}

long sys_pselect6(long n, long r, long w, long e, long tmo, long a5)
{
	(void)tmo, (void)a5;
	return do_select(n, (uint64_t)r, (uint64_t)w, (uint64_t)e);
}

/* --- the rest: a read-only file system ----------------------------------- */

long sys_fsync(long fd, long a1, long a2, long a3, long a4, long a5)
{
	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	return get(fd) != NULL ? 0 : -EBADF;
}

long sys_fdatasync(long fd, long a1, long a2, long a3, long a4, long a5)
{
	return sys_fsync(fd, a1, a2, a3, a4, a5);
}

long sys_fadvise64(long fd, long a1, long a2, long a3, long a4, long a5)
{
	return sys_fsync(fd, a1, a2, a3, a4, a5);
}

long sys_flock(long fd, long a1, long a2, long a3, long a4, long a5)
{
	return sys_fsync(fd, a1, a2, a3, a4, a5);
}

static long fill_statfs(uint64_t ubuf)
{
	struct {
		long type, bsize, blocks, bfree, bavail, files, ffree;
		int fsid[2];
		long namelen, frsize, flags, spare[4];
	} s;

	memset(&s, 0, sizeof(s));
	s.type = 0x858458f6; /* RAMFS_MAGIC */
	s.bsize = s.frsize = 4096;
	s.blocks = (long)(tree_size / 4096);
	s.files = tree_count;
	s.namelen = 255;
	s.flags = 1; /* ST_RDONLY */
	return copy_to_user(ubuf, &s, sizeof(s));
}

long sys_statfs(long upath, long ubuf, long a2, long a3, long a4, long a5)
{
	char path[PATH_MAX];
	long r;

	(void)a2, (void)a3, (void)a4, (void)a5;
	if ((r = lookup(AT_FDCWD, (uint64_t)upath, 1, path)) < 0)
		return r;
	return fill_statfs((uint64_t)ubuf);
}

long sys_fstatfs(long fd, long ubuf, long a2, long a3, long a4, long a5)
{
	(void)a2, (void)a3, (void)a4, (void)a5;
	return get(fd) != NULL ? fill_statfs((uint64_t)ubuf) : -EBADF;
}

/* Path-changing calls: ENOENT for what is missing, else EROFS, as Linux. */
static long rofs_at(long dirfd, uint64_t upath, int must_exist)
{
	char path[PATH_MAX];
	long r = lookup((int)dirfd, upath, 0, path);

	if (r == -ENOENT && !must_exist)
		return -EROFS;
	if (r < 0)
		return r;
	return must_exist ? -EROFS : -EEXIST;
}

long sys_unlink(long p, long a1, long a2, long a3, long a4, long a5)
{
	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	return rofs_at(AT_FDCWD, (uint64_t)p, 1);
}

long sys_unlinkat(long d, long p, long a2, long a3, long a4, long a5)
{
	(void)a2, (void)a3, (void)a4, (void)a5;
	return rofs_at(d, (uint64_t)p, 1);
}

long sys_rmdir(long p, long a1, long a2, long a3, long a4, long a5)
{
	return sys_unlink(p, a1, a2, a3, a4, a5);
}

long sys_mkdir(long p, long a1, long a2, long a3, long a4, long a5)
{
	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	return rofs_at(AT_FDCWD, (uint64_t)p, 0);
}

long sys_mkdirat(long d, long p, long a2, long a3, long a4, long a5)
{
	(void)a2, (void)a3, (void)a4, (void)a5;
	return rofs_at(d, (uint64_t)p, 0);
}

long sys_symlink(long t, long p, long a2, long a3, long a4, long a5)
{
	(void)t, (void)a2, (void)a3, (void)a4, (void)a5;
	return rofs_at(AT_FDCWD, (uint64_t)p, 0);
}

long sys_link(long t, long p, long a2, long a3, long a4, long a5)
{
	(void)t, (void)a2, (void)a3, (void)a4, (void)a5;
	return rofs_at(AT_FDCWD, (uint64_t)p, 0);
}

long sys_rename(long from, long to, long a2, long a3, long a4, long a5)
{
	(void)to, (void)a2, (void)a3, (void)a4, (void)a5;
	return rofs_at(AT_FDCWD, (uint64_t)from, 1);
}

long sys_renameat(long d, long from, long a2, long a3, long a4, long a5)
{
	(void)a2, (void)a3, (void)a4, (void)a5;
	return rofs_at(d, (uint64_t)from, 1);
}

long sys_chmod(long p, long a1, long a2, long a3, long a4, long a5)
{
	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	return rofs_at(AT_FDCWD, (uint64_t)p, 1);
}

long sys_fchmodat(long d, long p, long a2, long a3, long a4, long a5)
{
	(void)a2, (void)a3, (void)a4, (void)a5;
	return rofs_at(d, (uint64_t)p, 1);
}

long sys_chown(long p, long a1, long a2, long a3, long a4, long a5)
{
	return sys_chmod(p, a1, a2, a3, a4, a5);
}

long sys_lchown(long p, long a1, long a2, long a3, long a4, long a5)
{
	return sys_chmod(p, a1, a2, a3, a4, a5);
}

long sys_fchownat(long d, long p, long a2, long a3, long a4, long a5)
{
	return sys_fchmodat(d, p, a2, a3, a4, a5);
}

long sys_utimensat(long d, long p, long a2, long a3, long a4, long a5)
{
	(void)a2, (void)a3, (void)a4, (void)a5;
	if (p == 0)
		return get(d) != NULL ? -EROFS : -EBADF;
	return rofs_at(d, (uint64_t)p, 1);
}

static long rofs_fd(long fd)
{
	struct file *f = get(fd);

	if (f == NULL)
		return -EBADF;
	return f->type == F_NODE ? -EROFS : -EINVAL;
}

long sys_fchmod(long fd, long a1, long a2, long a3, long a4, long a5)
{
	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	return rofs_fd(fd);
}

long sys_fchown(long fd, long a1, long a2, long a3, long a4, long a5)
{
	return sys_fchmod(fd, a1, a2, a3, a4, a5);
}

long sys_ftruncate(long fd, long a1, long a2, long a3, long a4, long a5)
{
	struct file *f = get(fd);

	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	if (f == NULL)
		return -EBADF;
	return (f->flags & O_ACCMODE) == O_RDONLY ? -EINVAL : rofs_fd(fd);
}

/* The working directory from the boot info: "/" if it is not in the tree. */
void fs_set_cwd(const char *path)
{
	int links = 0;
	long r = tree != NULL ? walk(0, path, 1, &links) : -ENOENT;

	cwd = r >= 0 && is_dir(node((uint32_t)r)) ? (uint32_t)r : 0;
}
