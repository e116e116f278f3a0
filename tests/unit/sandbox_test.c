/*
 * sandbox_test: the public library (svm_sandbox.h) as an embedder uses it,
 * linked against the host libc: runs, typed results, function mode, two
 * sandboxes on two threads at once, a locked-down child process, recycling.
 * Usage: sandbox_test BUILD-DIR [svmk tdp|shadow]; needs /dev/kvm, or
 * /dev/svmk with the svmk arguments (run inside the QEMU machine).
 */
#include <dirent.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "svm_sandbox.h"

/* The library's test hooks, from its internal header (monitor.h). */
extern unsigned svm_test_skip;
#define SVM_TEST_LATE_SIGNAL 16

static int passed, failed;
/* The backend under test: KVM unless the arguments name svmk. */
static enum svm_sandbox_backend backend = SVM_SANDBOX_KVM;
static enum svm_sandbox_paging paging = SVM_SANDBOX_PAGING_DEFAULT;

static void config(struct svm_sandbox_config *cfg)
{
	svm_sandbox_config_init(cfg);
	cfg->backend = backend;
	cfg->paging = paging;
}
static char hello[512], callee[512], div0[512], spin[512], leak[512],
    canary[512];

static void check(int ok, const char *name, const struct svm_sandbox_result *r)
{
	if (ok) {
		passed++;
		printf("ok   library: %s\n", name);
		return;
	}
	failed++;
	printf("FAIL library: %s\n", name);
	if (r != NULL)
		printf("     kind %s, status %d, out_len %zu: %s\n",
		    svm_sandbox_kind_name(r->kind), r->status, r->out_len,
		    r->message);
}

static void test_run(void)
{
	struct svm_sandbox_config cfg;
	struct svm_sandbox_result r;
	struct svm_sandbox *sb;
	char *argv[] = { hello, NULL }, buf[64] = "";
	int p[2];
	ssize_t n;

	config(&cfg);
	if (pipe(p) < 0)
		abort();
	cfg.stdout_fd = p[1];
	check(svm_sandbox_create(&cfg, hello, 1, argv, &sb, &r) == 0 &&
	        svm_sandbox_run(sb, &r) == 0 && r.kind == SVM_SANDBOX_EXITED &&
	        r.status == 0,
	    "run hello: exited 0", &r);
	n = read(p[0], buf, sizeof(buf) - 1);
	check(n > 0 && strcmp(buf, "Hello from svm-sandbox!\n") == 0,
	    "the app's output goes to the configured fd", NULL);
	check(svm_sandbox_run(sb, &r) == -1 && r.kind == SVM_SANDBOX_BAD_CONFIG,
	    "a second run is refused", &r);
	svm_sandbox_destroy(sb);
	close(p[0]);
	close(p[1]);
}

static void test_image_and_errors(void)
{
	struct svm_sandbox_config cfg;
	struct svm_sandbox_result r;
	struct svm_sandbox *sb;
	static char image[1 << 20];
	char *argv[] = { "image", NULL };
	int fd = open(hello, O_RDONLY);
	ssize_t len = fd >= 0 ? read(fd, image, sizeof(image)) : -1;

	if (fd >= 0)
		close(fd);
	config(&cfg);
	cfg.stdout_fd = open("/dev/null", O_WRONLY);
	check(len > 0 &&
	        svm_sandbox_create_image(&cfg, image, (size_t)len, 1, argv, &sb,
	            &r) == 0 &&
	        svm_sandbox_run(sb, &r) == 0 && r.kind == SVM_SANDBOX_EXITED,
	    "run an image from memory", &r);
	svm_sandbox_destroy(sb);
	check(svm_sandbox_create_image(&cfg, "#!/bin/sh\n", 10, 1, argv, &sb,
	          &r) == -1 &&
	        r.kind == SVM_SANDBOX_BAD_APP && sb == NULL,
	    "a bad image is BAD_APP", &r);
	cfg.mem_size = 3 << 20;
	check(svm_sandbox_create(&cfg, hello, 1, argv, &sb, &r) == -1 &&
	        r.kind == SVM_SANDBOX_BAD_CONFIG,
	    "3 MiB of memory is BAD_CONFIG", &r);
	config(&cfg);
	check(svm_sandbox_create(&cfg, div0, 1, argv, &sb, &r) == 0 &&
	        svm_sandbox_run(sb, &r) == 0 && r.kind == SVM_SANDBOX_FAULT &&
	        r.fault.vector == 0 && r.fault.rip >= 0x100000,
	    "divide by zero is FAULT with vector 0", &r);
	svm_sandbox_destroy(sb);
	cfg.timeout_ms = 100;
	check(svm_sandbox_create(&cfg, spin, 1, argv, &sb, &r) == 0 &&
	        svm_sandbox_run(sb, &r) == 0 && r.kind == SVM_SANDBOX_TIMEOUT,
	    "a spinning app is TIMEOUT", &r);
	/*
	 * The library's test hook (monitor.h): destroy raises the timer's
	 * signal once the run page and guest memory are unmapped, as a late
	 * timer would. Its handler must touch neither: the process lives on
	 * and the next sandbox runs.
	 */
	svm_test_skip |= SVM_TEST_LATE_SIGNAL;
	svm_sandbox_destroy(sb);
	svm_test_skip &= ~SVM_TEST_LATE_SIGNAL;
	cfg.timeout_ms = 0;
	check(svm_sandbox_create(&cfg, div0, 1, argv, &sb, &r) == 0 &&
	        svm_sandbox_run(sb, &r) == 0 && r.kind == SVM_SANDBOX_FAULT &&
	        r.fault.vector == 0,
	    "a timer signal after destroy reaches nothing of the VM; the next "
	    "one runs",
	    &r);
	svm_sandbox_destroy(sb);
}

/* n calls on a fresh callee sandbox; 0 if every answer was right. */
static int calls(int n, int warm, int *bad_call)
{
	struct svm_sandbox_config cfg;
	struct svm_sandbox_result r;
	struct svm_sandbox *sb;
	char *argv[] = { callee, NULL }, out[128], want[128], in[32];
	int i, errors = 0;

	config(&cfg);
	cfg.warm = warm;
	cfg.timeout_ms = 2000;
	if (svm_sandbox_create(&cfg, callee, 1, argv, &sb, &r) < 0 ||
	    svm_sandbox_serve(sb, &r) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		snprintf(in, sizeof(in), "req%d", i);
		snprintf(want, sizeof(want), "call %d: %s", warm ? i + 1 : 1,
		    in);
		if (svm_sandbox_call(sb, in, strlen(in), out, sizeof(out), &r) <
		        0 ||
		    r.kind != SVM_SANDBOX_ANSWERED ||
		    r.out_len != strlen(want) ||
		    memcmp(out, want, r.out_len) != 0) {
			errors++;
			*bad_call = i;
		}
	}
	svm_sandbox_destroy(sb);
	return errors;
}

static void test_calls(void)
{
	struct svm_sandbox_config cfg;
	struct svm_sandbox_result r;
	struct svm_sandbox *sb;
	char *argv[] = { callee, NULL }, out[128];
	int bad = -1;

	check(calls(200, 0, &bad) == 0, "200 calls, each from the snapshot",
	    NULL);
	check(calls(50, 1, &bad) == 0, "warm: 50 calls that count", NULL);

	config(&cfg);
	cfg.timeout_ms = 300;
	if (svm_sandbox_create(&cfg, callee, 1, argv, &sb, &r) < 0 ||
	    svm_sandbox_serve(sb, &r) < 0) {
		check(0, "serve callee", &r);
		return;
	}
	check(svm_sandbox_call(sb, "div0", 4, out, sizeof(out), &r) == 0 &&
	        r.kind == SVM_SANDBOX_FAULT && r.fault.vector == 0,
	    "a faulting call is FAULT", &r);
	check(svm_sandbox_call(sb, "spin", 4, out, sizeof(out), &r) == 0 &&
	        r.kind == SVM_SANDBOX_TIMEOUT,
	    "a spinning call is TIMEOUT", &r);
	check(svm_sandbox_call(sb, "abc", 3, out, 5, &r) == 0 &&
	        r.kind == SVM_SANDBOX_OUTPUT_LIMIT,
	    "an answer longer than out_cap is OUTPUT_LIMIT", &r);
	check(svm_sandbox_call(sb, "after", 5, out, sizeof(out), &r) == 0 &&
	        r.kind == SVM_SANDBOX_ANSWERED && r.out_len == 13 &&
	        memcmp(out, "call 1: after", 13) == 0,
	    "and the next call is pristine", &r);
	svm_sandbox_destroy(sb);
}

static void *worker(void *arg)
{
	int bad = -1;

	*(int *)arg = calls(300, 0, &bad);
	return NULL;
}

static void test_threads(void)
{
	pthread_t t[2];
	int errs[2] = { -1, -1 }, i;

	for (i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, worker, &errs[i]);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	check(errs[0] == 0 && errs[1] == 0,
	    "two threads, a sandbox each, 300 calls each at once", NULL);
}

/* The recommended confinement: a child process per worker, locked down. */
static void test_lockdown(void)
{
	struct svm_sandbox_config cfg;
	struct svm_sandbox_result r;
	struct svm_sandbox *sb;
	struct sock_fprog prog = { 0, NULL };
	char *argv[] = { callee, NULL }, out[64];
	int st, i, ok = 1;
	pid_t pid;

	config(&cfg);
	cfg.timeout_ms = 1000;
	if (svm_sandbox_create(&cfg, callee, 1, argv, &sb, &r) == 0 &&
	    svm_sandbox_filter(sb, &prog, &r) == 0)
		check(prog.len > 10 &&
		        prog.filter[0].code == (BPF_LD | BPF_W | BPF_ABS),
		    "the filter comes out as BPF to compose with one's own",
		    &r);
	free(prog.filter);
	svm_sandbox_destroy(sb);

	fflush(stdout);
	if ((pid = fork()) == 0) {
		if (svm_sandbox_create(&cfg, callee, 1, argv, &sb, &r) < 0 ||
		    svm_sandbox_serve(sb, &r) < 0 ||
		    svm_sandbox_lockdown(sb, &r) < 0)
			_exit(2);
		for (i = 0; i < 20; i++)
			ok &= svm_sandbox_call(sb, "x", 1, out, sizeof(out),
			          &r) == 0 &&
			    r.kind == SVM_SANDBOX_ANSWERED;
		ok &= svm_sandbox_call(sb, "spin", 4, out, sizeof(out), &r) ==
		        0 &&
		    r.kind == SVM_SANDBOX_TIMEOUT;
		ok &= svm_sandbox_call(sb, "x", 1, out, sizeof(out), &r) == 0 &&
		    r.kind == SVM_SANDBOX_ANSWERED;
		_exit(ok ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "a locked-down child serves calls, a timeout among them", NULL);

	/* The order the header gives: create, lock down, then run. */
	fflush(stdout);
	if ((pid = fork()) == 0) {
		struct svm_sandbox *other;

		if (svm_sandbox_create(&cfg, hello, 1,
		        (char *[]) { hello, NULL }, &sb, &r) < 0 ||
		    svm_sandbox_lockdown(sb, &r) < 0)
			_exit(2);
		ok = svm_sandbox_run(sb, &r) == 0 &&
		    r.kind == SVM_SANDBOX_EXITED && r.status == 0;
		svm_sandbox_destroy(sb); /* does nothing: no kill */
		ok &= svm_sandbox_create(&cfg, hello, 1,
		          (char *[]) { hello, NULL }, &other, &r) < 0 &&
		    r.kind == SVM_SANDBOX_BAD_CONFIG;
		svm_sandbox_drain();
		_exit(ok ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "create, lock down, run, destroy: no kill; a create after lockdown "
	    "is refused",
	    NULL);
	/* Serving needs what the filter refuses: an error, not a kill. */
	fflush(stdout);
	if ((pid = fork()) == 0) {
		if (svm_sandbox_create(&cfg, callee, 1, argv, &sb, &r) < 0 ||
		    svm_sandbox_lockdown(sb, &r) < 0)
			_exit(2);
		ok = svm_sandbox_serve(sb, &r) < 0 &&
		    r.kind == SVM_SANDBOX_BAD_CONFIG &&
		    strstr(r.message, "locked down") != NULL;
		ok &= svm_sandbox_filter(sb, &prog, &r) < 0;
		svm_sandbox_destroy(sb);
		_exit(ok ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "serve after lockdown is refused with an error, not killed", NULL);
	if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0))
		printf("     child: %s %d\n",
		    WIFSIGNALED(st) ? "signal" : "status",
		    WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
}

/*
 * The app's input in function mode is only its call's, even where stdin_fd
 * is the runner's own channel; and the filter allows writes to exactly the
 * sandbox's output fds (not fd 1 when the app's output goes elsewhere).
 */
static void test_channel(void)
{
	struct svm_sandbox_config cfg;
	struct svm_sandbox_result r;
	struct svm_sandbox *sb;
	char *argv[] = { callee, NULL }, out[128] = "", left[32] = "";
	int in[2], outp[2], st, ok;
	pid_t pid;

	config(&cfg);
	if (pipe(in) < 0 || pipe(outp) < 0)
		abort();
	if (write(in[1], "tenant B: password=1", 20) != 20)
		abort();
	cfg.stdin_fd = in[0];
	cfg.stdout_fd = outp[1];
	ok = svm_sandbox_create(&cfg, callee, 1, argv, &sb, &r) == 0 &&
	    svm_sandbox_serve(sb, &r) == 0 &&
	    svm_sandbox_call(sb, "read", 4, out, sizeof(out) - 1, &r) == 0 &&
	    r.kind == SVM_SANDBOX_ANSWERED;
	out[ok ? r.out_len : 0] = '\0';
	check(ok && strcmp(out, "call 1: read 0 ") == 0 &&
	        read(in[0], left, sizeof(left)) == 20,
	    "serving, the app reads end of input, not the runner's stdin_fd",
	    &r);
	fflush(stdout);
	if ((pid = fork()) == 0) {
		if (svm_sandbox_lockdown(sb, &r) < 0)
			_exit(2);
		/* The app's output is outp[1]: fd 1 is not the sandbox's. */
		(void)!write(outp[1], "", 0);
		(void)!write(1, "", 0);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS,
	    "the filter allows the sandbox's output fd, and not fd 1", NULL);
	svm_sandbox_destroy(sb);
	close(in[0]);
	close(in[1]);
	close(outp[0]);
	close(outp[1]);
}

/* Open fds of this process: a parked VM keeps its three. */
static int fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	while (d != NULL && (e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	if (d != NULL)
		closedir(d);
	return n;
}

/* Run app with args in a sandbox from cfg; its output goes to out. */
static int app_run(char *app, const struct svm_sandbox_config *c, char *a1,
    char *a2, char *out, size_t cap, struct svm_sandbox_result *r, int *reused)
{
	struct svm_sandbox_config cfg = *c;
	struct svm_sandbox *sb;
	char *argv[] = { app, a1, a2, NULL };
	int p[2], before = fds(), rc;
	ssize_t n;

	if (pipe(p) < 0)
		abort();
	cfg.stdout_fd = p[1];
	before += 2;
	if (svm_sandbox_create(&cfg, app, a2 ? 3 : 2, argv, &sb, r) < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	/* A new VM opens /dev/kvm, the VM and the vCPU; a parked one none. */
	*reused = fds() == before;
	rc = svm_sandbox_run(sb, r);
	svm_sandbox_destroy(sb);
	close(p[1]);
	n = read(p[0], out, cap - 1);
	out[n > 0 ? n : 0] = '\0';
	close(p[0]);
	return rc;
}

/* leak plants a secret in memory, canary in every register. */
static int leak_run(const struct svm_sandbox_config *c, char *a1, char *a2,
    char *out, size_t cap, struct svm_sandbox_result *r, int *reused)
{
	return app_run(leak, c, a1, a2, out, cap, r, reused);
}

static int canary_run(const struct svm_sandbox_config *c, char *a1, char *a2,
    char *out, size_t cap, struct svm_sandbox_result *r, int *reused)
{
	return app_run(canary, c, a1, a2, out, cap, r, reused);
}

/* 50 sandboxes in a row on one thread, recycling: 0 if all ran right. */
static void *recycler(void *arg)
{
	struct svm_sandbox_config cfg;
	char out[64];
	struct svm_sandbox_result r;
	int i, reused, bad = 0;

	config(&cfg);
	cfg.recycle = 1;
	for (i = 0; i < 50; i++)
		bad += leak_run(&cfg, "scan", NULL, out, sizeof(out), &r,
		           &reused) != 0 ||
		    r.kind != SVM_SANDBOX_EXITED || r.status != 0 ||
		    strcmp(out, "clean\n") != 0;
	*(int *)arg = bad;
	return NULL;
}

static void test_recycle(void)
{
	static const struct {
		char *how;
		enum svm_sandbox_kind kind;
	} ends[] = {
		{ "exit", SVM_SANDBOX_EXITED },
		{ "fault", SVM_SANDBOX_FAULT },
		{ "spin", SVM_SANDBOX_TIMEOUT },
	};
	static const char *const host_xcr0[] = { "CANARY_HOST_XCR0=1" };
	struct svm_sandbox_config cfg;
	struct svm_sandbox_result r;
	struct svm_sandbox *sb;
	char out[256], name[128], *argv[] = { callee, NULL };
	unsigned i;
	int reused, base, st, errs[2] = { -1, -1 };
	pthread_t t[2];
	pid_t pid;

	config(&cfg);
	/* As in tests/run.sh: where a VEX instruction runs though the guest's
	 * CPUID says no OSXSAVE (PVM where CPUID traps), the canary is told to
	 * read XCR0 anyway, so that AVX and AVX-512 are planted too. */
	if (canary_run(&cfg, "avx", NULL, out, sizeof(out), &r, &reused) == 0 &&
	    r.kind == SVM_SANDBOX_EXITED && r.status == 0 &&
	    strcmp(out, "avx not enabled\nvex ran\n") == 0) {
		cfg.env = host_xcr0;
		cfg.nenv = 1;
	}
	svm_sandbox_drain();
	base = fds();
	cfg.recycle = 1;
	cfg.timeout_ms = 300;
	if (backend != SVM_SANDBOX_KVM) {
		/* Only KVM recycles: svmk's destroy closes, and all is new. */
		for (i = 0; i < 2; i++)
			check(leak_run(&cfg, "plant", "exit", out, sizeof(out),
			          &r, &reused) == 0 &&
			        r.kind == SVM_SANDBOX_EXITED && !reused &&
			        fds() == base,
			    "recycle: svmk ignores it (destroy closes the VM)",
			    &r);
		check(leak_run(&cfg, "scan", NULL, out, sizeof(out), &r,
		          &reused) == 0 &&
		        r.status == 0 && strcmp(out, "clean\n") == 0,
		    "recycle: svmk: the next app finds no secret", &r);
		return;
	}
	for (i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		check(leak_run(&cfg, "plant", ends[i].how, out, sizeof(out), &r,
		          &reused) == 0 &&
		        r.kind == ends[i].kind && fds() == base + 3,
		    "recycle: destroy parks the VM (its fds stay open)", &r);
		snprintf(name, sizeof(name),
		    "recycle: after '%s' the next app reuses the VM and "
		    "finds no secret in memory or registers",
		    ends[i].how);
		check(leak_run(&cfg, "scan", NULL, out, sizeof(out), &r,
		          &reused) == 0 &&
		        r.kind == SVM_SANDBOX_EXITED && r.status == 0 &&
		        reused && strcmp(out, "clean\n") == 0,
		    name, &r);
		if (strcmp(out, "clean\n") != 0)
			printf("     scan said: %s", out);
		check(canary_run(&cfg, "plant", ends[i].how, out, sizeof(out),
		          &r, &reused) == 0 &&
		        r.kind == ends[i].kind && fds() == base + 3,
		    "recycle: a canary in every register, then parked", &r);
		snprintf(name, sizeof(name),
		    "recycle: after '%s' the next app finds no canary in a "
		    "register (general, flags, segments, FS/GS base, every "
		    "XSAVE component)",
		    ends[i].how);
		check(canary_run(&cfg, "scan", NULL, out, sizeof(out), &r,
		          &reused) == 0 &&
		        r.kind == SVM_SANDBOX_EXITED && r.status == 0 &&
		        reused && strcmp(out, "clean\n") == 0,
		    name, &r);
		if (strcmp(out, "clean\n") != 0)
			printf("     scan said: %s", out);
	}

	/* Function mode leaves a dirty log on; the next app starts clean. */
	check(svm_sandbox_create(&cfg, callee, 1, argv, &sb, &r) == 0 &&
	        fds() == base + 3 && svm_sandbox_serve(sb, &r) == 0 &&
	        svm_sandbox_call(sb, "dirty", 5, out, sizeof(out), &r) == 0 &&
	        r.kind == SVM_SANDBOX_ANSWERED,
	    "recycle: a parked VM serves calls", &r);
	svm_sandbox_destroy(sb);
	check(leak_run(&cfg, "scan", NULL, out, sizeof(out), &r, &reused) ==
	            0 &&
	        r.status == 0 && reused && strcmp(out, "clean\n") == 0,
	    "recycle: a VM that served calls is reused clean", &r);

	/* A forked child cannot use its parent's VMs: it gets its own. */
	fflush(stdout);
	if ((pid = fork()) == 0)
		_exit(fds() == base &&
		            leak_run(&cfg, "scan", NULL, out, sizeof(out), &r,
		                &reused) == 0 &&
		            r.status == 0 && !reused ?
		        0 :
		        1);
	waitpid(pid, &st, 0);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0 && fds() == base + 3,
	    "recycle: a forked child drops the parked VMs it inherits", NULL);

	cfg.mem_size *= 2;
	cfg.recycle = 2;
	check(leak_run(&cfg, "scan", NULL, out, sizeof(out), &r, &reused) ==
	            0 &&
	        r.status == 0 && !reused && fds() == base + 6,
	    "recycle: another memory size gets a new VM (both parked)", &r);
	cfg.recycle = 0;
	check(leak_run(&cfg, "scan", NULL, out, sizeof(out), &r, &reused) ==
	            0 &&
	        r.status == 0 && !reused && fds() == base + 6,
	    "recycle: 0 neither takes a parked VM nor parks", &r);
	svm_sandbox_drain();
	check(fds() == base, "recycle: svm_sandbox_drain closes parked VMs",
	    NULL);
	/* A new VM on the same thread: PVM keeps segments in the thread. */
	check(canary_run(&cfg, "plant", "exit", out, sizeof(out), &r,
	          &reused) == 0 &&
	        canary_run(&cfg, "scan", NULL, out, sizeof(out), &r, &reused) ==
	            0 &&
	        r.status == 0 && !reused && strcmp(out, "clean\n") == 0,
	    "recycle 0: the next new VM on the thread finds no canary", &r);
	if (strcmp(out, "clean\n") != 0)
		printf("     scan said: %s", out);

	/* One pool per thread: two threads recycling at once, then exiting. */
	for (i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, recycler, &errs[i]);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	check(errs[0] == 0 && errs[1] == 0 && fds() == base,
	    "recycle: two threads, 50 sandboxes each on a recycled VM; a "
	    "thread's parked VM is closed when it exits",
	    NULL);
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[2], "svmk") == 0 &&
	    (strcmp(argv[3], "tdp") == 0 || strcmp(argv[3], "shadow") == 0)) {
		backend = SVM_SANDBOX_SVMK;
		paging = argv[3][0] == 't' ? SVM_SANDBOX_PAGING_TDP :
		                             SVM_SANDBOX_PAGING_SHADOW;
	} else if (argc != 2) {
		fprintf(stderr,
		    "usage: sandbox_test BUILD-DIR [svmk tdp|shadow]\n");
		return 2;
	}
	snprintf(hello, sizeof(hello), "%s/apps/hello/hello", argv[1]);
	snprintf(callee, sizeof(callee), "%s/tests/guests/callee", argv[1]);
	snprintf(div0, sizeof(div0), "%s/tests/guests/div0", argv[1]);
	snprintf(spin, sizeof(spin), "%s/tests/guests/spin", argv[1]);
	snprintf(leak, sizeof(leak), "%s/tests/guests/leak", argv[1]);
	snprintf(canary, sizeof(canary), "%s/tests/guests/canary", argv[1]);
	test_run();
	test_image_and_errors();
	test_calls();
	test_threads();
	test_lockdown();
	test_channel();
	test_recycle();
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
