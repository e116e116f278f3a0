/*
 * callee: a function-mode app for the tests. It answers "call N: INPUT"
 * where N counts calls in a static variable, so a reset VM always says 1 and a
 * warm one counts; some inputs misbehave on purpose. "check" answers with
 * status 9 if the 101 pages "dirty" writes are not as they were at ready.
 * "callee huge" asks for buffers it cannot have, and exits 1 before ready.
 * "read" reads the app's input (which in function mode must be empty) and
 * answers "call N: read COUNT[ BYTES]".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <svm.h>
#include <unistd.h>

static int calls;
static char *scratch; /* malloc'd before READY */

static int handle(const void *in, size_t in_len, void *out, size_t out_cap,
    size_t *out_len)
{
	volatile int zero = 0;
	int n, status = 0;

	calls++;
	if (in_len == 4 && memcmp(in, "div0", 4) == 0)
		return 100 / zero;
	if (in_len == 4 && memcmp(in, "spin", 4) == 0)
		for (;;)
			__asm__ volatile("");
	if (in_len == 4 && memcmp(in, "exit", 4) == 0)
		exit(42);
	if (in_len == 5 && memcmp(in, "print", 5) == 0)
		printf("callee prints a line\n");
	if (in_len == 3 && memcmp(in, "big", 3) == 0) {
		*out_len = out_cap + 1; /* claims more than its buffer */
		return 0;
	}
	if (in_len == 5 && memcmp(in, "dirty", 5) == 0)
		memset(scratch, 0x5a, 100 * 4096); /* dirties 100 pages */
	if (in_len == 5 && memcmp(in, "check", 5) == 0)
		for (n = 0; n < 101 * 4096; n++)
			if (scratch[n] != (char)0xa5)
				status = 9; /* a page the reset missed */
	if (in_len == 4 && memcmp(in, "read", 4) == 0) {
		char buf[64];
		long r = read(0, buf, sizeof(buf));

		n = snprintf(out, out_cap, "call %d: read %ld %.*s", calls, r,
		    r > 0 ? (int)r : 0, buf);
		*out_len = (size_t)n < out_cap ? (size_t)n : out_cap;
		return 0;
	}
	n = snprintf(out, out_cap, "call %d: %.*s", calls, (int)in_len,
	    (const char *)in);
	*out_len = (size_t)n < out_cap ? (size_t)n : out_cap;
	return in_len == 6 && memcmp(in, "status", 6) == 0 ? 7 : status;
}

int main(int argc, char **argv)
{
	/* "huge": buffers svm_serve cannot allocate, so it exits 1. */
	if (argc == 2 && strcmp(argv[1], "huge") == 0)
		svm_serve(handle, (size_t)1 << 40, 4096);
	scratch = malloc(101 * 4096);
	memset(scratch, 0xa5, 101 * 4096);
	svm_serve(handle, 4096, 4096);
}
