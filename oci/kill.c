/* kill.c: `kill [--all] ID [SIGNAL]`: a signal to the container's one
 * process: the monitor, whose stop signals (SIGTERM, SIGINT, SIGHUP) end
 * the run with 128+N; SIGKILL kills it. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <string.h>

#include "oci.h"

int cmd_kill(const struct globals *g, int argc, char **argv, char *err,
    size_t errlen)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "pid", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	const char *signame = "SIGTERM";
	bool all = false;
	struct state st;
	int o, sig, why, rc = OCI_FAIL;

	optind = 1;
	while ((o = getopt_long_only(argc, argv, "+:a", opts, NULL)) != -1) {
		switch (o) {
		case 'a':
			all = true;
			break;
		case 'p':
			return usage_error(err, errlen,
			    "kill: --pid: the container has one process");
		case ':':
			return usage_error(err, errlen,
			    "kill: %s needs an argument", argv[optind - 1]);
		default:
			return usage_error(err, errlen,
			    "kill: unknown option %s", argv[optind - 1]);
		}
	}
	if (argc - optind < 1 || argc - optind > 2)
		return usage_error(err, errlen,
		    "kill: takes a container id and a signal (kill [--all] ID "
		    "[SIGNAL])");
	if (argc - optind == 2)
		signame = argv[optind + 1];
	if ((sig = signal_parse(signame)) < 0)
		return usage_error(err, errlen, "kill: unknown signal \"%s\"",
		    signame);
	/* SIGALRM is the monitor's own timeout tick. */
	if (sig == SIGALRM)
		return usage_error(err, errlen,
		    "kill: SIGALRM is svm-sandbox's timer signal and cannot be "
		    "sent");
	if (container_load(g, argv[optind], &st, &why, err, errlen) < 0)
		return container_load_status(why);
	if (container_status(&st) == STATUS_STOPPED) {
		/* As runc: --all of a stopped container is no error. */
		if (all)
			rc = 0;
		else
			fail(err, errlen, "container %s: container not running",
			    st.id);
		goto out;
	}
	if (kill(st.pid, sig) < 0 && !(errno == ESRCH && all)) {
		fail(err, errlen, "container %s: %s", st.id,
		    errno == ESRCH ? "container not running" : strerror(errno));
		goto out;
	}
	log_debug("kill %s: signal %d to pid %d", st.id, sig, (int)st.pid);
	rc = 0;
out:
	container_free(&st);
	return rc;
}
