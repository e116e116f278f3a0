/*
 * time.c: clocks from the TSC and the monitor's TSC/wall-clock pair in the
 * boot info, without an exit; sleeping spins on the TSC (the monitor's
 * --timeout still ends it: its timer takes the vCPU out of the guest).
 */
#include "kernel.h"

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

uint64_t now_mono_ns(void)
{
	uint64_t d, khz = boot->tsc_khz;

	if (khz == 0)
		return 0;
	d = rdtsc() - boot->tsc_base;
	/* Split to keep d * 10^6 from overflowing after hours. */
	return d / khz * 1000000 + d % khz * 1000000 / khz;
}

uint64_t now_real_ns(void)
{
	return boot->wall_ns_base + now_mono_ns();
}

/*
 * The CPU-time clocks are the run's own time: the program has the vCPU to
 * itself (table.c notes it).
 */
static long clock_ns(long id, uint64_t *ns)
{
	switch (id) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_TAI:
		*ns = now_real_ns();
		return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID:
		*ns = now_mono_ns();
		return 0;
	default:
		return -EINVAL;
	}
}

long sys_clock_gettime(long id, long uts, long a2, long a3, long a4, long a5)
{
	struct ktimespec ts;
	uint64_t ns;
	long r;

	(void)a2, (void)a3, (void)a4, (void)a5;
	if ((r = clock_ns(id, &ns)) < 0)
		return r;
	ts.tv_sec = (int64_t)(ns / 1000000000);
	ts.tv_nsec = (int64_t)(ns % 1000000000);
	return copy_to_user((uint64_t)uts, &ts, sizeof(ts));
}

long sys_clock_getres(long id, long uts, long a2, long a3, long a4, long a5)
{
	struct ktimespec ts = { 0, 1 };
	uint64_t ns;
	long r;

	(void)a2, (void)a3, (void)a4, (void)a5;
	if ((r = clock_ns(id, &ns)) < 0)
		return r;
	return uts == 0 ? 0 : copy_to_user((uint64_t)uts, &ts, sizeof(ts));
}

long sys_gettimeofday(long utv, long utz, long a2, long a3, long a4, long a5)
{
	uint64_t ns = now_real_ns();
	struct ktimeval tv = { (int64_t)(ns / 1000000000),
		(int64_t)(ns % 1000000000 / 1000) };
	uint64_t zero[1] = { 0 };

	(void)a2, (void)a3, (void)a4, (void)a5;
	if (utv != 0 && copy_to_user((uint64_t)utv, &tv, sizeof(tv)) < 0)
		return -EFAULT;
	if (utz != 0 && copy_to_user((uint64_t)utz, zero, 8) < 0)
		return -EFAULT; /* UTC, no DST */
	return 0;
}

long sys_time(long ut, long a1, long a2, long a3, long a4, long a5)
{
	int64_t t = (int64_t)(now_real_ns() / 1000000000);

	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	if (ut != 0 && copy_to_user((uint64_t)ut, &t, sizeof(t)) < 0)
		return -EFAULT;
	return t;
}

/* Spin until the clock id reads until_ns (pause: kind to a sibling thread). */
static void spin_until(long id, uint64_t until_ns)
{
	uint64_t ns;

	while (clock_ns(id, &ns) == 0 && ns < until_ns)
		__asm__ volatile("pause");
}

static long sleep_ts(long id, uint64_t ureq, int absolute)
{
	struct ktimespec ts;
	uint64_t ns, base = 0, want;

	if (copy_from_user(&ts, ureq, sizeof(ts)) < 0)
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
		return -EINVAL;
	if (clock_ns(id, &base) < 0)
		return -EINVAL;
	ns = (uint64_t)ts.tv_sec > UINT64_MAX / 1000000000 - 1 ?
	    UINT64_MAX :
	    (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
	if (absolute)
		want = ns;
	else if (__builtin_add_overflow(base, ns, &want))
		want = UINT64_MAX;
	spin_until(id, want);
	return 0;
}

long sys_nanosleep(long ureq, long urem, long a2, long a3, long a4, long a5)
{
	(void)urem, (void)a2, (void)a3, (void)a4, (void)a5;
	return sleep_ts(CLOCK_MONOTONIC, (uint64_t)ureq, 0);
}

long sys_clock_nanosleep(long id, long flags, long ureq, long urem, long a4,
    long a5)
{
	(void)urem, (void)a4, (void)a5;
	return sleep_ts(id, (uint64_t)ureq, (flags & TIMER_ABSTIME) != 0);
}
