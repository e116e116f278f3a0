/* seccomp.c: the filter that confines the monitor once the guest may run. */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
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
#define CORE 8
#define GDB 16
#define RUN 32 /* a run, not function mode */
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
#define FD_REQ (UINT64_MAX - 18)      /* --serve's requests */
#define FD_ANS (UINT64_MAX - 19)      /* --serve's answers */
#define FD_CORE (UINT64_MAX - 21)     /* --core's unnamed file */
#define FD_CORE_DIR (UINT64_MAX - 22) /* and its directory */
#define FD_PROC (UINT64_MAX - 23)     /* /proc/self/fd, for --core */
#define REQ_DEBUG0 (UINT64_MAX - 24)  /* --gdb's ioctls, and ... - 1 */
#define FD_GDB (UINT64_MAX - 26)      /* --gdb's connection */

/*
 * The allowlist: everything the exit loop, the hypercalls and the final error
 * report need, found by tracing the static binary (tests/run.sh repeats the
 * trace). Each rule pins arg0 (and arg1/arg2 where set) to one value.
 */
static const struct rule {
	int nr;
	const char *name;
	uint64_t a0, a1, a2;
	unsigned when; /* 0 always, else only with one of these options */
	const char *why;
} rules[] = {
	{ SYS_ioctl, "ioctl", FD_VCPU, REQ_RUN, ANY, 0, "the exit loop" },
	{ SYS_ioctl, "ioctl", FD_VCPU, REQ_REGS, ANY, 0,
	    "rip and rsp for fault and error reports" },
	{ SYS_ioctl, "ioctl", FD_VCPU, REQ_SREGS, ANY, 0,
	    "cr2 for page-fault reports" },
	{ SYS_write, "write", FD_OUT, ANY, ANY, 0,
	    "the program's output (write hypercall)" },
	{ SYS_write, "write", FD_ERR, ANY, ANY, 0,
	    "the program's error output (write hypercall)" },
	{ SYS_writev, "writev", 2, ANY, ANY, 0,
	    "the monitor's last words on stderr (musl stdio uses writev)" },
	{ SYS_read, "read", FD_IN, ANY, ANY, 0,
	    "the program's input (read hypercall)" },
	{ SYS_ppoll, "ppoll", ANY, 2, 0, 0,
	    "wait for the program's fd or the wake pipe, untimed (vm_wait)" },
	{ SYS_write, "write", FD_WAKE_W, ANY, ANY, 0,
	    "the signal handler wakes vm_wait" },
	{ SYS_read, "read", FD_WAKE_R, ANY, ANY, 0, "empty the wake pipe" },
	{ SYS_getrandom, "getrandom", ANY, ANY, 0, 0,
	    "random hypercall; flags must be 0" },
	{ SYS_rt_sigreturn, "rt_sigreturn", ANY, ANY, ANY, 0,
	    "return from the handler that kicks the vCPU (timeout, "
	    "SIGINT...)" },
	{ SYS_clock_gettime, "clock_gettime", CLOCK_MONOTONIC, ANY, ANY, STATS,
	    "--stats only: timing, where the kernel gives no vDSO clock" },
	{ SYS_mincore, "mincore", GUEST_MEM, GUEST_SIZE, ANY, STATS | CORE,
	    "--stats: count resident guest pages; --core: find those to "
	    "dump" },
	{ SYS_madvise, "madvise", ANY, ANY, MADV_POPULATE_WRITE, RUN,
	    "the populate hypercall (not in function mode): back fresh heap "
	    "pages before the guest touches them" },
	{ SYS_read, "read", FD_REQ, ANY, ANY, SERVE, "--serve: the requests" },
	{ SYS_write, "write", FD_ANS, ANY, ANY, SERVE, "--serve: the answers" },
	{ SYS_ioctl, "ioctl", FD_VCPU, REQ_SERVE0, ANY, SERVE,
	    "function mode: reset the registers between calls" },
	{ SYS_ioctl, "ioctl", FD_VCPU, REQ_SERVE0 - 1, ANY, SERVE,
	    "function mode: reset segments after a fault" },
	{ SYS_ioctl, "ioctl", FD_VCPU, REQ_SERVE0 - 2, ANY, SERVE,
	    "function mode: reset x87, SSE, AVX, PKRU... (XSAVE)" },
	{ SYS_ioctl, "ioctl", FD_VM, REQ_SERVE0 - 3, ANY, SERVE,
	    "function mode: the pages a call dirtied" },
	{ SYS_write, "write", FD_CORE, ANY, ANY, CORE,
	    "--core: the core file, unnamed until it is whole" },
	{ SYS_linkat, "linkat", FD_PROC, ANY, FD_CORE_DIR, CORE,
	    "--core: name the whole core beside FILE (from /proc/self/fd)" },
	{ SYS_renameat, "renameat", FD_CORE_DIR, ANY, FD_CORE_DIR, CORE,
	    "--core: then rename it over FILE" },
	{ SYS_read, "read", FD_GDB, ANY, ANY, GDB, "--gdb: gdb's packets" },
	{ SYS_write, "write", FD_GDB, ANY, ANY, GDB,
	    "--gdb: the stub's replies" },
	{ SYS_ioctl, "ioctl", FD_VCPU, REQ_DEBUG0, ANY, GDB,
	    "--gdb: registers gdb changed, and out of a breakpoint" },
	{ SYS_ioctl, "ioctl", FD_VCPU, REQ_DEBUG0 - 1, ANY, GDB,
	    "--gdb: from the fault stub (CPL 0) back to the program" },
	{ SYS_timer_settime, "timer_settime", TIMER, ANY, ANY, 0,
	    "stop the timeout's ticks at the end; function mode: the "
	    "timeout of each call" },
	{ SYS_rt_sigprocmask, "rt_sigprocmask", SIG_SETMASK, ANY, ANY, SERVE,
	    "function mode: no signal while the reset nulls the thread's "
	    "FS/GS (PVM)" },
	{ SYS_exit_group, "exit_group", ANY, ANY, ANY, 0,
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
	else if (v == REQ_DEBUG0 || v == REQ_DEBUG0 - 1)
		snprintf(buf, len, "%s%s == %s", sep, what,
		    be->ioctl_debug_names[REQ_DEBUG0 - v]);
	else if (v == FD_GDB)
		snprintf(buf, len, "%s%s == gdb's connection", sep, what);
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
	else if (v == FD_CORE)
		snprintf(buf, len, "%s%s == the core's", sep, what);
	else if (v == FD_CORE_DIR)
		snprintf(buf, len, "%s%s == the core's directory", sep, what);
	else if (v == FD_PROC)
		snprintf(buf, len, "%s%s == /proc/self/fd", sep, what);
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
		{ "olddirfd", "oldpath", "newdirfd" },
		{ "addr", "len", "advice" },
	};
	size_t i;

	dprintf(fd, "default: kill the process\n");
	for (i = 0; i < NRULES; i++) {
		const struct rule *r = &rules[i];
		const char *const *n = names[r->nr == SYS_clock_gettime ? 4 :
		        r->nr == SYS_timer_settime                      ? 3 :
		        r->nr == SYS_getrandom                          ? 1 :
		        r->nr == SYS_mincore                            ? 2 :
		        r->nr == SYS_rt_sigprocmask                     ? 5 :
		        r->nr == SYS_ppoll                              ? 6 :
		        r->nr == SYS_linkat || r->nr == SYS_renameat    ? 7 :
		        r->nr == SYS_madvise                            ? 8 :
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

/* The vm's own value for a placeholder. */
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
	if (v == REQ_DEBUG0 || v == REQ_DEBUG0 - 1)
		return vm->be->ioctl_debug[REQ_DEBUG0 - v];
	if (v == FD_GDB)
		return (uint64_t)(int64_t)vm->gdb_fd;
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
	if (v == FD_CORE)
		return (uint64_t)(int64_t)vm->core_fd;
	if (v == FD_CORE_DIR)
		return (uint64_t)(int64_t)vm->core_dir;
	if (v == FD_PROC)
		return (uint64_t)(int64_t)vm->proc_fd;
	return v;
}

static bool no_fd(const struct svm_vm *vm, const struct rule *r)
{
	if (r->a0 == TIMER)
		return !vm->have_timer;
	return (r->a0 == FD_IN || r->a0 == FD_WAKE_R || r->a0 == FD_WAKE_W ||
	           r->a0 == FD_REQ || r->a0 == FD_ANS || r->a0 == FD_CORE ||
	           r->a0 == FD_PROC || r->a0 == FD_GDB) &&
	    (int64_t)value(vm, r->a0) < 0;
}

/*
 * The filter is small enough to write as BPF directly: check the
 * architecture, then try each rule in the table's order (the exit loop's
 * KVM_RUN first, since it is the call made most), each a run of compares
 * that jumps past the rule's ALLOW at its first mismatch; what no rule
 * allows falls to the default kill. x32 system calls carry bit 30 in their
 * number and so match no rule. libseccomp built the same filter in about
 * 350 us of each start here (a sixth of what the monitor adds to the floor);
 * this takes a few.
 */
struct bpf {
	struct sock_filter *f;
	size_t n, cap;
};

static void emit(struct bpf *b, uint16_t code, uint8_t jt, uint8_t jf,
    uint32_t k)
{
	if (b->n < b->cap)
		b->f[b->n] = (struct sock_filter)BPF_JUMP(code, k, jt, jf);
	b->n++;
}

#define ARG_LO(i) (offsetof(struct seccomp_data, args) + 8 * (i))
#define ARG_HI(i) (ARG_LO(i) + 4)

/*
 * One rule: the number, then per pinned argument a compare of its low 32
 * bits (fds and ioctl requests are 32-bit in the kernel, and musl's ioctl()
 * sign-extends a request such as KVM_GET_REGS, 0x8090ae81) or of all 64
 * (addresses, sizes and flags). Each mismatch jumps to the instruction after
 * the rule's ALLOW; the rule is at most 10 instructions, so every jump fits.
 */
static void emit_rule(struct bpf *b, const struct svm_vm *vm,
    const struct rule *r)
{
	uint64_t arg[3] = { r->a0, r->a1, r->a2 };
	/* The third is a flag or a size but for linkat's and renameat's fd. */
	bool full[3] = { r->a0 == GUEST_MEM, r->a1 == GUEST_SIZE,
		r->a2 != FD_CORE_DIR };
	unsigned len = 3, i; /* the rule's instructions after the number */
	uint8_t left;

	for (i = 0; i < 3; i++)
		if (arg[i] != ANY)
			len += full[i] ? 4 : 2;
	left = (uint8_t)(len - 2); /* from the jump after the number's load */
	emit(b, BPF_LD | BPF_W | BPF_ABS, 0, 0,
	    offsetof(struct seccomp_data, nr));
	emit(b, BPF_JMP | BPF_JEQ | BPF_K, 0, left, (uint32_t)r->nr);
	for (i = 0; i < 3; i++) {
		uint64_t v;

		if (arg[i] == ANY)
			continue;
		v = value(vm, arg[i]);
		emit(b, BPF_LD | BPF_W | BPF_ABS, 0, 0, ARG_LO(i));
		left -= 2;
		emit(b, BPF_JMP | BPF_JEQ | BPF_K, 0, left, (uint32_t)v);
		if (!full[i])
			continue;
		emit(b, BPF_LD | BPF_W | BPF_ABS, 0, 0, ARG_HI(i));
		left -= 2;
		emit(b, BPF_JMP | BPF_JEQ | BPF_K, 0, left,
		    (uint32_t)(v >> 32));
	}
	emit(b, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
}

static ssize_t build(const struct svm_vm *vm, struct sock_filter *f, size_t cap,
    char *err, size_t errlen)
{
	struct bpf b = { f, 0, cap };
	size_t i;
	unsigned on = (vm->want_stats ? STATS : 0) |
	    (vm->serve_filter ? SERVE : 0) | (vm->core != NULL ? CORE : 0) |
	    (vm->gdb != NULL ? GDB : 0) | (!vm->serve_filter ? RUN : 0);

	emit(&b, BPF_LD | BPF_W | BPF_ABS, 0, 0,
	    offsetof(struct seccomp_data, arch));
	emit(&b, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, AUDIT_ARCH_X86_64);
	emit(&b, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_KILL_PROCESS);
	for (i = 0; i < NRULES; i++) {
		const struct rule *r = &rules[i];

		if ((r->when != 0 && !(r->when & on)) || unused(vm->be, r) ||
		    no_fd(vm, r))
			continue;
		emit_rule(&b, vm, r);
	}
	emit(&b, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_KILL_PROCESS);
	if (b.n > cap) {
		snprintf(err, errlen,
		    "the seccomp filter needs %zu "
		    "instructions, more than %zu",
		    b.n, cap);
		return -1;
	}
	return (ssize_t)b.n;
}

ssize_t seccomp_export(const struct svm_vm *vm, struct sock_filter *bpf,
    size_t cap, char *err, size_t errlen)
{
	return build(vm, bpf, cap, err, errlen);
}

int seccomp_lockdown(const struct svm_vm *vm, char *err, size_t errlen)
{
	/* The filter is at most about 200 instructions. */
	struct sock_filter bpf[512];
	struct sock_fprog prog;
	ssize_t n;

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
