/* container.c: a container's state, one small file per container under
 * --root, written atomically; its status comes from its process. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci.h"

int container_check_id(const char *id, char *err, size_t errlen)
{
	const char *p;

	if (id[0] == '\0' || strcmp(id, ".") == 0 || strcmp(id, "..") == 0 ||
	    strlen(id) >= 256)
		return fail(err, errlen, "invalid container id \"%s\"", id);
	for (p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		        (*p >= '0' && *p <= '9') || strchr("_+-.", *p)))
			return fail(err, errlen,
			    "invalid container id \"%.256s\" (letters, "
			    "digits and _+-. only)",
			    id);
	return 0;
}

int container_paths(const struct globals *g, const char *id, struct state *st,
    char *err, size_t errlen)
{
	memset(st, 0, sizeof(*st));
	if (container_check_id(id, err, errlen) < 0)
		return -1;
	if (snprintf(st->dir, sizeof(st->dir), "%s/%s", g->root, id) >=
	        (int)sizeof(st->dir) ||
	    snprintf(st->fifo, sizeof(st->fifo), "%s/exec.fifo", st->dir) >=
	        (int)sizeof(st->fifo))
		return fail(err, errlen, "--root %s: path too long", g->root);
	snprintf(st->id, sizeof(st->id), "%s", id);
	return 0;
}

int read_fd(int fd, size_t max, char **out, size_t *len)
{
	struct stat st;
	char *buf;
	size_t n = 0;
	int e;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		e = EINVAL;
	else if ((uint64_t)st.st_size > max)
		e = EFBIG;
	else if ((buf = malloc((size_t)st.st_size + 1)) == NULL)
		e = ENOMEM;
	else
		e = 0;
	if (e != 0) {
		close(fd);
		errno = e;
		return -1;
	}
	while (n < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + n, (size_t)st.st_size - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

int read_file(const char *path, size_t max, char **out, size_t *len, char *err,
    size_t errlen)
{
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return fail(err, errlen, "%s: %s", path, strerror(errno));
	if (read_fd(fd, max, out, len) == 0)
		return 0;
	if (errno == EFBIG)
		return fail(err, errlen, "%s: larger than %zu bytes", path,
		    max);
	if (errno == ENOMEM)
		return fail(err, errlen, "out of memory");
	return fail(err, errlen, "%s: not a regular file", path);
}

int write_file_atomic(const char *path, const char *data, size_t len,
    mode_t mode, char *err, size_t errlen)
{
	char tmp[PATH_MAX];
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp-%d", path, (int)getpid()) >=
	    (int)sizeof(tmp))
		return fail(err, errlen, "%s: path too long", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    mode);
	if (fd < 0)
		return fail(err, errlen, "%s: %s", tmp, strerror(errno));
	/* No fsync: the state is for readers now (it lives in /run, and
	 * means nothing after a reboot); rename makes it whole for them. */
	if (write_all(fd, data, len) < 0) {
		int e = errno;

		close(fd);
		unlink(tmp);
		return fail(err, errlen, "%s: %s", tmp, strerror(e));
	}
	close(fd);
	if (rename(tmp, path) < 0) {
		int e = errno;

		unlink(tmp);
		return fail(err, errlen, "%s: %s", path, strerror(e));
	}
	return 0;
}

int container_save(const struct state *st, const struct json *annotations,
    char *err, size_t errlen)
{
	char path[PATH_MAX + 16], *text;
	struct jw w;
	size_t len;
	int rc;

	jw_init(&w);
	jw_object(&w);
	jw_key(&w, "id");
	jw_string(&w, st->id);
	jw_key(&w, "pid");
	jw_int(&w, st->pid);
	jw_key(&w, "startTime");
	jw_int(&w, (int64_t)st->start_time);
	jw_key(&w, "bundle");
	jw_string(&w, st->bundle);
	jw_key(&w, "rootfs");
	jw_string(&w, st->rootfs);
	jw_key(&w, "created");
	jw_string(&w, st->created);
	jw_key(&w, "annotations");
	if (annotations != NULL) {
		jw_value(&w, annotations);
	} else {
		jw_object(&w);
		jw_end_object(&w);
	}
	jw_end_object(&w);
	if ((text = jw_done(&w, &len)) == NULL)
		return fail(err, errlen, "out of memory");
	text[len++] = '\n';
	snprintf(path, sizeof(path), "%s/state.json", st->dir);
	rc = write_file_atomic(path, text, len, 0600, err, errlen);
	free(text);
	return rc;
}

/* A string member into buf: 0, or -1 if missing or too long. */
static int copy_str(const struct json *doc, const char *key, char *buf,
    size_t cap)
{
	const char *s = json_cstr(json_get(doc, key));

	if (s == NULL || strlen(s) >= cap)
		return -1;
	memcpy(buf, s, strlen(s) + 1);
	return 0;
}

int container_load(const struct globals *g, const char *id, struct state *st,
    int *why, char *err, size_t errlen)
{
	char path[PATH_MAX + 16], msg[OCI_ERR_LEN], *buf;
	int64_t pid, start;
	size_t n;
	int rc;

	*why = 0;
	if (container_paths(g, id, st, err, errlen) < 0) {
		*why = EINVAL;
		return -1;
	}
	snprintf(path, sizeof(path), "%s/state.json", st->dir);
	if (access(path, F_OK) < 0 && errno == ENOENT) {
		*why = ENOENT;
		return fail(err, errlen, "container %s does not exist", id);
	}
	/* As large as the annotations it keeps may make it. */
	if (read_file(path, STATE_MAX, &buf, &n, err, errlen) < 0)
		return -1;
	rc = json_parse(buf, n, &st->doc, msg, sizeof(msg));
	free(buf);
	if (rc < 0)
		return fail(err, errlen, "%s: %s", path, msg);
	if (json_int(json_get(st->doc, "pid"), 1, INT32_MAX, &pid) < 0 ||
	    json_int(json_get(st->doc, "startTime"), 0, INT64_MAX, &start) <
	        0 ||
	    copy_str(st->doc, "bundle", st->bundle, sizeof(st->bundle)) < 0 ||
	    copy_str(st->doc, "rootfs", st->rootfs, sizeof(st->rootfs)) < 0 ||
	    copy_str(st->doc, "created", st->created, sizeof(st->created)) <
	        0) {
		json_free(st->doc);
		st->doc = NULL;
		return fail(err, errlen, "%s: a field is missing or bad", path);
	}
	st->pid = (pid_t)pid;
	st->start_time = (unsigned long long)start;
	st->annotations = json_get(st->doc, "annotations");
	return 0;
}

int container_load_status(int why)
{
	return why == EINVAL ? OCI_USAGE : OCI_FAIL;
}

void container_free(struct state *st)
{
	json_free(st->doc);
	st->doc = NULL;
	st->annotations = NULL;
}

unsigned long long proc_start_time(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	ssize_t n;
	int fd, i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* The name may hold spaces and parentheses: the fields follow the
	 * last ')'. Then: state (3), ... starttime (22). */
	if ((p = strrchr(buf, ')')) == NULL || p[1] != ' ')
		return 0;
	p += 2;
	if (*p == 'Z' || *p == 'X')
		return 0;
	for (i = 3; i < 22 && p != NULL; i++)
		if ((p = strchr(p, ' ')) != NULL)
			p++;
	if (p != NULL)
		start = strtoull(p, NULL, 10);
	return start;
}

enum status container_status(const struct state *st)
{
	unsigned long long t = proc_start_time(st->pid);

	/* Gone, a zombie, or another process under a reused pid. */
	if (t == 0 || t != st->start_time)
		return STATUS_STOPPED;
	return access(st->fifo, F_OK) == 0 ? STATUS_CREATED : STATUS_RUNNING;
}

const char *status_name(enum status s)
{
	switch (s) {
	case STATUS_CREATED:
		return "created";
	case STATUS_RUNNING:
		return "running";
	case STATUS_STOPPED:
		break;
	}
	return "stopped";
}
