/* seccomp.c: the filter that confines the monitor once the guest may run. */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "monitor.h"

#define ANY UINT64_MAX /* no rule on this argument */
/* Placeholders, replaced by the vm's own values when the filter is built. */
#define FD_VCPU (UINT64_MAX - 1)
#define STATS 1
#define SERVE 2
#define GUEST_MEM (UINT64_MAX - 2)
#define GUEST_SIZE (UINT64_MAX - 3)
#define REQ_RUN (UINT64_MAX - 4) /* the backend's run ioctl */
#define REQ_REGS (UINT64_MAX - 5)
#define REQ_SREGS (UINT64_MAX - 6)
#define REQ_SERVE0 (UINT64_MAX - 7) /* ... to REQ_SERVE0 - 3 */
#define FD_VM (UINT64_MAX - 11)
#define TIMER (UINT64_MAX - 12)
#define FD_OUT (UINT64_MAX - 13)    /* where the program's fd 1 goes */
#define FD_ERR (UINT64_MAX - 14)    /* where the program's fd 2 goes */
#define FD_IN (UINT64_MAX - 15)     /* where the program's input comes from */
#define FD_WAKE_R (UINT64_MAX - 16) /* the wake pipe (limits.c) */
#define FD_WAKE_W (UINT64_MAX - 17)
#define FD_REQ (UINT64_MAX - 18) /* --serve's requests */
#define FD_ANS (UINT64_MAX - 19) /* --serve's answers */

/*
 * The allowlist: everything the exit loop, the hypercalls and the final error
 * report need, found by tracing the static binary (tests/run.sh repeats the
 * trace). Each rule pins arg0 (and arg1/arg2 where set) to one value.
 */
static const struct rule {
	int nr;
	const char *name;
	uint64_t a0, a1, a2;
	unsigned when; /* 0 always, else only with --stats or function mode */
	const char *why;
} rules[] = {
	{ SCMP_SYS(ioctl), "ioctl", FD_VCPU, REQ_RUN, ANY, 0, "the exit loop" },
	{ SCMP_SYS(ioctl), "ioctl", FD_VCPU, REQ_REGS, ANY, 0,
	    "rip and rsp for fault and error reports" },
	{ SCMP_SYS(ioctl), "ioctl", FD_VCPU, REQ_SREGS, ANY, 0,
	    "cr2 for page-fault reports" },
	{ SCMP_SYS(write), "write", FD_OUT, ANY, ANY, 0,
	    "the program's output (write hypercall)" },
	{ SCMP_SYS(write), "write", FD_ERR, ANY, ANY, 0,
	    "the program's error output (write hypercall)" },
	{ SCMP_SYS(writev), "writev", 2, ANY, ANY, 0,
	    "the monitor's last words on stderr (musl stdio uses writev)" },
	{ SCMP_SYS(read), "read", FD_IN, ANY, ANY, 0,
	    "the program's input (read hypercall)" },
	{ SCMP_SYS(ppoll), "ppoll", ANY, 2, 0, 0,
	    "wait for the program's fd or the wake pipe, untimed (vm_wait)" },
	{ SCMP_SYS(write), "write", FD_WAKE_W, ANY, ANY, 0,
	    "the signal handler wakes vm_wait" },
	{ SCMP_SYS(read), "read", FD_WAKE_R, ANY, ANY, 0,
	    "empty the wake pipe" },
	{ SCMP_SYS(getrandom), "getrandom", ANY, ANY, 0, 0,
	    "random hypercall; flags must be 0" },
	{ SCMP_SYS(rt_sigreturn), "rt_sigreturn", ANY, ANY, ANY, 0,
	    "return from the handler that kicks the vCPU (timeout, "
	    "SIGINT...)" },
	{ SCMP_SYS(clock_gettime), "clock_gettime", CLOCK_MONOTONIC, ANY, ANY,
	    STATS,
	    "--stats only: timing, where the kernel gives no vDSO clock" },
	{ SCMP_SYS(mincore), "mincore", GUEST_MEM, GUEST_SIZE, ANY, STATS,
	    "--stats only: count resident guest pages" },
	{ SCMP_SYS(read), "read", FD_REQ, ANY, ANY, SERVE,
	    "--serve: the requests" },
	{ SCMP_SYS(write), "write", FD_ANS, ANY, ANY, SERVE,
	    "--serve: the answers" },
	{ SCMP_SYS(ioctl), "ioctl", FD_VCPU, REQ_SERVE0, ANY, SERVE,
	    "function mode: reset the registers between calls" },
	{ SCMP_SYS(ioctl), "ioctl", FD_VCPU, REQ_SERVE0 - 1, ANY, SERVE,
	    "function mode: reset segments after a fault" },
	{ SCMP_SYS(ioctl), "ioctl", FD_VCPU, REQ_SERVE0 - 2, ANY, SERVE,
	    "function mode: reset x87, SSE, AVX, PKRU... (XSAVE)" },
	{ SCMP_SYS(ioctl), "ioctl", FD_VM, REQ_SERVE0 - 3, ANY, SERVE,
	    "function mode: the pages a call dirtied" },
	{ SCMP_SYS(timer_settime), "timer_settime", TIMER, ANY, ANY, 0,
	    "stop the timeout's ticks at the end; function mode: the "
	    "timeout of each call" },
	{ SCMP_SYS(rt_sigprocmask), "rt_sigprocmask", SIG_SETMASK, ANY, ANY,
	    SERVE,
	    "function mode: no signal while the reset nulls the thread's "
	    "FS/GS (PVM)" },
	{ SCMP_SYS(exit_group), "exit_group", ANY, ANY, ANY, 0,
	    "the end of the run" },
};

#define NRULES (sizeof(rules) / sizeof(rules[0]))

/*
 * A function-mode ioctl rule for a request the backend does not have: left
 * out, rather than allowing request 0.
 */
static bool unused(const struct svm_backend *be, const struct rule *r)
{
	return r->a1 <= REQ_SERVE0 && r->a1 >= REQ_SERVE0 - 3 &&
	    be->ioctl_serve[REQ_SERVE0 - r->a1] == 0;
}

/* A rule for an fd (or timer) this vm does not have: left out. */
static bool no_fd(const struct svm_vm *vm, const struct rule *r);

static void fmt_arg(const struct svm_backend *be, char *buf, size_t len,
    const char *sep, const char *what, uint64_t v)
{
	if (v == ANY)
		buf[0] = '\0';
	else if (v == FD_VCPU)
		snprintf(buf, len, "%s%s == vcpu_fd", sep, what);
	else if (v == GUEST_MEM)
		snprintf(buf, len, "%s%s == guest memory", sep, what);
	else if (v == GUEST_SIZE)
		snprintf(buf, len, "%s%s == its size", sep, what);
	else if (v == REQ_RUN || v == REQ_REGS || v == REQ_SREGS)
		snprintf(buf, len, "%s%s == %s", sep, what,
		    be->ioctl_names[REQ_RUN - v]);
	else if (v <= REQ_SERVE0 && v >= REQ_SERVE0 - 3)
		snprintf(buf, len, "%s%s == %s", sep, what,
		    be->ioctl_serve_names[REQ_SERVE0 - v]);
	else if (v == FD_VM)
		snprintf(buf, len, "%s%s == vm_fd", sep, what);
	else if (v == FD_OUT)
		snprintf(buf, len, "%s%s == out (1)", sep, what);
	else if (v == FD_ERR)
		snprintf(buf, len, "%s%s == err (2)", sep, what);
	else if (v == FD_IN)
		snprintf(buf, len, "%s%s == in (0)", sep, what);
	else if (v == FD_WAKE_R || v == FD_WAKE_W)
		snprintf(buf, len, "%s%s == the wake pipe's", sep, what);
	else if (v == FD_REQ)
		snprintf(buf, len, "%s%s == requests (0)", sep, what);
	else if (v == FD_ANS)
		snprintf(buf, len, "%s%s == answers (1)", sep, what);
	else if (v == TIMER)
		snprintf(buf, len, "%s%s == the timeout's", sep, what);
	else
		snprintf(buf, len, "%s%s == %llu", sep, what,
		    (unsigned long long)v);
}

void seccomp_print(int fd, const struct svm_backend *be)
{
	/* The argument names of the rules' calls, for the listing. */
	static const char *const names[][3] = {
		{ "fd", "request", "arg" },
		{ "buf", "len", "flags" },
		{ "addr", "len", "vec" },
		{ "timer", "flags", "value" },
		{ "clock", "tp", "" },
		{ "how", "set", "oldset" },
		{ "fds", "nfds", "tmo" },
	};
	size_t i;

	dprintf(fd, "default: kill the process\n");
	for (i = 0; i < NRULES; i++) {
		const struct rule *r = &rules[i];
		const char *const *n =
		    names[r->nr == SCMP_SYS(clock_gettime)    ? 4 :
		            r->nr == SCMP_SYS(timer_settime)  ? 3 :
		            r->nr == SCMP_SYS(getrandom)      ? 1 :
		            r->nr == SCMP_SYS(mincore)        ? 2 :
		            r->nr == SCMP_SYS(rt_sigprocmask) ? 5 :
		            r->nr == SCMP_SYS(ppoll)          ? 6 :
		                                                0];
		char a[3][48];

		if (unused(be, r))
			continue;
		fmt_arg(be, a[0], sizeof(a[0]), "", n[0], r->a0);
		fmt_arg(be, a[1], sizeof(a[1]), a[0][0] ? ", " : "", n[1],
		    r->a1);
		fmt_arg(be, a[2], sizeof(a[2]), a[0][0] || a[1][0] ? ", " : "",
		    n[2], r->a2);
		dprintf(fd, "allow %-12s %s%s%s  # %s\n", r->name, a[0], a[1],
		    a[2], r->why);
	}
}

/* Build the filter with libseccomp and export it as BPF into buf. */
static uint64_t value(const struct svm_vm *vm, uint64_t v)
{
	if (v == FD_VCPU)
		return (uint64_t)vm->vcpu_fd;
	if (v == GUEST_MEM)
		return (uintptr_t)vm->mem;
	if (v == GUEST_SIZE)
		return vm->mem_size;
	if (v == REQ_RUN)
		return vm->be->ioctl_run;
	if (v == REQ_REGS)
		return vm->be->ioctl_regs;
	if (v == REQ_SREGS)
		return vm->be->ioctl_sregs;
	if (v <= REQ_SERVE0 && v >= REQ_SERVE0 - 3)
		return vm->be->ioctl_serve[REQ_SERVE0 - v];
	if (v == FD_VM)
		return (uint64_t)vm->vm_fd;
	if (v == FD_OUT)
		return (uint64_t)vm->out_fd[1];
	if (v == FD_ERR)
		return (uint64_t)vm->out_fd[2];
	if (v == FD_IN)
		return (uint64_t)(int64_t)vm->in_fd;
	if (v == FD_WAKE_R)
		return (uint64_t)(int64_t)vm->wake[0];
	if (v == FD_WAKE_W)
		return (uint64_t)(int64_t)vm->wake[1];
	if (v == FD_REQ)
		return (uint64_t)(int64_t)vm->request_fd;
	if (v == FD_ANS)
		return (uint64_t)(int64_t)vm->answer_fd;
	if (v == TIMER)
		return (uintptr_t)vm->timer; /* musl: the kernel's timer id */
	return v;
}

static bool no_fd(const struct svm_vm *vm, const struct rule *r)
{
	if (r->a0 == TIMER)
		return !vm->have_timer;
	return (r->a0 == FD_IN || r->a0 == FD_WAKE_R || r->a0 == FD_WAKE_W ||
	           r->a0 == FD_REQ || r->a0 == FD_ANS) &&
	    (int64_t)value(vm, r->a0) < 0;
}

static ssize_t build(const struct svm_vm *vm, void *buf, size_t len, char *err,
    size_t errlen)
{
	scmp_filter_ctx ctx;
	ssize_t n = -1;
	size_t i;
	int mfd = -1, rc;

	if ((ctx = seccomp_init(SCMP_ACT_KILL_PROCESS)) == NULL) {
		snprintf(err, errlen, "seccomp_init failed");
		return -1;
	}
	for (i = 0; i < NRULES; i++) {
		const struct rule *r = &rules[i];
		struct scmp_arg_cmp c[3];
		unsigned nc = 0;

		if (((r->when & STATS) && !vm->want_stats) ||
		    ((r->when & SERVE) && !vm->serve_filter) ||
		    unused(vm->be, r) || no_fd(vm, r))
			continue;
		/*
		 * fds and ioctl requests are 32-bit in the kernel, and musl's
		 * ioctl() sign-extends a request such as KVM_GET_REGS
		 * (0x8090ae81): compare only their low 32 bits, as the kernel
		 * does; addresses and sizes in full.
		 */
		if (r->a0 != ANY)
			c[nc++] = r->a0 == GUEST_MEM ?
			    SCMP_A0(SCMP_CMP_EQ, value(vm, r->a0)) :
			    SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffff,
			        value(vm, r->a0));
		if (r->a1 != ANY)
			c[nc++] = r->a1 == GUEST_SIZE ?
			    SCMP_A1(SCMP_CMP_EQ, value(vm, r->a1)) :
			    SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffff,
			        value(vm, r->a1));
		if (r->a2 != ANY)
			c[nc++] = SCMP_A2(SCMP_CMP_EQ, r->a2);
		if ((rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, r->nr, nc,
		         c)) < 0) {
			snprintf(err, errlen, "seccomp rule for %s: %s",
			    r->name, strerror(-rc));
			goto out;
		}
	}
	/* libseccomp 2.5 exports only to an fd; a memfd keeps it in memory. */
	if ((mfd = memfd_create("svm-seccomp", MFD_CLOEXEC)) < 0 ||
	    (rc = seccomp_export_bpf(ctx, mfd)) < 0 ||
	    (n = pread(mfd, buf, len, 0)) <= 0 || (size_t)n == len) {
		snprintf(err, errlen, "exporting the seccomp filter failed");
		n = -1;
	}
out:
	if (mfd >= 0)
		close(mfd);
	seccomp_release(ctx);
	return n;
}

ssize_t seccomp_export(const struct svm_vm *vm, struct sock_filter *bpf,
    size_t cap, char *err, size_t errlen)
{
	ssize_t n = build(vm, bpf, cap * sizeof(*bpf), err, errlen);

	return n < 0 ? -1 : n / (ssize_t)sizeof(*bpf);
}

int seccomp_lockdown(const struct svm_vm *vm, char *err, size_t errlen)
{
	/* The filter compiles to about 80 instructions. */
	struct sock_filter bpf[512];
	struct sock_fprog prog;
	ssize_t n;

	/*
	 * The context is released before the filter is loaded: seccomp_load()
	 * would free memory under the filter, and free() may call munmap.
	 */
	if ((n = seccomp_export(vm, bpf, 512, err, errlen)) < 0)
		return -1;
	prog.len = (unsigned short)n;
	prog.filter = bpf;
	/* This thread only (no TSYNC): an embedder's other threads go on. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0) {
		snprintf(err, errlen, "loading the seccomp filter: %s",
		    strerror(errno));
		return -1;
	}
	return 0;
}
