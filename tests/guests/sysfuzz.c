/*
 * sysfuzz: the guest kernel against a program that calls it with garbage.
 *   sysfuzz efault       bad addresses to calls that take one: each gets
 *                        -EFAULT, as on Linux, and the program goes on
 *   sysfuzz tail         getrandom into the rest of the last page of .bss,
 *                        past its end but in a page the guest may write:
 *                        the monitor's check of the random hypercall's
 *                        buffer must take it, as the guest kernel's does
 *   sysfuzz SEED COUNT   COUNT system calls of random numbers with random
 *                        arguments: small numbers, -1, huge and
 *                        non-canonical values, and addresses in the
 *                        program's stack, text and data, the guest kernel,
 *                        the boot info, page 0, the stack guard, past the
 *                        end of memory; then "done N" on a line of its
 *                        own, status 0
 *
 * The calls are raw (no libc wrapper, whose errno lives behind FS, which a
 * random arch_prctl may move: FS is put back after each call). Calls that
 * end the program by design (exit, a signal to itself, rt_sigreturn) and
 * the sleeps are left out, so a run tries all COUNT. Whatever the calls do
 * to the program (it may unmap its own heap and fault), the guest kernel
 * must never fault or break the ABI: tests/run.sh checks the status and
 * that a fault line, if any, is not "in the guest kernel".
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include <svm.h>

static long sys6(long nr, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;

	__asm__ volatile("syscall"
	                 : "=a"(ret)
	                 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8),
	                 "r"(r9)
	                 : "rcx", "r11", "memory");
	return ret;
}

static void out(const char *s)
{
	sys6(SYS_write, 1, (long)s, (long)strlen(s), 0, 0, 0);
}

static uint64_t rng;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static char buf[8192];
static const char text_probe[] = "in rodata";
/* Paths that exist, or nearly, for the calls that take one. */
static const char *const paths[] = {
	"/",
	".",
	"..",
	"/dev",
	"/dev/null",
	"/dev/zero",
	"/dev/urandom",
	"/proc/self/exe",
	"/proc/self",
	"//dev/./null/",
	"/dev/../dev/zero",
	"/nope",
	"",
	"/dev/null/x",
	"/proc/self/exe/..",
};

/* One argument: a value of a kind the kernel must take apart safely. */
static long arg(char *stack)
{
	uint64_t r = next();

	switch (r % 21) {
	case 0:
		return 0;
	case 1:
		return 1;
	case 2:
		return 2;
	case 3:
		return -1;
	case 4:
		return (long)(r >> 8) % 4096;
	case 5:
		return (long)(r >> 8); /* any 56 bits */
	case 6:
		return (long)next(); /* any 64 bits */
	case 7:
		return (long)(buf + (r >> 8) % sizeof(buf)); /* data */
	case 8:
		return (long)(stack + (r >> 8) % 256); /* stack */
	case 9:
		return (long)(uintptr_t)text_probe; /* rodata */
	case 10:
		return (long)(uintptr_t)&arg; /* text */
	case 11:
		return 0x100000 + (long)((r >> 8) % 0x100000); /* kernel */
	case 12:
		return 0x5000; /* near the boot info */
	case 13:
		return 0x10; /* page 0 */
	case 14:
		return (long)0xffff800000000000ull; /* non-canonical */
	case 15:
		return (long)(0x40000000 - 8); /* past most memories */
	case 16:
		return (long)(((uintptr_t)stack & ~0xfffull) -
		    0x800000); /* guard */
	case 17:
		return (long)(buf + sizeof(buf) - 1); /* a last byte */
	case 18:
		return (long)((r >> 8) % 12); /* an fd */
	case 19:
	case 20:
		if (r & 0x100)
			return (long)paths[(r >> 9) %
			    (sizeof(paths) / sizeof(paths[0]))];
		/* fallthrough */
	default:
		return 0x1000 * (long)((r >> 8) % 16); /* a size, a flag */
	}
}

/* Calls left out: they end the run by design, or sleep. */
static int skipped(long nr)
{
	switch (nr) {
	case SYS_exit:
	case SYS_exit_group:
	case SYS_rt_sigreturn:
	case SYS_kill:
	case SYS_tkill:
	case SYS_tgkill:
	case SYS_rt_sigqueueinfo:
	case SYS_rt_tgsigqueueinfo:
	case SYS_pidfd_send_signal:
	case SYS_nanosleep:
	case SYS_clock_nanosleep:
	case SYS_pause:
	case SYS_rt_sigsuspend:
	case SYS_rt_sigtimedwait:
		return 1;
	}
	return 0;
}

static int efault(void)
{
	static const struct {
		const char *what;
		long nr, a, b, c;
	} cases[] = {
		{ "write from page 0", SYS_write, 1, 0x10, 4 },
		{ "write from the kernel", SYS_write, 1, 0x100000, 4 },
		{ "write wrapping", SYS_write, 1, -16, 32 },
		{ "read into text", SYS_read, 0, (long)(uintptr_t)&efault, 4 },
		{ "read into rodata", SYS_read, 0, (long)(uintptr_t)text_probe,
		    4 },
		{ "read into the kernel", SYS_read, 0, 0x180000, 4 },
		{ "open of a non-canonical path", SYS_open,
		    (long)0xffff800000000000ull, 0, 0 },
		{ "uname into the kernel", SYS_uname, 0x100000, 0, 0 },
		{ "clock_gettime into text", SYS_clock_gettime, 0,
		    (long)(uintptr_t)&efault, 0 },
		{ "pipe2 into rodata", SYS_pipe2, (long)(uintptr_t)text_probe,
		    0, 0 },
		{ "stat into page 0", SYS_stat, (long)"/dev/null", 0x10, 0 },
		{ "getrandom past memory", SYS_getrandom, 0x7ffffffff000, 16,
		    0 },
	};
	size_t i;
	int bad = 0;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long r = sys6(cases[i].nr, cases[i].a, cases[i].b, cases[i].c,
		    0, 0, 0);

		if (r != -EFAULT) {
			out("not EFAULT: ");
			out(cases[i].what);
			out("\n");
			bad = 1;
		}
	}
	out(bad ? "efault: failed\n" : "efault: all EFAULT\n");
	return bad;
}

extern char _end[]; /* the linker's: the end of .bss */

static int tail(void)
{
	char *p = _end;

	if ((uintptr_t)p % 4096 == 0 || (uintptr_t)p % 4096 > 4096 - 16) {
		out("tail: .bss ends too near a page end to test\n");
		return 1;
	}
	if (sys6(SYS_getrandom, (long)p, 16, 0, 0, 0, 0) != 16) {
		out("tail: getrandom failed\n");
		return 1;
	}
	out("tail: ok\n");
	return 0;
}

int main(int argc, char **argv)
{
	char stack[65536]; /* room for what a call writes at stack + 0..255 */
	unsigned long fs, count, i;
	char line[64];
	int n;

	if (argc == 2 && strcmp(argv[1], "efault") == 0)
		return efault();
	if (argc == 2 && strcmp(argv[1], "tail") == 0)
		return tail();
	if (argc != 3)
		return 2;
	rng = strtoull(argv[1], NULL, 0) * 0x9e3779b97f4a7c15ull + 1;
	count = strtoul(argv[2], NULL, 0);
	__asm__ volatile("rdfsbase %0" : "=r"(fs));
	for (i = 0; i < count; i++) {
		long nr =
		    (long)(next() % 8 == 0 ? next() % 1024 : next() % 335);
		long a[6];
		int k;

		if (skipped(nr))
			continue;
		for (k = 0; k < 6; k++)
			a[k] = arg(stack);
		/* Garbage paths and structs, with a NUL now and then. */
		for (k = 0; k < 16; k++)
			buf[next() % sizeof(buf)] = (char)next();
		buf[sizeof(buf) - 1] = 0;
		sys6(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
		__asm__ volatile("wrfsbase %0" : : "r"(fs) : "memory");
	}
	/*
	 * By hypercall, not write(1): a random close or dup2 may well have
	 * taken fd 1 away by now.
	 */
	n = snprintf(line, sizeof(line), "\ndone %lu\n", count);
	svm_hc_write(1, line, (uint64_t)n);
	/* Not through exit(): stdio's locks and files may be garbage now. */
	sys6(SYS_exit_group, 0, 0, 0, 0, 0, 0);
	return 0;
}
