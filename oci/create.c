/*
 * create.c: `create --bundle DIR --pid-file FILE [--console-socket SOCK] ID`.
 * Checks the bundle, then forks the container's process, which sets up its
 * stdio and waits on ROOT/ID/exec.fifo; `start` lets it exec the monitor, so
 * the pid in the pid file (a child of the caller) is the monitor's and its
 * exit status is the container's. Nothing of the guest runs before start.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "oci.h"

/* What the container's process needs after the fork. */
struct child {
	char **argv; /* the monitor's */
	const char *fifo;
	const char *slave; /* the pty, or NULL */
	bool has_oom_score_adj;
	int oom_score_adj;
	bool pod_sandbox; /* wait for a signal instead of running a VM */
	int sync;         /* write end: "ok", or an error line */
};

/* The monitor beside this program: BINDIR/svm-sandbox. */
static int find_monitor(char *out, size_t outlen, char *err, size_t errlen)
{
	char self[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n < 0)
		return fail(err, errlen, "/proc/self/exe: %s", strerror(errno));
	self[n] = '\0';
	if ((slash = strrchr(self, '/')) != NULL)
		*slash = '\0';
	if (snprintf(out, outlen, "%s/svm-sandbox", self) >= (int)outlen)
		return fail(err, errlen, "%s: path too long", self);
	if (access(out, X_OK) < 0)
		return fail(err, errlen, "the monitor %s: %s", out,
		    strerror(errno));
	return 0;
}

/* mkdir -p with mode for what it makes. */
static int mkdirs(const char *path, mode_t mode, char *err, size_t errlen)
{
	char buf[PATH_MAX], *p, c;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return fail(err, errlen, "%s: path too long", path);
	for (p = buf + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		c = *p;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return fail(err, errlen, "%s: %s", buf,
			    strerror(errno));
		*p = c;
		if (c == '\0')
			return 0;
	}
}

static void remove_dir(const struct state *st)
{
	char path[PATH_MAX + 16];

	unlink(st->fifo);
	snprintf(path, sizeof(path), "%s/state.json", st->dir);
	unlink(path);
	rmdir(st->dir);
}

/* In the child: report err on the sync pipe and end. */
static _Noreturn void child_fail(const struct child *c, const char *err)
{
	(void)write_all(c->sync, err, strlen(err));
	_exit(1);
}

/*
 * The container's process: default signals, its own session, the pty (or
 * the inherited fds 0-2, /dev/null where one is closed), no other fd; then
 * it waits for start and becomes the monitor.
 */
static _Noreturn void child_main(const struct child *c)
{
	char err[OCI_ERR_LEN];
	sigset_t all;
	int fd, sig;

	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	if (setsid() < 0) {
		snprintf(err, sizeof(err), "setsid: %s", strerror(errno));
		child_fail(c, err);
	}
	if (c->slave != NULL) {
		if (console_attach(c->slave, err, sizeof(err)) < 0)
			child_fail(c, err);
	} else {
		for (fd = 0; fd < 3; fd++)
			if (fcntl(fd, F_GETFD) < 0 &&
			    open("/dev/null", O_RDWR) != fd) {
				snprintf(err, sizeof(err), "/dev/null: %s",
				    strerror(errno));
				child_fail(c, err);
			}
	}
	if (c->has_oom_score_adj) {
		char v[16];
		int n = snprintf(v, sizeof(v), "%d", c->oom_score_adj);

		fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write_all(fd, v, (size_t)n) < 0) {
			snprintf(err, sizeof(err), "process.oomScoreAdj %d: %s",
			    c->oom_score_adj, strerror(errno));
			child_fail(c, err);
		}
		close(fd);
	}
	if (chdir("/") < 0)
		child_fail(c, "chdir /");
	(void)write_all(c->sync, "ok", 2);
	/* Stray fds of the engine's (and ours) stay out of the container. */
	if (syscall(SYS_close_range, 3u, ~0u, 0u) < 0)
		for (fd = 3; fd < 1024; fd++)
			close(fd);
	/* Blocks until start opens the FIFO to read. */
	while ((fd = open(c->fifo, O_WRONLY | O_CLOEXEC)) < 0 && errno == EINTR)
		;
	if (fd < 0 || write_all(fd, "0", 1) < 0) {
		dprintf(2, "svm-sandbox-oci: %s: %s\n", c->fifo,
		    strerror(errno));
		_exit(127);
	}
	close(fd);
	/* A pod's sandbox: as its pause program would, on the host and
	 * without a VM; TERM, INT and KILL end it. */
	if (c->pod_sandbox)
		for (;;)
			pause();
	execve(c->argv[0], c->argv, (char *[]) { NULL });
	dprintf(2, "svm-sandbox-oci: %s: %s\n", c->argv[0], strerror(errno));
	_exit(127);
}

/* Fork the child and wait for its "ok": its pid, or -1 with err set. */
static pid_t spawn(struct child *c, char *err, size_t errlen)
{
	char buf[OCI_ERR_LEN];
	size_t got = 0;
	int p[2], status;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return fail(err, errlen, "pipe: %s", strerror(errno));
	if ((pid = fork()) < 0) {
		close(p[0]);
		close(p[1]);
		return fail(err, errlen, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		close(p[0]);
		c->sync = p[1];
		child_main(c);
	}
	close(p[1]);
	for (;;) {
		ssize_t n = read(p[0], buf + got, sizeof(buf) - 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || (got += (size_t)n) == sizeof(buf) - 1)
			break;
	}
	close(p[0]);
	buf[got] = '\0';
	if (strcmp(buf, "ok") == 0)
		return pid;
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return fail(err, errlen, "%s",
	    got ? buf : "the container's process died while setting up");
}

int cmd_create(const struct globals *g, int argc, char **argv, char *err,
    size_t errlen)
{
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "pid-file", required_argument, NULL, 'p' },
		{ "console-socket", required_argument, NULL, 'c' },
		{ "preserve-fds", required_argument, NULL, 'F' },
		{ "no-pivot", no_argument, NULL, 'n' },
		{ "no-new-keyring", no_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	const char *bundle = ".", *pid_file = NULL, *sock = NULL;
	char monitor[PATH_MAX], slave[64], pidtext[16];
	struct child c = { 0 };
	struct state st;
	struct spec s;
	int o, master = -1, rc = OCI_FAIL;
	pid_t pid;

	optind = 1;
	while ((o = getopt_long_only(argc, argv, "+:b:", opts, NULL)) != -1) {
		switch (o) {
		case 'b':
			bundle = optarg;
			break;
		case 'p':
			pid_file = optarg;
			break;
		case 'c':
			sock = optarg;
			break;
		case 'F':
			if (strcmp(optarg, "0") != 0)
				return usage_error(err, errlen,
				    "create: --preserve-fds %s: no fd but 0, 1 "
				    "and 2 reaches the guest",
				    optarg);
			break;
		case 'n':
		case 'k':
			break; /* no pivot_root and no keyring: there is none */
		case ':':
			return usage_error(err, errlen,
			    "create: %s needs an argument", argv[optind - 1]);
		default:
			return usage_error(err, errlen,
			    "create: unknown option %s", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return usage_error(err, errlen,
		    "create: takes one container id (create [options] ID)");
	if (container_paths(g, argv[optind], &st, err, errlen) < 0)
		return OCI_USAGE;
	if (spec_load(&s, bundle, err, errlen) < 0 ||
	    spec_check_program(&s, err, errlen) < 0 ||
	    find_monitor(monitor, sizeof(monitor), err, errlen) < 0)
		goto out;
	if (s.terminal && sock == NULL) {
		fail(err, errlen,
		    "process.terminal needs --console-socket to send the pty "
		    "to");
		goto out;
	}
	if (!s.terminal && sock != NULL) {
		fail(err, errlen,
		    "--console-socket given, but process.terminal is false");
		goto out;
	}
	if ((c.argv = spec_argv(&s, monitor)) == NULL) {
		fail(err, errlen, "out of memory");
		goto out;
	}
	if (mkdirs(g->root, 0700, err, errlen) < 0)
		goto out;
	if (mkdir(st.dir, 0700) < 0) {
		if (errno == EEXIST)
			fail(err, errlen, "container %s already exists", st.id);
		else
			fail(err, errlen, "%s: %s", st.dir, strerror(errno));
		goto out;
	}
	if (mkfifo(st.fifo, 0600) < 0) {
		fail(err, errlen, "%s: %s", st.fifo, strerror(errno));
		goto out_dir;
	}
	if (s.terminal &&
	    console_open(s.rows, s.cols, &master, slave, sizeof(slave), err,
	        errlen) < 0)
		goto out_dir;
	c.fifo = st.fifo;
	c.slave = s.terminal ? slave : NULL;
	c.has_oom_score_adj = s.has_oom_score_adj;
	c.oom_score_adj = s.oom_score_adj;
	c.pod_sandbox = s.pod_sandbox;
	if ((pid = spawn(&c, err, errlen)) < 0)
		goto out_dir;
	if (master >= 0 && console_send(sock, master, slave, err, errlen) < 0)
		goto out_kill;
	st.pid = pid;
	st.start_time = proc_start_time(pid);
	memcpy(st.bundle, s.bundle, sizeof(st.bundle));
	memcpy(st.rootfs, s.rootfs, sizeof(st.rootfs));
	time_rfc3339(st.created);
	if (container_save(&st, s.annotations, err, errlen) < 0)
		goto out_kill;
	snprintf(pidtext, sizeof(pidtext), "%d", (int)pid);
	if (pid_file != NULL &&
	    write_file_atomic(pid_file, pidtext, strlen(pidtext), 0644, err,
	        errlen) < 0)
		goto out_kill;
	log_debug("create %s: pid %d, monitor %s, program %s", st.id, (int)pid,
	    monitor, s.program);
	rc = 0;
	goto out;
out_kill:
	/* Not our caller's to reap: it never got the pid. */
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
out_dir:
	remove_dir(&st);
out:
	if (master >= 0)
		close(master);
	free(c.argv);
	spec_free(&s);
	return rc;
}
