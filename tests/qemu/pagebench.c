/* pagebench.c: hypercall, boot and paging costs of svmk and KVM, under QEMU. */
/*
 * Usage: pagebench [-o FILE] [TOP]
 *   TOP    the svm-sandbox tree (TOP/build/bin/svm-sandbox and
 *          TOP/build/tests/bench/nop); without it, or when they are
 *          missing, the rows that time the monitor are left out
 *   -o     also write the table to FILE
 *
 * For each of svmk-TDP, svmk-shadow, KVM with npt=1 and KVM with npt=0
 * (kvm_amd is reloaded with that parameter) it measures:
 *   - the hypercall round trip: svm-sandbox --stats=json nop -- N
 *     against -- 0, and a raw CPL-3 guest doing N outs to port 0x504;
 *   - boot to first hypercall: svm-sandbox running nop -- 0, exec to
 *     exit, and a raw VM from open() to its first exit;
 *   - a guest writing once to each 4 KiB page of 16 MiB;
 *   - a CPL-0 guest switching CR3 between two sets of page tables and
 *     writing a page after each switch;
 * with exit counts by reason (svmk's run page; KVM's binary vCPU stats).
 * Times are medians of REPS runs. Everything runs under QEMU's TCG, so the
 * numbers compare the backends with each other, not with real hardware.
 * Exit status 0 if every measurement ran.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "svmk.h"

#define REPS 3
#define NHC 20000 /* hypercalls per timed run */
#define NCR3 2000 /* loop iterations: 2 CR3 switches each */

/* --- guest layout: identity map of MEM_SIZE in 4 KiB pages, all U|W ----- */
#define MEM_SIZE (48u << 20)
#define G_PML4A 0x1000
#define G_PDPTA 0x2000
#define G_PDA 0x3000
#define G_PML4B 0x4000 /* the second address space: */
#define G_PDPTB 0x5000 /* as A but for the page at G_X */
#define G_PDB 0x6000
#define G_PTB 0x7000
#define G_GDT 0x8000
#define G_TSS 0x9000 /* + I/O bitmap, to 0xb069 */
#define G_IDT 0xc000
#define G_STUBS 0xd000
#define G_PT 0x20000    /* MEM_SIZE / 2 MiB tables */
#define G_STACK 0x80000 /* top */
#define G_CODE 0x100000
#define G_X 0x400000      /* touched after each CR3 switch */
#define G_X_B 0x500000    /* ... where B maps it */
#define G_TOUCH 0x1000000 /* 16 MiB written page by page */
#define TOUCH_PAGES 4096

#define PORT_DONE 0x501
#define PORT_START 0x502
#define PORT_NOP 0x504 /* the monitor's no-op hypercall */
#define PORT_FAULT 0x4ff

#define GUEST(name, body)                                                      \
	extern const uint8_t name[], name##_end[];                             \
	asm(".pushsection .rodata\n" #name ":\n" body "\n" #name               \
	    "_end:\n.popsection\n")

/* rcx = N: N no-op hypercalls between the start and done marks. */
GUEST(g_hc,
    "mov $0x502, %dx\n out %eax, %dx\n mov $0x504, %dx\n"
    "1: out %eax, %dx\n loop 1b\n mov $0x501, %dx\n out %eax, %dx\n"
    "2: jmp 2b\n");
/* The first exit, as soon as possible. */
GUEST(g_boot, "mov $0x501, %dx\n out %eax, %dx\n 2: jmp 2b\n");
/* One write to each page of [G_TOUCH, +16 MiB). */
GUEST(g_touch,
    "mov $0x502, %dx\n out %eax, %dx\n"
    "mov $0x1000000, %ebx\n mov $4096, %ecx\n"
    "1: movl $1, (%rbx)\n add $4096, %rbx\n loop 1b\n"
    "mov $0x501, %dx\n out %eax, %dx\n 2: jmp 2b\n");
/* rcx = N, r8/r9 = the PML4s, rdi = G_X: 2N switches, a write after each. */
GUEST(g_cr3,
    "mov $0x502, %dx\n out %eax, %dx\n"
    "1: mov %r9, %cr3\n movl $2, (%rdi)\n mov %r8, %cr3\n movl $1, (%rdi)\n"
    "loop 1b\n mov $0x501, %dx\n out %eax, %dx\n 2: jmp 2b\n");

static FILE *outf;

/* The table goes to stdout and to -o FILE. */
static void out(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (outf) {
		va_start(ap, fmt);
		vfprintf(outf, fmt, ap);
		va_end(ap);
	}
	fflush(stdout);
}

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "pagebench: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

/* --- backends ------------------------------------------------------------ */
enum kind { SVMK, KVM };

struct config {
	const char *name;
	enum kind kind;
	int paging; /* svmk: SVMK_PAGING_*; KVM: npt 1 or 0 */
	const char *monitor_args;
};

static const struct config configs[] = {
	{ "svmk-tdp", SVMK, SVMK_PAGING_TDP, "--backend=svmk --paging=tdp" },
	{ "svmk-shadow", SVMK, SVMK_PAGING_SHADOW,
	    "--backend=svmk --paging=shadow" },
	{ "kvm-npt1", KVM, 1, "--backend=kvm --paging=tdp" },
	{ "kvm-npt0", KVM, 0, "--backend=kvm --paging=shadow" },
};
#define NCONFIGS 4

/* KVM's vCPU statistics we show, by name (KVM_GET_STATS_FD). */
static const char *const kvm_stat_names[] = {
	"exits",
	"io_exits",
	"pf_taken",
	"pf_fixed",
	"pf_guest",
	"tlb_flush",
	"invlpg",
	"irq_exits",
	"halt_exits",
};
#define KVM_NSTATS 9

static const char *const svmk_count_names[SVMK_COUNT_SLOTS] = {
	[SVMK_COUNT_IO] = "io",
	[SVMK_COUNT_NPF] = "npf",
	[SVMK_COUNT_PF] = "pf",
	[SVMK_COUNT_CR3_WRITE] = "cr3-write",
	[SVMK_COUNT_INVLPG] = "invlpg",
	[SVMK_COUNT_CR_OTHER] = "cr-other",
	[SVMK_COUNT_INTR] = "intr",
	[SVMK_COUNT_CPUID] = "cpuid",
	[SVMK_COUNT_HLT] = "hlt",
	[SVMK_COUNT_EXCEPTION] = "exception",
	[SVMK_COUNT_OTHER] = "other",
};

/* Counters of one VM at one moment, whatever the backend. */
struct counts {
	uint64_t exits;
	uint64_t v[SVMK_COUNT_SLOTS + 2]; /* svmk slots, flushes, root hits */
};

struct vm {
	const struct config *cf;
	int fd; /* svmk VM, or KVM vCPU */
	int kvm_fd, vm_fd, stats_fd;
	uint32_t stat_off[KVM_NSTATS]; /* data offsets, -1u if absent */
	void *run;
	size_t run_size;
	uint8_t *mem;
};

static int kvm_tr_type = 9; /* see tss_probe() */

static uint64_t *q(struct vm *vm, uint64_t gpa)
{
	return (uint64_t *)(vm->mem + gpa);
}

/* Find the offsets of kvm_stat_names in the vCPU's binary stats. */
static void kvm_stats_init(struct vm *vm)
{
	struct kvm_stats_header h;
	size_t dsz;
	char *d;
	uint32_t i, j;

	memset(vm->stat_off, 0xff, sizeof(vm->stat_off));
	vm->stats_fd = ioctl(vm->fd, KVM_GET_STATS_FD, 0);
	if (vm->stats_fd < 0 ||
	    pread(vm->stats_fd, &h, sizeof(h), 0) != sizeof(h))
		return;
	dsz = sizeof(struct kvm_stats_desc) + h.name_size;
	d = malloc(dsz * h.num_desc);
	if (!d ||
	    pread(vm->stats_fd, d, dsz * h.num_desc, h.desc_offset) !=
	        (ssize_t)(dsz * h.num_desc)) {
		free(d);
		return;
	}
	for (i = 0; i < h.num_desc; i++) {
		struct kvm_stats_desc *s = (void *)(d + i * dsz);

		for (j = 0; j < KVM_NSTATS; j++)
			if (!strcmp(s->name, kvm_stat_names[j]))
				vm->stat_off[j] = h.data_offset + s->offset;
	}
	free(d);
}

static void vm_counts(struct vm *vm, struct counts *c)
{
	int i;

	memset(c, 0, sizeof(*c));
	if (vm->cf->kind == SVMK) {
		struct svmk_run *run = vm->run;

		c->exits = run->exits;
		for (i = 0; i < SVMK_COUNT_SLOTS; i++)
			c->v[i] = run->exit_counts[i];
		c->v[SVMK_COUNT_SLOTS] = run->shadow_flushes;
		c->v[SVMK_COUNT_SLOTS + 1] = run->shadow_root_hits;
		return;
	}
	for (i = 0; i < KVM_NSTATS; i++)
		if (vm->stat_off[i] != -1u)
			pread(vm->stats_fd, &c->v[i], 8, vm->stat_off[i]);
	c->exits = c->v[0];
}

/* "name n, ..." for the counters that moved from a to b. */
static const char *counts_desc(const struct vm *vm, const struct counts *a,
    const struct counts *b, double per)
{
	static char buf[512];
	int i, n = 0;

	buf[0] = 0;
	if (vm->cf->kind == SVMK) {
		for (i = 0; i <= SVMK_COUNT_SLOTS + 1; i++) {
			double d = (b->v[i] - a->v[i]) / per;
			const char *nm = i == SVMK_COUNT_SLOTS ?
			    "shadow-flushes" :
			    i > SVMK_COUNT_SLOTS ? "shadow-root-hits" :
			                           svmk_count_names[i];

			if (d > 0 && nm)
				n += snprintf(buf + n, sizeof(buf) - n,
				    "%s%s %.4g", n ? ", " : "", nm, d);
		}
	} else {
		for (i = 1; i < KVM_NSTATS; i++) {
			double d = (b->v[i] - a->v[i]) / per;

			if (d > 0)
				n += snprintf(buf + n, sizeof(buf) - n,
				    "%s%s %.4g", n ? ", " : "",
				    kvm_stat_names[i], d);
		}
	}
	return buf;
}

/* Memory and page tables, before the VM exists (KVM_SET_USER_MEMORY...). */
static void build_memory(struct vm *vm, const uint8_t *code, const uint8_t *end,
    int prefault)
{
	uint64_t i, tss_limit = 104 + 8192, d;
	uint8_t *tss;

	vm->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->mem == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	/* Backing already present: the workloads time paging, not the host. */
	if (prefault)
		memset(vm->mem, 0, MEM_SIZE);

	*q(vm, G_PML4A) = G_PDPTA | 7;
	*q(vm, G_PDPTA) = G_PDA | 7;
	for (i = 0; i < MEM_SIZE >> 21; i++)
		*q(vm, G_PDA + i * 8) = (G_PT + i * 0x1000) | 7;
	for (i = 1; i < MEM_SIZE >> 12; i++) /* page 0 stays absent */
		*q(vm, G_PT + i * 8) = (i << 12) | 7;
	/* B: the same, except that G_X maps G_X_B. */
	*q(vm, G_PML4B) = G_PDPTB | 7;
	*q(vm, G_PDPTB) = G_PDB | 7;
	memcpy(vm->mem + G_PDB, vm->mem + G_PDA, 4096);
	memcpy(vm->mem + G_PTB, vm->mem + G_PT + (G_X >> 21) * 0x1000, 4096);
	*q(vm, G_PDB + (G_X >> 21) * 8) = G_PTB | 7;
	*q(vm, G_PTB + ((G_X >> 12) & 511) * 8) = G_X_B | 7;

	/* GDT: null, kernel code, kernel data, user data, user code, TSS. */
	*q(vm, G_GDT + 0x08) = 0x00209a0000000000ull;
	*q(vm, G_GDT + 0x10) = 0x0000920000000000ull;
	*q(vm, G_GDT + 0x18) = 0x0000f20000000000ull;
	*q(vm, G_GDT + 0x20) = 0x0020fa0000000000ull;
	d = (tss_limit & 0xffff) | ((uint64_t)G_TSS << 16) | (0x89ull << 40) |
	    (((tss_limit >> 16) & 0xf) << 48);
	*q(vm, G_GDT + 0x28) = d;
	/* TSS: RSP0, and an I/O bitmap opening 0x500-0x51f to CPL 3. */
	tss = vm->mem + G_TSS;
	*(uint64_t *)(tss + 4) = G_STACK;
	*(uint16_t *)(tss + 102) = 104;
	memset(tss + 104, 0xff, 8192 + 1);
	for (i = 0x500; i < 0x520; i++)
		tss[104 + i / 8] &= ~(1 << (i % 8));
	/* IDT: every vector to a stub that reports it on PORT_FAULT. */
	for (i = 0; i < 32; i++) {
		uint64_t h = G_STUBS + i * 16;
		static const uint8_t stub[] = {
			0xb8, 0, 0, 0, 0,       /* mov $vec, %eax */
			0x66, 0xba, 0xff, 0x04, /* mov $0x4ff, %dx */
			0xef, 0xeb, 0xfe,       /* out; jmp . */
		};

		*q(vm, G_IDT + i * 16) = (h & 0xffff) | (0x08 << 16) |
		    (0x8eull << 40) | ((h >> 16 & 0xffff) << 48);
		*q(vm, G_IDT + i * 16 + 8) = 0;
		memcpy(vm->mem + h, stub, sizeof(stub));
		memcpy(vm->mem + h + 1, &i, 4);
	}
	memcpy(vm->mem + G_CODE, code, end - code);
}

#define SEGMENT(seg, sel, typ, pl, code)                                       \
	do {                                                                   \
		memset(&(seg), 0, sizeof(seg));                                \
		(seg).selector = (sel);                                        \
		(seg).limit = 0xffffffff;                                      \
		(seg).type = (typ);                                            \
		(seg).present = 1;                                             \
		(seg).dpl = (pl);                                              \
		(seg).s = 1;                                                   \
		(seg).l = (code);                                              \
		(seg).db = !(code);                                            \
		(seg).g = 1;                                                   \
	} while (0)

/* Long mode at cpl, on the tables above, with the registers given. */
#define ENTRY_SREGS(sr, cpl, trtype)                                           \
	do {                                                                   \
		SEGMENT((sr).cs, (cpl) ? 0x23 : 0x08, 11, cpl, 1);             \
		SEGMENT((sr).ss, (cpl) ? 0x1b : 0x10, 3, cpl, 0);              \
		(sr).ds = (sr).es = (sr).fs = (sr).gs = (sr).ss;               \
		memset(&(sr).tr, 0, sizeof((sr).tr));                          \
		(sr).tr.selector = 0x28;                                       \
		(sr).tr.base = G_TSS;                                          \
		(sr).tr.limit = 104 + 8192;                                    \
		(sr).tr.type = (trtype);                                       \
		(sr).tr.present = 1;                                           \
		memset(&(sr).ldt, 0, sizeof((sr).ldt));                        \
		(sr).ldt.type = 2;                                             \
		(sr).ldt.unusable = 1;                                         \
		(sr).gdt.base = G_GDT;                                         \
		(sr).gdt.limit = 0x37;                                         \
		(sr).idt.base = G_IDT;                                         \
		(sr).idt.limit = 32 * 16 - 1;                                  \
		(sr).cr0 = 0x80050033;                                         \
		(sr).cr3 = G_PML4A;                                            \
		(sr).cr4 = 0x620;                                              \
		(sr).efer = 0xd00;                                             \
	} while (0)

#define ENTRY_REGS(r, cpl, count)                                              \
	do {                                                                   \
		memset(&(r), 0, sizeof(r));                                    \
		(r).rip = G_CODE;                                              \
		(r).rsp = G_STACK - 0x1000 * !!(cpl);                          \
		(r).rflags = 2;                                                \
		(r).rcx = (count);                                             \
		(r).r8 = G_PML4A;                                              \
		(r).r9 = G_PML4B;                                              \
		(r).rdi = G_X;                                                 \
	} while (0)

static void vm_open(struct vm *vm, const struct config *cf, const uint8_t *code,
    const uint8_t *end, int cpl, uint64_t rcx, int prefault)
{
	memset(vm, 0, sizeof(*vm));
	vm->cf = cf;
	vm->stats_fd = -1;
	build_memory(vm, code, end, prefault);
	if (cf->kind == SVMK) {
		struct svmk_memory m = { (uintptr_t)vm->mem, MEM_SIZE, 0 };
		struct svmk_sregs sr;
		struct svmk_regs r;

		vm->fd = open("/dev/svmk", O_RDWR | O_CLOEXEC);
		if (vm->fd < 0 || ioctl(vm->fd, SVMK_SET_MEMORY, &m) ||
		    ioctl(vm->fd, SVMK_SET_PAGING, cf->paging))
			die("svmk setup: %s", strerror(errno));
		vm->run_size = SVMK_RUN_SIZE;
		vm->run = mmap(NULL, SVMK_RUN_SIZE, PROT_READ | PROT_WRITE,
		    MAP_SHARED, vm->fd, 0);
		memset(&sr, 0, sizeof(sr));
		ENTRY_SREGS(sr, cpl, 11);
		ENTRY_REGS(r, cpl, rcx);
		if (vm->run == MAP_FAILED ||
		    ioctl(vm->fd, SVMK_SET_SREGS, &sr) ||
		    ioctl(vm->fd, SVMK_SET_REGS, &r))
			die("svmk registers: %s", strerror(errno));
	} else {
		struct kvm_userspace_memory_region m = {
			.memory_size = MEM_SIZE,
			.userspace_addr = (uintptr_t)vm->mem,
		};
		struct {
			struct kvm_cpuid2 c;
			struct kvm_cpuid_entry2 e[256];
		} cpuid = { .c.nent = 256 };
		struct kvm_sregs sr;
		struct kvm_regs r;
		int n;

		vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
		if (vm->kvm_fd < 0)
			die("/dev/kvm: %s", strerror(errno));
		vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
		if (vm->vm_fd < 0 ||
		    ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &m))
			die("KVM VM: %s", strerror(errno));
		vm->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, 0);
		n = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
		if (vm->fd < 0 || n <= 0)
			die("KVM vCPU: %s", strerror(errno));
		/* Long mode needs CPUID's LM bit, which a vCPU lacks. */
		if (ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, &cpuid) ||
		    ioctl(vm->fd, KVM_SET_CPUID2, &cpuid))
			die("KVM CPUID: %s", strerror(errno));
		vm->run_size = n;
		vm->run = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_SHARED,
		    vm->fd, 0);
		if (vm->run == MAP_FAILED || ioctl(vm->fd, KVM_GET_SREGS, &sr))
			die("KVM run: %s", strerror(errno));
		ENTRY_SREGS(sr, cpl, kvm_tr_type);
		ENTRY_REGS(r, cpl, rcx);
		if (ioctl(vm->fd, KVM_SET_SREGS, &sr) ||
		    ioctl(vm->fd, KVM_SET_REGS, &r))
			die("KVM registers: %s", strerror(errno));
		kvm_stats_init(vm);
	}
}

static void vm_close(struct vm *vm)
{
	munmap(vm->run, vm->run_size);
	close(vm->fd);
	if (vm->cf->kind == KVM) {
		if (vm->stats_fd >= 0)
			close(vm->stats_fd);
		close(vm->vm_fd);
		close(vm->kvm_fd);
	}
	munmap(vm->mem, MEM_SIZE);
}

/*
 * Run until an OUT to a port other than PORT_NOP; returns the port, with
 * the value in *val. Anything else ends the program: these guests only
 * ever do port I/O.
 */
static int vm_run(struct vm *vm, uint32_t *val)
{
	for (;;) {
		int r, port;

		if (vm->cf->kind == SVMK) {
			struct svmk_run *run = vm->run;

			r = ioctl(vm->fd, SVMK_RUN, 0);
			if (r && errno == EINTR)
				continue;
			if (r || run->exit_reason != SVMK_EXIT_IO)
				die("%s: SVMK_RUN %d (%s), exit %u",
				    vm->cf->name, r, strerror(errno),
				    run->exit_reason);
			port = run->io.port;
			*val = run->io.data;
		} else {
			struct kvm_run *run = vm->run;

			r = ioctl(vm->fd, KVM_RUN, 0);
			if (r && errno == EINTR)
				continue;
			if (r || run->exit_reason != KVM_EXIT_IO)
				die("%s: KVM_RUN %d (%s), exit %u",
				    vm->cf->name, r, strerror(errno),
				    run->exit_reason);
			port = run->io.port;
			memcpy(val, (char *)run + run->io.data_offset, 4);
		}
		if (port != PORT_NOP)
			return port;
	}
}

static void expect_port(struct vm *vm, int want)
{
	uint32_t val;
	int port = vm_run(vm, &val);

	if (port == PORT_FAULT)
		die("%s: guest exception %u", vm->cf->name, val);
	if (port != want)
		die("%s: out to %#x, want %#x", vm->cf->name, port, want);
}

/* --- measurements -------------------------------------------------------- */
struct result {
	double hc_mon_us, hc_raw_us, boot_mon_ms, boot_raw_ms;
	double touch_ms, cr3_us;
	double hc_mon_exits, touch_exits, cr3_exits;
	char touch_why[512], cr3_why[512];
	int have_mon;
};

/* Time one workload between its start and done marks; exits and reasons. */
static double timed(const struct config *cf, const uint8_t *code,
    const uint8_t *end, int cpl, uint64_t rcx, double per, double *exits,
    char *why)
{
	double t[REPS];
	int i;

	for (i = 0; i < REPS; i++) {
		struct counts a, b;
		struct vm vm;
		double t0;

		vm_open(&vm, cf, code, end, cpl, rcx, 1);
		expect_port(&vm, PORT_START);
		vm_counts(&vm, &a);
		t0 = now_us();
		expect_port(&vm, PORT_DONE);
		t[i] = now_us() - t0;
		vm_counts(&vm, &b);
		if (code == g_cr3 &&
		    (*(uint32_t *)(vm.mem + G_X) != 1 ||
		        *(uint32_t *)(vm.mem + G_X_B) != 2))
			die("%s: the CR3 switches did not switch", cf->name);
		/* The done exit itself is not the workload's. */
		*exits = (b.exits - a.exits - 1) / per;
		strcpy(why, counts_desc(&vm, &a, &b, per));
		vm_close(&vm);
	}
	return median(t, REPS);
}

/* Raw VM from open() to its first exit (memory not touched beforehand). */
static double boot_raw(const struct config *cf)
{
	double t[REPS];
	int i;

	for (i = 0; i < REPS; i++) {
		struct vm vm;
		double t0 = now_us();

		vm_open(&vm, cf, g_boot, g_boot_end, 3, 0, 0);
		expect_port(&vm, PORT_DONE);
		t[i] = now_us() - t0;
		vm_close(&vm);
	}
	return median(t, REPS) / 1e3;
}

/*
 * svm-sandbox ARGS --stats=json nop -- n: wall time exec to exit in us,
 * and the total exits its stats report.
 */
static double monitor_run(const char *top, const struct config *cf, long n,
    double *exits)
{
	char svm[4096], nop[4096], num[32], buf[4096] = "", args[256];
	char *argv[16];
	int p[2], st, argc = 0;
	double t0, t;
	ssize_t len, got = 0;
	pid_t pid;
	char *s, *tok;

	snprintf(svm, sizeof(svm), "%s/build/bin/svm-sandbox", top);
	snprintf(nop, sizeof(nop), "%s/build/tests/bench/nop", top);
	snprintf(num, sizeof(num), "%ld", n);
	snprintf(args, sizeof(args), "%s", cf->monitor_args);
	argv[argc++] = svm;
	for (tok = strtok(args, " "); tok; tok = strtok(NULL, " "))
		argv[argc++] = tok;
	argv[argc++] = "--stats=json";
	argv[argc++] = nop;
	argv[argc++] = "--";
	argv[argc++] = num;
	argv[argc] = NULL;
	if (pipe(p))
		die("pipe");
	t0 = now_us();
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 2);
		close(p[0]);
		execv(svm, argv);
		_exit(127);
	}
	close(p[1]);
	while ((len = read(p[0], buf + got, sizeof(buf) - 1 - got)) > 0)
		got += len;
	close(p[0]);
	waitpid(pid, &st, 0);
	t = now_us() - t0;
	buf[got] = 0;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		die("%s %s nop -- %ld: status %#x: %s", svm, cf->monitor_args,
		    n, st, buf);
	s = strstr(buf, "\"total\": ");
	*exits = s ? atof(s + 9) : -1;
	return t;
}

static void measure(const char *top, const struct config *cf, struct result *r)
{
	double t0[REPS], tn[REPS], ex0 = 0, exn = 0, hc_exits;
	char why[512];
	int i;

	fprintf(stderr, "pagebench: %s\n", cf->name);
	memset(r, 0, sizeof(*r));
	r->have_mon = top != NULL;
	if (r->have_mon) {
		for (i = 0; i < REPS; i++) {
			t0[i] = monitor_run(top, cf, 0, &ex0);
			tn[i] = monitor_run(top, cf, NHC, &exn);
		}
		r->boot_mon_ms = median(t0, REPS) / 1e3;
		r->hc_mon_us = (median(tn, REPS) - r->boot_mon_ms * 1e3) / NHC;
		r->hc_mon_exits = (exn - ex0) / NHC;
	}
	r->hc_raw_us =
	    timed(cf, g_hc, g_hc_end, 3, NHC, NHC, &hc_exits, why) / NHC;
	r->boot_raw_ms = boot_raw(cf);
	r->touch_ms = timed(cf, g_touch, g_touch_end, 0, 0, 1, &r->touch_exits,
	                  r->touch_why) /
	    1e3;
	r->cr3_us = timed(cf, g_cr3, g_cr3_end, 0, NCR3, 2.0 * NCR3,
	                &r->cr3_exits, r->cr3_why) /
	    (2.0 * NCR3);
}

/* --- KVM module parameters and the TSS type ------------------------------ */
static int kvm_npt(void)
{
	char c = '?';
	int fd = open("/sys/module/kvm_amd/parameters/npt", O_RDONLY);

	if (fd >= 0) {
		if (read(fd, &c, 1) != 1)
			c = '?';
		close(fd);
	}
	return c == 'Y' || c == '1' ? 1 : c == 'N' || c == '0' ? 0 : -1;
}

/* Reload kvm_amd with npt=n, from the initramfs's module directory. */
static int kvm_reload(int n)
{
	char cmd[256];

	if (kvm_npt() == n)
		return 0;
	snprintf(cmd, sizeof(cmd),
	    "rmmod kvm_amd && insmod /lib/modules/kvm-amd.ko npt=%d", n);
	if (system(cmd) != 0 || kvm_npt() != n)
		return -1;
	return 0;
}

/*
 * QEMU's TCG lets CPL-3 port I/O through the TSS I/O bitmap only when TR's
 * cached type is 9 (available); after LTR it is 11 (busy), which KVM users
 * pass. Under KVM in this machine the cached type comes from what user
 * space gave KVM_SET_SREGS: try both, say what each does.
 */
static void tss_probe(void)
{
	static const struct config cf = { "kvm", KVM, 1, "" };
	int types[2] = { 11, 9 }, i;

	for (i = 0; i < 2; i++) {
		struct vm vm;
		uint32_t val;
		int port;

		kvm_tr_type = types[i];
		vm_open(&vm, &cf, g_hc, g_hc_end, 3, 1, 0);
		port = vm_run(&vm, &val);
		if (port == PORT_FAULT)
			out("KVM in TCG, CPL-3 out with TR type %d: guest "
			    "exception %u (%s)\n",
			    types[i], val,
			    val == 13 ? "#GP, error code 0" : "?");
		else
			out("KVM in TCG, CPL-3 out with TR type %d: port-I/O "
			    "exit to %#x\n",
			    types[i], port);
		vm_close(&vm);
	}
	kvm_tr_type = 9;
}

int main(int argc, char **argv)
{
	struct result res[NCONFIGS];
	int have[NCONFIGS] = { 0 };
	const char *top = NULL;
	char path[4096], thp[64] = "?";
	struct stat st;
	int i, opt, fd, ok = 1, npt0 = kvm_npt();

	while ((opt = getopt(argc, argv, "o:")) != -1) {
		if (opt != 'o')
			die("usage: pagebench [-o FILE] [TOP]");
		outf = fopen(optarg, "w");
		if (!outf)
			die("%s: %s", optarg, strerror(errno));
	}
	if (optind < argc) {
		top = argv[optind];
		snprintf(path, sizeof(path), "%s/build/tests/bench/nop", top);
		if (stat(path, &st)) {
			fprintf(stderr,
			    "pagebench: no %s: monitor rows left "
			    "out\n",
			    path);
			top = NULL;
		}
	}
	fd = open("/sys/kernel/mm/transparent_hugepage/enabled", O_RDONLY);
	if (fd >= 0) {
		ssize_t n = read(fd, thp, sizeof(thp) - 1);

		thp[n > 0 ? n - 1 : 0] = 0;
		close(fd);
	}

	for (i = 0; i < NCONFIGS; i++) {
		const struct config *cf = &configs[i];

		if (cf->kind == KVM &&
		    (access("/dev/kvm", R_OK | W_OK) ||
		        kvm_reload(cf->paging))) {
			fprintf(stderr, "pagebench: no KVM with npt=%d\n",
			    cf->paging);
			ok = 0;
			continue;
		}
		measure(top, cf, &res[i]);
		have[i] = 1;
	}

	out("pagebench: measured under QEMU TCG emulation (-cpu "
	    "EPYC,+svm,+npt): "
	    "times are the emulator's,\n"
	    "not hardware's; compare the columns with each other. Medians of "
	    "%d "
	    "runs; guest memory %u MiB\n(raw rows), THP %s.\n\n",
	    REPS, MEM_SIZE >> 20, thp);
	out("%-44s", "");
	for (i = 0; i < NCONFIGS; i++)
		out("%13s", configs[i].name);
	out("\n");
#define ROW(label, field, fmt)                                                 \
	do {                                                                   \
		out("%-44s", label);                                           \
		for (i = 0; i < NCONFIGS; i++)                                 \
			if (have[i])                                           \
				out(fmt, res[i].field);                        \
			else                                                   \
				out("%13s", "n/a");                            \
		out("\n");                                                     \
	} while (0)
	if (top) {
		ROW("hypercall round trip, monitor (us)", hc_mon_us, "%13.1f");
		ROW("  exits per hypercall", hc_mon_exits, "%13.2f");
	}
	ROW("hypercall round trip, raw CPL-3 out (us)", hc_raw_us, "%13.1f");
	if (top)
		ROW("boot to first hypercall, monitor (ms)", boot_mon_ms,
		    "%13.1f");
	ROW("boot to first exit, raw VM (ms)", boot_raw_ms, "%13.1f");
	ROW("write 16 MiB, once per 4 KiB page (ms)", touch_ms, "%13.1f");
	ROW("  exits", touch_exits, "%13.0f");
	ROW("CR3 switch + one page write (us)", cr3_us, "%13.1f");
	ROW("  exits per switch", cr3_exits, "%13.2f");
	out("\nexits by reason (svmk: run->exit_counts, shadow_flushes and "
	    "shadow_root_hits; KVM:\nvCPU stats, which name no CR3 writes; per "
	    "switch for CR3, markers included):\n");
	for (i = 0; i < NCONFIGS; i++)
		if (have[i])
			out("  write 16 MiB  %-12s %s\n", configs[i].name,
			    res[i].touch_why);
	for (i = 0; i < NCONFIGS; i++)
		if (have[i])
			out("  CR3 switch    %-12s %s\n", configs[i].name,
			    res[i].cr3_why);
	out("\n");
	if (!access("/dev/kvm", R_OK | W_OK) && !kvm_reload(1))
		tss_probe();
	/* Leave kvm_amd as found. */
	if (npt0 >= 0 && kvm_reload(npt0))
		ok = 0;
	if (outf)
		fclose(outf);
	return ok ? 0 : 1;
}
