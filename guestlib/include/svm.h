/* svm.h: the app's interface to the svm-sandbox monitor (hypercalls, boot
 * info). */
#ifndef SVM_H
#define SVM_H

#include <stddef.h>
#include <stdint.h>

#include "svm_abi.h"

/* Write len bytes to the monitor's fd 1 or 2. Returns 0 or -1. */
int svm_write(int fd, const void *buf, size_t len);

/* Read up to len bytes of input. Returns the count, 0 at end, -1 on error. */
long svm_read(void *buf, size_t len);

/* Fill buf with len random bytes (any len). Returns 0 or -1. */
int svm_random(void *buf, size_t len);

/* End the run with status; does not flush stdio (exit() does). */
_Noreturn void svm_exit(int status);

/* One no-op hypercall: a full exit round trip, for measurements. */
void svm_nop(void);

/* Wall-clock time, ns since the Unix epoch, read from the TSC (no exit). */
uint64_t svm_time_ns(void);

/* ns since the monitor started the guest (no exit). */
uint64_t svm_monotonic_ns(void);

/*
 * A function-mode handler: in_len bytes of input at in; write at most
 * out_cap bytes at out, set *out_len, and return 0 for success or an
 * app-defined status.
 */
typedef int (*svm_handler_fn)(const void *in, size_t in_len, void *out,
    size_t out_cap, size_t *out_len);

/*
 * Serve calls: tell the monitor the app is ready, then run fn once per call.
 * Buffers of in_cap and out_cap bytes come from malloc. The monitor resets
 * the VM to this point between calls (unless kept warm), so fn sees the
 * app's memory as it was here every time. Does not return; exits 1 if the
 * buffers cannot be allocated.
 */
_Noreturn void svm_serve(svm_handler_fn fn, size_t in_cap, size_t out_cap);

/* The boot info the monitor wrote (read-only). */
const struct svm_bootinfo *svm_bootinfo(void);

#endif
