/* kvm.c: the KVM backend: VM and vCPU setup, and the exit loop. */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "monitor.h"

struct kvm_backend {
	int kvm_fd, vm_fd, vcpu_fd;
	struct kvm_run *run;
	size_t run_size;
	/* Function mode: the vCPU at READY, and KVM's dirty-page log. */
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_xsave *xsave; /* xsave_size bytes: x87, SSE, AVX... PKRU */
	unsigned long *log;
	bool cpuid; /* it has KVM's CPUID table (needs_cpuid()) */
};

/*
 * What KVM supports, asked once per process and only by a vCPU that needs
 * it (needs_cpuid()): the CPUID every vCPU gets (KVM_SET_CPUID2 also tells
 * KVM which XSAVE components the guest has, so that KVM_GET_XSAVE and
 * KVM_SET_XSAVE cover them), the size of an XSAVE image, and one in the
 * state of a new vCPU.
 */
static struct {
	pthread_once_t once;
	int fd; /* /dev/kvm, for the first caller */
	struct kvm_cpuid2 *cpuid;
	size_t xsave_size;
	struct kvm_xsave *clean;
	uint64_t xcr0; /* the XSAVE components the CPUID gives the guest */
} caps = { .once = PTHREAD_ONCE_INIT };

/* What the host is, also asked once per process. */
static struct {
	pthread_once_t once;
	bool pvm;         /* PVM, the paravirtual KVM of these machines */
	bool cpuid_fault; /* the host can make CPL-3 CPUID fault */
} host = { .once = PTHREAD_ONCE_INIT };

static void ask_host(void)
{
	host.pvm = access("/sys/module/kvm_pvm", F_OK) == 0;
	/*
	 * CPUID already faulting for this thread (0: an embedder's choice, or
	 * rr's) shows it; otherwise enabling it, as it already is, fails only
	 * where it cannot be disabled. Neither changes the thread's setting.
	 */
	host.cpuid_fault =
	    syscall(SYS_arch_prctl, 0x1011 /* ARCH_GET_CPUID */, 0) == 0 ||
	    !(syscall(SYS_arch_prctl, 0x1012 /* ARCH_SET_CPUID */, 1) < 0 &&
	        errno == ENODEV);
}

static bool host_pvm(void)
{
	pthread_once(&host.once, ask_host);
	return host.pvm;
}

#define MAX_CPUID 256

static void ask_caps(void)
{
	struct kvm_cpuid2 *c;
	uint64_t bv = 3; /* x87 and SSE */
	uint32_t i, pkru = 0;
	int n;

	c = calloc(1, sizeof(*c) + MAX_CPUID * sizeof(c->entries[0]));
	if (c == NULL)
		return;
	c->nent = MAX_CPUID;
	if (ioctl(caps.fd, KVM_GET_SUPPORTED_CPUID, c) < 0) {
		free(c);
		return;
	}
	for (i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function == 1)
			e->ecx |= 1u << 31; /* a hypervisor is present */
		if (e->function == 0xd && e->index == 0)
			caps.xcr0 = e->eax | (uint64_t)e->edx << 32;
		if (e->function == 0xd && e->index == 9)
			pkru = e->ebx; /* PKRU's offset in the image */
	}
	n = ioctl(caps.fd, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE2);
	caps.xsave_size = n > (int)sizeof(struct kvm_xsave) ?
	    (size_t)n :
	    sizeof(struct kvm_xsave);
	if ((caps.clean = calloc(1, caps.xsave_size)) == NULL) {
		free(c);
		return;
	}
	/*
	 * x87 and SSE as at power-on (FCW 0x37f, MXCSR 0x1f80, registers
	 * zero), and every other component in its initial state: KVM clears
	 * the header bit of each component not named in it. But PKRU, which
	 * KVM keeps outside the image, changes only when named: 0.
	 */
	memcpy((uint8_t *)caps.clean->region, &(uint16_t) { 0x37f }, 2);
	memcpy((uint8_t *)caps.clean->region + 24, &(uint32_t) { 0x1f80 }, 4);
	if ((caps.xcr0 & (1u << 9)) && pkru >= 576 &&
	    pkru + 4 <= caps.xsave_size)
		bv |= 1u << 9; /* its bytes are already 0 */
	memcpy((uint8_t *)caps.clean->region + 512, &bv, 8);
	caps.cpuid = c;
}

static int fail(char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s: %s", what, strerror(errno));
	return -1;
}

/* Enter the app in 64-bit mode at CPL 3 with the tables x86_setup() built. */
static int set_entry_state(struct svm_vm *vm, struct kvm_backend *kb, char *err,
    size_t errlen)
{
	struct kvm_sregs sr;
	struct kvm_regs r;

	if (ioctl(kb->vcpu_fd, KVM_GET_SREGS, &sr) < 0)
		return fail(err, errlen, "KVM_GET_SREGS");
	X86_ENTRY_SREGS(sr);
	if (ioctl(kb->vcpu_fd, KVM_SET_SREGS, &sr) < 0)
		return fail(err, errlen, "KVM_SET_SREGS");
	X86_ENTRY_REGS(r, vm);
	if (ioctl(kb->vcpu_fd, KVM_SET_REGS, &r) < 0)
		return fail(err, errlen, "KVM_SET_REGS");
	return 0;
}

/*
 * The MSRs of a new or reused vCPU: the syscall MSRs (X86_STAR...).
 * What the guest learns of the host: its TSC starts at 0 with each app
 * (not at the host's uptime) and TSC_AUX, which RDTSCP and RDPID return, is
 * 0 (not the host CPU). Under PVM neither of those takes effect, since the
 * guest's user mode reads the real registers, and setting the TSC would
 * only make KVM's idea of it differ from what the guest reads: they are
 * left alone there (README: threat model).
 */
static int set_msrs(struct kvm_backend *kb)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[6];
	} m = {
		.hdr.nmsrs = host_pvm() ? 4 : 6,
		.e = {
		    { .index = 0xc0000081 /* STAR */, .data = X86_STAR },
		    { .index = 0xc0000082, /* LSTAR */
		        .data = SVM_KERNEL_SYSCALL },
		    { .index = 0xc0000083 /* CSTAR: no 32-bit syscall */ },
		    { .index = 0xc0000084 /* SFMASK */, .data = X86_SFMASK },
		    { .index = 0x10 /* IA32_TSC */ },
		    { .index = 0xc0000103 /* TSC_AUX */ },
		},
	};

	return ioctl(kb->vcpu_fd, KVM_SET_MSRS, &m) == (int)m.hdr.nmsrs ? 0 :
	                                                                  -1;
}

/*
 * Tell the guest how to read wall-clock time from its TSC without an exit.
 * vCPU ioctls cost 7-9 us each here (every one loads the vCPU): the rate
 * comes from the VM where KVM has it there (Linux 6.0), and under PVM the
 * guest reads the real TSC (set_msrs()), which the monitor reads too.
 */
static void set_clock(struct svm_vm *vm, struct kvm_backend *kb)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} m = { .hdr.nmsrs = 1, .e.index = 0x10 /* IA32_TSC */ };
	int khz = ioctl(kb->vm_fd, KVM_GET_TSC_KHZ, 0);
	uint32_t lo, hi;

	if (khz <= 0)
		khz = ioctl(kb->vcpu_fd, KVM_GET_TSC_KHZ, 0);
	if (host_pvm()) {
		__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
		m.e.data = (uint64_t)hi << 32 | lo;
	} else if (ioctl(kb->vcpu_fd, KVM_GET_MSRS, &m) != 1) {
		khz = 0;
	}
	if (khz <= 0)
		khz = 0, m.e.data = 0; /* the guest then reports time 0 */
	vm_set_clock(vm, (uint64_t)khz, m.e.data);
}

/*
 * Which paging KVM gives its guests here (its module parameter), or
 * SVM_PAGING_DEFAULT if it cannot tell. A VM cannot choose.
 */
static enum svm_paging kvm_paging(void)
{
	static const char *const params[] = {
		"/sys/module/kvm_amd/parameters/npt",
		"/sys/module/kvm_intel/parameters/ept",
	};
	char c = 0;
	unsigned i;
	int fd;

	/* PVM, the paravirtual KVM of these machines, only shadows. */
	if (host_pvm())
		return SVM_PAGING_SHADOW;
	for (i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
		if ((fd = open(params[i], O_RDONLY | O_CLOEXEC)) < 0)
			continue;
		if (read(fd, &c, 1) != 1)
			c = 0;
		close(fd);
		if (c == 'Y' || c == '1')
			return SVM_PAGING_TDP;
		if (c == 'N' || c == '0')
			return SVM_PAGING_SHADOW;
	}
	return SVM_PAGING_DEFAULT;
}

/*
 * Under PVM the guest's user mode runs on this thread's own DS, ES, FS and
 * GS selectors: one the guest loads (the host GDT's 0x2b is loadable) stays
 * in the thread, out of KVM_SET_SREGS's reach, and the next app run on this
 * thread would start with it. Null them. A null load may clear the FS or
 * GS base, which here is the monitor's own TLS: it is put back, with
 * signals blocked meanwhile because their handler reads TLS. On other KVMs
 * the thread's selectors are the host's own, already null.
 */
static int reset_thread_segments(void)
{
	uint16_t ds, es, fs, gs;
	uint64_t fsbase, gsbase;
	sigset_t all, old;

	__asm__ volatile("mov %%ds, %0; mov %%es, %1; mov %%fs, %2; mov %%gs, "
	                 "%3"
	                 : "=r"(ds), "=r"(es), "=r"(fs), "=r"(gs));
	if (ds != 0 || es != 0)
		__asm__ volatile("mov %0, %%ds; mov %0, %%es" : : "r"(0));
	if (fs == 0 && gs == 0)
		return 0;
	/* The guest could load FS only where it has its own FS base: FSGSBASE.
	 */
	if (!(getauxval(AT_HWCAP2) & 2 /* HWCAP2_FSGSBASE */))
		return -1;
	sigfillset(&all);
	if (pthread_sigmask(SIG_SETMASK, &all, &old) != 0)
		return -1;
	__asm__ volatile("rdfsbase %0; rdgsbase %1"
	                 : "=r"(fsbase), "=r"(gsbase));
	__asm__ volatile("mov %2, %%fs; mov %2, %%gs; wrfsbase %0; wrgsbase %1"
	                 :
	                 : "r"(fsbase), "r"(gsbase), "r"(0));
	return pthread_sigmask(SIG_SETMASK, &old, NULL) != 0 ? -1 : 0;
}

/* Point a new or reset vCPU at vm's app and hand its fds to the monitor. */
static int start_app(struct svm_vm *vm, struct kvm_backend *kb, char *err,
    size_t errlen)
{
	if (set_entry_state(vm, kb, err, errlen) < 0)
		return -1;
	if (reset_thread_segments() < 0) {
		snprintf(err, errlen, "cannot reset the thread's segments");
		return -1;
	}
	if (set_msrs(kb) < 0)
		return fail(err, errlen, "KVM_SET_MSRS");
	set_clock(vm, kb);
	/* A parked VM's last kick (its old app's timer) must not stop this. */
	kb->run->immediate_exit = 0;
	vm->vcpu_fd = kb->vcpu_fd;
	vm->vm_fd = kb->vm_fd;
	vm->kick = &kb->run->immediate_exit;
	return 0;
}

/*
 * The XSAVE components a CPL-3 guest can write that a reset would not put
 * back. PVM runs the guest's user mode with the host's XCR0 whatever the
 * guest's CR4 says; elsewhere the guest's own XCR0 applies. KVM_SET_XSAVE
 * resets what the CPUID gives the guest (caps.xcr0), and always x87 and SSE.
 */
static uint64_t unreset_xstate(struct kvm_backend *kb)
{
	struct kvm_xcrs x = { 0 };
	uint64_t w = x86_host_xcr0();

	if (ioctl(kb->vcpu_fd, KVM_GET_XCRS, &x) == 0 && x.nr_xcrs > 0)
		w |= x.xcrs[0].value;
	return (w | svm_test_unreset) & ~(caps.xcr0 & ~svm_test_unreset) &
	    ~3ull;
}

static int kvm_resets(struct svm_vm *vm, char *err, size_t errlen)
{
	struct kvm_backend *kb = vm->backend;
	uint64_t bits;

	/* Without the table, KVM_SET_XSAVE would cover only x87 and SSE. */
	if (!kb->cpuid) {
		snprintf(err, errlen,
		    "this VM was opened without KVM's CPUID: it cannot be "
		    "reset");
		return -1;
	}
	if ((bits = unreset_xstate(kb)) == 0)
		return 0;
	snprintf(err, errlen,
	    "KVM here cannot reset the guest's XSAVE state %#llx (XCR0 bits "
	    "a CPL-3 guest can write but KVM_SET_XSAVE does not cover)",
	    (unsigned long long)bits);
	return -1;
}

/*
 * Reset a parked VM's vCPU (pool.c) for a new app: besides the entry state,
 * every XSAVE component as at power-on (x87 with FCW 0x37f, SSE with MXCSR
 * 0x1f80, AVX, opmask, ZMM, PKRU... all initial), no pending exception,
 * interrupt or NMI, and the thread's segment selectors. MSRs, debug and
 * descriptor-table registers are out of a CPL-3 app's reach and the entry
 * state sets the rest.
 */
static int kvm_reuse(struct svm_vm *vm, char *err, size_t errlen)
{
	struct kvm_backend *kb = vm->backend;
	struct kvm_vcpu_events ev = {
		.flags = KVM_VCPUEVENT_VALID_NMI_PENDING |
		    KVM_VCPUEVENT_VALID_SHADOW,
	};

	if (ioctl(kb->vcpu_fd, KVM_SET_XSAVE, caps.clean) < 0)
		return fail(err, errlen, "KVM_SET_XSAVE");
	if (ioctl(kb->vcpu_fd, KVM_SET_VCPU_EVENTS, &ev) < 0)
		return fail(err, errlen, "KVM_SET_VCPU_EVENTS");
	return start_app(vm, kb, err, errlen);
}

/*
 * Whether this vCPU needs KVM's CPUID table, which costs about 0.55 ms of a
 * start on PVM here, a third of hello's cold start: KVM_GET_SUPPORTED_CPUID
 * runs the host's CPUID about 75 times, each a trap to the outer hypervisor
 * (6.6 us on the AMD machines, 12.6 us on the Intel ones), and
 * KVM_SET_CPUID2 takes 0.1 ms. The table is what KVM answers the guest's
 * CPUID with, and it says what KVM_SET_XSAVE covers, so a VM that will be
 * reset (function mode, recycling) needs it. Real VMX and SVM trap every
 * CPUID. PVM traps it at CPL 0, where the guest kernel runs none, and at
 * CPL 3 only where the host can make CPUID fault (the Intel machines); on
 * the others (the AMD machines) the program runs the host's CPUID natively,
 * with a table or without (tests/run.sh, "cpuid").
 */
static bool needs_cpuid(const struct svm_vm *vm)
{
	if (vm->serve_filter || vm->recycle != 0 || !host_pvm())
		return true;
	return host.cpuid_fault;
}

static int kvm_open(struct svm_vm *vm, char *err, size_t errlen)
{
	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = vm->mem_size,
		.userspace_addr = (uintptr_t)vm->mem,
	};
	struct kvm_backend *kb;
	int n;

	enum svm_paging paging;

	if (vm->backend != NULL)
		return kvm_reuse(vm, err, errlen);
	paging = kvm_paging();
	if (vm->paging != SVM_PAGING_DEFAULT && vm->paging != paging) {
		snprintf(err, errlen,
		    "KVM here uses %s paging and a VM cannot "
		    "choose: --paging applies to --backend=svmk",
		    paging == SVM_PAGING_DEFAULT ? "unknown" :
		        paging == SVM_PAGING_TDP ? "nested (TDP)" :
		                                   "shadow");
		return -1;
	}
	vm->paging = paging;
	if ((kb = calloc(1, sizeof(*kb))) == NULL)
		return fail(err, errlen, "out of memory");
	kb->kvm_fd = kb->vm_fd = kb->vcpu_fd = -1;
	vm->backend = kb;

	if ((kb->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC)) < 0)
		return fail(err, errlen, "/dev/kvm");
	if (ioctl(kb->kvm_fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
		snprintf(err, errlen, "/dev/kvm: unsupported KVM API version");
		return -1;
	}
	if ((kb->vm_fd = ioctl(kb->kvm_fd, KVM_CREATE_VM, 0)) < 0)
		return fail(err, errlen, "KVM_CREATE_VM");
	if (ioctl(kb->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return fail(err, errlen, "KVM_SET_USER_MEMORY_REGION");
	if ((kb->vcpu_fd = ioctl(kb->vm_fd, KVM_CREATE_VCPU, 0)) < 0)
		return fail(err, errlen, "KVM_CREATE_VCPU");
	if (needs_cpuid(vm)) {
		caps.fd = kb->kvm_fd;
		pthread_once(&caps.once, ask_caps);
		if (caps.cpuid == NULL) {
			snprintf(err, errlen, "KVM_GET_SUPPORTED_CPUID failed");
			return -1;
		}
		if (ioctl(kb->vcpu_fd, KVM_SET_CPUID2, caps.cpuid) < 0)
			return fail(err, errlen, "KVM_SET_CPUID2");
		kb->cpuid = true;
	}
	if ((n = ioctl(kb->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0)) <
	    (int)sizeof(struct kvm_run))
		return fail(err, errlen, "KVM_GET_VCPU_MMAP_SIZE");
	kb->run_size = (size_t)n;
	kb->run = mmap(NULL, kb->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
	    kb->vcpu_fd, 0);
	if (kb->run == MAP_FAILED) {
		kb->run = NULL;
		return fail(err, errlen, "mmap kvm_run");
	}
	return start_app(vm, kb, err, errlen);
}

static int kvm_get_cpu(struct svm_vm *vm, struct svm_cpu *c)
{
	struct kvm_backend *kb = vm->backend;
	struct kvm_regs r;
	struct kvm_sregs sr;

	if (ioctl(kb->vcpu_fd, KVM_GET_REGS, &r) < 0 ||
	    ioctl(kb->vcpu_fd, KVM_GET_SREGS, &sr) < 0)
		return -1;
	X86_COPY_GPRS(*c, r);
	X86_COPY_SEGS(*c, sr);
	return 0;
}

static int kvm_set_cpu(struct svm_vm *vm, const struct svm_cpu *c)
{
	struct kvm_backend *kb = vm->backend;
	struct kvm_regs r;
	struct kvm_sregs sr;

	if (ioctl(kb->vcpu_fd, KVM_GET_SREGS, &sr) < 0)
		return -1;
	/* Out of a fault stub (CPL 0) into the program: its CS and SS. */
	if (sr.cs.selector != c->cs || sr.ss.selector != c->ss) {
		X86_CODE_SREGS(sr, c->cs);
		if (ioctl(kb->vcpu_fd, KVM_SET_SREGS, &sr) < 0)
			return -1;
	}
	X86_COPY_GPRS(r, *c);
	return ioctl(kb->vcpu_fd, KVM_SET_REGS, &r) < 0 ? -1 : 0;
}

static const char *exit_name(uint32_t reason)
{
	static const char *const names[] = {
		[KVM_EXIT_UNKNOWN] = "UNKNOWN",
		[KVM_EXIT_EXCEPTION] = "EXCEPTION",
		[KVM_EXIT_IO] = "IO",
		[KVM_EXIT_HYPERCALL] = "HYPERCALL",
		[KVM_EXIT_DEBUG] = "DEBUG",
		[KVM_EXIT_HLT] = "HLT",
		[KVM_EXIT_MMIO] = "MMIO",
		[KVM_EXIT_IRQ_WINDOW_OPEN] = "IRQ_WINDOW_OPEN",
		[KVM_EXIT_SHUTDOWN] = "SHUTDOWN",
		[KVM_EXIT_FAIL_ENTRY] = "FAIL_ENTRY",
		[KVM_EXIT_INTR] = "INTR",
		[KVM_EXIT_SET_TPR] = "SET_TPR",
		[KVM_EXIT_TPR_ACCESS] = "TPR_ACCESS",
		[KVM_EXIT_NMI] = "NMI",
		[KVM_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR",
		[KVM_EXIT_SYSTEM_EVENT] = "SYSTEM_EVENT",
	};

	if (reason < sizeof(names) / sizeof(names[0]) && names[reason])
		return names[reason];
	return "?";
}

/* Handle one port-I/O exit; 0 resumes the guest, 1 ends the run. */
static int io_exit(struct svm_vm *vm, struct kvm_backend *kb)
{
	const struct kvm_run *run = kb->run;
	uint32_t value = 0;
	unsigned size = run->io.size;

	/* The data sits inside the shared kvm_run mapping; stay inside it. */
	if (size > sizeof(value) || run->io.data_offset > kb->run_size - size)
		return vm_end(vm, SVM_END_MONITOR_ERROR,
		    "KVM reported a bad I/O exit");
	if (run->io.direction == KVM_EXIT_IO_OUT)
		memcpy(&value, (const uint8_t *)run + run->io.data_offset,
		    size);
	return vm_io(vm, run->io.port, size,
	    run->io.direction == KVM_EXIT_IO_OUT, value, run->io.count);
}

/* Handle one exit: 0 resumes the guest, 1 ends the run (vm->end set). */
static int handle_exit(struct svm_vm *vm, struct kvm_backend *kb,
    const struct kvm_run *run)
{
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		vm->stats.exits[SVM_EXIT_IO]++;
		return io_exit(vm, kb);
	case KVM_EXIT_SHUTDOWN:
		vm->stats.exits[SVM_EXIT_SHUTDOWN]++;
		return vm_end(vm, SVM_END_SHUTDOWN,
		    "guest triple fault (shutdown) at rip %#llx",
		    (unsigned long long)vm_rip(vm));
	case KVM_EXIT_HLT:
		vm->stats.exits[SVM_EXIT_HLT]++;
		return vm_end(vm, SVM_END_GUEST_ERROR,
		    "guest halted at rip %#llx",
		    (unsigned long long)vm_rip(vm));
	case KVM_EXIT_MMIO:
		vm->stats.exits[SVM_EXIT_MMIO]++;
		return vm_end(vm, SVM_END_GUEST_ERROR,
		    "guest %s at %#llx outside its memory, rip %#llx",
		    run->mmio.is_write ? "store" : "load",
		    (unsigned long long)run->mmio.phys_addr,
		    (unsigned long long)vm_rip(vm));
	case KVM_EXIT_INTR:
		vm->stats.exits[SVM_EXIT_INTR]++;
		return 0; /* the loop checks for a stop first */
	}
	vm->stats.exits[SVM_EXIT_OTHER]++;
	switch (run->exit_reason) {
	case KVM_EXIT_FAIL_ENTRY:
		return vm_end(vm, SVM_END_MONITOR_ERROR,
		    "VM entry failed (hardware reason %#llx)",
		    (unsigned long long)
		        run->fail_entry.hardware_entry_failure_reason);
	case KVM_EXIT_INTERNAL_ERROR:
		return vm_end(vm, SVM_END_GUEST_ERROR,
		    "KVM internal error %u%s at rip %#llx",
		    run->internal.suberror,
		    run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION ?
		        " (emulation failure)" :
		        "",
		    (unsigned long long)vm_rip(vm));
	default:
		return vm_end(vm, SVM_END_GUEST_ERROR,
		    "unexpected exit %u (%s) at rip %#llx", run->exit_reason,
		    exit_name(run->exit_reason),
		    (unsigned long long)vm_rip(vm));
	}
}

static void kvm_run_loop(struct svm_vm *vm)
{
	struct kvm_backend *kb = vm->backend;
	struct kvm_run *run = kb->run;
	/* Accumulated: function mode runs this loop once per call. */
	uint64_t start = vm->want_stats ? vm_now_ns() : 0;
	uint64_t guest0 = vm->stats.guest_ns;

	for (;;) {
		/* A stop may have come while the monitor was handling an exit.
		 */
		if (vm_check_stop(vm))
			break;
		if (vm->gdb_io && gdb_interrupt(vm))
			break;
		if (vm_enter(vm) < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				vm->stats.exits[SVM_EXIT_INTR]++;
				continue;
			}
			vm_end(vm, SVM_END_MONITOR_ERROR, "KVM_RUN: %s",
			    strerror(errno));
			break;
		}
		if (handle_exit(vm, kb, run))
			break;
	}
	if (vm->want_stats)
		vm->stats.monitor_ns +=
		    vm_now_ns() - start - (vm->stats.guest_ns - guest0);
}

/*
 * Finish the exit the vCPU stopped on: KVM completes an I/O exit only on the
 * next KVM_RUN, and immediate_exit makes that run return before the guest
 * executes anything. Until then the registers are not consistent.
 */
static int finish_exit(struct kvm_backend *kb)
{
	int rc;

	kb->run->immediate_exit = 1;
	rc = ioctl(kb->vcpu_fd, KVM_RUN, 0);
	kb->run->immediate_exit = 0;
	return rc < 0 && errno == EINTR ? 0 : -1;
}

static int kvm_finish(struct svm_vm *vm)
{
	return finish_exit(vm->backend);
}

static int set_log(struct svm_vm *vm, struct kvm_backend *kb, uint32_t flags)
{
	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.flags = flags,
		.memory_size = vm->mem_size,
		.userspace_addr = (uintptr_t)vm->mem,
	};

	return ioctl(kb->vm_fd, KVM_SET_USER_MEMORY_REGION, &region);
}

static int kvm_dirty(struct svm_vm *vm, unsigned long *bitmap)
{
	struct kvm_backend *kb = vm->backend;
	uint64_t i, words = vm->mem_size / SVM_PAGE_SIZE / 64 + 1;
	struct kvm_dirty_log log = { .slot = 0, .dirty_bitmap = kb->log };

	if (ioctl(kb->vm_fd, KVM_GET_DIRTY_LOG, &log) < 0)
		return -1;
	for (i = 0; i < words; i++)
		bitmap[i] |= kb->log[i];
	return 0;
}

static int kvm_save(struct svm_vm *vm)
{
	struct kvm_backend *kb = vm->backend;

	/*
	 * The dirty log in manual-protect mode, never cleared: a page the
	 * guest wrote once stays reported and writable, and every reset
	 * restores it. A page write-protected for the log costs a fault in
	 * KVM at the first write of every call (about 15 us here); restoring
	 * a page that was not written costs a 4 KiB copy.
	 */
	struct kvm_enable_cap manual = {
		.cap = KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2,
		.args = { KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE },
	};

	if (!kb->cpuid) /* kvm_resets() refused it already */
		return -1;
	kb->log = calloc(vm->mem_size / SVM_PAGE_SIZE / 64 + 1, 8);
	kb->xsave = calloc(1, caps.xsave_size);
	if (kb->log == NULL || kb->xsave == NULL || finish_exit(kb) < 0 ||
	    ioctl(kb->vcpu_fd, KVM_GET_REGS, &kb->regs) < 0 ||
	    ioctl(kb->vcpu_fd, KVM_GET_SREGS, &kb->sregs) < 0 ||
	    ioctl(kb->vcpu_fd, KVM_GET_XSAVE2, kb->xsave) < 0 ||
	    ioctl(kb->vm_fd, KVM_ENABLE_CAP, &manual) < 0 ||
	    set_log(vm, kb, KVM_MEM_LOG_DIRTY_PAGES) < 0)
		return -1;
	/*
	 * kvm-amd reports TR as busy (11) whatever the VMCB holds; a reset
	 * must enter with the type the app started with (x86_tss_type(): 9
	 * on AMD, where QEMU's emulated SVM applies the I/O bitmap that
	 * opens the hypercall ports only to type 9).
	 */
	kb->sregs.tr.type = x86_tss_type();
	return 0;
}

/* True if the app changed what a reset must also put back. */
static bool sregs_differ(const struct kvm_sregs *a, const struct kvm_sregs *b)
{
	return a->cs.selector != b->cs.selector ||
	    a->ss.selector != b->ss.selector ||
	    a->ds.selector != b->ds.selector ||
	    a->es.selector != b->es.selector ||
	    a->fs.selector != b->fs.selector ||
	    a->gs.selector != b->gs.selector || a->fs.base != b->fs.base ||
	    a->gs.base != b->gs.base || a->cr0 != b->cr0 || a->cr3 != b->cr3 ||
	    a->cr4 != b->cr4 || a->efer != b->efer;
}

static int kvm_restore(struct svm_vm *vm)
{
	struct kvm_backend *kb = vm->backend;
	struct kvm_sregs now;

	if (finish_exit(kb) < 0 || ioctl(kb->vcpu_fd, KVM_GET_SREGS, &now) < 0)
		return -1;
	/*
	 * Setting sregs resets KVM's MMU context, and with shadow paging that
	 * costs a fault per page afterwards: only when the app changed them
	 * (a fault leaves the vCPU in kernel mode).
	 */
	if (sregs_differ(&now, &kb->sregs) &&
	    ioctl(kb->vcpu_fd, KVM_SET_SREGS, &kb->sregs) < 0)
		return -1;
	if (ioctl(kb->vcpu_fd, KVM_SET_REGS, &kb->regs) < 0)
		return -1;
	/* Test builds can leave parts out, to show the canary test fails. */
	if (!(svm_test_skip & SVM_TEST_SKIP_XSAVE) &&
	    ioctl(kb->vcpu_fd, KVM_SET_XSAVE, kb->xsave) < 0)
		return -1;
	if (!(svm_test_skip & SVM_TEST_SKIP_SEGMENTS) &&
	    reset_thread_segments() < 0)
		return -1;
	return 0;
}

static int kvm_park(struct svm_vm *vm)
{
	struct kvm_backend *kb = vm->backend;

	struct kvm_userspace_memory_region gone = { .slot = 0 };

	if (kb->run == NULL || finish_exit(kb) < 0)
		return -1;
	/*
	 * Delete the memory slot and add it again (without the dirty log
	 * function mode may have turned on): KVM then drops every shadow
	 * page it built from the last app's tables, which the notifier that
	 * MADV_DONTNEED triggers would leave (it unmaps only the leaves).
	 */
	if (ioctl(kb->vm_fd, KVM_SET_USER_MEMORY_REGION, &gone) < 0 ||
	    set_log(vm, kb, 0) < 0)
		return -1;
	free(kb->log);
	free(kb->xsave);
	kb->log = NULL;
	kb->xsave = NULL;
	return 0;
}

static void kvm_close(struct svm_vm *vm)
{
	struct kvm_backend *kb = vm->backend;

	/* No kick into the run page once it is going (limits.c). */
	vm->kick = NULL;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	if (kb->run != NULL)
		munmap(kb->run, kb->run_size);
	free(kb->log);
	free(kb->xsave);
	if (kb->vcpu_fd >= 0)
		close(kb->vcpu_fd);
	if (kb->vm_fd >= 0)
		close(kb->vm_fd);
	if (kb->kvm_fd >= 0)
		close(kb->kvm_fd);
	free(kb);
	vm->backend = NULL;
	vm->vcpu_fd = -1;
}

const struct svm_backend svm_backend_kvm = {
	.name = "kvm",
	.open = kvm_open,
	.run = kvm_run_loop,
	.finish = kvm_finish,
	.get_cpu = kvm_get_cpu,
	.set_cpu = kvm_set_cpu,
	.close = kvm_close,
	.save = kvm_save,
	.dirty = kvm_dirty,
	.restore = kvm_restore,
	.park = kvm_park,
	.resets = kvm_resets,
	.ioctl_run = KVM_RUN,
	.ioctl_regs = KVM_GET_REGS,
	.ioctl_sregs = KVM_GET_SREGS,
	.ioctl_names = { "KVM_RUN", "KVM_GET_REGS", "KVM_GET_SREGS" },
	.ioctl_serve = { KVM_SET_REGS, KVM_SET_SREGS, KVM_SET_XSAVE,
	    KVM_GET_DIRTY_LOG },
	.ioctl_serve_names = { "KVM_SET_REGS", "KVM_SET_SREGS", "KVM_SET_XSAVE",
	    "KVM_GET_DIRTY_LOG" },
	.ioctl_debug = { KVM_SET_REGS, KVM_SET_SREGS },
	.ioctl_debug_names = { "KVM_SET_REGS", "KVM_SET_SREGS" },
};
