/*
 * leak: proves that a recycled VM (svm_sandbox_config.recycle) hands the next
 * app nothing of the last one.
 *   leak plant exit|fault|spin   fill heap, .bss and stack with a secret,
 *                                then exit 0, fault (ud2) or spin
 *   leak scan                    look for the secret in the same places;
 *                                print "clean" and exit 0, or say where it
 *                                was found and exit 1
 * (canary.c does the same for registers.)
 * Both modes malloc the same sizes in the same order, so they get the same
 * addresses.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECRET 0x5ec2e75ec2e75ec2ull
#define HEAP_BYTES (512 * 1024)
#define STACK_BYTES (64 * 1024)

static uint64_t bss[4096];

static int count(const uint64_t *p, size_t words)
{
	size_t i;
	int n = 0;

	for (i = 0; i < words; i++)
		n += p[i] == SECRET;
	return n;
}

static void fill(uint64_t *p, size_t words)
{
	size_t i;

	for (i = 0; i < words; i++)
		((volatile uint64_t *)p)[i] = SECRET;
}

/* The stack below main's frame, written by plant(), read by scan_stack(). */
static __attribute__((noinline)) void plant_stack(void)
{
	uint64_t buf[STACK_BYTES / 8];

	fill(buf, STACK_BYTES / 8);
	__asm__ volatile("" ::"r"(buf) : "memory");
}

static __attribute__((noinline)) int scan_stack(void)
{
	volatile uint64_t buf[STACK_BYTES / 8];
	size_t i;
	int n = 0;

	/* Uninitialised on purpose: what the last app left there. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
	for (i = 0; i < STACK_BYTES / 8; i++)
		n += buf[i] == SECRET;
#pragma GCC diagnostic pop
	return n;
}

/* End as asked, with the secret in memory. */
static __attribute__((noreturn)) void end(const char *how)
{
	if (strcmp(how, "fault") == 0)
		__asm__ volatile("ud2");
	if (strcmp(how, "spin") == 0)
		for (;;)
			__asm__ volatile("");
	exit(0);
}

int main(int argc, char **argv)
{
	uint64_t *heap;
	int found;

	if (argc < 2)
		return 2;
	heap = malloc(HEAP_BYTES);
	if (heap == NULL)
		return 2;
	if (strcmp(argv[1], "plant") == 0 && argc == 3) {
		fill(heap, HEAP_BYTES / 8);
		fill(bss, sizeof(bss) / 8);
		plant_stack();
		end(argv[2]);
	}
	if (strcmp(argv[1], "scan") != 0)
		return 2;
	found = count(heap, HEAP_BYTES / 8) + count(bss, sizeof(bss) / 8) +
	    scan_stack();
	if (found == 0) {
		printf("clean\n");
		return 0;
	}
	printf("leak: %d words of memory\n", found);
	return 1;
}
