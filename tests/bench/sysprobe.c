/*
 * sysprobe: the host's floor for a system call in a guest, without the
 * monitor: a minimal KVM VM (2 MiB on one 2 MiB page, long mode, CPL 3)
 * runs N `syscall` instructions to a stub that only returns (jmp *%rcx),
 * timing them with its TSC, and ends with a triple fault. Prints the median
 * over ROUNDS VMs of the microseconds per call. It shows what the host
 * itself costs, so the guest kernel's figure (hcbench --syscall) can be
 * read against it. Under PVM `syscall` stays at CPL 3, so this is the whole
 * round trip the guest kernel's entry pays; on hardware SVM or VMX it
 * would enter CPL 0 and stay there, and the figure is only this host's
 * floor. Usage: sysprobe N ROUNDS
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define MEM 0x200000
#define CODE 0x10000
#define STUB 0x11000
#define RESULT 0x8000

static void segment(struct kvm_segment *s, unsigned sel, unsigned type,
    unsigned code)
{
	memset(s, 0, sizeof(*s));
	s->selector = (uint16_t)sel;
	s->limit = 0xfffff;
	s->type = (uint8_t)type;
	s->present = 1;
	s->dpl = 3;
	s->db = !code;
	s->s = 1;
	s->l = (uint8_t)code;
	s->g = 1;
}

/* One VM; us per syscall, or a negative number if the VM did not run. */
static double probe(int kvm, uint32_t n)
{
	/*
	 * mov $n, %ebx; rdtsc; shl $32, %rdx; or %rdx, %rax; mov %rax, %r12;
	 * 1: syscall; dec %ebx; jnz 1b; rdtsc; shl $32, %rdx; or %rdx, %rax;
	 * sub %r12, %rax; mov %rax, RESULT; ud2 (no IDT: a triple fault)
	 */
	static const uint8_t code[] = { 0xbb, 0, 0, 0, 0, 0x0f, 0x31, 0x48,
		0xc1, 0xe2, 0x20, 0x48, 0x09, 0xd0, 0x49, 0x89, 0xc4, 0x0f,
		0x05, 0xff, 0xcb, 0x75, 0xfa, 0x0f, 0x31, 0x48, 0xc1, 0xe2,
		0x20, 0x48, 0x09, 0xd0, 0x4c, 0x29, 0xe0, 0x48, 0x89, 0x04,
		0x25, RESULT & 0xff, RESULT >> 8, 0, 0, 0x0f, 0x0b };
	struct kvm_userspace_memory_region region = { .memory_size = MEM };
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[3];
	} msrs = { .hdr.nmsrs = 3,
		.e = {
		    { .index = 0xc0000081, .data = 0x10ull << 48 | 8ull << 32 },
		    { .index = 0xc0000082 /* LSTAR */, .data = STUB },
		    { .index = 0xc0000084 /* SFMASK */ } } };
	struct kvm_regs r = { .rip = CODE, .rsp = RESULT, .rflags = 2 };
	struct kvm_sregs sr;
	struct kvm_run *run;
	uint64_t *pt, cycles;
	uint8_t *mem;
	int vm, vcpu, khz, sz;
	double us = -1;

	mem = mmap(NULL, MEM, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED || (vm = ioctl(kvm, KVM_CREATE_VM, 0)) < 0)
		return -1;
	region.userspace_addr = (uintptr_t)mem;
	pt = (uint64_t *)(mem + 0x1000); /* PML4, PDPT, PD: one 2 MiB page */
	pt[0] = 0x2000 | 7;
	pt[512] = 0x3000 | 7;
	pt[1024] = 0x87;
	pt = (uint64_t *)(mem + 0x500); /* GDT: user data 0x1b, code 0x23 */
	pt[3] = 0x00cff3000000ffffull;
	pt[4] = 0x00affb000000ffffull;
	pt[5] = 0x67 | 0x600ull << 16 | 0x89ull << 40; /* TSS at 0x600 */
	memcpy(mem + CODE, code, sizeof(code));
	memcpy(mem + CODE + 1, &n, 4);
	mem[STUB] = 0xff; /* jmp *%rcx */
	mem[STUB + 1] = 0xe1;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0 ||
	    (vcpu = ioctl(vm, KVM_CREATE_VCPU, 0)) < 0)
		goto out;
	sz = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	run =
	    mmap(NULL, (size_t)sz, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED || ioctl(vcpu, KVM_GET_SREGS, &sr) < 0)
		goto out_vcpu;
	segment(&sr.cs, 0x23, 11, 1);
	segment(&sr.ss, 0x1b, 3, 0);
	sr.ds = sr.es = sr.fs = sr.gs = sr.ss;
	memset(&sr.tr, 0, sizeof(sr.tr));
	sr.tr.selector = 0x28;
	sr.tr.base = 0x600;
	sr.tr.limit = 0x67;
	sr.tr.type = 11;
	sr.tr.present = 1;
	sr.gdt.base = 0x500;
	sr.gdt.limit = 7 * 8 - 1;
	sr.idt.base = 0;
	sr.idt.limit = 0;
	sr.cr0 = 0x80050033; /* PG, AM, WP, NE, ET, MP, PE */
	sr.cr3 = 0x1000;
	sr.cr4 = 0x20;   /* PAE */
	sr.efer = 0x501; /* LMA, LME, SCE */
	khz = ioctl(vcpu, KVM_GET_TSC_KHZ, 0);
	if (ioctl(vcpu, KVM_SET_SREGS, &sr) < 0 ||
	    ioctl(vcpu, KVM_SET_REGS, &r) < 0 ||
	    ioctl(vcpu, KVM_SET_MSRS, &msrs) != 3 || khz <= 0 ||
	    ioctl(vcpu, KVM_RUN, 0) < 0 ||
	    run->exit_reason != KVM_EXIT_SHUTDOWN)
		goto out_run;
	memcpy(&cycles, mem + RESULT, sizeof(cycles));
	us = (double)cycles / khz * 1e3 / n;
out_run:
	munmap(run, (size_t)sz);
out_vcpu:
	close(vcpu);
out:
	close(vm);
	munmap(mem, MEM);
	return us;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	double t[64];
	int kvm, rounds, i;
	long n;

	if (argc != 3 || (n = atol(argv[1])) < 1 || n > 100000000 ||
	    (rounds = atoi(argv[2])) < 1 || rounds > 64) {
		fprintf(stderr, "usage: sysprobe N ROUNDS\n");
		return 2;
	}
	if ((kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC)) < 0) {
		perror("sysprobe: /dev/kvm");
		return 1;
	}
	for (i = 0; i < rounds; i++)
		if ((t[i] = probe(kvm, (uint32_t)n)) < 0) {
			fprintf(stderr, "sysprobe: the probe VM did not run\n");
			return 1;
		}
	qsort(t, (size_t)rounds, sizeof(t[0]), cmp);
	printf("bare syscall in a minimal VM, no monitor: median %.3f us "
	       "(%d VMs of %ld calls)\n",
	    t[rounds / 2], rounds, n);
	return 0;
}
