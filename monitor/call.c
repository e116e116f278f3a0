/* call.c: function mode: the snapshot at READY, calls, and the reset between.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "monitor.h"

#define BITS (8 * sizeof(unsigned long))

static void set_bits(unsigned long *map, uint64_t first, uint64_t last)
{
	uint64_t p;

	for (p = first; p <= last; p++)
		map[p / BITS] |= 1ul << (p % BITS);
}

void vm_mark_written(struct svm_vm *vm, svm_gpa_t gpa, uint64_t len)
{
	if (!vm->serving || len == 0)
		return;
	set_bits(vm->dirty, gpa / SVM_PAGE_SIZE,
	    (gpa + len - 1) / SVM_PAGE_SIZE);
}

/* Copy the app's struct svm_call once and check all it names. */
static int get_call(struct svm_vm *vm, svm_gpa_t gpa, struct svm_call *c)
{
	const void *src = vm_gpa_out(vm, gpa, sizeof(*c));

	if (src == NULL)
		return vm_end(vm, SVM_END_GUEST_ERROR,
		    "call struct at %#llx not writable by the program",
		    (unsigned long long)gpa);
	memcpy(c, src, sizeof(*c));
	if (vm_gpa_out(vm, c->in, c->in_cap) == NULL ||
	    vm_gpa_out(vm, c->out, c->out_cap) == NULL)
		return vm_end(vm, SVM_END_GUEST_ERROR,
		    "call buffers %#llx+%#llx, %#llx+%#llx not writable by "
		    "the program",
		    (unsigned long long)c->in, (unsigned long long)c->in_cap,
		    (unsigned long long)c->out, (unsigned long long)c->out_cap);
	return 0;
}

static int hc_ready(struct svm_vm *vm, svm_gpa_t arg)
{
	struct svm_call c;

	if (vm->serving)
		return vm_end(vm, SVM_END_GUEST_ERROR,
		    "ready: the program is already serving calls");
	if (get_call(vm, arg, &c))
		return 1;
	vm->call = arg;
	vm->serve_mode = SVM_SERVE_CALLS;
	vm->end = SVM_END_READY;
	return 1;
}

static int hc_done(struct svm_vm *vm, svm_gpa_t arg)
{
	if (!vm->serving || arg != vm->call)
		return vm_end(vm, SVM_END_GUEST_ERROR,
		    "done: not the call struct the program was ready with");
	vm->end = SVM_END_DONE;
	return 1;
}

/* In a plain run, an app that wants to serve calls is told how. */
static int hc_not_serving(struct svm_vm *vm, svm_gpa_t arg)
{
	(void)arg;
	return vm_end(vm, SVM_END_GUEST_ERROR,
	    "the program serves calls: run it in function mode (--serve)");
}

void call_init(struct svm_vm *vm)
{
	hypercall_register(vm, SVM_HC_READY, hc_not_serving);
	hypercall_register(vm, SVM_HC_DONE, hc_not_serving);
}

/*
 * Keep a copy of every guest page that exists now, in memory or swapped
 * out (/proc/self/pagemap; mincore would call a swapped-out page absent,
 * and the reset would then zero it); the others were never touched and are
 * still zero, which is all a reset needs to know about them.
 */
#define PM_PRESENT (1ull << 63)
#define PM_SWAPPED (1ull << 62)
#define PM_BATCH 512
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

static int snapshot(struct svm_vm *vm)
{
	uint64_t pages = vm->mem_size / SVM_PAGE_SIZE, words = pages / BITS + 1;
	uint64_t p, i, pm[PM_BATCH];
	int fd;

	vm->snap = mmap(NULL, vm->mem_size, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	vm->had = calloc(words, sizeof(unsigned long));
	vm->dirty = calloc(words, sizeof(unsigned long));
	/* Test builds: push guest memory out, as a host under pressure. */
	if (svm_test_skip & SVM_TEST_PAGEOUT)
		(void)madvise(vm->mem, vm->mem_size, MADV_PAGEOUT);
	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (vm->snap == MAP_FAILED || vm->had == NULL || vm->dirty == NULL ||
	    fd < 0) {
		if (vm->snap == MAP_FAILED)
			vm->snap = NULL;
		if (fd >= 0)
			close(fd);
		return vm_end(vm, SVM_END_MONITOR_ERROR,
		    "cannot keep a snapshot: %s", strerror(errno));
	}
	for (p = 0; p < pages; p += PM_BATCH) {
		uint64_t n = pages - p < PM_BATCH ? pages - p : PM_BATCH;
		off_t at =
		    (off_t)(((uintptr_t)vm->mem / SVM_PAGE_SIZE + p) * 8);

		if (pread(fd, pm, n * 8, at) != (ssize_t)(n * 8)) {
			close(fd);
			return vm_end(vm, SVM_END_MONITOR_ERROR,
			    "cannot keep a snapshot: reading pagemap: %s",
			    strerror(errno));
		}
		for (i = 0; i < n; i++)
			if (pm[i] & (PM_PRESENT | PM_SWAPPED)) {
				uint64_t off = (p + i) * SVM_PAGE_SIZE;

				memcpy(vm->snap + off, vm->mem + off,
				    SVM_PAGE_SIZE);
				set_bits(vm->had, p + i, p + i);
			}
	}
	close(fd);
	return 0;
}

int vm_serve_start(struct svm_vm *vm, bool warm)
{
	char why[SVM_ERR_LEN];

	if (vm->be->save == NULL) {
		vm_end(vm, SVM_END_MONITOR_ERROR,
		    "the %s backend has no function mode", vm->be->name);
		return -1;
	}
	/* A call must not see what the last one left in a register. */
	if (vm->be->resets != NULL && vm->be->resets(vm, why, sizeof(why))) {
		vm_end(vm, SVM_END_MONITOR_ERROR, "%s: refusing to serve", why);
		return -1;
	}
	vm->hypercalls[SVM_HC_READY] = hc_ready;
	vm->hypercalls[SVM_HC_DONE] = hc_done;
	/*
	 * The app's input is its calls' and nothing else: the stdin it was
	 * given may be the runner's own channel (--serve reads requests
	 * there), so the read hypercall gets end of input.
	 */
	vm->in_fd = -1;
	vm->warm = warm;
	vm->starting = true;
	vm->be->run(vm);
	vm->starting = false;
	if (vm->end != SVM_END_READY)
		return -1;
	/* Each call ends in the app's exit: nothing could stay warm. */
	if (warm && vm->serve_mode == SVM_SERVE_STDIN) {
		vm_end(vm, SVM_END_MONITOR_ERROR,
		    "--warm needs a program that serves calls (svm_serve): "
		    "this "
		    "one reads its stdin");
		return -1;
	}
	if (vm->be->save(vm) < 0) {
		vm_end(vm, SVM_END_MONITOR_ERROR, "cannot save the vCPU");
		return -1;
	}
	if (snapshot(vm))
		return -1;
	vm->serving = true;
	return 0;
}

/* Put memory and vCPU back as they were at READY, in place. */
static int reset(struct svm_vm *vm)
{
	uint64_t w, words = vm->mem_size / SVM_PAGE_SIZE / BITS + 1;

	if (vm->be->dirty(vm, vm->dirty) < 0 || vm->be->restore(vm) < 0)
		return vm_end(vm, SVM_END_MONITOR_ERROR,
		    "cannot reset the VM: %s", strerror(errno));
	/*
	 * Copy into the same mapping rather than replacing it: the guest's
	 * existing mappings of these pages stay valid, which on shadow paging
	 * saves a fault per page on the next call.
	 */
	for (w = 0; w < words; w++) {
		unsigned long bits = vm->dirty[w];

		while (bits != 0) {
			unsigned b = (unsigned)__builtin_ctzl(bits);
			uint64_t off = (w * BITS + b) * SVM_PAGE_SIZE;

			bits &= bits - 1;
			if (off >= vm->mem_size)
				break;
			/* The alternative, kept for the benchmark to compare.
			 */
			if (vm->reset_by_remap &&
			    mmap(vm->mem + off, SVM_PAGE_SIZE,
			        PROT_READ | PROT_WRITE,
			        MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED |
			            MAP_NORESERVE,
			        -1, 0) == MAP_FAILED)
				return vm_end(vm, SVM_END_MONITOR_ERROR,
				    "cannot remap guest memory: %s",
				    strerror(errno));
			vm->pages_reset++;
			if (svm_test_skip & SVM_TEST_SKIP_MEMORY)
				continue;
			if (vm->had[w] & (1ul << b))
				memcpy(vm->mem + off, vm->snap + off,
				    SVM_PAGE_SIZE);
			else
				memset(vm->mem + off, 0, SVM_PAGE_SIZE);
		}
		vm->dirty[w] = 0;
	}
	vm->need_reset = false;
	return 0;
}

int vm_call_reset(struct svm_vm *vm)
{
	return vm->serving && vm->need_reset ? reset(vm) : 0;
}

/* A call to an app served by its stdin: its exit ends the call. */
static int stdin_call(struct svm_vm *vm, const void *in, size_t in_len,
    void *out, size_t out_cap, size_t *out_len, int *status)
{
	vm->req = in;
	vm->req_len = in_len;
	vm->req_off = 0;
	vm->ans = out;
	vm->ans_cap = out_cap;
	vm->ans_len = 0;
	vm->need_reset = true; /* the call ends with the app's end */
	if (vm_stdin_pending(vm))
		return 1;
	if (vm_arm_timeout(vm) < 0)
		return -1;
	vm->be->run(vm);
	vm_disarm_timeout(vm);
	vm->req = NULL;
	vm->ans = NULL;
	*out_len = vm->ans_len;
	if (vm->end != SVM_END_EXIT)
		return 1;
	*status = vm->app_status & 0xff;
	return 0;
}

int vm_call(struct svm_vm *vm, const void *in, size_t in_len, void *out,
    size_t out_cap, size_t *out_len, int *status)
{
	struct svm_call c;
	void *buf;

	*out_len = 0;
	*status = 0;
	if (!vm->serving) {
		vm_end(vm, SVM_END_MONITOR_ERROR,
		    "the program is not serving calls");
		return -1;
	}
	if (vm->need_reset && reset(vm))
		return -1;
	/* --max-output and --timeout apply to each call. */
	vm->output_bytes = 0;
	if (vm->serve_mode == SVM_SERVE_STDIN)
		return stdin_call(vm, in, in_len, out, out_cap, out_len,
		    status);
	/* Warm, the app may have moved its buffers: check them every time. */
	if (get_call(vm, vm->call, &c)) {
		vm->need_reset = true;
		return 1;
	}
	if (in_len > c.in_cap) {
		vm_end(vm, SVM_END_OUTPUT_LIMIT,
		    "input of %zu bytes is larger than the program's %llu",
		    in_len, (unsigned long long)c.in_cap);
		return 1;
	}
	buf = vm_gpa_out(vm, c.in, in_len);
	memcpy(buf, in, in_len);
	vm_mark_written(vm, c.in, in_len);
	c.in_len = in_len;
	memcpy(vm_gpa_out(vm, vm->call, sizeof(c)), &c, sizeof(c));
	vm_mark_written(vm, vm->call, sizeof(c));

	if (vm_arm_timeout(vm) < 0)
		return -1;
	vm->be->run(vm);
	vm_disarm_timeout(vm);
	vm->need_reset = !vm->warm || vm->end != SVM_END_DONE;
	if (vm->end != SVM_END_DONE)
		return 1;

	memcpy(&c, vm_gpa_out(vm, vm->call, sizeof(c)), sizeof(c));
	if (c.out_len > c.out_cap ||
	    (buf = vm_gpa_out(vm, c.out, c.out_len)) == NULL) {
		vm->need_reset = true;
		vm_end(vm, SVM_END_GUEST_ERROR,
		    "done: answer %#llx+%#llx outside the program's buffer",
		    (unsigned long long)c.out, (unsigned long long)c.out_len);
		return 1;
	}
	*out_len = c.out_len;
	*status = c.status;
	memcpy(out, buf, c.out_len < out_cap ? c.out_len : out_cap);
	if (c.out_len > out_cap) {
		vm->need_reset = true;
		vm_end(vm, SVM_END_OUTPUT_LIMIT,
		    "answer of %llu bytes is larger than the %zu allowed",
		    (unsigned long long)c.out_len, out_cap);
		return 1;
	}
	return 0;
}
