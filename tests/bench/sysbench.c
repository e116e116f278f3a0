/*
 * sysbench: the guest half of hcbench --syscall and --write.
 *   sysbench kernel N   N getppid system calls, answered by the guest kernel
 *   sysbench bare N     N syscall instructions to a stub that only returns
 *                       (jmp *%rcx), which hcbench makes LSTAR between the
 *                       two no-op hypercalls around the loop
 *   sysbench write N    N write(1, line) through the guest kernel
 *   sysbench hcwrite N  N write hypercalls of the same line, past the kernel
 * Each prints "cycles C" (TSC cycles for the N), which hcbench converts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <svm.h>
#include <unistd.h>

/* What LSTAR points at for "bare": back to the caller, as fast as can be. */
__asm__(".globl bare_stub\n.text\nbare_stub: jmp *%rcx\n");

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

int main(int argc, char **argv)
{
	static const char line[] = "a line of output, as a program writes it\n";
	uint64_t t0, t1;
	long i, n;

	if (argc != 3)
		return 2;
	n = atol(argv[2]);
	if (strcmp(argv[1], "kernel") == 0) {
		t0 = rdtsc();
		for (i = 0; i < n; i++)
			getppid();
		t1 = rdtsc();
	} else if (strcmp(argv[1], "bare") == 0) {
		svm_nop(); /* hcbench: LSTAR = bare_stub */
		t0 = rdtsc();
		for (i = 0; i < n; i++)
			__asm__ volatile("syscall"
			                 :
			                 : "a"(110)
			                 : "rcx", "r11", "memory");
		t1 = rdtsc();
		svm_nop(); /* hcbench: LSTAR back to the guest kernel */
	} else if (strcmp(argv[1], "write") == 0) {
		t0 = rdtsc();
		for (i = 0; i < n; i++)
			if (write(1, line, sizeof(line) - 1) < 0)
				return 1;
		t1 = rdtsc();
	} else if (strcmp(argv[1], "hcwrite") == 0) {
		t0 = rdtsc();
		for (i = 0; i < n; i++)
			if (svm_hc_write(1, line, sizeof(line) - 1) != 0)
				return 1;
		t1 = rdtsc();
	} else {
		return 2;
	}
	fprintf(stderr, "cycles %llu\n", (unsigned long long)(t1 - t0));
	return 0;
}
