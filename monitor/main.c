/* main.c: the svm-sandbox command: options, lockdown, run, exit status. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "monitor.h"

#ifndef SVM_VERSION
#define SVM_VERSION "0.1.0"
#endif

static const char usage_text[] =
    "usage: svm-sandbox [options] PROGRAM [-- args...]\n"
    "Run a static x86-64 Linux program in its own virtual machine.\n"
    "\n"
    "  -m, --mem=SIZE         guest memory in MiB, or with a suffix M or G;\n"
    "                         a multiple of 2 MiB from 2M to 1G (default 32M)\n"
    "  -t, --timeout=TIME     end the run after TIME seconds (1.5 too), or\n"
    "                         with a suffix ms or s (1ms to 86400s)\n"
    "  -o, --max-output=SIZE  end the run when the program has written more\n"
    "                         than SIZE bytes (suffix K, M or G); the output\n"
    "                         is cut at SIZE\n"
    "      --root=DIR         copy the tree at DIR into the guest as the\n"
    "                         program's read-only /\n"
    "      --file=HOST:GUEST  add the file HOST at GUEST (repeatable)\n"
    "      --env=NAME=VALUE   put NAME in the program's environment\n"
    "                         (repeatable; else the environment is empty)\n"
    "      --cwd=DIR          the program's working directory (default /)\n"
    "      --argv0=NAME       the program's argv[0] (default: PROGRAM)\n"
    "      --trace            print every system call the program makes\n"
    "                         on stderr\n"
    "      --stats[=json]     at the end, print exits, hypercalls, system\n"
    "                         calls, times and guest pages on stderr\n"
    "      --serve            function mode: requests on stdin, frames on\n"
    "                         stdout (see svm-sandbox(1))\n"
    "      --warm             with --serve: keep the VM as a call left it\n"
    "                         instead of resetting it for the next call\n"
    "      --max-request=SIZE with --serve: refuse larger requests (default:\n"
    "                         svm_serve's input buffer, or 1M for a\n"
    "                         program served by its stdin)\n"
    "      --max-answer=SIZE  with --serve: the largest answer (default:\n"
    "                         svm_serve's output buffer, or 1M)\n"
    "      --call-stats       with --serve: a STATS frame after each answer\n"
    "      --backend=NAME     kvm (default) or svmk (our own SVM module)\n"
    "      --paging=MODE      tdp or shadow: svmk's paging; with kvm, only\n"
    "                         checked against what KVM itself uses\n"
    "      --core=FILE        when the program faults or times out, write\n"
    "                         its core to FILE, for gdb PROGRAM FILE\n"
    "      --gdb=PORT         wait for gdb on 127.0.0.1:PORT and let it\n"
    "                         debug the program (kvm only)\n"
    "      --print-filter     print the seccomp allowlist and exit\n"
    "  -h, --help             print this help and exit\n"
    "  -V, --version          print the version and exit\n"
    "\n"
    "Exit status:\n"
    "  0-255  the program's own exit status, when it exits\n"
    "  1      the program was refused (not a static executable, ...)\n"
    "  2      usage error (bad option, argument, root tree)\n"
    "  3      monitor error (no /dev/kvm, out of resources, KVM failure)\n"
    "  250    the program faulted (CPU exception)\n"
    "  251    the guest triple-faulted\n"
    "  252    the guest broke the ABI (bad hypercall, port or argument)\n"
    "  124    the run timed out (--timeout)\n"
    "  125    the program wrote more than --max-output\n"
    "  128+N  the run was ended by signal N (SIGHUP, SIGINT, SIGTERM)\n"
    "  159    the monitor broke its seccomp filter (killed by SIGSYS)\n"
    "Every status but the program's own comes with one line on stderr.\n";

_Noreturn void svm_die(int status, const char *fmt, ...)
{
	char msg[SVM_ERR_LEN + 64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "svm-sandbox: %s\n", msg);
	exit(status);
}

/*
 * A number with an optional suffix from units (name, multiplier; the one named
 * "" is the unit of a bare number). Returns 0 if it does not parse or
 * overflows.
 */
struct unit {
	const char *name;
	uint64_t mult;
};

static uint64_t parse_num(const char *s, const struct unit *units)
{
	char *end;
	unsigned long long v;
	uint64_t r, frac = 0, scale = 1, part;

	if (*s < '0' || *s > '9')
		return 0;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return 0;
	/* A fraction, as in 1.5s: up to 9 digits. */
	if (*end == '.') {
		for (end++; *end >= '0' && *end <= '9'; end++) {
			if (scale == 1000000000)
				return 0;
			frac = frac * 10 + (uint64_t)(*end - '0');
			scale *= 10;
		}
		if (scale == 1)
			return 0;
	}
	for (; units->name != NULL; units++)
		if (strcasecmp(end, units->name) == 0)
			break;
	if (units->name == NULL ||
	    __builtin_mul_overflow((uint64_t)v, units->mult, &r))
		return 0;
	/* The fraction in the base unit, rounded down. */
	part = units->mult / scale * frac + units->mult % scale * frac / scale;
	if (__builtin_add_overflow(r, part, &r))
		return 0;
	return r;
}

static const struct unit mem_units[] = {
	{ "", 1ull << 20 },
	{ "M", 1ull << 20 },
	{ "G", 1ull << 30 },
	{ NULL, 0 },
};
static const struct unit time_units[] = {
	{ "", 1000 },
	{ "s", 1000 },
	{ "ms", 1 },
	{ NULL, 0 },
};
static const struct unit size_units[] = {
	{ "", 1 },
	{ "K", 1ull << 10 },
	{ "M", 1ull << 20 },
	{ "G", 1ull << 30 },
	{ NULL, 0 },
};

#ifdef SVM_TESTING
/*
 * Test build only: make one syscall under the filter. Each rule gets a call
 * it allows ("ok-...") and one that differs in one argument ("bad-..."),
 * which must kill the process. Unknown names are a usage error.
 */
static void test_syscall(const struct svm_vm *vm, const char *what)
{
	struct iovec iov = { "", 0 };
	char buf[1];
	unsigned char vec[1];
	int fd = vm->vcpu_fd;
	const struct {
		const char *name;
		long nr, a0, a1, a2;
	} calls[] = {
		{ "ok-ioctl-regs", SYS_ioctl, fd, (long)vm->be->ioctl_regs, 0 },
		{ "bad-ioctl-fd", SYS_ioctl, 0, (long)vm->be->ioctl_run, 0 },
		{ "bad-ioctl-request", SYS_ioctl, fd, 0xae81 /* KVM_SET_REGS */,
		    0 },
		{ "ok-write-1", SYS_write, 1, (long)"", 0 },
		{ "ok-write-2", SYS_write, 2, (long)"", 0 },
		{ "bad-write-3", SYS_write, 3, (long)"", 0 },
		{ "ok-writev-2", SYS_writev, 2, (long)&iov, 1 },
		{ "bad-writev-1", SYS_writev, 1, (long)&iov, 1 },
		{ "ok-read-0", SYS_read, 0, (long)buf, 0 },
		{ "bad-read-3", SYS_read, 3, (long)buf, 0 },
		{ "ok-getrandom", SYS_getrandom, (long)buf, 1, 0 },
		{ "bad-getrandom-flags", SYS_getrandom, (long)buf, 1,
		    2 /* GRND_RANDOM */ },
		{ "ok-mincore", SYS_mincore, (long)vm->mem, (long)vm->mem_size,
		    (long)vm->residency },
		{ "bad-mincore-addr", SYS_mincore, (long)vec, 1, (long)vec },
		{ "bad-getpid", SYS_getpid, 0, 0, 0 },
		{ "ok-madvise-populate", SYS_madvise, (long)vm->mem, 4096,
		    MADV_POPULATE_WRITE },
		{ "bad-madvise-advice", SYS_madvise, (long)vm->mem, 4096,
		    MADV_DONTNEED },
		{ "ok-ppoll", SYS_ppoll, 0, 2, 0 },
		{ "bad-ppoll-timed", SYS_ppoll, 0, 2, (long)buf },
		{ "bad-ppoll-nfds", SYS_ppoll, 0, 3, 0 },
		{ "ok-read-wake", SYS_read, vm->wake[0], (long)buf, 0 },
		{ "ok-write-wake", SYS_write, vm->wake[1], (long)"", 0 },
		{ "ok-timer", SYS_timer_settime, (long)(intptr_t)vm->timer, 0,
		    0 },
		{ "bad-timer", SYS_timer_settime, 12345, 0, 0 },
		/* The filter's compares: fds by their low 32 bits as the kernel
		 * reads them, addresses, sizes and flags in full; no x32. */
		{ "ok-ioctl-regs-fd-high", SYS_ioctl, fd | (1L << 32),
		    (long)vm->be->ioctl_regs, 0 },
		{ "bad-mincore-addr-high", SYS_mincore,
		    (long)vm->mem ^ (1L << 44), (long)vm->mem_size,
		    (long)vm->residency },
		{ "bad-mincore-len-high", SYS_mincore, (long)vm->mem,
		    (long)vm->mem_size + (1L << 32), (long)vm->residency },
		{ "bad-getrandom-flags-high", SYS_getrandom, (long)buf, 1,
		    1L << 32 },
		{ "bad-write-x32", SYS_write | 0x40000000L, 1, (long)"", 0 },
		{ "ok-write-core", SYS_write, vm->core_fd, (long)"", 0 },
		{ "ok-read-gdb", SYS_read, vm->gdb_fd, (long)buf, 0 },
		{ "ok-write-gdb", SYS_write, vm->gdb_fd, (long)"", 0 },
		/* With no argument: EFAULT, the vCPU as it was. */
		{ "ok-ioctl-setregs-gdb", SYS_ioctl, fd,
		    (long)vm->be->ioctl_debug[0], 0 },
		{ "ok-ioctl-setsregs-gdb", SYS_ioctl, fd,
		    (long)vm->be->ioctl_debug[1], 0 },
		{ "ok-linkat-core", SYS_linkat, vm->proc_fd, (long)"",
		    vm->core_dir },
		{ "bad-linkat-core-dir", SYS_linkat, vm->proc_fd, (long)"",
		    AT_FDCWD },
		{ "ok-renameat-core", SYS_renameat, vm->core_dir, (long)"",
		    vm->core_dir },
		{ "bad-renameat-core-dir", SYS_renameat, vm->core_dir, (long)"",
		    AT_FDCWD },
	};
	size_t i;

	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		if (strcmp(what, calls[i].name) == 0) {
			/* The fourth and fifth for linkat and renameat. */
			syscall(calls[i].nr, calls[i].a0, calls[i].a1,
			    calls[i].a2, (long)"", 0);
			return;
		}
	svm_die(SVM_STATUS_USAGE, "unknown --test-syscall '%s'", what);
}
#endif

int svm_end_status(const struct svm_vm *vm)
{
	switch (vm->end) {
	case SVM_END_EXIT:
		return vm->app_status & 0xff;
	case SVM_END_FAULT:
		return SVM_STATUS_FAULT;
	case SVM_END_SHUTDOWN:
		return SVM_STATUS_SHUTDOWN;
	case SVM_END_TIMEOUT:
		return SVM_STATUS_TIMEOUT;
	case SVM_END_OUTPUT_LIMIT:
		return SVM_STATUS_OUTPUT_LIMIT;
	case SVM_END_SIGNAL:
		return 128 + vm->stop_signal;
	case SVM_END_GUEST_ERROR:
	case SVM_END_READY: /* only in function mode; not an end of a run */
	case SVM_END_DONE:
		return SVM_STATUS_GUEST_ERROR;
	case SVM_END_MONITOR_ERROR:
		break;
	}
	return SVM_STATUS_MONITOR;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mem", required_argument, NULL, 'm' },
		{ "timeout", required_argument, NULL, 't' },
		{ "max-output", required_argument, NULL, 'o' },
		{ "stats", optional_argument, NULL, 'S' },
		{ "backend", required_argument, NULL, 'B' },
		{ "paging", required_argument, NULL, 'P' },
		{ "serve", no_argument, NULL, 's' },
		{ "warm", no_argument, NULL, 'w' },
		{ "print-filter", no_argument, NULL, 'F' },
		{ "env", required_argument, NULL, 'E' },
		{ "root", required_argument, NULL, 'r' },
		{ "file", required_argument, NULL, 'f' },
		{ "max-request", required_argument, NULL, 'Q' },
		{ "max-answer", required_argument, NULL, 'A' },
		{ "call-stats", no_argument, NULL, 'X' },
		{ "cwd", required_argument, NULL, 'C' },
		{ "argv0", required_argument, NULL, '0' },
		{ "trace", no_argument, NULL, 'R' },
		{ "core", required_argument, NULL, 'k' },
		{ "gdb", required_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
#ifdef SVM_TESTING
		{ "test-syscall", required_argument, NULL, 'T' },
		{ "test-break-idt", no_argument, NULL, 'I' },
		{ "test-unreset", required_argument, NULL, 'U' },
		{ "test-skip-reset", required_argument, NULL, 'K' },
		{ "test-pageout", no_argument, NULL, 'O' },
#endif
		{ NULL, 0, NULL, 0 },
	};
	const struct rlimit nocore = { 0, 0 };
	struct svm_config cfg = { .backend = &svm_backend_kvm };
	uint64_t t0 = vm_now_ns();
	bool json = false, print_filter = false, serve = false;
	struct serve_opts so = { 0 };
	uint64_t sz, gdb_port = 0;
	const char *test = NULL, *argv0 = NULL, *prog, *core = NULL;
	bool break_idt = false; /* test build: a fault then triple-faults */
	char err[SVM_ERR_LEN], *env[256], *files[256], *end;
	struct svm_vm vm;
	int c, rc, app_argc, nenv = 0, nfiles = 0;

	(void)test;
	(void)break_idt;
	while ((c = getopt_long(argc, argv, "+m:t:o:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if ((cfg.mem_size = parse_num(optarg, mem_units)) == 0)
				svm_die(SVM_STATUS_USAGE, "bad --mem '%s'",
				    optarg);
			break;
		case 't':
			cfg.timeout_ms = parse_num(optarg, time_units);
			if (cfg.timeout_ms == 0 || cfg.timeout_ms > 86400000)
				svm_die(SVM_STATUS_USAGE, "bad --timeout '%s'",
				    optarg);
			break;
		case 'o':
			if ((cfg.max_output = parse_num(optarg, size_units)) ==
			    0)
				svm_die(SVM_STATUS_USAGE,
				    "bad --max-output '%s'", optarg);
			break;
		case 'S':
			if (optarg != NULL && strcmp(optarg, "json") != 0)
				svm_die(SVM_STATUS_USAGE, "bad --stats '%s'",
				    optarg);
			cfg.stats = true;
			json = optarg != NULL;
			break;
		case 'B':
			if (strcmp(optarg, "kvm") == 0)
				cfg.backend = &svm_backend_kvm;
			else if (strcmp(optarg, "svmk") == 0)
				cfg.backend = &svm_backend_svmk;
			else
				svm_die(SVM_STATUS_USAGE, "bad --backend '%s'",
				    optarg);
			break;
		case 'P':
			if (strcmp(optarg, "tdp") == 0)
				cfg.paging = SVM_PAGING_TDP;
			else if (strcmp(optarg, "shadow") == 0)
				cfg.paging = SVM_PAGING_SHADOW;
			else
				svm_die(SVM_STATUS_USAGE, "bad --paging '%s'",
				    optarg);
			break;
		case 'F':
			print_filter = true;
			break;
		case 'Q':
		case 'A':
			if ((sz = parse_num(optarg, size_units)) == 0 ||
			    sz > UINT32_MAX)
				svm_die(SVM_STATUS_USAGE, "bad --%s '%s'",
				    c == 'Q' ? "max-request" : "max-answer",
				    optarg);
			*(c == 'Q' ? &so.max_request : &so.max_answer) = sz;
			break;
		case 'X':
			so.call_stats = true;
			break;
		case 'r':
			cfg.root = optarg;
			break;
		case 'f':
			if (nfiles == sizeof(files) / sizeof(files[0]))
				svm_die(SVM_STATUS_USAGE,
				    "more than %zu --file",
				    sizeof(files) / sizeof(files[0]));
			files[nfiles++] = optarg;
			break;
		case 'E':
			if (strchr(optarg, '=') == NULL || optarg[0] == '=')
				svm_die(SVM_STATUS_USAGE,
				    "bad --env '%s' (NAME=VALUE)", optarg);
			if (nenv == sizeof(env) / sizeof(env[0]))
				svm_die(SVM_STATUS_USAGE, "more than %zu --env",
				    sizeof(env) / sizeof(env[0]));
			env[nenv++] = optarg;
			break;
		case 'C':
			if (optarg[0] != '/')
				svm_die(SVM_STATUS_USAGE,
				    "bad --cwd '%s' (an absolute guest path)",
				    optarg);
			cfg.cwd = optarg;
			break;
		case 'R':
			cfg.trace = true;
			break;
		case '0':
			argv0 = optarg;
			break;
		case 's':
			serve = cfg.serve = true;
			cfg.stdout_fd = 2; /* stdout carries the answers */
			cfg.request_fd = 0;
			cfg.answer_fd = 1;
			break;
		case 'w':
			so.warm = true;
			break;
		case 'k':
			core = optarg;
			break;
		case 'g':
			errno = 0;
			gdb_port = strtoull(optarg, &end, 10);
			if (errno != 0 || *optarg < '1' || *optarg > '9' ||
			    *end != '\0' || gdb_port > 65535)
				svm_die(SVM_STATUS_USAGE, "bad --gdb '%s'",
				    optarg);
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case 'V':
			printf("svm-sandbox %s (ABI %d)\n", SVM_VERSION,
			    SVM_ABI_VERSION);
			return 0;
		case 'T':
			test = optarg;
			break;
		case 'I':
			break_idt = true;
			break;
#ifdef SVM_TESTING
		case 'U':
			svm_test_unreset = strtoull(optarg, NULL, 0);
			break;
		case 'K':
			svm_test_skip |= strcmp(optarg, "xsave") == 0 ?
			    SVM_TEST_SKIP_XSAVE :
			    strcmp(optarg, "segments") == 0 ?
			    SVM_TEST_SKIP_SEGMENTS :
			    strcmp(optarg, "memory") == 0 ?
			    SVM_TEST_SKIP_MEMORY :
			    0;
			break;
		case 'O':
			svm_test_skip |= SVM_TEST_PAGEOUT;
			break;
#endif
		default:
			/* getopt has printed what was wrong. */
			fputs("usage: svm-sandbox [options] PROGRAM [-- "
			      "args...]"
			      " (--help for more)\n",
			    stderr);
			return SVM_STATUS_USAGE;
		}
	}
	if (!serve &&
	    (so.warm || so.call_stats || so.max_request || so.max_answer))
		svm_die(SVM_STATUS_USAGE,
		    "--warm, --call-stats, --max-request and --max-answer go "
		    "with --serve");
	if (serve && core != NULL)
		svm_die(SVM_STATUS_USAGE,
		    "--core is for a plain run, not --serve");
	if (serve && gdb_port != 0)
		svm_die(SVM_STATUS_USAGE,
		    "--gdb is for a plain run, not --serve");
	/* svmk's stubs step as KVM's do, but only KVM's path is tested. */
	if (gdb_port != 0 && cfg.backend != NULL &&
	    cfg.backend != &svm_backend_kvm)
		svm_die(SVM_STATUS_USAGE,
		    "--gdb works with --backend=kvm only");
	if (print_filter) {
		seccomp_print(1, cfg.backend);
		return 0;
	}
	if (optind >= argc)
		svm_die(SVM_STATUS_USAGE,
		    "no program given (--help for usage)");
	/* argv[optind] is the app; its argv[0] too, then what follows "--". */
	app_argc = 1;
	if (optind + 1 < argc) {
		if (strcmp(argv[optind + 1], "--") != 0)
			svm_die(SVM_STATUS_USAGE,
			    "unexpected argument '%s' (program "
			    "arguments go after --)",
			    argv[optind + 1]);
		app_argc = argc - optind - 1;
		argv[optind + 1] = argv[optind];
		optind++;
	}
	/* The file to run, and the program's own argv[0] (busybox picks its
	 * applet by it). */
	prog = argv[optind];
	if (argv0 != NULL)
		argv[optind] = (char *)argv0;

	/* No core files of guest memory; a closed stdout is an error, not a
	 * kill. */
	setrlimit(RLIMIT_CORE, &nocore);
	signal(SIGPIPE, SIG_IGN);

	/* --call-stats times each exit. */
	cfg.stats |= so.call_stats;
	cfg.envc = nenv;
	cfg.nfiles = nfiles;
	cfg.files = files;
	cfg.envp = env;
	rc = vm_create(&vm, &cfg, prog, app_argc, argv + optind, err,
	    sizeof(err));
	if (rc != 0)
		svm_die(rc, "%s", err);
	if (core != NULL &&
	    core_open(&vm, core, prog, app_argc, argv + optind, err,
	        sizeof(err)) < 0)
		svm_die(SVM_STATUS_USAGE, "%s", err);
#ifdef SVM_TESTING
	if (break_idt)
		memset(vm.mem + X86_IDT, 0, X86_IDT_ENTRIES * 16);
#endif
	if (vm_catch_signals() < 0 ||
	    vm_start_limits(&vm, err, sizeof(err)) < 0)
		svm_die(SVM_STATUS_MONITOR, "%s", err);
	so.app = prog;
	if (serve)
		return serve_main(&vm, &so); /* does its own lockdown */
	if (gdb_port != 0 &&
	    (rc = gdb_accept(&vm, (unsigned)gdb_port, err, sizeof(err))) != 0)
		svm_die(rc, "%s", err);
	if (vm_arm_timeout(&vm) < 0 ||
	    seccomp_lockdown(&vm, err, sizeof(err)) < 0)
		svm_die(SVM_STATUS_MONITOR, "%s", vm.err[0] ? vm.err : err);
#ifdef SVM_TESTING
	if (test != NULL)
		test_syscall(&vm, test);
#endif
	if (cfg.stats)
		vm.stats.setup_ns = vm_now_ns() - t0;
	vm.be->run(&vm);
	/* Its ticks would interrupt the report's writes. */
	vm_disarm_timeout(&vm);
	if (vm.core != NULL &&
	    (vm.end == SVM_END_FAULT || vm.end == SVM_END_TIMEOUT))
		core_write(&vm);
	gdb_end(&vm);
	if (cfg.stats)
		vm_print_stats(&vm, 2, json);
	/* Exit without tearing down: the filter allows nothing else now. */
	if (vm.end == SVM_END_EXIT)
		exit(vm.app_status & 0xff);
	svm_die(svm_end_status(&vm), "%s", vm.err);
}
