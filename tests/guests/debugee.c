/*
 * debugee: a program for gdb (--gdb) and core files (--core), built with -g.
 * "loop" (the default) calls step() three times and exits with the total,
 * 6 + 3 * counter; "addr" prints where step and counter are; "fault" writes
 * to NULL in crash_here(); "ud2" raises #UD in ud2_here() with RDX holding
 * 0x5ca1ab1e; "sys" makes getpid at the label at_syscall in sys_here(), and
 * prints what it got; "spin" loops in spin_here() until the run is ended.
 */
#include <stdio.h>
#include <string.h>

int counter = 5;

static __attribute__((noipa)) int step(int i)
{
	return 2 * i + counter;
}

static __attribute__((noipa)) void crash_here(int *p)
{
	*p = counter;
}

static __attribute__((noipa)) void ud2_here(void)
{
	__asm__ volatile("mov $0x5ca1ab1e, %%edx; ud2" : : : "rdx");
}

static __attribute__((noipa)) long sys_here(void)
{
	long r;

	__asm__ volatile(".globl at_syscall\n"
	                 "at_syscall: syscall"
	                 : "=a"(r)
	                 : "a"(39) /* getpid */
	                 : "rcx", "r11", "memory");
	return r;
}

static __attribute__((noipa)) void spin_here(void)
{
	for (;;)
		__asm__ volatile("");
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "loop";
	int i, total = 0;

	if (strcmp(mode, "addr") == 0) {
		printf("%lx %lx\n", (unsigned long)step,
		    (unsigned long)&counter);
		return 0;
	}
	if (strcmp(mode, "fault") == 0)
		crash_here(NULL);
	if (strcmp(mode, "ud2") == 0)
		ud2_here();
	if (strcmp(mode, "spin") == 0)
		spin_here();
	if (strcmp(mode, "sys") == 0) {
		printf("pid %ld\n", sys_here());
		return 0;
	}
	for (i = 0; i < 3; i++)
		total += step(i);
	printf("total %d\n", total);
	return total & 0xff;
}
