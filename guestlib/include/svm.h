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

/* The boot info the monitor wrote (read-only). */
const struct svm_bootinfo *svm_bootinfo(void);

#endif
