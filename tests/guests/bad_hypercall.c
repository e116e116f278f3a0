/* bad_hypercall: a 32-bit out to an open hypercall port with no handler. */
#include <svm.h>

int main(void)
{
	__asm__ volatile("outl %0, %w1"
	                 :
	                 : "a"(0), "Nd"(SVM_HC_PORT_BASE + SVM_HC_MAX)
	                 : "memory");
	return 0;
}
