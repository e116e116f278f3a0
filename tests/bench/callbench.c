/*
 * callbench: function mode through the public API: warm and fresh-state call
 * latency, a call that dirties 100 pages, create + call + destroy (a new VM,
 * KVM's floor for one, a recycled VM), calls per second with one sandbox per
 * thread, and the memory an idle sandbox costs.
 * Usage: callbench BUILD-DIR THREADS IDLE
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "svm_sandbox.h"

static char noop[512], callee[512];

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	return v[n / 2];
}

static struct svm_sandbox *serving(const char *path, int warm)
{
	struct svm_sandbox_config cfg;
	struct svm_sandbox_result r;
	struct svm_sandbox *sb;
	char *argv[] = { (char *)path, NULL };

	svm_sandbox_config_init(&cfg);
	cfg.warm = warm;
	if (svm_sandbox_create(&cfg, path, 1, argv, &sb, &r) < 0 ||
	    svm_sandbox_serve(sb, &r) < 0) {
		fprintf(stderr, "callbench: %s: %s\n", path, r.message);
		exit(1);
	}
	return sb;
}

static void call(struct svm_sandbox *sb, const char *in)
{
	struct svm_sandbox_result r;
	char out[256];

	if (svm_sandbox_call(sb, in, strlen(in), out, sizeof(out), &r) < 0 ||
	    r.kind != SVM_SANDBOX_ANSWERED) {
		fprintf(stderr, "callbench: call: %s\n", r.message);
		exit(1);
	}
}

/* Median us per call of n calls with input in (after a warm-up). */
static double latency(struct svm_sandbox *sb, const char *in, int n)
{
	double *t = malloc((size_t)n * sizeof(*t)), m;
	int i;

	for (i = 0; i < 20; i++)
		call(sb, in);
	for (i = 0; i < n; i++) {
		double t0 = now_us();

		call(sb, in);
		t[i] = now_us() - t0;
	}
	m = median(t, n);
	free(t);
	return m;
}

/*
 * Median us for create + serve + call + destroy; recycle: reuse the VM.
 * phases gets the medians of the four steps.
 */
static double lifecycle(int n, int recycle, double phases[4])
{
	double *t = malloc((size_t)n * 5 * sizeof(*t)), m;
	struct svm_sandbox_config cfg;
	struct svm_sandbox_result r;
	char *argv[] = { noop, NULL };
	int i, k;

	svm_sandbox_config_init(&cfg);
	cfg.recycle = (unsigned)recycle;
	for (i = 0; i < n; i++) {
		struct svm_sandbox *sb;
		double t0 = now_us(), t1, t2, t3;

		if (svm_sandbox_create(&cfg, noop, 1, argv, &sb, &r) < 0)
			goto fail;
		t1 = now_us();
		if (svm_sandbox_serve(sb, &r) < 0)
			goto fail;
		t2 = now_us();
		call(sb, "x");
		t3 = now_us();
		svm_sandbox_destroy(sb);
		t[i] = now_us() - t0;
		t[n + i] = t1 - t0;
		t[2 * n + i] = t2 - t1;
		t[3 * n + i] = t3 - t2;
		t[4 * n + i] = t0 + t[i] - t3;
	}
	svm_sandbox_drain();
	m = median(t, n);
	for (k = 0; k < 4; k++)
		phases[k] = median(t + (k + 1) * n, n);
	free(t);
	return m;
fail:
	fprintf(stderr, "callbench: %s: %s\n", noop, r.message);
	exit(1);
}

/*
 * The floor under a new VM: what KVM alone takes to create a VM with the
 * same memory and one vCPU, and to destroy them, with nothing run.
 */
static double kvm_floor(int n)
{
	double *t = malloc((size_t)n * sizeof(*t)), m;
	size_t mem = 32u << 20;
	int i;

	for (i = 0; i < n; i++) {
		double t0 = now_us();
		int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC), vm, vcpu;
		void *p = mmap(NULL, mem, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		struct kvm_userspace_memory_region r = {
			.memory_size = mem,
			.userspace_addr = (uintptr_t)p,
		};
		long sz = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
		void *run;

		if (kvm < 0 || p == MAP_FAILED ||
		    (vm = ioctl(kvm, KVM_CREATE_VM, 0)) < 0 ||
		    ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r) < 0 ||
		    (vcpu = ioctl(vm, KVM_CREATE_VCPU, 0)) < 0 ||
		    (run = mmap(NULL, (size_t)sz, PROT_READ | PROT_WRITE,
		         MAP_SHARED, vcpu, 0)) == MAP_FAILED) {
			perror("callbench: KVM floor");
			exit(1);
		}
		munmap(run, (size_t)sz);
		close(vcpu);
		close(vm);
		close(kvm);
		munmap(p, mem);
		t[i] = now_us() - t0;
	}
	m = median(t, n);
	free(t);
	return m;
}

static double seconds = 2.0;

static void *worker(void *arg)
{
	struct svm_sandbox *sb = serving(noop, 0);
	long *count = arg;
	double end = now_us() + seconds * 1e6;

	while (now_us() < end) {
		call(sb, "x");
		(*count)++;
	}
	svm_sandbox_destroy(sb);
	return NULL;
}

static double throughput(int threads)
{
	pthread_t t[64];
	long counts[64] = { 0 }, total = 0;
	int i;

	for (i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, worker, &counts[i]);
	for (i = 0; i < threads; i++) {
		pthread_join(t[i], NULL);
		total += counts[i];
	}
	return (double)total / seconds;
}

/* KiB from /proc/meminfo ("MemAvailable") or /proc/self/status ("VmRSS"). */
static long kib(const char *file, const char *key)
{
	char line[256];
	long v = -1;
	FILE *f = fopen(file, "r");

	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, strlen(key)) == 0)
			v = atol(line + strlen(key) + 1);
	if (f != NULL)
		fclose(f);
	return v;
}

static void idle(int n)
{
	struct svm_sandbox **sb = calloc((size_t)n, sizeof(*sb));
	struct rlimit nofile = { 65536, 65536 };
	long avail0, rss0, avail1, rss1, per;
	int i;

	/* Three fds a sandbox (/dev/kvm, the VM, the vCPU). */
	setrlimit(RLIMIT_NOFILE, &nofile);
	avail0 = kib("/proc/meminfo", "MemAvailable:");
	rss0 = kib("/proc/self/status", "VmRSS:");
	for (i = 0; i < n; i++) {
		sb[i] = serving(noop, 0);
		call(sb[i], "x");
	}
	avail1 = kib("/proc/meminfo", "MemAvailable:");
	rss1 = kib("/proc/self/status", "VmRSS:");
	per = (avail0 - avail1) / n;
	printf("idle sandboxes: %d serving noop sandboxes took %ld KiB of "
	       "MemAvailable (%ld KiB each, monitor RSS %ld KiB each); at "
	       "that rate %ld fit in the %ld KiB available\n",
	    n, avail0 - avail1, per, (rss1 - rss0) / n,
	    per > 0 ? avail1 / per : 0, avail1);
	for (i = 0; i < n; i++)
		svm_sandbox_destroy(sb[i]);
	free(sb);
}

int main(int argc, char **argv)
{
	struct svm_sandbox *sb;
	double life, ph[4];
	int threads = argc > 2 ? atoi(argv[2]) : 2, n_idle;

	if (argc != 4 || threads < 1 || threads > 64 ||
	    (n_idle = atoi(argv[3])) < 1) {
		fprintf(stderr, "usage: callbench BUILD-DIR THREADS IDLE\n");
		return 2;
	}
	snprintf(noop, sizeof(noop), "%s/apps/noop/noop", argv[1]);
	snprintf(callee, sizeof(callee), "%s/tests/guests/callee", argv[1]);

	sb = serving(noop, 1);
	printf("warm call (noop, warm VM): median %.2f us\n",
	    latency(sb, "x", 2000));
	svm_sandbox_destroy(sb);
	sb = serving(noop, 0);
	printf("fresh-state call (noop, reset + call): median %.2f us\n",
	    latency(sb, "x", 2000));
	svm_sandbox_destroy(sb);
	sb = serving(callee, 0);
	printf("fresh-state call dirtying 100 pages: median %.2f us\n",
	    latency(sb, "dirty", 500));
	svm_sandbox_destroy(sb);
	life = lifecycle(100, 0, ph);
	printf("create + serve + call + destroy (noop), new VM: median %.2f "
	       "us\n",
	    life);
	printf("  steps (medians): create %.0f, serve %.0f, call %.0f, "
	       "destroy %.0f us\n",
	    ph[0], ph[1], ph[2], ph[3]);
	printf("  floor: KVM alone creating and destroying such a VM: median "
	       "%.2f us\n",
	    kvm_floor(100));
	life = lifecycle(300, 1, ph);
	printf("create + serve + call + destroy (noop), recycled VM: median "
	       "%.2f us\n",
	    life);
	printf("  steps (medians): create %.0f, serve %.0f, call %.0f, "
	       "destroy %.0f us\n",
	    ph[0], ph[1], ph[2], ph[3]);
	printf("calls per second, 1 thread: %.0f\n", throughput(1));
	printf("calls per second, %d threads (a sandbox each): %.0f\n", threads,
	    throughput(threads));
	idle(n_idle);
	return 0;
}
