/*
 * hcbench: in one process, the round trip of a no-op hypercall through the
 * monitor's exit loop and hypercall table against a raw KVM_RUN loop that only
 * counts the same port-I/O exits from the same CPL-3 guest; then the guest
 * memory an app touched (resident pages of guest memory after its run).
 * Usage: hcbench nop N ROUNDS PROGRAM
 */
#include <linux/kvm.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

#include "monitor.h"

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

/* serve: the VM will be served (reset), so it gets what a reset needs. */
static void create(struct svm_vm *vm, char *path, char *arg, bool serve)
{
	char *argv[] = { path, arg, NULL };
	char err[SVM_ERR_LEN];
	struct svm_config cfg = { .backend = &svm_backend_kvm, .serve = serve };

	if (vm_create(vm, &cfg, path, arg ? 2 : 1, argv, err, sizeof(err)) !=
	    0) {
		fprintf(stderr, "hcbench: %s\n", err);
		exit(1);
	}
}

/* us per hypercall through the real loop and table. */
static double table(char *path, char *n)
{
	struct svm_vm vm;
	double t0, t1;

	create(&vm, path, n, false);
	t0 = now_us();
	vm.be->run(&vm);
	t1 = now_us();
	if (vm.end != SVM_END_EXIT || vm.app_status != 0) {
		fprintf(stderr, "hcbench: run failed: %s\n", vm.err);
		exit(1);
	}
	vm_destroy(&vm);
	return (t1 - t0) / atof(n);
}

/* us per exit of a bare loop that only counts port-I/O exits. */
static double raw(char *path, char *n)
{
	struct svm_vm vm;
	struct kvm_run *run;
	long exits = 0;
	double t0, t1;

	create(&vm, path, n, false);
	run =
	    mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, vm.vcpu_fd, 0);
	if (run == MAP_FAILED) {
		perror("hcbench: mmap");
		exit(1);
	}
	t0 = now_us();
	for (;;) {
		if (ioctl(vm.vcpu_fd, KVM_RUN, 0) < 0 ||
		    run->exit_reason != KVM_EXIT_IO) {
			fprintf(stderr, "hcbench: raw loop: unexpected exit\n");
			exit(1);
		}
		if (run->io.port == SVM_HC_PORT_BASE + SVM_HC_EXIT)
			break;
		exits++;
	}
	t1 = now_us();
	if (exits != atol(n)) {
		fprintf(stderr, "hcbench: raw loop saw %ld exits\n", exits);
		exit(1);
	}
	munmap(run, 4096);
	vm_destroy(&vm);
	return (t1 - t0) / (double)exits;
}

/* The stub hcbench --syscall points LSTAR at, and the kernel's entry. */
static uint64_t bare_stub;

/* sysbench's no-op hypercalls: switch LSTAR to the stub and back. */
static int switch_lstar(struct svm_vm *vm, svm_gpa_t arg)
{
	static int n;
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} m = { .hdr.nmsrs = 1, .e = { .index = 0xc0000082 } };

	(void)arg;
	m.e.data = n++ % 2 == 0 ? bare_stub : SVM_KERNEL_SYSCALL;
	if (ioctl(vm->vcpu_fd, KVM_SET_MSRS, &m) != 1) {
		perror("hcbench: KVM_SET_MSRS");
		exit(1);
	}
	return 0;
}

/*
 * us per call of sysbench MODE N: its own TSC count of the loop, at the
 * rate KVM gives the guest TSC. Its output goes to /dev/null.
 */
static double sysbench(char *path, const char *mode, char *n)
{
	char *argv[] = { path, (char *)mode, n, NULL };
	char err[SVM_ERR_LEN];
	struct svm_config cfg = { .backend = &svm_backend_kvm };
	struct svm_vm vm;
	int fds[2], devnull = open("/dev/null", O_WRONLY);
	char buf[128] = "";
	unsigned long long cycles;
	ssize_t k;

	if (devnull < 0 || pipe(fds) < 0)
		exit(1);
	cfg.stdout_fd = devnull;
	cfg.stderr_fd = fds[1];
	if (vm_create(&vm, &cfg, path, 3, argv, err, sizeof(err)) != 0) {
		fprintf(stderr, "hcbench: %s\n", err);
		exit(1);
	}
	vm.hypercalls[SVM_HC_NOP] = switch_lstar;
	vm.be->run(&vm);
	close(fds[1]);
	k = read(fds[0], buf, sizeof(buf) - 1);
	buf[k > 0 ? k : 0] = '\0';
	close(fds[0]);
	close(devnull);
	if (vm.end != SVM_END_EXIT || vm.app_status != 0 ||
	    sscanf(buf, "cycles %llu", &cycles) != 1) {
		fprintf(stderr, "hcbench: sysbench %s: %s %s\n", mode, vm.err,
		    buf);
		exit(1);
	}
	{
		struct svm_bootinfo *bi = vm_gpa(&vm, vm.bootinfo, sizeof(*bi));
		double us =
		    (double)cycles / (double)bi->tsc_khz * 1e3 / atof(n);

		vm_destroy(&vm);
		return us;
	}
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* KiB of guest memory resident after app ran: what it (and setup) touched. */
static void touched(char *path)
{
	struct svm_vm vm;
	size_t pages, i, n = 0;
	unsigned char *v;

	create(&vm, path, NULL, false);
	vm.be->run(&vm);
	pages = vm.mem_size / 4096;
	v = malloc(pages);
	if (v == NULL || mincore(vm.mem, vm.mem_size, v) < 0) {
		perror("hcbench: mincore");
		exit(1);
	}
	for (i = 0; i < pages; i++)
		n += v[i] & 1;
	printf("guest memory touched by %s: %zu KiB (%zu pages)\n", path, n * 4,
	    n);
	free(v);
	vm_destroy(&vm);
}

/*
 * Median us of a fresh-state call of callee with input in, the reset done
 * by copying into the same mapping or by replacing the mapping.
 */
static double reset_call(char *callee, const char *in, bool remap)
{
	struct svm_vm vm;
	double t[300];
	char out[64];
	size_t len;
	int st, i;

	create(&vm, callee, NULL, true);
	vm.reset_by_remap = remap;
	if (vm_serve_start(&vm, false) < 0) {
		fprintf(stderr, "hcbench: serve: %s\n", vm.err);
		exit(1);
	}
	for (i = -20; i < 300; i++) {
		double t0 = now_us();

		if (vm_call(&vm, in, strlen(in), out, sizeof(out), &len, &st)) {
			fprintf(stderr, "hcbench: call: %s\n", vm.err);
			exit(1);
		}
		if (i >= 0)
			t[i] = now_us() - t0;
	}
	vm_destroy(&vm);
	qsort(t, 300, sizeof(t[0]), cmp);
	return t[150];
}

int main(int argc, char **argv)
{
	double t[64], r[64];
	int rounds, i;

	if (argc == 5 && strcmp(argv[1], "--syscall") == 0) {
		/* A system call the guest kernel answers, against a bare one.
		 */
		bare_stub = strtoull(argv[3], NULL, 16);
		for (i = 0; i < 5; i++) {
			t[i] = sysbench(argv[2], "kernel", argv[4]);
			r[i] = sysbench(argv[2], "bare", argv[4]);
		}
		qsort(t, 5, sizeof(t[0]), cmp);
		qsort(r, 5, sizeof(r[0]), cmp);
		printf("system call answered in the guest (getppid): median "
		       "%.3f us\n",
		    t[2]);
		printf("bare syscall to a jmp *%%rcx stub:             median "
		       "%.3f us\n",
		    r[2]);
		printf("ratio %.2f (5 rounds of %s calls each)\n", t[2] / r[2],
		    argv[4]);
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "--write") == 0) {
		/* write(1) through the kernel against the write hypercall. */
		for (i = 0; i < 5; i++) {
			t[i] = sysbench(argv[2], "write", argv[3]);
			r[i] = sysbench(argv[2], "hcwrite", argv[3]);
		}
		qsort(t, 5, sizeof(t[0]), cmp);
		qsort(r, 5, sizeof(r[0]), cmp);
		printf("write(1, line) through the guest kernel: median %.2f "
		       "us\n",
		    t[2]);
		printf("the write hypercall itself:               median %.2f "
		       "us\n",
		    r[2]);
		printf("ratio %.3f (5 rounds of %s lines each)\n", t[2] / r[2],
		    argv[3]);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "--reset") == 0) {
		/* Function mode's reset: in place against replacing pages. */
		printf("fresh-state call, a few pages dirtied: in place %.2f "
		       "us, "
		       "replacing the mapping %.2f us\n",
		    reset_call(argv[2], "x", false),
		    reset_call(argv[2], "x", true));
		printf("fresh-state call, 100 pages dirtied: in place %.2f us, "
		       "replacing the mapping %.2f us\n",
		    reset_call(argv[2], "dirty", false),
		    reset_call(argv[2], "dirty", true));
		return 0;
	}
	if (argc != 5 || (rounds = atoi(argv[3])) < 1 || rounds > 64) {
		fprintf(stderr,
		    "usage: hcbench nop N ROUNDS PROGRAM\n"
		    "       hcbench --reset callee\n");
		return 2;
	}
	for (i = 0; i < rounds; i++) {
		t[i] = table(argv[1], argv[2]);
		r[i] = raw(argv[1], argv[2]);
	}
	qsort(t, (size_t)rounds, sizeof(t[0]), cmp);
	qsort(r, (size_t)rounds, sizeof(r[0]), cmp);
	printf("no-op hypercall (loop + table): median %.2f us per call\n",
	    t[rounds / 2]);
	printf("raw port-I/O exit (bare loop):  median %.2f us per exit\n",
	    r[rounds / 2]);
	printf("ratio %.3f (%d rounds of %s calls each)\n",
	    t[rounds / 2] / r[rounds / 2], rounds, argv[2]);
	touched(argv[4]);
	return 0;
}
