/*
 * leak: proves that a recycled VM (svm_sandbox_config.recycle) hands the next
 * app nothing of the last one.
 *   leak plant exit|fault|spin   fill heap, .bss and stack with a secret and
 *                                load it into every register an app can
 *                                write (general, x87 control, SSE, MXCSR),
 *                                then exit 0, fault (ud2) or spin
 *   leak scan                    look for the secret in the same places;
 *                                print "clean" and exit 0, or say where it
 *                                was found and exit 1
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

/* Registers at entry, saved by check_regs() before C code can change them. */
static uint64_t xmm[16][2];
static uint32_t mxcsr;
static uint16_t fcw;

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

/* Load the secret everywhere, then end as asked, without touching them. */
static __attribute__((noreturn)) void load_regs(const char *how)
{
	static const uint64_t secret[2] = { SECRET, SECRET };
	static const uint32_t odd_mxcsr = 0x7f80; /* FTZ-free, all masked, RZ */
	static const uint16_t odd_fcw = 0x0c7f;   /* round toward zero */

	__asm__ volatile("fldcw %0\n ldmxcsr %1\n" ::"m"(odd_fcw),
	    "m"(odd_mxcsr));
#define X(n) "movdqu %0, %%xmm" #n "\n"
	__asm__ volatile(X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10)
	                     X(11) X(12) X(13) X(14) X(15)::"m"(secret)
	                 : "memory");
#undef X
	if (strcmp(how, "fault") == 0)
		__asm__ volatile("mov %0, %%rax\n mov %%rax, %%rbx\n"
		                 "mov %%rax, %%rcx\n mov %%rax, %%rdx\n"
		                 "mov %%rax, %%rsi\n mov %%rax, %%rdi\n"
		                 "mov %%rax, %%r8\n mov %%rax, %%r9\n"
		                 "mov %%rax, %%r10\n mov %%rax, %%r11\n"
		                 "mov %%rax, %%r12\n mov %%rax, %%r13\n"
		                 "mov %%rax, %%r14\n mov %%rax, %%r15\n"
		                 "mov %%rax, %%rbp\n ud2\n" ::"i"(SECRET));
	if (strcmp(how, "spin") == 0)
		__asm__ volatile(
		    "mov %0, %%rax\n mov %%rax, %%r8\n"
		    "mov %%rax, %%r15\n 1: jmp 1b\n" ::"i"(SECRET));
	exit(0);
}

static int scan_regs(void)
{
	int i, n = 0;

	for (i = 0; i < 16; i++)
		n += xmm[i][0] == SECRET || xmm[i][1] == SECRET;
	if (mxcsr != 0x1f80 || fcw != 0x37f) {
		printf("leak: mxcsr %#x fcw %#x\n", mxcsr, fcw);
		n++;
	}
	return n;
}

static void save_regs(void)
{
#define X(n) "movdqu %%xmm" #n ", %0\n" : "=m"(xmm[n])
	__asm__ volatile(X(0));
	__asm__ volatile(X(1));
	__asm__ volatile(X(2));
	__asm__ volatile(X(3));
	__asm__ volatile(X(4));
	__asm__ volatile(X(5));
	__asm__ volatile(X(6));
	__asm__ volatile(X(7));
	__asm__ volatile(X(8));
	__asm__ volatile(X(9));
	__asm__ volatile(X(10));
	__asm__ volatile(X(11));
	__asm__ volatile(X(12));
	__asm__ volatile(X(13));
	__asm__ volatile(X(14));
	__asm__ volatile(X(15));
#undef X
	__asm__ volatile("stmxcsr %0\n fnstcw %1\n" : "=m"(mxcsr), "=m"(fcw));
}

int main(int argc, char **argv)
{
	uint64_t *heap;
	int regs, found;

	/* First, before anything else uses SSE much. */
	save_regs();
	if (argc < 2)
		return 2;
	heap = malloc(HEAP_BYTES);
	if (heap == NULL)
		return 2;
	if (strcmp(argv[1], "plant") == 0 && argc == 3) {
		fill(heap, HEAP_BYTES / 8);
		fill(bss, sizeof(bss) / 8);
		plant_stack();
		load_regs(argv[2]);
	}
	if (strcmp(argv[1], "scan") != 0)
		return 2;
	regs = scan_regs();
	found = count(heap, HEAP_BYTES / 8) + count(bss, sizeof(bss) / 8) +
	    scan_stack();
	if (regs + found == 0) {
		printf("clean\n");
		return 0;
	}
	printf("leak: %d registers, %d words of memory\n", regs, found);
	return 1;
}
