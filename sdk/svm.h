/*
 * svm.h: what an svm-sandbox program gets beyond the C library (musl):
 * function mode (svm_serve) and the raw hypercalls, which a program rarely
 * needs: its system calls (write, read, exit...) go to the guest kernel,
 * which makes the hypercalls itself.
 */
#ifndef SVM_H
#define SVM_H

#include <stddef.h>
#include <stdint.h>

#include "svm_abi.h"

/*
 * A function-mode handler: in_len bytes of input at in; write at most
 * out_cap bytes at out, set *out_len, and return 0 for success or a status
 * of the program's own.
 */
typedef int (*svm_handler_fn)(const void *in, size_t in_len, void *out,
    size_t out_cap, size_t *out_len);

/*
 * Serve calls: tell the monitor the program is ready, then run fn once per
 * call. The buffers of in_cap and out_cap bytes come from malloc. The
 * monitor resets the VM to this point between calls (unless it keeps it
 * warm), so fn sees the program's memory as it was here every time. Does
 * not return; exits 1 if the buffers cannot be allocated.
 */
_Noreturn void svm_serve(svm_handler_fn fn, size_t in_cap, size_t out_cap);

/* One hypercall nr with its argument struct at arg (svm_abi.h). */
static inline void svm_hypercall(unsigned nr, const volatile void *arg)
{
	uint32_t a = (uint32_t)(uintptr_t)arg;

	/* "memory": the struct is stored before the exit, read after. */
	__asm__ volatile("outl %0, %w1"
	                 :
	                 : "a"(a), "Nd"(SVM_HC_PORT_BASE + nr)
	                 : "memory");
}

/*
 * The write and read hypercalls themselves, past the guest kernel: for
 * tests of the monitor's checks (programs use write(2) and read(2)).
 */
static inline int64_t svm_hc_write(int fd, const void *buf, uint64_t len)
{
	struct svm_hc_write a = { (uintptr_t)buf, len, (uint32_t)fd, -1 };

	svm_hypercall(SVM_HC_WRITE, &a);
	return a.ret;
}

static inline int64_t svm_hc_read(void *buf, uint64_t len)
{
	struct svm_hc_read a = { (uintptr_t)buf, len, -1, -1, 0, 0 };

	svm_hypercall(SVM_HC_READ, &a);
	return a.ret;
}

/* One no-op hypercall: a full exit round trip, for measurements. */
static inline void svm_nop(void)
{
	svm_hypercall(SVM_HC_NOP, 0);
}

#endif
