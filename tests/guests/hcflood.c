/* hcflood: makes no-op hypercalls as fast as it can, forever. */
#include <svm.h>

int main(void)
{
	for (;;)
		svm_nop();
}
