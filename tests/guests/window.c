/*
 * window: makes a blocking hypercall at a chosen moment before the deadline,
 * to hit the window between the guest's exit and the monitor's blocking
 * read or write (where a one-shot timer's signal used to be lost).
 *   window read|write TIMEOUT_MS OFFSET_US
 * spins until OFFSET_US before TIMEOUT_MS after its start, then reads its
 * input (which the test keeps open and empty) or writes to its output
 * (which nobody reads) until that blocks. The run must end by the timeout.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	static char buf[65536];
	uint64_t at;

	if (argc != 4)
		return 2;
	at = strtoull(argv[2], NULL, 10) * 1000000 -
	    strtoull(argv[3], NULL, 10) * 1000;
	if (strcmp(argv[1], "write") == 0) {
		/* Fill the pipe first, then the last write lands on time. */
		memset(buf, 'x', sizeof(buf));
		while (mono_ns() < at)
			;
		for (;;)
			(void)!write(1, buf, sizeof(buf));
	}
	while (mono_ns() < at)
		;
	for (;;)
		if (read(0, buf, sizeof(buf)) <= 0)
			return 3;
}
