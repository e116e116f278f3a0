/* features.c: `features`: what this runtime supports, as the OCI runtime
 * spec's features.md document. */
#include <stdio.h>
#include <stdlib.h>

#include "oci.h"

static void strings(struct jw *w, const char *key, const char *const *v)
{
	jw_key(w, key);
	jw_array(w);
	for (; *v != NULL; v++)
		jw_string(w, *v);
	jw_end_array(w);
}

static void enabled(struct jw *w, const char *key, bool on)
{
	jw_key(w, key);
	jw_object(w);
	jw_key(w, "enabled");
	jw_bool(w, on);
	jw_end_object(w);
}

int cmd_features(const struct globals *g, int argc, char **argv, char *err,
    size_t errlen)
{
	/* Accepted and left to the VM, which isolates more than they do. */
	static const char *const ns[] = { "cgroup", "ipc", "mount", "network",
		"pid", "user", "uts", NULL };
	/* Options of the bind mounts of files, which are all read-only
	 * copies. */
	static const char *const mount_opts[] = { "bind", "rbind", "ro", "rw",
		"nosuid", "nodev", "noexec", "private", "rprivate", "slave",
		"rslave", "shared", "rshared", NULL };
	static const char *const none[] = { NULL };
	struct jw w;
	char *text;
	size_t len;

	(void)g;
	(void)argv;
	if (argc != 1)
		return usage_error(err, errlen, "features: takes no arguments");
	jw_init(&w);
	jw_object(&w);
	jw_key(&w, "ociVersionMin");
	jw_string(&w, "1.0.0");
	jw_key(&w, "ociVersionMax");
	jw_string(&w, OCI_VERSION);
	strings(&w, "hooks", none);
	strings(&w, "mountOptions", mount_opts);
	jw_key(&w, "linux");
	jw_object(&w);
	strings(&w, "namespaces", ns);
	strings(&w, "capabilities", none);
	jw_key(&w, "cgroup");
	jw_object(&w);
	jw_key(&w, "v1");
	jw_bool(&w, false);
	jw_key(&w, "v2");
	jw_bool(&w, false);
	jw_key(&w, "systemd");
	jw_bool(&w, false);
	jw_key(&w, "systemdUser");
	jw_bool(&w, false);
	jw_end_object(&w);
	enabled(&w, "seccomp", false);
	enabled(&w, "apparmor", false);
	enabled(&w, "selinux", false);
	jw_end_object(&w);
	jw_key(&w, "annotations");
	jw_object(&w);
	jw_key(&w, "org.svm-sandbox.version");
	jw_string(&w, SVM_VERSION);
	jw_key(&w, "org.svm-sandbox.annotations");
	jw_string(&w, "timeout,max-output,mem,serve,warm,trace");
	jw_end_object(&w);
	jw_end_object(&w);
	if ((text = jw_done(&w, &len)) == NULL)
		return fail(err, errlen, "out of memory") < 0 ? OCI_FAIL : 0;
	text[len++] = '\n';
	if (write_all(1, text, len) < 0) {
		free(text);
		fail(err, errlen, "writing the features failed");
		return OCI_FAIL;
	}
	free(text);
	return 0;
}
