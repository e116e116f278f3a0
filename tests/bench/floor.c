/*
 * floor: the least any KVM monitor must do, as the benchmark's floor: open
 * /dev/kvm, create a VM with 2 MiB of memory and one vCPU, enter long mode,
 * take one port-I/O exit and a HLT exit, and exit.
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define MEM 0x200000

static int die(const char *what)
{
	perror(what);
	return 1;
}

int main(void)
{
	/* mov $1, %al; out %al, $0x10; hlt */
	static const uint8_t code[] = { 0xb0, 0x01, 0xe6, 0x10, 0xf4 };
	struct kvm_userspace_memory_region region = { 0 };
	struct kvm_sregs sr;
	struct kvm_regs r = { 0 };
	struct kvm_run *run;
	struct kvm_segment seg = { .base = 0,
		.limit = 0xffffffff,
		.present = 1,
		.s = 1,
		.g = 1 };
	uint64_t *pt;
	uint8_t *mem;
	int kvm, vm, vcpu, n, ios = 0;

	if ((kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC)) < 0)
		return die("/dev/kvm");
	if ((vm = ioctl(kvm, KVM_CREATE_VM, 0)) < 0)
		return die("KVM_CREATE_VM");
	mem = mmap(NULL, MEM, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		return die("mmap");
	region.memory_size = MEM;
	region.userspace_addr = (uintptr_t)mem;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return die("KVM_SET_USER_MEMORY_REGION");
	if ((vcpu = ioctl(vm, KVM_CREATE_VCPU, 0)) < 0)
		return die("KVM_CREATE_VCPU");
	n = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	run =
	    mmap(NULL, (size_t)n, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		return die("mmap kvm_run");

	/* One 2 MiB page identity-mapped: PML4 at 0x1000, PDPT, PD. */
	pt = (uint64_t *)(mem + 0x1000);
	pt[0] = 0x2000 | 3;
	pt[512] = 0x3000 | 3;
	pt[1024] = 0x0 | 0x83;
	memcpy(mem + 0x10000, code, sizeof(code));

	if (ioctl(vcpu, KVM_GET_SREGS, &sr) < 0)
		return die("KVM_GET_SREGS");
	seg.type = 11, seg.l = 1, seg.selector = 8;
	sr.cs = seg;
	seg.type = 3, seg.l = 0, seg.selector = 16;
	sr.ds = sr.es = sr.fs = sr.gs = sr.ss = seg;
	sr.cr3 = 0x1000;
	sr.cr4 = 0x20;       /* PAE */
	sr.cr0 = 0x80000011; /* PG ET PE */
	sr.efer = 0x500;     /* LMA LME */
	if (ioctl(vcpu, KVM_SET_SREGS, &sr) < 0)
		return die("KVM_SET_SREGS");
	r.rip = 0x10000;
	r.rflags = 2;
	if (ioctl(vcpu, KVM_SET_REGS, &r) < 0)
		return die("KVM_SET_REGS");

	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0)
			return die("KVM_RUN");
		if (run->exit_reason == KVM_EXIT_IO)
			ios++;
		else if (run->exit_reason == KVM_EXIT_HLT)
			return ios == 1 ? 0 : 1;
		else
			return 2;
	}
}
