/* hc_outside: a write hypercall whose buffer runs past the end of memory. */
#include <svm.h>
#include <sys/sysinfo.h>

int main(void)
{
	struct sysinfo si;

	/* The guest kernel gives guest memory as totalram. */
	if (sysinfo(&si) < 0)
		return 2;
	return (
	    int)svm_hc_write(1, (const void *)(uintptr_t)(si.totalram - 8), 64);
}
