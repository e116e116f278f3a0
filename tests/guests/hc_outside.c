/* hc_outside: a write hypercall whose buffer runs past the end of memory. */
#include <svm.h>

int main(void)
{
	const struct svm_bootinfo *bi = svm_bootinfo();

	return svm_write(1, (const void *)(uintptr_t)(bi->mem_size - 8), 64);
}
