/*
 * canary: plants a canary in every register file a CPL-3 guest can write and
 * checks that the next call, or the next app in a recycled VM, sees none.
 *
 *   canary plant exit|fault|spin   load the canary into the general
 *                                  registers, RFLAGS.DF, DS/ES/FS/GS, the
 *                                  FS and GS bases and every XSAVE component
 *                                  XCR0 enables (x87, SSE, AVX, opmask, ZMM,
 *                                  PKRU...), then exit 0, fault (ud2) or spin
 *   canary scan                    report what of it the app found at entry:
 *                                  "clean" and status 0, or where, status 1
 *   canary serve                   function mode: a call "plant:exit",
 *                                  "plant:fault", "plant:spin" or
 *                                  "plant:done" plants everything and ends
 *                                  so; a call "scan" answers "clean" or
 *                                  where it found the canary in the
 *                                  registers it started with
 *   canary avx                     print whether AVX is usable, then run a
 *                                  VEX instruction (#UD where it is not)
 *   canary host                    print what the guest learns of the host:
 *                                  seconds its TSC has counted, and the
 *                                  CPU number RDTSCP and RDPID give
 *
 * Which register files exist comes from CPUID and XCR0 as the guest sees
 * them, so the test covers what this host lets a guest write. With
 * CANARY_HOST_XCR0 in its environment it reads XCR0 whatever CPUID says
 * of OSXSAVE (PVM where CPUID traps: user mode has the host's XCR0).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <svm.h>
#include <time.h>

#define CANARY 0x5ec2e75ec2e75ec2ull
#define CANARY_MXCSR 0x7f80u    /* all masked, round to zero */
#define CANARY_FCW 0x0c7fu      /* round toward zero */
#define CANARY_PKRU 0x55555550u /* keys 2-15 disabled; key 0 stays open */
#define CANARY_BASE 0x00005ec2e75ec000ull /* canonical, for FS/GS base */
#define DF (1ull << 10)

/* Register state as the app found it, filled by the asm below. */
struct regs {
	uint64_t gpr[16]; /* rax rbx rcx rdx rsi rdi rbp r8-r15, rsp last */
	uint64_t rflags, fsbase, gsbase;
	uint16_t ds, es, fs, gs;
};

static struct regs seen;

static uint64_t ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}
static uint8_t area[8192] __attribute__((aligned(64)));
static uint8_t image[8192] __attribute__((aligned(64)));
static uint64_t xcr0;
static int have_xsave, have_fsgs;
static uint16_t sel; /* the selector planted in DS/ES/FS/GS */

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid"
	                 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
	                 : "a"(leaf), "c"(sub));
}

/* A selector CPL 3 may load that differs from what the app starts with. */
static int readable(uint16_t s)
{
	uint8_t ok;

	__asm__ volatile("verr %1; setz %0" : "=q"(ok) : "r"(s) : "cc");
	return ok;
}

static void probe(void)
{
	uint32_t r[4];
	uint32_t lo, hi;

	cpuid(1, 0, r);
	have_xsave = (r[2] >> 27) & 1; /* OSXSAVE: the guest's CR4 */
	/* Where CPUID traps (Intel's CPUID faulting) PVM answers from the
	 * guest's CR4, yet user mode runs with the host's CR4 and XCR0: the
	 * test says so, once `canary avx` has shown a VEX instruction runs. */
	if (getenv("CANARY_HOST_XCR0") != NULL)
		have_xsave = 1;
	cpuid(7, 0, r);
	have_fsgs = r[1] & 1;
	if (have_xsave) {
		__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
		xcr0 = (uint64_t)hi << 32 | lo;
	} else {
		xcr0 = 3; /* x87 and SSE, through FXSAVE */
	}
	/* 0x2b is the host's user data selector where the guest sees the
	 * host GDT (PVM); 0x23 is our own user code segment, readable. */
	sel = readable(0x2b) ? 0x2b : readable(0x23) ? 0x23 : 0;
}

/* Offset and size of XSAVE component i in the standard format. */
static void component(unsigned i, uint32_t *off, uint32_t *size)
{
	uint32_t r[4];

	if (i < 2) {
		*off = i == 0 ? 0 : 160;
		*size = i == 0 ? 160 : 256;
		return;
	}
	cpuid(0xd, i, r);
	*off = r[1];
	*size = r[0];
}

static void save(uint8_t *buf)
{
	memset(buf, 0, sizeof(area));
	if (have_xsave)
		__asm__ volatile("xsave %0"
		                 : "=m"(*(uint8_t(*)[8192])buf)
		                 : "a"((uint32_t)xcr0),
		                 "d"((uint32_t)(xcr0 >> 32))
		                 : "memory");
	else
		__asm__ volatile("fxsave %0" : "=m"(*(uint8_t(*)[512])buf));
}

/* Everything but the general registers, which the caller's asm takes. */
static void save_rest(void)
{
	__asm__ volatile(
	    "mov %%ds, %0; mov %%es, %1; mov %%fs, %2; mov %%gs, %3"
	    : "=m"(seen.ds), "=m"(seen.es), "=m"(seen.fs), "=m"(seen.gs));
	if (have_fsgs)
		__asm__ volatile("rdfsbase %0; rdgsbase %1"
		                 : "=r"(seen.fsbase), "=r"(seen.gsbase));
	save(area);
}

static int words(const uint8_t *p, uint32_t len)
{
	uint32_t i;
	int n = 0;

	for (i = 0; i + 8 <= len; i += 8) {
		uint64_t w;

		memcpy(&w, p + i, 8);
		n += w == CANARY;
	}
	return n;
}

/* Say where the canary is; returns how many places. */
static int scan(char *out, size_t cap)
{
	static const char *const names[] = { "x87", "SSE", "AVX", "MPX BNDREGS",
		"MPX BNDCSR", "opmask", "ZMM_Hi256", "Hi16_ZMM", "PT", "PKRU" };
	size_t len = 0;
	int n = 0;
	unsigned i;
	uint64_t bv;
	uint32_t v32;
	uint16_t v16;

#define SAY(...)                                                               \
	do {                                                                   \
		if (len < cap)                                                 \
			len += (size_t)snprintf(out + len, cap - len,          \
			    __VA_ARGS__);                                      \
		n++;                                                           \
	} while (0)
	for (i = 0; i < 16; i++)
		if (seen.gpr[i] == CANARY)
			SAY(" gpr%u", i);
	if (seen.rflags & DF)
		SAY(" rflags.DF");
	if (sel != 0 &&
	    (seen.ds == sel || seen.es == sel || seen.fs == sel ||
	        seen.gs == sel))
		SAY(" selector %#x (ds %#x es %#x fs %#x gs %#x)", sel, seen.ds,
		    seen.es, seen.fs, seen.gs);
	if (seen.fsbase == CANARY_BASE || seen.gsbase == CANARY_BASE)
		SAY(" fs/gs base");
	memcpy(&v16, area, 2);
	if (v16 == CANARY_FCW)
		SAY(" FCW");
	memcpy(&v32, area + 24, 4);
	if (v32 == CANARY_MXCSR)
		SAY(" MXCSR");
	memcpy(&bv, area + 512, 8);
	if (!have_xsave)
		bv = 3;
	for (i = 0; i < 64; i++) {
		uint32_t off, size;

		if (!((xcr0 >> i) & 1) || !((bv >> i) & 1))
			continue; /* absent, or in its initial state */
		component(i, &off, &size);
		if (off + size > sizeof(area))
			continue;
		if (i == 9) {
			memcpy(&v32, area + off, 4);
			if (v32 == CANARY_PKRU)
				SAY(" PKRU");
		} else if (words(area + off + (i == 0 ? 32 : 0),
		               size - (i == 0 ? 32 : 0)) > 0) {
			SAY(" %s", i < 10 ? names[i] : "component");
		}
	}
#undef SAY
	return n;
}

/* Fill every XSAVE component XCR0 enables with the canary and load it. */
static void plant_xstate(void)
{
	unsigned i;
	uint64_t bv = xcr0 & ~0x18ull; /* MPX state would raise #BR */

	memset(image, 0, sizeof(image));
	for (i = 32; i < 416; i += 8)
		memcpy(image + i, &(uint64_t) { CANARY }, 8);
	memcpy(image, &(uint16_t) { CANARY_FCW }, 2);
	memcpy(image + 24, &(uint32_t) { CANARY_MXCSR }, 4);
	image[4] = 0xff; /* every x87 register valid */
	for (i = 2; i < 64 && have_xsave; i++) {
		uint32_t off, size, j;

		if (!((bv >> i) & 1))
			continue;
		component(i, &off, &size);
		if (off + size > sizeof(image))
			continue;
		if (i == 9) {
			memcpy(image + off, &(uint32_t) { CANARY_PKRU }, 4);
			continue;
		}
		for (j = 0; j + 8 <= size; j += 8)
			memcpy(image + off + j, &(uint64_t) { CANARY }, 8);
	}
	if (have_xsave) {
		memcpy(image + 512, &bv, 8);
		__asm__ volatile("xrstor %0"
		                 :
		                 : "m"(*(uint8_t(*)[8192])image),
		                 "a"((uint32_t)bv), "d"((uint32_t)(bv >> 32))
		                 : "memory");
	} else {
		__asm__ volatile("fxrstor %0" : : "m"(*(uint8_t(*)[512])image));
	}
}

/* Plant the rest, then end with every general register the canary. */
static __attribute__((noreturn)) void plant(const char *how, uint32_t port,
    uint64_t arg)
{
	plant_xstate();
	if (have_fsgs)
		__asm__ volatile("wrfsbase %0; wrgsbase %0"
		                 :
		                 : "r"(CANARY_BASE));
		/* No C from here on: DS/ES/FS/GS and DF are the canary's now.
		 */
#define GPRS                                                                   \
	"mov %%rbx, %%rcx\n mov %%rbx, %%rsi\n mov %%rbx, %%rdi\n"             \
	"mov %%rbx, %%rbp\n mov %%rbx, %%r8\n mov %%rbx, %%r9\n"               \
	"mov %%rbx, %%r10\n mov %%rbx, %%r11\n mov %%rbx, %%r12\n"             \
	"mov %%rbx, %%r13\n mov %%rbx, %%r14\n mov %%rbx, %%r15\n"
#define SEGS "mov %w1, %%ds\n mov %w1, %%es\n mov %w1, %%fs\n mov %w1, %%gs\n"
	if (strcmp(how, "fault") == 0)
		__asm__ volatile(SEGS GPRS "std\n mov %%rbx, %%rax\n"
		                           "mov %%rbx, %%rdx\n ud2\n"
		                 :
		                 : "b"(CANARY), "r"((uint32_t)sel));
	if (strcmp(how, "spin") == 0)
		__asm__ volatile(SEGS GPRS "std\n mov %%rbx, %%rax\n"
		                           "mov %%rbx, %%rdx\n 1: jmp 1b\n"
		                 :
		                 : "b"(CANARY), "r"((uint32_t)sel));
	/* exit and done: a hypercall with its argument in eax, port in dx. */
	__asm__ volatile(SEGS GPRS "std\n out %%eax, %%dx\n ud2\n"
	                 :
	                 : "b"(CANARY), "r"((uint32_t)sel), "a"((uint32_t)arg),
	                 "d"(port));
	__builtin_unreachable();
}

/* Store the general registers and RFLAGS into seen, first thing. */
#define TAKE_GPRS                                                              \
	"mov %%rax, seen+0(%%rip)\n mov %%rbx, seen+8(%%rip)\n mov %%rcx, "    \
	"seen+16(%%rip)\n"                                                     \
	"mov %%rdx, seen+24(%%rip)\n mov %%rsi, seen+32(%%rip)\n mov %%rdi, "  \
	"seen+40(%%rip)\n"                                                     \
	"mov %%rbp, seen+48(%%rip)\n mov %%r8, seen+56(%%rip)\n mov %%r9, "    \
	"seen+64(%%rip)\n"                                                     \
	"mov %%r10, seen+72(%%rip)\n mov %%r11, seen+80(%%rip)\n mov %%r12, "  \
	"seen+88(%%rip)\n"                                                     \
	"mov %%r13, seen+96(%%rip)\n mov %%r14, seen+104(%%rip)\n mov %%r15, " \
	"seen+112(%%rip)\n"                                                    \
	"mov %%rsp, seen+120(%%rip)\n pushfq\n popq seen+128(%%rip)\n"

static struct svm_call call;
static char in_buf[256], out_buf[512];

static __attribute__((noreturn)) void serve(void)
{
	static struct svm_hc_exit ex;
	char *in;
	size_t n;

	call.in = (uintptr_t)in_buf;
	call.in_cap = sizeof(in_buf) - 1;
	call.out = (uintptr_t)out_buf;
	call.out_cap = sizeof(out_buf);
	fflush(stdout);
	/* Every call resumes right after this out, as the snapshot has it. */
	__asm__ volatile("out %%eax, %%dx\n" TAKE_GPRS
	                 :
	                 : "a"((uint32_t)(uintptr_t)&call),
	                 "d"(SVM_HC_PORT_BASE + SVM_HC_READY)
	                 : "memory");
	save_rest();
	in = in_buf;
	in[call.in_len] = '\0';
	if (strncmp(in, "plant:", 6) == 0) {
		if (strcmp(in + 6, "exit") == 0)
			plant("exit", SVM_HC_PORT_BASE + SVM_HC_EXIT,
			    (uintptr_t)&ex);
		call.out_len = 0;
		call.status = 0;
		plant(in + 6, SVM_HC_PORT_BASE + SVM_HC_DONE, (uintptr_t)&call);
	}
	n = 0;
	if (strcmp(in, "scan") == 0) {
		char where[400] = "";

		call.status = scan(where, sizeof(where)) ? 1 : 0;
		snprintf(out_buf, sizeof(out_buf), "%s%s",
		    call.status ? "canary in" : "clean", where);
		n = strlen(out_buf);
	}
	call.out_len = n;
	__asm__ volatile("out %%eax, %%dx"
	                 :
	                 : "a"((uint32_t)(uintptr_t)&call),
	                 "d"(SVM_HC_PORT_BASE + SVM_HC_DONE)
	                 : "memory");
	exit(3); /* not reached: each call is reset to the one above */
}

int main(int argc, char **argv)
{
	static struct svm_hc_exit ex;
	char where[512] = "";

	/* Before any other code can change them. */
	__asm__ volatile(TAKE_GPRS ::: "memory");
	probe();
	save_rest();
	if (argc == 3 && strcmp(argv[1], "plant") == 0)
		plant(argv[2], SVM_HC_PORT_BASE + SVM_HC_EXIT, (uintptr_t)&ex);
	if (argc == 2 && strcmp(argv[1], "serve") == 0)
		serve();
	if (argc == 2 && strcmp(argv[1], "scan") == 0) {
		if (scan(where, sizeof(where)) == 0) {
			printf("clean\n");
			return 0;
		}
		printf("canary in%s\n", where);
		return 1;
	}
	if (argc == 2 && strcmp(argv[1], "host") == 0) {
		uint32_t r[4], lo, hi, aux = 0;
		uint64_t pid = 0, t0, t1, n0, n1;

		/* The TSC's rate from 20 ms of CLOCK_MONOTONIC. */
		n0 = ns();
		__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
		t0 = (uint64_t)hi << 32 | lo;
		while ((n1 = ns()) < n0 + 20000000)
			;
		__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
		t1 = (uint64_t)hi << 32 | lo;
		printf("tsc_seconds %llu",
		    (unsigned long long)(t1 /
		        ((t1 - t0) * 1000000000 / (n1 - n0))));
		cpuid(0x80000001, 0, r);
		if (r[3] & (1u << 27)) {
			__asm__ volatile("rdtscp"
			                 : "=a"(lo), "=d"(hi), "=c"(aux));
			printf(" rdtscp %u", aux);
		}
		cpuid(7, 0, r);
		if (r[2] & (1u << 22)) {
			__asm__ volatile("rdpid %0" : "=r"(pid));
			printf(" rdpid %llu", (unsigned long long)pid);
		}
		printf("\n");
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "avx") == 0) {
		printf("avx %s\n",
		    have_xsave && (xcr0 & 6) == 6 ? "usable" : "not enabled");
		fflush(stdout);
		__asm__ volatile("vpxor %%ymm0, %%ymm0, %%ymm0" ::: "memory");
		printf("vex ran\n");
		return 0;
	}
	return 2;
}
