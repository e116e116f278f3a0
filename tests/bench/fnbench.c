/*
 * fnbench: functions in real languages through `svm-sandbox --serve`, as a
 * runner drives them: an unmodified interpreter served by its stdin with a
 * handler that echoes its input.
 *   fnbench ROOT BUILD NAME CALLS REQUEST ANSWER -- INTERPRETER ARGS...
 *       (the handler's tree, the interpreter and its arguments as
 *       svm-sandbox runs them; each call sends REQUEST, expects ANSWER)
 * prints, for NAME: the median and p99 of a call through the pipe; the same
 * request answered by starting the same static binary natively per request
 * (fork + exec, request on stdin); calls per second with one server per
 * core on both cores; the time to a ready server (spawn to the READY frame)
 * and its memory (the monitor's RSS, which holds the guest's pages); and
 * the MemAvailable 20 idle servers take, each.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define IDLE 20

static char **serve_argv;  /* svm-sandbox --serve ... INTERPRETER ARGS */
static char **native_argv; /* INTERPRETER ARGS, run natively from root */
static const char *root;   /* the handler's tree: natively the cwd */
static const char *req, *answer;

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static void die(const char *what)
{
	fprintf(stderr, "fnbench: %s: %s\n", what, strerror(errno));
	exit(1);
}

struct server {
	pid_t pid;
	int in, out; /* its stdin, its stdout */
};

static void read_all(int fd, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = read(fd, (char *)buf + done, len - done);

		if (n <= 0)
			die("read from the server");
		done += (size_t)n;
	}
}

/* One frame: its kind; the payload into buf (cap bytes, cut there). */
static uint32_t frame(struct server *s, char *buf, size_t cap, uint32_t *a)
{
	uint32_t h[4];
	char skip[4096];

	read_all(s->out, h, sizeof(h));
	*a = h[2];
	if (h[0] <= cap) {
		read_all(s->out, buf, h[0]);
		return h[1];
	}
	read_all(s->out, buf, cap);
	for (h[0] -= (uint32_t)cap; h[0] > 0;) {
		uint32_t k = h[0] < sizeof(skip) ? h[0] : sizeof(skip);

		read_all(s->out, skip, k);
		h[0] -= k;
	}
	return h[1];
}

static void start(struct server *s)
{
	int in[2], out[2];
	char buf[512];
	uint32_t a;

	/* CLOEXEC: another server must not hold this one's pipe open. */
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0)
		die("pipe");
	if ((s->pid = fork()) < 0)
		die("fork");
	if (s->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(open("/dev/null", O_WRONLY), 2);
		close(in[1]);
		close(out[0]);
		execv(serve_argv[0], serve_argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	s->in = in[1];
	s->out = out[0];
	if (frame(s, buf, sizeof(buf), &a) != 1) {
		fprintf(stderr, "fnbench: no READY frame from %s\n",
		    serve_argv[0]);
		exit(1);
	}
}

static void stop(struct server *s)
{
	int st;

	close(s->in);
	waitpid(s->pid, &st, 0);
	close(s->out);
}

/* One call; exits unless the answer came back. */
static void call(struct server *s)
{
	uint32_t len = (uint32_t)strlen(req), a;
	char buf[256];

	if (write(s->in, &len, 4) != 4 || write(s->in, req, len) != len)
		die("write to the server");
	if (frame(s, buf, sizeof(buf), &a) != 2 || a != 0 ||
	    strncmp(buf, answer, strlen(answer)) != 0) {
		fprintf(stderr, "fnbench: bad answer (result %u)\n", a);
		exit(1);
	}
}

/* The same request natively: fork + exec, request on stdin, read stdout. */
static void native(void)
{
	int in[2], out[2], st;
	char buf[256];
	pid_t pid;
	ssize_t n, got = 0;

	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0)
		die("pipe");
	if ((pid = fork()) == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		if (chdir(root) < 0)
			_exit(126);
		execv(native_argv[0], native_argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	if (write(in[1], req, strlen(req)) < 0)
		die("write");
	close(in[1]);
	while ((n = read(out[0], buf + got, sizeof(buf) - (size_t)got)) > 0)
		got += n;
	close(out[0]);
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 ||
	    strncmp(buf, answer, strlen(answer)) != 0) {
		fprintf(stderr, "fnbench: native run failed (%#x)\n", st);
		exit(1);
	}
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static long kib(const char *file, const char *key)
{
	char line[256];
	long v = -1;
	FILE *f = fopen(file, "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, strlen(key)) == 0)
			v = atol(line + strlen(key));
	fclose(f);
	return v;
}

/* Calls per second of one server, for secs seconds. */
static double rate(double secs)
{
	struct server s;
	double t0, t;
	long n = 0;

	start(&s);
	t0 = now_us();
	do {
		call(&s);
		n++;
	} while ((t = now_us()) - t0 < secs * 1e6);
	stop(&s);
	return n / ((t - t0) / 1e6);
}

int main(int argc, char **argv)
{
	int calls, i, k, p[2];
	double *t, *nt, ready[5], r1, r2 = 0;
	long rss[5], avail0, avail1;
	struct server s, idle[IDLE];
	char path[4096], status[64], *name;

	if (argc < 9 || strcmp(argv[7], "--") != 0 ||
	    (calls = atoi(argv[4])) < 10) {
		fprintf(stderr,
		    "usage: fnbench ROOT BUILD NAME CALLS REQUEST "
		    "ANSWER -- INTERPRETER ARGS...\n");
		return 2;
	}
	root = argv[1];
	name = argv[3];
	req = argv[5];
	answer = argv[6];
	native_argv = argv + 8;
	/* Natively the child runs in root: the interpreter by its full path. */
	if ((native_argv[0] = realpath(argv[8], NULL)) == NULL)
		die(argv[8]);
	/* svm-sandbox --serve --mem 64M --root ROOT INTERPRETER -- ARGS */
	serve_argv = calloc((size_t)argc + 8, sizeof(char *));
	snprintf(path, sizeof(path), "%s/bin/svm-sandbox", argv[2]);
	k = 0;
	serve_argv[k++] = path;
	serve_argv[k++] = "--serve";
	serve_argv[k++] = "--mem=64M";
	serve_argv[k++] = "--root";
	serve_argv[k++] = (char *)root;
	serve_argv[k++] = argv[8];
	serve_argv[k++] = "--";
	for (i = 9; i < argc; i++)
		serve_argv[k++] = argv[i];
	t = calloc((size_t)calls, sizeof(double));
	nt = calloc((size_t)calls / 10, sizeof(double));

	start(&s);
	for (i = -50; i < calls; i++) {
		double t0 = now_us();

		call(&s);
		if (i >= 0)
			t[i] = now_us() - t0;
	}
	stop(&s);
	qsort(t, (size_t)calls, sizeof(double), cmp);
	for (i = 0; i < calls / 10; i++) {
		double t0 = now_us();

		native();
		nt[i] = now_us() - t0;
	}
	qsort(nt, (size_t)calls / 10, sizeof(double), cmp);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("%s: fresh-state call through --serve: median %.1f us, p99 "
	       "%.1f us (%d calls)\n",
	    name, t[calls / 2], t[calls * 99 / 100], calls);
	printf("%s: the same binary started natively per request: median "
	       "%.1f us (%d runs): svm-sandbox %.1fx faster\n",
	    name, nt[calls / 20], calls / 10, nt[calls / 20] / t[calls / 2]);

	/* Time and memory to a ready server. */
	for (i = 0; i < 5; i++) {
		double t0 = now_us();

		start(&s);
		ready[i] = now_us() - t0;
		snprintf(status, sizeof(status), "/proc/%d/status", (int)s.pid);
		rss[i] = kib(status, "VmRSS:");
		stop(&s);
	}
	qsort(ready, 5, sizeof(double), cmp);
	printf("%s: spawn to a ready server (READY frame): median %.0f us; "
	       "its RSS %ld KiB (monitor and guest pages)\n",
	    name, ready[2], rss[2]);

	r1 = rate(2.0);
	/* One server per core: two at once, each in its own process. */
	if (pipe(p) < 0)
		die("pipe");
	if (fork() == 0) {
		double r = rate(2.0);

		if (write(p[1], &r, sizeof(r)) != sizeof(r))
			_exit(1);
		_exit(0);
	}
	r2 = rate(2.0);
	{
		double other = 0;

		read_all(p[0], &other, sizeof(other));
		wait(NULL);
		r2 += other;
	}
	printf("%s: calls per second: %.0f with one server, %.0f with one per "
	       "core on both cores (%.2fx)\n",
	    name, r1, r2, r2 / r1);

	/* Idle servers: what each takes of MemAvailable. */
	avail0 = kib("/proc/meminfo", "MemAvailable:");
	for (i = 0; i < IDLE; i++)
		start(&idle[i]);
	usleep(200000);
	avail1 = kib("/proc/meminfo", "MemAvailable:");
	for (i = 0; i < IDLE; i++)
		stop(&idle[i]);
	printf("%s: an idle serving interpreter takes %ld KiB of "
	       "MemAvailable (%d of them); about %ld fit in the %ld KiB "
	       "available\n",
	    name, (avail0 - avail1) / IDLE, IDLE,
	    avail0 /
	        ((avail0 - avail1) / IDLE > 0 ? (avail0 - avail1) / IDLE : 1),
	    avail0);
	signal(SIGPIPE, SIG_DFL);
	return 0;
}
