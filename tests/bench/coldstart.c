/*
 * coldstart: runs two commands alternately N times each and prints, for each,
 * the median wall time and peak RSS, and the ratio of the medians.
 * Usage: coldstart N cmdA [args] :: cmdB [args]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Run argv once, output to /dev/null; returns wall ms, sets *rss_kib. */
static double once(char **argv, long *rss_kib)
{
	struct timespec t0, t1;
	struct rusage ru;
	int st;
	pid_t pid;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((pid = fork()) == 0) {
		int fd = open("/dev/null", O_RDWR);

		dup2(fd, 0), dup2(fd, 1);
		execv(argv[0], argv);
		_exit(127);
	}
	if (wait4(pid, &st, 0, &ru) < 0 || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0) {
		fprintf(stderr, "coldstart: %s failed (status %#x)\n", argv[0],
		    st);
		exit(1);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	*rss_kib = ru.ru_maxrss;
	return (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 0, i, sep;
	double *ta, *tb, ra[2], rb[2];
	long rss, rssa = 0, rssb = 0;

	for (sep = 2; sep < argc && strcmp(argv[sep], "::") != 0; sep++)
		;
	if (n < 1 || sep == 2 || sep >= argc - 1) {
		fprintf(stderr,
		    "usage: coldstart N cmdA [args] :: cmdB [args]\n");
		return 2;
	}
	argv[sep] = NULL;
	ta = calloc((size_t)n, sizeof(*ta));
	tb = calloc((size_t)n, sizeof(*tb));
	/* One warm-up each, so neither pays for the page cache alone. */
	once(argv + 2, &rss);
	once(argv + sep + 1, &rss);
	for (i = 0; i < n; i++) {
		ta[i] = once(argv + 2, &rss);
		rssa = rss > rssa ? rss : rssa;
		tb[i] = once(argv + sep + 1, &rss);
		rssb = rss > rssb ? rss : rssb;
	}
	qsort(ta, (size_t)n, sizeof(*ta), cmp);
	qsort(tb, (size_t)n, sizeof(*tb), cmp);
	ra[0] = ta[n / 2], rb[0] = tb[n / 2];
	ra[1] = ta[n - 1], rb[1] = tb[n - 1];
	printf("%-40s median %.3f ms (max %.3f), peak RSS %ld KiB\n", argv[2],
	    ra[0], ra[1], rssa);
	printf("%-40s median %.3f ms (max %.3f), peak RSS %ld KiB\n",
	    argv[sep + 1], rb[0], rb[1], rssb);
	printf("ratio %.2f\n", ra[0] / rb[0]);
	return 0;
}
