/* oci.h: internal interfaces of svm-sandbox-oci, the OCI runtime. */
#ifndef OCI_H
#define OCI_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Room for one error line; every function that takes err writes one. */
#define OCI_ERR_LEN 1024

/* What this runtime implements of the OCI runtime spec. */
#define OCI_VERSION "1.0.2"
#ifndef SVM_VERSION
#define SVM_VERSION "0.1.0"
#endif

/* Where state lives without --root (runc: /run/runc). */
#define OCI_ROOT_DEFAULT "/run/svm-sandbox-oci"

/* Our annotations: org.svm-sandbox.NAME, documented in README.md. */
#define OCI_ANNOTATION_PREFIX "org.svm-sandbox."

/* --- json.c: a strict JSON reader (RFC 8259) and a writer ------------------
 */

enum json_type {
	JSON_NULL,
	JSON_FALSE,
	JSON_TRUE,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

/*
 * A parsed value. Strings are decoded UTF-8 of len bytes, NUL-terminated
 * (a string may hold "\u0000": json_cstr() refuses it); a number keeps its
 * literal text in str. An array's or object's elements are a list from child
 * through next; an object's members carry their key.
 */
struct json {
	enum json_type type;
	char *str;
	size_t len;
	char *key; /* member of an object: its key (no NUL inside) */
	struct json *child, *next;
	size_t count; /* elements or members */
};

/*
 * json_parse: parse text (len bytes) as exactly one JSON value, strictly:
 * UTF-8 only, no comments, no trailing commas, no duplicate keys, no lone
 * surrogates, no control characters in strings, nesting at most 64 deep.
 * Returns 0 with *out set (free it with json_free), or -1 with "line L
 * column C: what" in err.
 */
int json_parse(const char *text, size_t len, struct json **out, char *err,
    size_t errlen);

/* json_free: free v and everything under it (NULL is fine). */
void json_free(struct json *v);

/* json_get: obj's member key, or NULL (also when obj is not an object). */
const struct json *json_get(const struct json *obj, const char *key);

/* json_cstr: v's string when v is a string without NUL inside, else NULL. */
const char *json_cstr(const struct json *v);

/*
 * json_int: v as an integer in [min, max] when v is a number without fraction
 * or exponent; returns 0 with *out set, or -1.
 */
int json_int(const struct json *v, int64_t min, int64_t max, int64_t *out);

/* json_type_name: "string", "object"... for messages. */
const char *json_type_name(enum json_type t);

/*
 * The writer: compact JSON into a growing buffer. Members and elements get
 * their commas from the nesting; out of memory is remembered and reported
 * by jw_done(). At most 64 levels.
 */
struct jw {
	char *buf;
	size_t len, cap;
	int depth;
	bool oom;
	bool more[64]; /* this level already has an element */
};

void jw_init(struct jw *w);
void jw_object(struct jw *w);
void jw_array(struct jw *w);
void jw_end_object(struct jw *w);
void jw_end_array(struct jw *w);
void jw_key(struct jw *w, const char *key);
void jw_string(struct jw *w, const char *s);
void jw_int(struct jw *w, int64_t v);
void jw_bool(struct jw *w, bool v);
/* jw_value: write a parsed value again (numbers as their literal). */
void jw_value(struct jw *w, const struct json *v);
/* jw_done: the NUL-terminated text (caller frees), or NULL if out of memory. */
char *jw_done(struct jw *w, size_t *len);

/* --- log.c: where errors go --------------------------------------------- */

/*
 * log_open: send error lines (and with debug, a line per command) to path
 * as JSON lines ({"level","msg","time"}) or logrus-style text, besides
 * stderr. Returns 0, or -1 with err set.
 */
int log_open(const char *path, bool json, bool debug, char *err, size_t errlen);

/* log_error: one error line: msg on stderr (bare, as runc's: the engines
 * put the runtime's name before it) and in the log. */
void log_error(const char *msg);

/* log_debug: a line in the log when --debug was given. */
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* time_rfc3339: the time now, as "2006-01-02T15:04:05.999999999Z". */
#define OCI_TIME_LEN 96
void time_rfc3339(char buf[OCI_TIME_LEN]);

/* fail: format err (errlen bytes) and return -1. */
int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* --- rootfs.c: paths inside the container's root --------------------------
 */

/*
 * rootfs_resolve: resolve guest path (absolute, or relative to cwd, a guest
 * path) inside host directory rootfs the way the guest sees it: every
 * symlink, the last included, resolved inside rootfs ("/" and ".." stop at
 * its top), at most 40 of them. Writes the canonical guest path (no symlink
 * left) to out. Returns 0, -1 with err set, errno ENOENT, ENOTDIR, ELOOP
 * or ENAMETOOLONG in *why.
 */
int rootfs_resolve(const char *rootfs, const char *cwd, const char *path,
    char out[PATH_MAX], int *why, char *err, size_t errlen);

/*
 * rootfs_find_program: args0 as runc finds it: containing a '/', resolved
 * from cwd; else looked up in the PATH of env (envc "NAME=VALUE" strings).
 * It must be a regular file with an execute bit. Writes its canonical guest
 * path to guest. Returns 0, or -1 with a message in err that says why
 * ("executable file not found in $PATH", "no such file or directory",
 * "permission denied"...).
 */
int rootfs_find_program(const char *rootfs, const char *cwd, const char *args0,
    char *const env[], int envc, char guest[PATH_MAX], char *err,
    size_t errlen);

/* --- spec.c: config.json ---------------------------------------------- */

/*
 * What create takes from a bundle's config.json, checked: everything the
 * monitor is given, and the rest of the spec either honoured here, ignored
 * (documented in README.md) or refused.
 */
struct spec {
	struct json *doc; /* owns every string below that points into it */
	char bundle[PATH_MAX], rootfs[PATH_MAX]; /* absolute host paths */
	char program[PATH_MAX];                  /* its canonical guest path */
	char program_host[PATH_MAX];             /* rootfs + program */
	const char **args, **env;
	int argc, envc;
	const char *cwd;
	bool terminal;
	unsigned rows, cols; /* process.consoleSize, 0: none */
	bool has_oom_score_adj;
	int oom_score_adj;
	uint64_t mem; /* guest memory in bytes; 0: the monitor's default */
	const char *timeout, *max_output;
	bool serve, warm, trace;
	/*
	 * The pod's sandbox (pause) container under CRI: it only holds the
	 * pod's namespaces, which a VM per container never joins, so it gets
	 * no VM; its process waits for a signal on the host instead.
	 */
	bool pod_sandbox;
	char **files; /* "HOST:GUEST" for --file */
	int nfiles;
	const struct json *annotations; /* NULL or an object */
};

/*
 * spec_load: read bundle/config.json into s and check it (see struct spec).
 * Returns 0, or -1 with one line in err naming the field; after an error,
 * spec_free(s) is still right.
 */
int spec_load(struct spec *s, const char *bundle, char *err, size_t errlen);

/* spec_free: release what spec_load allocated. */
void spec_free(struct spec *s);

/*
 * spec_argv: the monitor's command line for s, monitor being its path;
 * NULL-terminated, allocated (free with free() on the array only: the
 * strings belong to s, or are in the same allocation). NULL if out of
 * memory.
 */
char **spec_argv(const struct spec *s, const char *monitor);

/*
 * spec_check_program: the program file is one the monitor runs (a static
 * executable that fits s->mem): 0, or -1 with the monitor's own reason.
 */
int spec_check_program(const struct spec *s, char *err, size_t errlen);

/* --- container.c: a container's state under --root ---------------------- */

enum status {
	STATUS_CREATED,
	STATUS_RUNNING,
	STATUS_STOPPED,
};

/* The state file, ROOT/ID/state.json, and what is derived from it. */
struct state {
	char id[256];
	char dir[PATH_MAX];  /* ROOT/ID */
	char fifo[PATH_MAX]; /* ROOT/ID/exec.fifo: exists until start */
	pid_t pid;
	unsigned long long start_time; /* /proc/PID/stat field 22 */
	char bundle[PATH_MAX], rootfs[PATH_MAX];
	char created[OCI_TIME_LEN]; /* RFC 3339 */
	struct json *doc;           /* the parsed file; annotations inside */
	const struct json *annotations;
};

/* The runtime's global options. */
struct globals {
	const char *root;
};

/* container_check_id: the id is usable as a file name (runc's rule:
 * letters, digits, "_+-." and not "." or ".."). */
int container_check_id(const char *id, char *err, size_t errlen);

/* container_paths: fill st->id, st->dir and st->fifo for id under root. */
int container_paths(const struct globals *g, const char *id, struct state *st,
    char *err, size_t errlen);

/*
 * container_load: read the state of container id: 0, or -1 with "container
 * ID does not exist" (errno ENOENT in *why), a bad id (EINVAL) or another
 * reason.
 */
int container_load(const struct globals *g, const char *id, struct state *st,
    int *why, char *err, size_t errlen);

/* container_load_status: the exit status for container_load's why: a bad
 * id is a usage error, anything else a failure. */
int container_load_status(int why);

/* container_save: write st's state file atomically (temporary file, then
 * rename), with annotations (an object, or NULL). */
int container_save(const struct state *st, const struct json *annotations,
    char *err, size_t errlen);

/* container_free: release what container_load allocated. */
void container_free(struct state *st);

/* container_status: created, running or stopped, from the process itself. */
enum status container_status(const struct state *st);

/* status_name: "created", "running", "stopped". */
const char *status_name(enum status s);

/* proc_start_time: field 22 of /proc/PID/stat, 0 if the process is gone or
 * a zombie. */
unsigned long long proc_start_time(pid_t pid);

/*
 * read_fd: all of the regular file open at fd (at most max bytes) into a new
 * NUL-terminated buffer *out of *len bytes; closes fd. Returns 0, or -1 with
 * errno EINVAL (not a regular file), EFBIG (over max) or ENOMEM.
 * read_file: the same for path, -1 with err set.
 */
int read_fd(int fd, size_t max, char **out, size_t *len);
int read_file(const char *path, size_t max, char **out, size_t *len, char *err,
    size_t errlen);

/* Bounds of what is read: config.json (tens of KiB; podman's seccomp
 * profile is most of it) and the state file (the annotations, which
 * Kubernetes lets grow to 256 KiB). */
#define CONFIG_MAX (4u << 20)
#define STATE_MAX (8u << 20)

/* write_file_atomic: path holds data (len bytes), mode, or nothing changed. */
int write_file_atomic(const char *path, const char *data, size_t len,
    mode_t mode, char *err, size_t errlen);

/* --- console.c: process.terminal -------------------------------------- */

/*
 * console_open: a new pty of rows x cols (0: as it comes); *master is its
 * master (close-on-exec), slave its path. Returns 0, or -1 with err set.
 */
int console_open(unsigned rows, unsigned cols, int *master, char *slave,
    size_t slavelen, char *err, size_t errlen);

/* console_send: connect to socket_path and send master with SCM_RIGHTS,
 * name as the message (runc sends the pty's path). */
int console_send(const char *socket_path, int master, const char *name,
    char *err, size_t errlen);

/* console_attach: in the container's process, a session leader: make pty
 * slave its controlling terminal and its fds 0, 1 and 2. */
int console_attach(const char *slave, char *err, size_t errlen);

/* --- signals.c --------------------------------------------------------- */

/* signal_parse: "TERM", "SIGTERM" or "15": the number, or -1. */
int signal_parse(const char *s);

/* --- the subcommands (one file each) -------------------------------------- */

int cmd_create(const struct globals *g, int argc, char **argv, char *err,
    size_t errlen);
int cmd_start(const struct globals *g, int argc, char **argv, char *err,
    size_t errlen);
int cmd_state(const struct globals *g, int argc, char **argv, char *err,
    size_t errlen);
int cmd_kill(const struct globals *g, int argc, char **argv, char *err,
    size_t errlen);
int cmd_delete(const struct globals *g, int argc, char **argv, char *err,
    size_t errlen);
int cmd_ps(const struct globals *g, int argc, char **argv, char *err,
    size_t errlen);
int cmd_features(const struct globals *g, int argc, char **argv, char *err,
    size_t errlen);

/* The exit status of a command: 0, OCI_FAIL (it failed) or OCI_USAGE. */
#define OCI_FAIL 1
#define OCI_USAGE 2

/* usage_error: the subcommands' way to say their arguments are wrong. */
int usage_error(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* write_all: all of buf to fd; 0 or -1. */
int write_all(int fd, const void *buf, size_t len);

#endif
