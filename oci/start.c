/* start.c: `start ID`: let the created container's process exec the
 * monitor, through the FIFO it waits on; the FIFO's removal marks it
 * running. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "oci.h"

int cmd_start(const struct globals *g, int argc, char **argv, char *err,
    size_t errlen)
{
	struct state st;
	enum status s;
	int fd, why, waited, rc = OCI_FAIL;
	char c;

	if (argc != 2)
		return usage_error(err, errlen,
		    "start: takes one container id");
	if (container_load(g, argv[1], &st, &why, err, errlen) < 0)
		return container_load_status(why);
	if ((s = container_status(&st)) != STATUS_CREATED) {
		fail(err, errlen, "cannot start container %s: it is %s", st.id,
		    s == STATUS_RUNNING ? "already running" : "stopped");
		goto out;
	}
	/* Non-blocking, so a process that died cannot hang us: poll instead,
	 * looking at the process between waits. */
	if ((fd = open(st.fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0) {
		fail(err, errlen, "cannot start container %s: %s: %s", st.id,
		    st.fifo, strerror(errno));
		goto out;
	}
	for (waited = 0;; waited += 100) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t n;

		if (poll(&p, 1, 100) < 0 && errno != EINTR)
			break;
		if ((n = read(fd, &c, 1)) == 1) {
			rc = 0;
			break;
		}
		if (container_status(&st) == STATUS_STOPPED) {
			fail(err, errlen,
			    "cannot start container %s: its process has "
			    "exited",
			    st.id);
			break;
		}
		if (waited >= 10000) {
			fail(err, errlen,
			    "cannot start container %s: its process did not "
			    "answer in 10 s",
			    st.id);
			break;
		}
	}
	close(fd);
	if (rc == 0)
		unlink(st.fifo);
	log_debug("start %s: %s", st.id, rc == 0 ? "running" : err);
out:
	container_free(&st);
	return rc;
}
