/* nop: makes argv[1] no-op hypercalls and exits; the hypercall benchmark's
 * guest. */
#include <stdlib.h>
#include <svm.h>

int main(int argc, char **argv)
{
	long i, n = argc > 1 ? atol(argv[1]) : 0;

	for (i = 0; i < n; i++)
		svm_nop();
	return 0;
}
