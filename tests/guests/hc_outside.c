/*
 * hc_outside: a write hypercall whose buffer runs past the end of memory;
 * with "exit", the exit hypercall with held-back output that does.
 */
#include <string.h>
#include <svm.h>
#include <sys/sysinfo.h>

int main(int argc, char **argv)
{
	struct sysinfo si;
	uint64_t end;

	/* The guest kernel gives guest memory as totalram. */
	if (sysinfo(&si) < 0)
		return 2;
	end = si.totalram;
	if (argc > 1 && strcmp(argv[1], "exit") == 0) {
		static struct svm_hc_exit ex;

		ex.status = 3;
		ex.data = end - 8;
		ex.len = 64;
		svm_hypercall(SVM_HC_EXIT, &ex);
		return 4; /* not reached: the run has ended */
	}
	return (int)svm_hc_write(1, (const void *)(uintptr_t)(end - 8), 64);
}
