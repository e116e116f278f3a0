/* x86_64.c: the guest's page tables, GDT, TSS, IDT and fault stubs. */
#include <elf.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "monitor.h"

#define PTE_P X86_PTE_P
#define PTE_W X86_PTE_W
#define PTE_U X86_PTE_U
#define PTE_A (1ull << 5)
#define PTE_D (1ull << 6)
#define PTE_PS (1ull << 7)
#define PTE_NX X86_PTE_NX
/*
 * Accessed and dirty are set up front: with shadow paging every A/D update the
 * CPU makes to a guest page table is a trapped write to a protected page.
 */
#define PTE_TABLE (PTE_P | PTE_W | PTE_U | PTE_A)

#define MiB2 0x200000ull

static void put64(struct svm_vm *vm, svm_gpa_t gpa, uint64_t v)
{
	/* Only called on monitor-chosen addresses inside the low area. */
	memcpy(vm->mem + gpa, &v, sizeof(v));
}

/*
 * The rights of page gpa from img's segments: the union where two share it
 * (elf_parse refused a union that is W+X), or 0 if none does.
 */
static uint64_t seg_rights(const struct elf_image *img, uint64_t gpa)
{
	uint64_t r = PTE_P | PTE_U | PTE_A;
	uint32_t f;

	if (!elf_page_flags(img, gpa, &f))
		return 0;
	if (f & PF_W)
		r |= PTE_W | PTE_D;
	if (!(f & PF_X))
		r |= PTE_NX;
	return r;
}

uint64_t x86_page_rights(const struct svm_vm *vm, uint64_t gpa)
{
	uint64_t guard = vm->stack_bottom - SVM_PAGE_SIZE;

	if (gpa < X86_GDT || gpa >= vm->mem_size)
		return 0; /* NULL guard; past the end */
	if (gpa < X86_STUBS)
		return PTE_P | PTE_A | PTE_NX; /* GDT, TSS, IDT: kernel RO */
	if (gpa < X86_BOOTINFO)
		return PTE_P | PTE_A; /* fault stubs: kernel RX */
	if (gpa < X86_BOOTINFO_END)
		return PTE_P | PTE_U | PTE_A | PTE_NX; /* boot info: user RO */
	if (gpa < X86_KSTACK_TOP)
		return PTE_P | PTE_W | PTE_A | PTE_D |
		    PTE_NX; /* kernel stack */
	if (gpa < SVM_LOAD_MIN)
		return 0; /* page tables: walked physically, never mapped */
	/*
	 * The guest kernel's pages are user pages: it runs at CPL 3, where
	 * PVM keeps `syscall` (entry.S).
	 */
	if (gpa < SVM_PROGRAM_MIN)
		return seg_rights(&vm->kernel, gpa);
	if (gpa < vm->img.end)
		return seg_rights(&vm->img, gpa); /* 0 in holes */
	if (vm->tree_gpa != 0 && gpa >= vm->tree_gpa &&
	    gpa < vm->tree_gpa + vm->tree_size)
		return PTE_P | PTE_U | PTE_A | PTE_NX; /* the tree: RO */
	if (gpa < vm->heap_start || gpa == guard)
		return 0;                                      /* stack guard */
	return PTE_P | PTE_W | PTE_U | PTE_A | PTE_D | PTE_NX; /* heap, stack */
}

/*
 * Identity map [0, mem_size): one PML4, one PDPT, one PD (mem <= 1 GiB), and a
 * page table for each 2 MiB chunk that is not all heap or all tree; those use
 * 2 MiB pages, which keeps the tables a few pages long for any memory size.
 */
static int build_page_tables(struct svm_vm *vm, char *err, size_t errlen)
{
	const svm_gpa_t pml4 = X86_PT_BASE, pdpt = pml4 + SVM_PAGE_SIZE,
	                pd = pdpt + SVM_PAGE_SIZE;
	svm_gpa_t next = pd + SVM_PAGE_SIZE;
	uint64_t guard = vm->stack_bottom - SVM_PAGE_SIZE;
	uint64_t chunk, gpa;

	put64(vm, pml4, pdpt | PTE_TABLE);
	put64(vm, pdpt, pd | PTE_TABLE);
	for (chunk = 0; chunk < vm->mem_size; chunk += MiB2) {
		/*
		 * Whole chunks of heap or of the tree are uniform: one 2 MiB
		 * page each, no per-page scan (the tree's: vm.c, tree_huge).
		 */
		if ((chunk >= vm->heap_start && chunk + MiB2 <= guard) ||
		    (vm->tree_gpa != 0 && chunk >= vm->tree_gpa &&
		        chunk + MiB2 <= vm->tree_gpa + vm->tree_size)) {
			put64(vm, pd + chunk / MiB2 * 8,
			    chunk | x86_page_rights(vm, chunk) | PTE_PS);
			continue;
		}
		if (next + SVM_PAGE_SIZE > X86_PT_END) {
			snprintf(err, errlen, "page tables do not fit");
			return -1;
		}
		for (gpa = chunk; gpa < chunk + MiB2; gpa += SVM_PAGE_SIZE) {
			uint64_t r = x86_page_rights(vm, gpa);

			if (r != 0)
				put64(vm,
				    next + (gpa - chunk) / SVM_PAGE_SIZE * 8,
				    gpa | r);
		}
		put64(vm, pd + chunk / MiB2 * 8, next | PTE_TABLE);
		next += SVM_PAGE_SIZE;
	}
	return 0;
}

/* Long-mode segment descriptors, accessed bit preset (no CPU write-back). */
static const uint64_t gdt_code_data[] = {
	0, 0x00209b0000000000ull, /* 0x08 kernel code: L, P, DPL 0 */
	0x0000930000000000ull,    /* 0x10 kernel data */
	0x0000f30000000000ull,    /* 0x18 user data: DPL 3 */
	0x0020fb0000000000ull,    /* 0x20 user code: L, P, DPL 3 */
};

static void build_gdt_tss(struct svm_vm *vm)
{
	uint64_t base = X86_TSS, limit = X86_TSS_LIMIT;
	uint8_t *iopb = vm->mem + X86_TSS + X86_TSS_SIZE;
	unsigned i, port;

	for (i = 0; i < sizeof(gdt_code_data) / 8; i++)
		put64(vm, X86_GDT + i * 8, gdt_code_data[i]);
	/* 16-byte available 64-bit TSS descriptor (type 9, present). */
	put64(vm, X86_GDT + X86_SEL_TSS,
	    (limit & 0xffff) | (base & 0xffffff) << 16 | 0x89ull << 40 |
	        ((limit >> 16) & 0xf) << 48 | ((base >> 24) & 0xff) << 56);
	put64(vm, X86_GDT + X86_SEL_TSS + 8, base >> 32);

	/* TSS: RSP0 at byte 4, I/O bitmap offset at byte 102. */
	put64(vm, X86_TSS + 4, X86_KSTACK_TOP);
	vm->mem[X86_TSS + 102] = X86_TSS_SIZE & 0xff;
	vm->mem[X86_TSS + 103] = X86_TSS_SIZE >> 8;
	/*
	 * Every port closed but the hypercall ports; the extra last byte is the
	 * all-ones terminator the CPU reads past the final port. IOPL stays 0:
	 * the bitmap is what lets user mode reach the monitor.
	 */
	memset(iopb, 0xff, X86_IOPB_BYTES);
	for (port = SVM_HC_PORT_BASE;
	     port < SVM_HC_PORT_BASE + SVM_HC_PORT_COUNT; port++)
		iopb[port / 8] &= ~(1u << (port % 8));
}

/* Vectors for which the CPU pushes an error code. */
static bool has_error_code(unsigned v)
{
	return v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 ||
	    v == 29 || v == 30;
}

/*
 * One 16-byte stub per vector: push a zero error code where the CPU pushes
 * none, push RDX (which the port number takes next: so the frame keeps every
 * register of the program that the vCPU does not), push the vector, out to
 * SVM_FAULT_PORT (closed to user mode, so only these stubs reach it), halt.
 * The frame is then struct svm_fault_frame at RSP. They run at CPL 0, where
 * this KVM emulates each instruction: keep short.
 */
static void build_idt(struct svm_vm *vm)
{
	unsigned v;

	for (v = 0; v < X86_IDT_ENTRIES; v++) {
		uint8_t *p = vm->mem + X86_STUBS + v * 16;
		uint64_t off = X86_STUBS + v * 16, lo, hi;
		/* #BP and #OF may be raised by user code (int3, into). */
		unsigned dpl = (v == 3 || v == 4) ? 3 : 0;

		if (!has_error_code(v)) {
			*p++ = 0x6a; /* push $0 */
			*p++ = 0;
		}
		*p++ = 0x52; /* push %rdx */
		*p++ = 0x6a; /* push $v */
		*p++ = (uint8_t)v;
		*p++ = 0x66; /* mov $SVM_FAULT_PORT, %dx */
		*p++ = 0xba;
		*p++ = SVM_FAULT_PORT & 0xff;
		*p++ = SVM_FAULT_PORT >> 8;
		*p++ = 0xee; /* out %al, %dx */
		*p++ = 0xf4; /* hlt */
		*p++ = 0xeb; /* jmp back to hlt */
		*p++ = 0xfd;

		/* 64-bit interrupt gate: present, type 0xe, IF cleared. */
		lo = (off & 0xffff) | (uint64_t)X86_SEL_KCODE << 16 |
		    (uint64_t)(0x8e | dpl << 5) << 40 |
		    ((off >> 16) & 0xffff) << 48;
		hi = off >> 32;
		put64(vm, X86_IDT + v * 16, lo);
		put64(vm, X86_IDT + v * 16 + 8, hi);
	}
}

int x86_program_cpu(struct svm_vm *vm, struct svm_cpu *c)
{
	struct svm_fault_frame f;
	const void *p;
	uint64_t v, off, pre, left;

	if (vm->be->get_cpu(vm, c) < 0)
		return -1;
	if ((c->cs & 3) != 0 || c->rip < X86_STUBS ||
	    c->rip >= X86_STUBS + X86_IDT_ENTRIES * 16)
		return 0;
	/* Where the stub is (build_idt's layout): the pushes it has left. */
	v = (c->rip - X86_STUBS) / 16;
	off = (c->rip - X86_STUBS) % 16;
	pre = has_error_code((unsigned)v) ? 0 : 2; /* its push $0 */
	left = off < pre ? 3 : off == pre ? 2 : off == pre + 1 ? 1 : 0;
	if ((p = vm_gpa(vm, c->rsp - left * 8, sizeof(f))) == NULL)
		return -1;
	memcpy(&f, p, sizeof(f));
	if (left <= 1)
		c->rdx = f.rdx;
	c->rip = f.rip;
	c->cs = f.cs & 0xffff;
	c->rflags = f.rflags;
	c->rsp = f.rsp;
	c->ss = f.ss & 0xffff;
	return 1;
}

/*
 * What the four functions below need of the host's CPUID, asked once per
 * process: a CPUID traps to the outer hypervisor on these machines (6.6 us
 * on the AMD ones, 12.6 us on the Intel ones), and every start needed four,
 * every reset check (kvm.c) one more.
 */
static struct {
	pthread_once_t once;
	unsigned tss_type;
	uint64_t cr4, xcr0;
	uint32_t edx1;
} host = { .once = PTHREAD_ONCE_INIT };

static void ask_cpuid(void)
{
	unsigned a, b, c, d;

	__asm__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0));
	/* "AuthenticAMD": ebx, edx, ecx */
	host.tss_type =
	    b == 0x68747541 && d == 0x69746e65 && c == 0x444d4163 ? 9 : 11;
	__asm__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	host.edx1 = d;
	if (c & (1u << 27)) { /* OSXSAVE: the host's CR4 lets us ask */
		__asm__ volatile("xgetbv" : "=a"(a), "=d"(d) : "c"(0));
		host.xcr0 = (uint64_t)d << 32 | a;
	}
	__asm__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(7), "c"(0));
	host.cr4 = X86_CR4 | (b & 1 ? X86_CR4_FSGSBASE : 0);
}

unsigned x86_tss_type(void)
{
	pthread_once(&host.once, ask_cpuid);
	return host.tss_type;
}

uint64_t x86_cr4(void)
{
	pthread_once(&host.once, ask_cpuid);
	return host.cr4;
}

uint32_t x86_hwcap(void)
{
	pthread_once(&host.once, ask_cpuid);
	return host.edx1;
}

uint64_t x86_host_xcr0(void)
{
	pthread_once(&host.once, ask_cpuid);
	return host.xcr0;
}

int x86_setup(struct svm_vm *vm, char *err, size_t errlen)
{
	build_gdt_tss(vm);
	build_idt(vm);
	return build_page_tables(vm, err, errlen);
}
