/* svm.c: function mode for programs (svm_serve); the rest of svm.h is inline.
 */
#include <stdio.h>
#include <stdlib.h>

#include "svm.h"

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
	svm_hypercall(SVM_HC_READY, &call);
	for (;;) {
		n = 0;
		call.status = fn((const void *)(uintptr_t)call.in, call.in_len,
		    (void *)(uintptr_t)call.out, call.out_cap, &n);
		call.out_len = n;
		/* Output the handler printed goes out before the answer. */
		fflush(stdout);
		svm_hypercall(SVM_HC_DONE, &call);
	}
}
