/* delete.c: `delete [--force] ID`: remove a stopped container's state; a
 * created one (nothing of it ran) or, with --force, a running one is
 * killed first. --force of a container that does not exist is no error. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "oci.h"

/* Wait up to 10 s for the process (not ours to reap) to be gone. */
static int wait_gone(const struct state *st)
{
	struct timespec ts = { 0, 5000000 };
	int i;

	for (i = 0; i < 2000; i++) {
		if (container_status(st) == STATUS_STOPPED)
			return 0;
		nanosleep(&ts, NULL);
	}
	return -1;
}

int cmd_delete(const struct globals *g, int argc, char **argv, char *err,
    size_t errlen)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	char path[PATH_MAX + 16];
	bool force = false;
	struct state st;
	enum status s;
	int o, why, rc = OCI_FAIL;

	optind = 1;
	while ((o = getopt_long_only(argc, argv, "+f", opts, NULL)) != -1) {
		if (o != 'f')
			return usage_error(err, errlen,
			    "delete: unknown option %s", argv[optind - 1]);
		force = true;
	}
	if (argc - optind != 1)
		return usage_error(err, errlen,
		    "delete: takes one container id");
	if (container_load(g, argv[optind], &st, &why, err, errlen) < 0) {
		container_free(&st);
		return force && why == ENOENT ? 0 : container_load_status(why);
	}
	s = container_status(&st);
	if (s == STATUS_RUNNING && !force) {
		fail(err, errlen,
		    "cannot delete container %s that is not stopped: running",
		    st.id);
		goto out;
	}
	if (s != STATUS_STOPPED) {
		if (kill(st.pid, SIGKILL) < 0 && errno != ESRCH) {
			fail(err, errlen, "container %s: kill: %s", st.id,
			    strerror(errno));
			goto out;
		}
		if (wait_gone(&st) < 0) {
			fail(err, errlen,
			    "container %s: pid %d still there 10 s after "
			    "SIGKILL",
			    st.id, (int)st.pid);
			goto out;
		}
	}
	unlink(st.fifo);
	snprintf(path, sizeof(path), "%s/state.json", st.dir);
	if ((unlink(path) < 0 && errno != ENOENT) ||
	    (rmdir(st.dir) < 0 && errno != ENOENT)) {
		fail(err, errlen, "container %s: %s", st.id, strerror(errno));
		goto out;
	}
	log_debug("delete %s", st.id);
	rc = 0;
out:
	container_free(&st);
	return rc;
}
