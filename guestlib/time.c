/* time.c: clocks from the TSC-based svm_time_ns/svm_monotonic_ns (no exit). */
#include <errno.h>
#include <stdint.h>
#include <svm.h>
#include <time.h>

time_t time(time_t *t)
{
	time_t now = svm_time_ns() / 1000000000;

	if (t)
		*t = now;
	return now;
}

int clock_gettime(clockid_t clk, struct timespec *ts)
{
	uint64_t ns;

	if (clk == CLOCK_REALTIME) {
		ns = svm_time_ns();
	} else if (clk == CLOCK_MONOTONIC) {
		ns = svm_monotonic_ns();
	} else {
		errno = EINVAL;
		return -1;
	}
	ts->tv_sec = ns / 1000000000;
	ts->tv_nsec = ns % 1000000000;
	return 0;
}

clock_t clock(void)
{
	return svm_monotonic_ns() / (1000000000 / CLOCKS_PER_SEC);
}
