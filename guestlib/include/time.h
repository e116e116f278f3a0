/* time.h: wall clock and monotonic time without a VM exit (time.c). */
#ifndef _TIME_H
#define _TIME_H

#include <stddef.h>

typedef long time_t;
typedef long clock_t;
typedef int clockid_t;

struct timespec {
	time_t tv_sec;
	long tv_nsec;
};

#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCKS_PER_SEC 1000000L

time_t time(time_t *t);
int clock_gettime(clockid_t clk, struct timespec *ts);
/* Time since boot, not CPU time: the app is the only thing the vCPU runs. */
clock_t clock(void);

#endif
