/*
 * spec.c: a bundle's config.json, checked field by field: what the monitor
 * is told (its command line), what is honoured here, ignored or refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci.h"

/* The monitor's own limits: 256 arguments, 256 variables. */
#define ARGS_MAX 256
#define ENV_MAX 256
#define FILES_MAX 64

#define MIB (1ull << 20)
#define MEM_MIN (2 * MIB)
#define MEM_MAX (1024 * MIB)

/* v is of type t (or absent, when optional): else a message. */
static int want(const struct json *v, enum json_type t, const char *name,
    bool required, char *err, size_t errlen)
{
	if (v == NULL)
		return required ?
		    fail(err, errlen, "config.json: %s is missing", name) :
		    0;
	if (v->type == t || (t == JSON_TRUE && v->type == JSON_FALSE))
		return 0;
	return fail(err, errlen, "config.json: %s must be %s %s, not %s", name,
	    t == JSON_ARRAY || t == JSON_OBJECT ? "an" : "a",
	    t == JSON_TRUE ? "boolean" : json_type_name(t),
	    json_type_name(v->type));
}

/* An array of strings without NUL into a new array of pointers into it. */
static int strings(const struct json *arr, const char *name, int max,
    const char ***out, int *n, char *err, size_t errlen)
{
	const struct json *e;
	int i = 0;

	*out = NULL;
	*n = 0;
	if (arr == NULL)
		return 0;
	if ((int)arr->count > max)
		return fail(err, errlen,
		    "config.json: %s has %zu entries; svm-sandbox takes at "
		    "most %d",
		    name, arr->count, max);
	if ((*out = calloc(arr->count + 1, sizeof(char *))) == NULL)
		return fail(err, errlen, "out of memory");
	for (e = arr->child; e != NULL; e = e->next, i++) {
		if ((*out)[i] = json_cstr(e), (*out)[i] == NULL)
			return fail(err, errlen,
			    "config.json: %s[%d] must be a string without NUL",
			    name, i);
	}
	*n = i;
	return 0;
}

/*
 * A size or time as the monitor reads it: digits and one of the suffixes
 * (case-insensitive; "" is the unit of a bare number) with its multiplier.
 * Returns the value, or 0 if it does not parse or overflows.
 */
static uint64_t parse_num(const char *s, const char *const *suffix,
    const uint64_t *mult)
{
	unsigned long long v;
	uint64_t r;
	char *end;
	int i;

	if (*s < '0' || *s > '9')
		return 0;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return 0;
	for (i = 0; suffix[i] != NULL; i++)
		if (strcasecmp(end, suffix[i]) == 0)
			break;
	if (suffix[i] == NULL || __builtin_mul_overflow(v, mult[i], &r))
		return 0;
	return r;
}

static const char *const mem_suffix[] = { "", "M", "G", NULL };
static const uint64_t mem_mult[] = { MIB, MIB, 1024 * MIB };
static const char *const time_suffix[] = { "", "s", "ms", NULL };
static const uint64_t time_mult[] = { 1000, 1000, 1 };
static const char *const size_suffix[] = { "", "K", "M", "G", NULL };
static const uint64_t size_mult[] = { 1, 1024, MIB, 1024 * MIB };

static int flag(const char *key, const char *v, bool *out, char *err,
    size_t errlen)
{
	if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0) {
		*out = v[0] == 't';
		return 0;
	}
	return fail(err, errlen, "annotation %s: \"%s\" is not true or false",
	    key, v);
}

/* org.svm-sandbox.* annotations: the monitor's options. */
static int annotations(struct spec *s, char *err, size_t errlen)
{
	const size_t plen = strlen(OCI_ANNOTATION_PREFIX);
	const struct json *a;
	uint64_t n;

	if (want(s->annotations, JSON_OBJECT, "annotations", false, err,
	        errlen) < 0)
		return -1;
	for (a = s->annotations ? s->annotations->child : NULL; a != NULL;
	     a = a->next) {
		const char *k = a->key, *v = json_cstr(a);

		if (v == NULL)
			return fail(err, errlen,
			    "config.json: annotations[\"%s\"] must be a string",
			    k);
		/* A pod's sandbox container, as containerd and CRI-O mark it.
		 */
		if ((strcmp(k, "io.kubernetes.cri.container-type") == 0 ||
		        strcmp(k, "io.kubernetes.cri-o.ContainerType") == 0) &&
		    strcmp(v, "sandbox") == 0)
			s->pod_sandbox = true;
		if (strncmp(k, OCI_ANNOTATION_PREFIX, plen) != 0)
			continue; /* the engines' own */
		k += plen;
		if (strcmp(k, "timeout") == 0) {
			n = parse_num(v, time_suffix, time_mult);
			if (n == 0 || n > 86400000)
				return fail(err, errlen,
				    "annotation %s: bad timeout \"%s\" (1ms to "
				    "86400s, as svm-sandbox --timeout)",
				    a->key, v);
			s->timeout = v;
		} else if (strcmp(k, "max-output") == 0) {
			if (parse_num(v, size_suffix, size_mult) == 0)
				return fail(err, errlen,
				    "annotation %s: bad size \"%s\" (as "
				    "svm-sandbox --max-output)",
				    a->key, v);
			s->max_output = v;
		} else if (strcmp(k, "mem") == 0) {
			n = parse_num(v, mem_suffix, mem_mult);
			if (n < MEM_MIN || n > MEM_MAX || n % MEM_MIN != 0)
				return fail(err, errlen,
				    "annotation %s: bad memory size \"%s\" (a "
				    "multiple of 2 MiB from 2M to 1G)",
				    a->key, v);
			if (s->mem != 0 && n > s->mem)
				return fail(err, errlen,
				    "annotation %s: %s is more than "
				    "linux.resources.memory.limit allows "
				    "(%llu MiB)",
				    a->key, v,
				    (unsigned long long)(s->mem / MIB));
			s->mem = n;
		} else if (strcmp(k, "serve") == 0) {
			if (flag(a->key, v, &s->serve, err, errlen) < 0)
				return -1;
		} else if (strcmp(k, "warm") == 0) {
			if (flag(a->key, v, &s->warm, err, errlen) < 0)
				return -1;
		} else if (strcmp(k, "trace") == 0) {
			if (flag(a->key, v, &s->trace, err, errlen) < 0)
				return -1;
		} else {
			return fail(err, errlen,
			    "annotation %s: unknown (svm-sandbox takes "
			    "%stimeout, max-output, mem, serve, warm, trace)",
			    a->key, OCI_ANNOTATION_PREFIX);
		}
	}
	if (s->warm && !s->serve)
		return fail(err, errlen, "annotation %swarm needs %sserve=true",
		    OCI_ANNOTATION_PREFIX, OCI_ANNOTATION_PREFIX);
	return 0;
}

/* The container's own files the engines bind in; an image's copy wins. */
static bool engine_file(const char *dest)
{
	static const char *const names[] = { "/etc/hosts", "/etc/hostname",
		"/etc/resolv.conf", "/run/.containerenv", NULL };
	int i;

	for (i = 0; names[i] != NULL; i++)
		if (strcmp(dest, names[i]) == 0)
			return true;
	return false;
}

/* Under one of the trees the guest kernel makes itself, or none has. */
static bool kernel_tree(const char *dest)
{
	static const char *const trees[] = { "/proc", "/sys", "/dev", NULL };
	int i;

	for (i = 0; trees[i] != NULL; i++) {
		size_t n = strlen(trees[i]);

		if (strncmp(dest, trees[i], n) == 0 &&
		    (dest[n] == '\0' || dest[n] == '/'))
			return true;
	}
	return false;
}

/*
 * mounts: /proc, /sys and /dev (and what is under them) are the guest
 * kernel's own; tmpfs mounts are not made; a bind mount of a regular file
 * becomes a --file copy (read-only, like the whole tree); anything else is
 * refused.
 */
static int mounts(struct spec *s, const struct json *ms, char *err,
    size_t errlen)
{
	const struct json *m;
	int i = 0;

	if (want(ms, JSON_ARRAY, "mounts", false, err, errlen) < 0)
		return -1;
	if (ms == NULL)
		return 0;
	if ((s->files = calloc(ms->count + 1, sizeof(char *))) == NULL)
		return fail(err, errlen, "out of memory");
	for (m = ms->child; m != NULL; m = m->next, i++) {
		const char *dest = json_cstr(json_get(m, "destination"));
		const char *type = json_cstr(json_get(m, "type"));
		const char *src = json_cstr(json_get(m, "source"));
		char host[PATH_MAX], guest[PATH_MAX], why_text[OCI_ERR_LEN];
		const struct json *o;
		struct stat st;
		bool bind = type != NULL && strcmp(type, "bind") == 0;
		int why;

		if (m->type != JSON_OBJECT || dest == NULL || dest[0] != '/')
			return fail(err, errlen,
			    "config.json: mounts[%d] needs an absolute "
			    "destination",
			    i);
		/* A tmpfs would be the guest's only writable place, and it
		 * has none: writes anywhere get EROFS, as in a read-only
		 * root. Engines add them by default (ctr: /run). */
		if (kernel_tree(dest) ||
		    (type != NULL && strcmp(type, "tmpfs") == 0))
			continue;
		for (o = json_get(m, "options") ?
		         json_get(m, "options")->child :
		         NULL;
		     o != NULL; o = o->next)
			if (json_cstr(o) != NULL &&
			    (strcmp(o->str, "bind") == 0 ||
			        strcmp(o->str, "rbind") == 0))
				bind = true;
		if (!bind || src == NULL)
			return fail(err, errlen,
			    "mounts: %s (%s): the guest mounts no file "
			    "system; only bind mounts of regular files are "
			    "copied into its read-only tree",
			    dest, type ? type : "no type");
		if (src[0] == '/')
			snprintf(host, sizeof(host), "%s", src);
		else if (snprintf(host, sizeof(host), "%s/%s", s->bundle,
		             src) >= (int)sizeof(host))
			return fail(err, errlen, "mounts: %s: source too long",
			    dest);
		if (stat(host, &st) < 0)
			return fail(err, errlen, "mounts: %s: source %s: %s",
			    dest, host, strerror(errno));
		if (!S_ISREG(st.st_mode))
			return fail(err, errlen,
			    "mounts: %s: bind mounts of directories are not "
			    "supported (only regular files are copied into "
			    "the guest's read-only tree)",
			    dest);
		/* Already in the image: the engine's own files defer to it. */
		if (rootfs_resolve(s->rootfs, "/", dest, guest, &why, why_text,
		        sizeof(why_text)) == 0) {
			if (engine_file(dest))
				continue;
			return fail(err, errlen,
			    "mounts: %s: the image has a file there, which a "
			    "copy cannot shadow",
			    dest);
		}
		if (s->nfiles == FILES_MAX)
			return fail(err, errlen,
			    "mounts: more than %d files to copy", FILES_MAX);
		if ((s->files[s->nfiles] =
		            malloc(strlen(host) + strlen(dest) + 2)) == NULL)
			return fail(err, errlen, "out of memory");
		sprintf(s->files[s->nfiles++], "%s:%s", host, dest);
	}
	return 0;
}

/* linux: resources.memory.limit sizes the guest; devices are refused. */
static int linux_section(struct spec *s, const struct json *lx, char *err,
    size_t errlen)
{
	const struct json *mem, *lim, *dev;
	int64_t limit;

	if (want(lx, JSON_OBJECT, "linux", false, err, errlen) < 0)
		return -1;
	mem = json_get(json_get(lx, "resources"), "memory");
	lim = json_get(mem, "limit");
	if (lim != NULL && lim->type != JSON_NULL) {
		if (json_int(lim, INT64_MIN, INT64_MAX, &limit) < 0)
			return fail(err, errlen,
			    "config.json: linux.resources.memory.limit must "
			    "be an integer");
		/* -1 or 0: no limit. */
		if (limit > 0 && (uint64_t)limit < MEM_MIN)
			return fail(err, errlen,
			    "linux.resources.memory.limit %lld: the guest "
			    "needs at least 2 MiB",
			    (long long)limit);
		if (limit > 0)
			s->mem = (uint64_t)limit >= MEM_MAX ?
			    MEM_MAX :
			    (uint64_t)limit / MEM_MIN * MEM_MIN;
	}
	dev = json_get(lx, "devices");
	if (want(dev, JSON_ARRAY, "linux.devices", false, err, errlen) < 0)
		return -1;
	if (dev != NULL && dev->count > 0) {
		const char *p = json_cstr(json_get(dev->child, "path"));

		return fail(err, errlen,
		    "linux.devices: %s: the guest has only its own /dev "
		    "(null, zero, random, urandom)",
		    p ? p : "a device");
	}
	return 0;
}

/* process: args, env, cwd, terminal, consoleSize, user, oomScoreAdj. */
static int process_section(struct spec *s, const struct json *p, char *err,
    size_t errlen)
{
	const struct json *v, *user;
	int64_t n;
	int i, why;
	char why_text[OCI_ERR_LEN], cwd[PATH_MAX];

	if (want(p, JSON_OBJECT, "process", true, err, errlen) < 0 ||
	    want(json_get(p, "args"), JSON_ARRAY, "process.args", true, err,
	        errlen) < 0 ||
	    want(json_get(p, "env"), JSON_ARRAY, "process.env", false, err,
	        errlen) < 0 ||
	    want(json_get(p, "cwd"), JSON_STRING, "process.cwd", true, err,
	        errlen) < 0 ||
	    want(json_get(p, "terminal"), JSON_TRUE, "process.terminal", false,
	        err, errlen) < 0 ||
	    want(json_get(p, "user"), JSON_OBJECT, "process.user", false, err,
	        errlen) < 0)
		return -1;
	if (json_get(p, "commandLine") != NULL)
		return fail(err, errlen,
		    "config.json: process.commandLine is for Windows");
	if (strings(json_get(p, "args"), "process.args", ARGS_MAX, &s->args,
	        &s->argc, err, errlen) < 0 ||
	    strings(json_get(p, "env"), "process.env", ENV_MAX, &s->env,
	        &s->envc, err, errlen) < 0)
		return -1;
	if (s->argc == 0)
		return fail(err, errlen, "config.json: process.args is empty");
	for (i = 0; i < s->envc; i++)
		if (s->env[i][0] == '=' || strchr(s->env[i], '=') == NULL)
			return fail(err, errlen,
			    "config.json: process.env[%d] \"%s\" is not "
			    "NAME=VALUE",
			    i, s->env[i]);
	s->cwd = json_cstr(json_get(p, "cwd"));
	if (s->cwd == NULL || s->cwd[0] != '/')
		return fail(err, errlen,
		    "config.json: process.cwd must be an absolute path");
	if (rootfs_resolve(s->rootfs, "/", s->cwd, cwd, &why, why_text,
	        sizeof(why_text)) < 0)
		return fail(err, errlen, "process.cwd %s: %s", s->cwd,
		    why_text);
	s->terminal = json_get(p, "terminal") != NULL &&
	    json_get(p, "terminal")->type == JSON_TRUE;
	if ((v = json_get(p, "consoleSize")) != NULL) {
		int64_t h, w;

		if (json_int(json_get(v, "height"), 0, 65535, &h) < 0 ||
		    json_int(json_get(v, "width"), 0, 65535, &w) < 0)
			return fail(err, errlen,
			    "config.json: process.consoleSize needs height "
			    "and width from 0 to 65535");
		s->rows = (unsigned)h;
		s->cols = (unsigned)w;
	}
	user = json_get(p, "user");
	for (i = 0; i < 2 && user != NULL; i++) {
		const char *k = i == 0 ? "uid" : "gid";

		if ((v = json_get(user, k)) != NULL &&
		    (json_int(v, 0, UINT32_MAX, &n) < 0 || n != 0))
			return fail(err, errlen,
			    "process.user.%s %s: the program runs as uid and "
			    "gid 0 in its VM; other users are not supported",
			    k,
			    v->type == JSON_NUMBER ? v->str : "(not a number)");
	}
	if ((v = json_get(p, "oomScoreAdj")) != NULL) {
		if (json_int(v, -1000, 1000, &n) < 0)
			return fail(err, errlen,
			    "config.json: process.oomScoreAdj must be an "
			    "integer from -1000 to 1000");
		s->has_oom_score_adj = true;
		s->oom_score_adj = (int)n;
	}
	if (rootfs_find_program(s->rootfs, cwd, s->args[0],
	        (char *const *)s->env, s->envc, s->program, err, errlen) < 0)
		return -1;
	/* rootfs is a realpath and program has no symlink left in it. */
	if (snprintf(s->program_host, sizeof(s->program_host), "%s%s",
	        s->rootfs, s->program) >= (int)sizeof(s->program_host))
		return fail(err, errlen, "%s%s: path too long", s->rootfs,
		    s->program);
	return 0;
}

int spec_load(struct spec *s, const char *bundle, char *err, size_t errlen)
{
	char path[PATH_MAX], why[OCI_ERR_LEN], *text = NULL;
	const struct json *root, *hooks, *h;
	const char *rp;
	struct stat st;
	size_t len = 0;

	memset(s, 0, sizeof(*s));
	if (realpath(bundle, s->bundle) == NULL)
		return fail(err, errlen, "bundle %s: %s", bundle,
		    strerror(errno));
	if (snprintf(path, sizeof(path), "%s/config.json", s->bundle) >=
	    (int)sizeof(path))
		return fail(err, errlen, "bundle %s: path too long", bundle);
	if (read_file(path, CONFIG_MAX, &text, &len, err, errlen) < 0)
		return -1;
	if (json_parse(text, len, &s->doc, why, sizeof(why)) < 0) {
		free(text);
		return fail(err, errlen, "%s: %s", path, why);
	}
	free(text);
	if (s->doc->type != JSON_OBJECT)
		return fail(err, errlen, "%s: not a JSON object", path);
	rp = json_cstr(json_get(s->doc, "ociVersion"));
	if (rp == NULL || strncmp(rp, "1.", 2) != 0)
		return fail(err, errlen,
		    "config.json: ociVersion %s: this runtime implements the "
		    "OCI runtime spec %s",
		    rp ? rp : "is missing", OCI_VERSION);
	root = json_get(s->doc, "root");
	if (want(root, JSON_OBJECT, "root", true, err, errlen) < 0 ||
	    (rp = json_cstr(json_get(root, "path"))) == NULL)
		return fail(err, errlen, "config.json: root.path is missing");
	if (snprintf(path, sizeof(path), "%s%s%s",
	        rp[0] == '/' ? "" : s->bundle, rp[0] == '/' ? "" : "/",
	        rp) >= (int)sizeof(path))
		return fail(err, errlen, "root.path %s: path too long", rp);
	if (realpath(path, s->rootfs) == NULL)
		return fail(err, errlen, "root.path %s: %s", path,
		    strerror(errno));
	if (stat(s->rootfs, &st) < 0 || !S_ISDIR(st.st_mode))
		return fail(err, errlen, "root.path %s: not a directory",
		    s->rootfs);
	hooks = json_get(s->doc, "hooks");
	if (want(hooks, JSON_OBJECT, "hooks", false, err, errlen) < 0)
		return -1;
	for (h = hooks ? hooks->child : NULL; h != NULL; h = h->next)
		if (h->type == JSON_ARRAY && h->count > 0)
			return fail(err, errlen,
			    "hooks.%s: hooks are not supported (there is no "
			    "container namespace to run them in)",
			    h->key);
	if (json_get(s->doc, "vm") != NULL)
		return fail(err, errlen,
		    "config.json: vm: svm-sandbox brings its own VM and guest "
		    "kernel");
	if (json_get(s->doc, "windows") != NULL ||
	    json_get(s->doc, "solaris") != NULL)
		return fail(err, errlen,
		    "config.json: only Linux containers are supported");
	s->annotations = json_get(s->doc, "annotations");
	if (linux_section(s, json_get(s->doc, "linux"), err, errlen) < 0 ||
	    annotations(s, err, errlen) < 0 ||
	    process_section(s, json_get(s->doc, "process"), err, errlen) < 0 ||
	    mounts(s, json_get(s->doc, "mounts"), err, errlen) < 0)
		return -1;
	return 0;
}

void spec_free(struct spec *s)
{
	int i;

	for (i = 0; i < s->nfiles; i++)
		free(s->files[i]);
	free(s->files);
	free(s->args);
	free(s->env);
	json_free(s->doc);
	memset(s, 0, sizeof(*s));
}

char **spec_argv(const struct spec *s, const char *monitor)
{
	/* Options in pairs, each string in s or static, and the program. */
	size_t max = 32 + 2 * (size_t)(s->envc + s->nfiles) + (size_t)s->argc;
	static char mem[32];
	char **v = calloc(max, sizeof(char *));
	size_t n = 0;
	int i;

	if (v == NULL)
		return NULL;
#define ARG(x) (v[n++] = (char *)(x))
	ARG(monitor);
	ARG("--root");
	ARG(s->rootfs);
	if (s->mem != 0) {
		snprintf(mem, sizeof(mem), "%lluM",
		    (unsigned long long)(s->mem / MIB));
		ARG("--mem");
		ARG(mem);
	}
	if (s->timeout != NULL) {
		ARG("--timeout");
		ARG(s->timeout);
	}
	if (s->max_output != NULL) {
		ARG("--max-output");
		ARG(s->max_output);
	}
	if (s->serve)
		ARG("--serve");
	if (s->warm)
		ARG("--warm");
	if (s->trace)
		ARG("--trace");
	ARG("--cwd");
	ARG(s->cwd);
	for (i = 0; i < s->envc; i++) {
		ARG("--env");
		ARG(s->env[i]);
	}
	for (i = 0; i < s->nfiles; i++) {
		ARG("--file");
		ARG(s->files[i]);
	}
	ARG("--argv0");
	ARG(s->args[0]);
	/* The file under --root: the monitor names it by its guest path. */
	ARG(s->program_host);
	if (s->argc > 1) {
		ARG("--");
		for (i = 1; i < s->argc; i++)
			ARG(s->args[i]);
	}
	v[n] = NULL;
#undef ARG
	return v;
}
