/*
 * proc.c: the process: one, with one thread (pid and tid 1, parent 0), run
 * as uid and gid 0 of its own VM; its exit ends the run.
 */
#include "kernel.h"

#define PID 1

static uint64_t clear_tid, robust_head, robust_len;
static uint64_t rlim[RLIM_NLIMITS][2];
static int limits_set;
static uint32_t umask_now = 022;
static char comm[16] = "program";

long sys_exit(long status, long a1, long a2, long a3, long a4, long a5)
{
	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	hc_exit((int)(status & 0xff));
}

long sys_exit_group(long status, long a1, long a2, long a3, long a4, long a5)
{
	return sys_exit(status, a1, a2, a3, a4, a5);
}

#define CONST(name, value)                                                     \
	long sys_##name(long a0, long a1, long a2, long a3, long a4, long a5)  \
	{                                                                      \
		(void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;    \
		return (value);                                                \
	}

CONST(getpid, PID)
CONST(gettid, PID)
CONST(getppid, 0)
CONST(getuid, 0)
CONST(getgid, 0)
CONST(geteuid, 0)
CONST(getegid, 0)
CONST(getpgrp, PID)
CONST(getsid, PID)
CONST(setsid, -EPERM) /* already the session leader */
CONST(sched_yield, 0)
CONST(getpriority, 20) /* nice 0, as the kernel encodes it */
CONST(wait4, -ECHILD)  /* no children: fork is refused */

long sys_getpgid(long pid, long a1, long a2, long a3, long a4, long a5)
{
	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	return pid == 0 || pid == PID ? PID : -ESRCH;
}

long sys_setpgid(long pid, long pgid, long a2, long a3, long a4, long a5)
{
	(void)a2, (void)a3, (void)a4, (void)a5;
	return (pid == 0 || pid == PID) && (pgid == 0 || pgid == PID) ? 0 :
	                                                                -EPERM;
}

long sys_setuid(long uid, long a1, long a2, long a3, long a4, long a5)
{
	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	return uid == 0 ? 0 : -EPERM;
}

static long ids(long a, long b, long c)
{
	uint32_t zero = 0;

	if (copy_to_user((uint64_t)a, &zero, 4) < 0 ||
	    copy_to_user((uint64_t)b, &zero, 4) < 0 ||
	    copy_to_user((uint64_t)c, &zero, 4) < 0)
		return -EFAULT;
	return 0;
}

long sys_getresuid(long a, long b, long c, long a3, long a4, long a5)
{
	(void)a3, (void)a4, (void)a5;
	return ids(a, b, c);
}

long sys_getresgid(long a, long b, long c, long a3, long a4, long a5)
{
	(void)a3, (void)a4, (void)a5;
	return ids(a, b, c);
}

long sys_getgroups(long n, long list, long a2, long a3, long a4, long a5)
{
	(void)list, (void)a2, (void)a3, (void)a4, (void)a5;
	return n < 0 ? -EINVAL : 0;
}

long sys_umask(long mask, long a1, long a2, long a3, long a4, long a5)
{
	uint32_t old = umask_now;

	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	umask_now = (uint32_t)mask & 0777;
	return old;
}

static void field(char *dst, const char *s)
{
	size_t n = strnlen(s, __NEW_UTS_LEN);

	memcpy(dst, s, n);
}

long sys_uname(long ubuf, long a1, long a2, long a3, long a4, long a5)
{
	struct new_utsname u;

	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	memset(&u, 0, sizeof(u));
	field(u.sysname, "Linux");
	field(u.nodename, "svm-sandbox");
	/* New enough for every libc's version check. */
	field(u.release, "6.1.0-svm-sandbox");
	field(u.version, "#1 SMP svm-sandbox guest kernel");
	field(u.machine, "x86_64");
	field(u.domainname, "(none)");
	return copy_to_user((uint64_t)ubuf, &u, sizeof(u));
}

long sys_arch_prctl(long code, long addr, long a2, long a3, long a4, long a5)
{
	uint64_t base;

	(void)a2, (void)a3, (void)a4, (void)a5;
	switch (code) {
	case ARCH_SET_FS:
	case ARCH_SET_GS:
		/* Canonical, or wrfsbase takes #GP. */
		if ((uint64_t)addr >= 0x800000000000ull)
			return -EPERM;
		if (code == ARCH_SET_FS)
			__asm__ volatile("wrfsbase %0" : : "r"(addr));
		else
			__asm__ volatile("wrgsbase %0" : : "r"(addr));
		return 0;
	case ARCH_GET_FS:
	case ARCH_GET_GS:
		if (code == ARCH_GET_FS)
			__asm__ volatile("rdfsbase %0" : "=r"(base));
		else
			__asm__ volatile("rdgsbase %0" : "=r"(base));
		return copy_to_user((uint64_t)addr, &base, 8);
	default:
		return -EINVAL;
	}
}

long sys_set_tid_address(long p, long a1, long a2, long a3, long a4, long a5)
{
	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	clear_tid = (uint64_t)p;
	return PID;
}

long sys_set_robust_list(long head, long len, long a2, long a3, long a4,
    long a5)
{
	(void)a2, (void)a3, (void)a4, (void)a5;
	if (len != 24)
		return -EINVAL;
	robust_head = (uint64_t)head;
	robust_len = (uint64_t)len;
	return 0;
}

long sys_get_robust_list(long pid, long uhead, long ulen, long a3, long a4,
    long a5)
{
	(void)a3, (void)a4, (void)a5;
	if (pid != 0 && pid != PID)
		return -ESRCH;
	if (copy_to_user((uint64_t)uhead, &robust_head, 8) < 0 ||
	    copy_to_user((uint64_t)ulen, &robust_len, 8) < 0)
		return -EFAULT;
	return 0;
}

long sys_rseq(long a0, long a1, long a2, long a3, long a4, long a5)
{
	(void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	return -ENOSYS; /* glibc does without; there is one CPU anyway */
}

static void limits_init(void)
{
	int i;

	for (i = 0; i < RLIM_NLIMITS; i++)
		rlim[i][0] = rlim[i][1] = RLIM_INFINITY;
	rlim[RLIMIT_STACK][0] = rlim[RLIMIT_STACK][1] =
	    boot->mem_size - boot->stack_bottom;
	rlim[RLIMIT_NOFILE][0] = rlim[RLIMIT_NOFILE][1] = 256;
	rlim[RLIMIT_CORE][0] = rlim[RLIMIT_CORE][1] = 0;
	rlim[RLIMIT_AS][0] = rlim[RLIMIT_AS][1] = boot->mem_size;
	rlim[RLIMIT_NPROC][0] = rlim[RLIMIT_NPROC][1] = 1;
	limits_set = 1;
}

long sys_prlimit64(long pid, long res, long unew, long uold, long a4, long a5)
{
	uint64_t nl[2];

	(void)a4, (void)a5;
	if (pid != 0 && pid != PID)
		return -ESRCH;
	if (res < 0 || res >= RLIM_NLIMITS)
		return -EINVAL;
	if (!limits_set)
		limits_init();
	if (uold != 0 && copy_to_user((uint64_t)uold, rlim[res], 16) < 0)
		return -EFAULT;
	if (unew == 0)
		return 0;
	if (copy_from_user(nl, (uint64_t)unew, 16) < 0)
		return -EFAULT;
	if (nl[0] > nl[1] || nl[1] > rlim[res][1])
		return nl[0] > nl[1] ? -EINVAL : -EPERM;
	/* Kept and reported; what a limit bounds stays as the VM has it. */
	rlim[res][0] = nl[0];
	rlim[res][1] = nl[1];
	return 0;
}

long sys_getrlimit(long res, long u, long a2, long a3, long a4, long a5)
{
	(void)a2, (void)a3, (void)a4, (void)a5;
	return sys_prlimit64(0, res, 0, u, 0, 0);
}

long sys_setrlimit(long res, long u, long a2, long a3, long a4, long a5)
{
	(void)a2, (void)a3, (void)a4, (void)a5;
	return sys_prlimit64(0, res, u, 0, 0, 0);
}

long sys_sched_getaffinity(long pid, long len, long umask, long a3, long a4,
    long a5)
{
	uint64_t one = 1;

	(void)a3, (void)a4, (void)a5;
	if (pid != 0 && pid != PID)
		return -ESRCH;
	if (len < 8)
		return -EINVAL;
	if (!user_ok((uint64_t)umask, (uint64_t)len, 1))
		return -EFAULT;
	memset((void *)(uintptr_t)umask, 0, (size_t)len);
	copy_to_user((uint64_t)umask, &one, 8);
	return 8; /* the size of the mask the kernel uses */
}

long sys_getrandom(long ubuf, long len, long flags, long a3, long a4, long a5)
{
	uint64_t done = 0;

	(void)a3, (void)a4, (void)a5;
	if ((flags & ~(GRND_NONBLOCK | GRND_RANDOM | 4 /* INSECURE */)) != 0)
		return -EINVAL;
	if (len < 0 || !user_ok((uint64_t)ubuf, (uint64_t)len, 1))
		return -EFAULT;
	/* From the host each time: a snapshot must not replay randomness. */
	while (done < (uint64_t)len) {
		uint64_t k = (uint64_t)len - done < SVM_RANDOM_MAX ?
		    (uint64_t)len - done :
		    SVM_RANDOM_MAX;

		if (hc_random((void *)(uintptr_t)(ubuf + done), k) < 0)
			return done ? (long)done : -EIO;
		done += k;
	}
	return len;
}

long sys_sysinfo(long ubuf, long a1, long a2, long a3, long a4, long a5)
{
	struct {
		long uptime;
		unsigned long loads[3], totalram, freeram, sharedram, bufferram,
		    totalswap, freeswap;
		unsigned short procs, pad;
		unsigned long totalhigh, freehigh;
		unsigned int mem_unit;
		char f[4];
	} s;

	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	memset(&s, 0, sizeof(s));
	s.uptime = (long)(now_mono_ns() / 1000000000);
	s.totalram = boot->mem_size;
	s.freeram = boot->mmap_end - boot->brk_start;
	s.procs = 1;
	s.mem_unit = 1;
	return copy_to_user((uint64_t)ubuf, &s, sizeof(s));
}

long sys_prctl(long opt, long a1, long a2, long a3, long a4, long a5)
{
	char name[16];
	long r;

	(void)a2, (void)a3, (void)a4, (void)a5;
	switch (opt) {
	case PR_SET_NAME:
		if ((r = user_string(name, (uint64_t)a1, sizeof(name))) ==
		    -ENAMETOOLONG) {
			/* Linux cuts it to 15 bytes. */
			if (copy_from_user(name, (uint64_t)a1, 15) < 0)
				return -EFAULT;
			name[15] = '\0';
		} else if (r < 0) {
			return r;
		}
		memcpy(comm, name, sizeof(comm));
		return 0;
	case PR_GET_NAME:
		return copy_to_user((uint64_t)a1, comm, sizeof(comm));
	default:
		return -EINVAL;
	}
}

long sys_getrusage(long who, long u, long a2, long a3, long a4, long a5)
{
	uint64_t ns = now_mono_ns(), ru[18];

	(void)a2, (void)a3, (void)a4, (void)a5;
	if (who != 0 && who != -1 && who != 1)
		return -EINVAL;
	memset(ru, 0, sizeof(ru));
	if (who != -1) { /* RUSAGE_CHILDREN: none */
		ru[0] = ns / 1000000000;
		ru[1] = ns % 1000000000 / 1000;
	}
	return copy_to_user((uint64_t)u, ru, sizeof(ru));
}

long sys_times(long u, long a1, long a2, long a3, long a4, long a5)
{
	int64_t ticks = (int64_t)(now_mono_ns() / 10000000),
	        t[4] = { ticks, 0, 0, 0 };

	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	if (u != 0 && copy_to_user((uint64_t)u, t, sizeof(t)) < 0)
		return -EFAULT;
	return ticks;
}

long sys_membarrier(long cmd, long a1, long a2, long a3, long a4, long a5)
{
	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	return cmd == 0 ? 0 : -EINVAL; /* QUERY: none supported */
}

long sys_futex(long uaddr, long op, long val, long a3, long a4, long a5)
{
	uint32_t now;

	(void)a3, (void)a4, (void)a5;
	switch (op & 0x7f) {
	case 0: /* FUTEX_WAIT: only the program itself could wake it */
	case 9: /* FUTEX_WAIT_BITSET */
		if (copy_from_user(&now, (uint64_t)uaddr, 4) < 0)
			return -EFAULT;
		return now != (uint32_t)val ? -EAGAIN : -EDEADLK;
	case 1:  /* FUTEX_WAKE */
	case 10: /* FUTEX_WAKE_BITSET */
		return 0;
	default:
		return -ENOSYS;
	}
}

long sys_kill(long pid, long sig, long a2, long a3, long a4, long a5)
{
	(void)a2, (void)a3, (void)a4, (void)a5;
	if (pid != PID && pid != 0 && pid != -1)
		return -ESRCH;
	if (sig < 0 || sig > 64)
		return -EINVAL;
	if (sig == 0 || sig_ignored((int)sig))
		return 0;
	/*
	 * Nothing delivers a signal (signal.c): one sent to the process ends
	 * it, with the status a shell reports for a signal, 128 + sig.
	 */
	hc_exit(128 + (int)sig);
}

long sys_tgkill(long tgid, long tid, long sig, long a3, long a4, long a5)
{
	(void)a3, (void)a4, (void)a5;
	if (tgid != PID || tid != PID)
		return -ESRCH;
	return sys_kill(PID, sig, 0, 0, 0, 0);
}

long sys_tkill(long tid, long sig, long a2, long a3, long a4, long a5)
{
	(void)a2, (void)a3, (void)a4, (void)a5;
	return tid == PID ? sys_kill(PID, sig, 0, 0, 0, 0) : -ESRCH;
}
