/* main.c: the svm-sandbox command: options, lockdown, run, exit status. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "monitor.h"

#ifndef SVM_VERSION
#define SVM_VERSION "0.1.0"
#endif

static const char usage_text[] =
    "usage: svm-sandbox [options] app.bin [-- args...]\n"
    "Run a unikernel app in its own virtual machine.\n"
    "\n"
    "  -m, --mem=SIZE     guest memory in MiB, or with a suffix M or G;\n"
    "                     a multiple of 2 MiB from 2M to 1G (default 32M)\n"
    "      --print-filter print the seccomp allowlist and exit\n"
    "  -h, --help         print this help and exit\n"
    "  -V, --version      print the version and exit\n"
    "\n"
    "Exit status:\n"
    "  0-255  the app's own exit status, when the app exits\n"
    "  1      the app file was refused (not a valid app)\n"
    "  2      usage error (bad option or argument)\n"
    "  3      monitor error (no /dev/kvm, out of resources, KVM failure)\n"
    "  250    the app faulted (CPU exception)\n"
    "  251    the guest triple-faulted\n"
    "  252    the guest broke the ABI (bad hypercall, port or argument)\n"
    "  159    the monitor broke its seccomp filter (killed by SIGSYS)\n"
    "Every status but the app's own comes with one line on stderr.\n";

static _Noreturn void die(int status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static _Noreturn void die(int status, const char *fmt, ...)
{
	char msg[SVM_ERR_LEN + 64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "svm-sandbox: %s\n", msg);
	exit(status);
}

/* SIZE in MiB, or with an M or G suffix; 0 if it does not parse. */
static uint64_t parse_mem(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || v > (1ull << 20))
		return 0;
	if (*end == 'G' || *end == 'g')
		v <<= 10, end++;
	else if (*end == 'M' || *end == 'm')
		end++;
	return *end == '\0' ? v << 20 : 0;
}

#ifdef SVM_TESTING
/* Test build only: make one syscall under the filter, to show it is enforced. */
static void test_syscall(const char *what)
{
	if (strcmp(what, "getpid") == 0)
		syscall(SYS_getpid);
	else if (strcmp(what, "write-fd3") == 0)
		syscall(SYS_write, 3, "", 0);
	else if (strcmp(what, "write-fd1") == 0)
		syscall(SYS_write, 1, "", 0);
	else if (strcmp(what, "ioctl-fd0") == 0)
		syscall(SYS_ioctl, 0, 0xae80 /* KVM_RUN */, 0);
}
#endif

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mem", required_argument, NULL, 'm' },
		{ "print-filter", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
#ifdef SVM_TESTING
		{ "test-syscall", required_argument, NULL, 'T' },
#endif
		{ NULL, 0, NULL, 0 },
	};
	const struct rlimit nocore = { 0, 0 };
	uint64_t mem = SVM_MEM_DEFAULT;
	const char *test = NULL;
	char err[SVM_ERR_LEN];
	struct svm_vm vm;
	int c, rc, app_argc;

	(void)test;
	while ((c = getopt_long(argc, argv, "+m:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if ((mem = parse_mem(optarg)) == 0)
				die(SVM_STATUS_USAGE, "bad --mem '%s'", optarg);
			break;
		case 'F':
			seccomp_print(1);
			return 0;
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
		default:
			/* getopt has printed what was wrong. */
			fputs("usage: svm-sandbox [options] app.bin [-- args...]"
			      " (--help for more)\n", stderr);
			return SVM_STATUS_USAGE;
		}
	}
	if (optind >= argc)
		die(SVM_STATUS_USAGE, "no app file given (--help for usage)");
	/* argv[optind] is the app; its argv[0] too, then what follows "--". */
	app_argc = 1;
	if (optind + 1 < argc) {
		if (strcmp(argv[optind + 1], "--") != 0)
			die(SVM_STATUS_USAGE, "unexpected argument '%s' (app "
			    "arguments go after --)", argv[optind + 1]);
		app_argc = argc - optind - 1;
		argv[optind + 1] = argv[optind];
		optind++;
	}

	/* No core files of guest memory; a closed stdout is an error, not a kill. */
	setrlimit(RLIMIT_CORE, &nocore);
	signal(SIGPIPE, SIG_IGN);

	rc = vm_create(&vm, &svm_backend_kvm, argv[optind], mem, app_argc,
	    argv + optind, err, sizeof(err));
	if (rc != 0)
		die(rc, "%s", err);
	if (seccomp_lockdown(vm.vcpu_fd, err, sizeof(err)) < 0)
		die(SVM_STATUS_MONITOR, "%s", err);
#ifdef SVM_TESTING
	if (test != NULL)
		test_syscall(test);
#endif
	vm.be->run(&vm);

	/* Exit without tearing down: the filter allows nothing else now. */
	switch (vm.end) {
	case SVM_END_EXIT:
		exit(vm.app_status & 0xff);
	case SVM_END_FAULT:
		die(SVM_STATUS_FAULT, "%s", vm.err);
	case SVM_END_SHUTDOWN:
		die(SVM_STATUS_SHUTDOWN, "%s", vm.err);
	case SVM_END_GUEST_ERROR:
		die(SVM_STATUS_GUEST_ERROR, "%s", vm.err);
	case SVM_END_MONITOR_ERROR:
		break;
	}
	die(SVM_STATUS_MONITOR, "%s", vm.err);
}
