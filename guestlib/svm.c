/* svm.c: hypercall wrappers, boot-info access and the C start of an app. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <svm.h>

static const struct svm_bootinfo *bootinfo;

int main(int argc, char **argv);
void __svm_start(const struct svm_bootinfo *bi);

/*
 * A hypercall: a 32-bit out of the argument struct's address. The "memory"
 * clobber makes the compiler store the struct before the exit and reload the
 * results after it.
 */
static inline void hypercall(unsigned nr, const volatile void *arg)
{
	uint32_t a = (uint32_t)(uintptr_t)arg;

	__asm__ volatile("outl %0, %w1"
	                 :
	                 : "a"(a), "Nd"(SVM_HC_PORT_BASE + nr)
	                 : "memory");
}

int svm_write(int fd, const void *buf, size_t len)
{
	struct svm_hc_write a = { (uintptr_t)buf, len, (uint32_t)fd, -1 };

	hypercall(SVM_HC_WRITE, &a);
	return a.ret;
}

long svm_read(void *buf, size_t len)
{
	struct svm_hc_read a = { (uintptr_t)buf, len, -1 };

	hypercall(SVM_HC_READ, &a);
	return (long)a.ret;
}

int svm_random(void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len > 0) {
		size_t n = len < SVM_RANDOM_MAX ? len : SVM_RANDOM_MAX;
		struct svm_hc_random a = { (uintptr_t)p, n, -1 };

		hypercall(SVM_HC_RANDOM, &a);
		if (a.ret != 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

_Noreturn void svm_exit(int status)
{
	struct svm_hc_exit a = { status, 0 };

	for (;;)
		hypercall(SVM_HC_EXIT, &a);
}

void svm_nop(void)
{
	__asm__ volatile("outl %0, %w1"
	                 :
	                 : "a"(0), "Nd"(SVM_HC_PORT_BASE + SVM_HC_NOP)
	                 : "memory");
}

_Noreturn void svm_serve(svm_handler_fn fn, size_t in_cap, size_t out_cap)
{
	/* Static: the monitor's reset restores it with the rest of memory. */
	static struct svm_call call;
	size_t n;

	call.in = (uintptr_t)malloc(in_cap);
	call.out = (uintptr_t)malloc(out_cap);
	if (call.in == 0 || call.out == 0)
		exit(1);
	call.in_cap = in_cap;
	call.out_cap = out_cap;
	fflush(stdout);
	hypercall(SVM_HC_READY, &call);
	for (;;) {
		n = 0;
		call.status = fn((const void *)(uintptr_t)call.in, call.in_len,
		    (void *)(uintptr_t)call.out, call.out_cap, &n);
		call.out_len = n;
		/* Output the handler printed goes out before the answer. */
		fflush(stdout);
		hypercall(SVM_HC_DONE, &call);
	}
}

const struct svm_bootinfo *svm_bootinfo(void)
{
	return bootinfo;
}

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

uint64_t svm_monotonic_ns(void)
{
	uint64_t d, khz = bootinfo->tsc_khz;

	if (khz == 0)
		return 0;
	d = rdtsc() - bootinfo->tsc_base;
	/* Split to keep d * 10^6 from overflowing after ~5 hours at 1 GHz. */
	return d / khz * 1000000 + d % khz * 1000000 / khz;
}

uint64_t svm_time_ns(void)
{
	return bootinfo->wall_ns_base + svm_monotonic_ns();
}

void __svm_start(const struct svm_bootinfo *bi)
{
	static const char bad[] = "guestlib: boot info ABI mismatch\n";

	if (bi->magic != SVM_BOOTINFO_MAGIC ||
	    bi->abi_version != SVM_ABI_VERSION) {
		svm_write(2, bad, sizeof(bad) - 1);
		svm_exit(127);
	}
	bootinfo = bi;
	__svm_heap_init((void *)(uintptr_t)bi->heap_start,
	    (void *)(uintptr_t)bi->heap_end);
	exit(main((int)bi->argc, (char **)(uintptr_t)bi->argv));
}
