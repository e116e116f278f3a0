/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * svmk.h: user-space interface of the svmk module, a minimal AMD-SVM
 * hypervisor running one vCPU per VM. Self-contained; the only header shared
 * between the module and user space.
 *
 * Use:
 *   fd = open("/dev/svmk", O_RDWR | O_CLOEXEC);      one fd = one VM, 1 vCPU
 *   ioctl(fd, SVMK_GET_API_VERSION) == SVMK_API_VERSION
 *   ioctl(fd, SVMK_SET_MEMORY, &(struct svmk_memory){...})
 *   ioctl(fd, SVMK_SET_PAGING, SVMK_PAGING_TDP)       optional: the default
 *                                                     is TDP if the CPU has
 *                                                     nested paging
 *   ioctl(fd, SVMK_SET_SREGS, &sregs); ioctl(fd, SVMK_SET_REGS, &regs)
 *   run = mmap(NULL, SVMK_RUN_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
 *   for (;;) { ioctl(fd, SVMK_RUN, 0); switch (run->exit_reason) ... }
 *
 * To start again and again from one state (a function called once per
 * request): SVMK_SNAPSHOT and SVMK_ENABLE_DIRTY_LOG at that state, keeping a
 * copy of guest memory; after each run SVMK_GET_DIRTY_LOG, copy the pages it
 * names back into guest memory, SVMK_RESTORE (see below).
 *
 * Every ioctl returns 0 or -1 with errno: EINVAL for a bad argument, EBUSY
 * for a setting that can no longer change (memory or paging after the first
 * SVMK_RUN), EFAULT for an unreadable or unwritable argument, ENOENT for
 * what does not exist yet (no snapshot, no dirty log), ENOTTY for an
 * unknown request, EIO when called from another process than the opener
 * (except SVMK_GET_API_VERSION and SVMK_GET_TSC_KHZ, which any process may
 * ask).
 * SVMK_RUN fails with EINTR when a signal is pending or run->immediate_exit
 * is set (exit_reason is then SVMK_EXIT_INTR and the guest can be resumed),
 * ENOEXEC without memory, EIO after SVMK_EXIT_SHUTDOWN, EBUSY while kvm-amd
 * has SVM enabled on this CPU (i.e. while a KVM VM exists; retry later),
 * ENOMEM.
 *
 * Guest exceptions go through the guest's IDT: shadow mode takes #PF but
 * reflects the guest's own faults; #AC is intercepted and reflected (so that
 * a guest cannot hang the CPU in an #AC delivery loop); a machine check
 * during guest execution goes to the host's handler. Guest RDMSR,
 * WRMSR, RDPMC and debug-register accesses get #GP; SVM instructions and
 * MONITOR/MWAIT get #UD; XSETBV may only keep the host's XCR0 (so AVX and
 * later state need the guest's CR4.OSXSAVE: without it VEX instructions
 * get #UD). RDTSC and RDTSCP are not intercepted: the guest's TSC is the
 * host's plus run->tsc_offset, about 0 when the VM was created. TSC_AUX,
 * where the host keeps its CPU number and which RDTSCP and RDPID (which
 * cannot be intercepted) read, is 0 while the guest runs.
 * CPUID shows the host's features minus SVM, VMX, MONITOR, INVPCID and
 * PKU, plus the hypervisor bit; it tells the guest nothing of which
 * host CPU runs it: the APIC IDs (leaf 1 EBX[31:24], the x2APIC ID of
 * leaves 0xb, 0x1f and 0x80000026) and leaf 0x8000001e's extended APIC,
 * core and node IDs read 0.
 */
#ifndef _UAPI_SVMK_H
#define _UAPI_SVMK_H

#include <linux/types.h>
#include <linux/ioctl.h>

/*
 * Bump on any incompatible change of this file. Additions that keep every
 * layout (immediate_exit in former padding, exit_counts after io_data,
 * SVMK_GET_TSC_KHZ, shadow_root_hits, pinned_pages and shadow_pages at
 * the end, SVMK_INTERNAL_MEMORY, the snapshot and dirty-log ioctls) stayed
 * at 1.
 * 2: the guest's TSC is no longer the host's but offset to start near 0
 * (run->tsc_offset); user space written for 1, which tells the guest the
 * host's RDTSC as its TSC, would give it a clock far in the future, so it
 * must refuse 2. Added since, keeping every layout: tsc_offset at the end
 * of struct svmk_run, SVMK_GET_MSRS and SVMK_SET_MSRS.
 */
#define SVMK_API_VERSION 2

/* Guest memory: at most this much, from guest-physical address 0. */
#define SVMK_MEM_MAX (1ULL << 30)

/*
 * SVMK_SET_MEMORY: back guest-physical [0, size) with the user mapping at
 * userspace_addr (both page aligned, 0 < size <= SVMK_MEM_MAX, writable
 * memory). Once only, before the first SVMK_RUN. Guest accesses outside
 * [0, size) end the run with SVMK_EXIT_MMIO.
 * Pages are pinned lazily: each the first time svmk needs it during
 * SVMK_RUN (the guest touches it, or svmk reads it for the guest), so
 * untouched memory costs nothing; run->pinned_pages counts them. A pinned
 * page stays pinned until the fd is closed, and from then on its mapping
 * must stay as is (the VM keeps using the page pinned then); what user
 * space writes through the same mapping the guest sees, and vice versa.
 * The range must be private memory (e.g. MAP_PRIVATE | MAP_ANONYMOUS) or a
 * shared mapping of a regular tmpfs/memfd or hugetlbfs file, mapped
 * writable; anything else is EINVAL (the guest would write file pages
 * behind the filesystem's back). If, when a page is first needed, its
 * mapping is no longer such memory (user space unmapped or replaced it),
 * the run ends with SVMK_EXIT_INTERNAL_ERROR, suberror SVMK_INTERNAL_MEMORY.
 * The whole size counts against RLIMIT_MEMLOCK from this call, as mlock()ed
 * memory does, unless the caller has CAP_IPC_LOCK: ENOMEM past the limit.
 */
struct svmk_memory {
	__u64 userspace_addr;
	__u64 size;
	__u64 flags; /* must be 0 */
};

/*
 * SVMK_SET_PAGING (argument by value), before the first SVMK_RUN.
 * TDP: nested paging; the guest owns CR3, CR4 and its page tables, and
 *      svmk intercepts no guest exception but #AC and #MC (see above).
 * SHADOW: svmk shadows the guest's 4-level tables; it intercepts #PF and
 *      reflects genuine faults to the guest (so, as with TDP, guest faults
 *      go through the guest's IDT). The guest must run with CR0.PG, CR0.WP,
 *      CR4.PAE and EFER.LMA set (64-bit paging) and without CR4.PCIDE, PKE,
 *      SMEP, SMAP or LA57.
 */
#define SVMK_PAGING_TDP 0
#define SVMK_PAGING_SHADOW 1

/* As struct kvm_regs. */
struct svmk_regs {
	__u64 rax, rbx, rcx, rdx;
	__u64 rsi, rdi, rsp, rbp;
	__u64 r8, r9, r10, r11;
	__u64 r12, r13, r14, r15;
	__u64 rip, rflags;
};

/* As struct kvm_segment: the selector and the descriptor cache. */
struct svmk_segment {
	__u64 base;
	__u32 limit;
	__u16 selector;
	__u8 type;
	__u8 present, dpl, db, s, l, g, avl;
	__u8 unusable;
	__u8 padding;
};

/* As struct kvm_dtable. */
struct svmk_dtable {
	__u64 base;
	__u16 limit;
	__u16 padding[3];
};

/*
 * As struct kvm_sregs without the interrupt bitmap, cr8 and apic_base.
 * The CPL is ss.dpl. efer must hold only SCE, LME, LMA and NXE.
 * tr.type should be 11 (busy 64-bit TSS) as for KVM; svmk keeps 9 in the
 * VMCB (QEMU's emulated SVM checks the I/O bitmap only for type 9) and
 * reports 11.
 * cr2 is the guest's (in both paging modes); cr3 the guest's own CR3.
 */
struct svmk_sregs {
	struct svmk_segment cs, ds, es, fs, gs, ss;
	struct svmk_segment tr, ldt;
	struct svmk_dtable gdt, idt;
	__u64 cr0, cr2, cr3, cr4;
	__u64 efer;
};

/*
 * SVMK_GET_MSRS and SVMK_SET_MSRS: the guest's system-call MSRs, which a
 * guest kernel sets up with WRMSR on hardware (svmk refuses it every WRMSR,
 * so user space sets them). With EFER.SCE in svmk_sregs.efer, SYSCALL at
 * CPL 3 enters CPL 0 at lstar with CS = star[47:32], SS = star[47:32] + 8,
 * RCX = the next RIP, R11 = RFLAGS, RFLAGS &= ~sfmask; SYSRET returns with
 * CS = star[63:48] + 16, SS = star[63:48] + 8 (64-bit). kernel_gs_base is
 * what SWAPGS exchanges with the GS base. SVMK_SET_MSRS refuses (EINVAL)
 * what WRMSR would: non-canonical lstar, cstar or kernel_gs_base, and any
 * of bits 63:32 of sfmask. All five are 0 in a new VM, and SVMK_SNAPSHOT
 * and SVMK_RESTORE include them.
 */
struct svmk_msrs {
	__u64 star;		/* MSR 0xc0000081 */
	__u64 lstar;		/* 0xc0000082: 64-bit SYSCALL target */
	__u64 cstar;		/* 0xc0000083: compatibility-mode SYSCALL target */
	__u64 sfmask;		/* 0xc0000084: RFLAGS bits SYSCALL clears */
	__u64 kernel_gs_base;	/* 0xc0000102 */
};

/*
 * SVMK_SNAPSHOT (argument 0): keep a copy of the whole vCPU in svmk,
 * replacing any earlier one: what SVMK_GET_REGS and SVMK_GET_SREGS show,
 * the FPU, SSE and AVX state, CR8, the SYSCALL and SYSENTER MSRs,
 * KernelGSbase, the interrupt shadow and an event being delivered. Not
 * guest memory: user space keeps that (it is its own mapping). EINVAL if
 * the state is one SVMK_SET_REGS or SVMK_SET_SREGS would refuse (the copy
 * is loaded later without checks), EBUSY while an IN waits for its data
 * (run first), EIO after SVMK_EXIT_SHUTDOWN.
 * SVMK_RESTORE (argument 0): load the copy back into the vCPU; an IN still
 * waiting for its data is dropped. After SVMK_EXIT_SHUTDOWN it makes the VM
 * runnable again. In shadow mode it drops the shadow tables. ENOENT without
 * a snapshot.
 * The copy never leaves the kernel: a bad FPU image from user space would
 * make XRSTOR fault in svmk, so there is no ioctl that takes one.
 * These and the dirty-log ioctls are additions within API version 1: a
 * module without them answers ENOTTY.
 */

/*
 * The dirty log: which pages of guest memory were written, by the guest or
 * by svmk on its behalf (accessed and dirty bits in the guest's page
 * tables, as the processor sets them), since the log started or was last
 * read. Writes by user space through its own mapping are not logged.
 * A page may be logged that was only read, never one written and not logged
 * (e.g. under QEMU's TCG, which walks guest page tables as if to write).
 * The first write to each page after a read of the log costs one exit
 * (nested #PF in TDP mode, #PF in shadow mode), handled inside svmk.
 *
 * SVMK_ENABLE_DIRTY_LOG (argument 0): start logging, with an empty log
 * (again: empty it). On for the life of the VM. ENOEXEC without memory.
 * SVMK_GET_DIRTY_LOG (struct svmk_dirty_log): copy the log to bitmap and
 * empty it. Bit i (bit i % 64 of the little-endian 64-bit word i / 64) is
 * page i, at guest-physical i * 4096; bits past the end of memory are 0.
 * svmk writes exactly ((memory size / 4096 + 63) / 64) * 8 bytes, and size
 * must be at least that: EINVAL if shorter or flags is not 0; ENOENT while
 * logging is off; EFAULT if bitmap cannot be written (the log is then kept).
 */
struct svmk_dirty_log {
	__u64 bitmap;	/* user address of the bitmap */
	__u64 size;	/* its size in bytes */
	__u64 flags;	/* must be 0 */
};

/* The page mapped from the fd at offset 0. */
#define SVMK_RUN_SIZE 4096

enum svmk_exit_reason {
	SVMK_EXIT_NONE = 0,
	/*
	 * IN/OUT. For OUT the data is at (char *)run + io.data_offset and in
	 * io.data; for IN the monitor stores the data there (at data_offset)
	 * before the next SVMK_RUN, which loads it into the guest's rAX. The
	 * guest's RIP already points after the instruction. String and REP
	 * forms are not emulated (SVMK_EXIT_INTERNAL_ERROR), so count is 1.
	 */
	SVMK_EXIT_IO = 1,
	SVMK_EXIT_HLT = 2,	/* RIP after the HLT */
	SVMK_EXIT_SHUTDOWN = 3,	/* triple fault; SVMK_RUN now fails (EIO) */
	/*
	 * An access to guest-physical memory outside [0, size), e.g. through
	 * the guest's page tables. Not emulated: the run stops at the access.
	 */
	SVMK_EXIT_MMIO = 4,
	SVMK_EXIT_INTR = 5,	/* a signal is pending (SVMK_RUN gave EINTR) */
	/* VMRUN refused the guest state (bad sregs); see fail_entry. */
	SVMK_EXIT_FAIL_ENTRY = 6,
	/* The guest did something svmk does not allow or emulate. */
	SVMK_EXIT_INTERNAL_ERROR = 7,
};

#define SVMK_EXIT_IO_IN 0
#define SVMK_EXIT_IO_OUT 1

/* internal.suberror */
enum svmk_internal_error {
	SVMK_INTERNAL_UNHANDLED_EXIT = 1, /* exit_code: the SVM exit code */
	SVMK_INTERNAL_STRING_IO = 2,	/* INS/OUTS/REP not emulated */
	SVMK_INTERNAL_MSR = 3,		/* RDMSR/WRMSR; info1 = 1 write, info2 = index */
	SVMK_INTERNAL_SVM_INSN = 4,	/* VMRUN, VMMCALL, ... */
	SVMK_INTERNAL_PRIVILEGED = 5,	/* XSETBV, DR access, INVD, ... */
	SVMK_INTERNAL_PAGING = 6,	/* shadow mode: unsupported paging state */
	SVMK_INTERNAL_EVENT = 7,	/* fault while delivering an event */
	SVMK_INTERNAL_NPF = 8,		/* unexpected nested page fault */
	/*
	 * A page of guest memory could not be pinned on first use (see
	 * SVMK_SET_MEMORY): info1 = its guest-physical address, info2 = the
	 * errno: EFAULT if nothing is mapped there, EINVAL if the mapping is
	 * not memory svmk may pin, ENOMEM...
	 */
	SVMK_INTERNAL_MEMORY = 9,
};

/*
 * run->exit_counts[]: hardware exits handled so far, by kind. Every exit
 * counts in exactly one slot, so the slots add up to run->exits.
 */
enum svmk_exit_count {
	SVMK_COUNT_IO = 0,		/* IN/OUT */
	SVMK_COUNT_NPF = 1,		/* nested page fault (TDP) */
	SVMK_COUNT_PF = 2,		/* #PF intercept (shadow: fill or reflect) */
	SVMK_COUNT_CR3_WRITE = 3,	/* MOV to CR3 (shadow) */
	SVMK_COUNT_INVLPG = 4,		/* INVLPG, INVPCID (shadow) */
	SVMK_COUNT_CR_OTHER = 5,	/* CR3 read, CR0/CR4 write (shadow) */
	SVMK_COUNT_INTR = 6,		/* host interrupt, NMI, SMI, INIT, #MC */
	SVMK_COUNT_CPUID = 7,
	SVMK_COUNT_HLT = 8,
	SVMK_COUNT_EXCEPTION = 9,	/* #AC reflected */
	SVMK_COUNT_OTHER = 15,		/* the rest: MSR, XSETBV, #VMEXIT_INVALID... */
	SVMK_COUNT_SLOTS = 16
};

struct svmk_run {
	__u32 exit_reason;	/* enum svmk_exit_reason */
	/*
	 * Set by user space, typically from a signal handler; svmk never
	 * clears it. While it is nonzero SVMK_RUN does not enter the guest:
	 * it fails with EINTR, exit_reason SVMK_EXIT_INTR. As KVM's
	 * kvm_run.immediate_exit: it closes the race of a signal handled
	 * just before SVMK_RUN is entered, after which a guest spinning
	 * without exits would never be stopped.
	 */
	__u8 immediate_exit;
	__u8 padding[3];
	__u64 exits;		/* exits handled so far, all kinds */
	union {
		struct {
			__u8 direction;	/* SVMK_EXIT_IO_IN or _OUT */
			__u8 size;	/* 1, 2 or 4 */
			__u16 port;
			__u32 count;	/* always 1 */
			__u64 data_offset;
			__u64 data;	/* OUT: the value, zero-extended */
		} io;
		struct {
			__u64 gpa;	/* the guest-physical address */
			__u64 error;	/* the nested #PF error code (bit 1: write) */
			__u64 rip;
		} mmio;
		struct {
			__u64 exit_code; /* hardware exit code (-1: invalid) */
		} fail_entry;
		struct {
			__u32 suberror;	/* enum svmk_internal_error */
			__u32 padding;
			__u64 exit_code; /* the SVM exit code */
			__u64 info1;	/* EXITINFO1, or as the suberror says */
			__u64 info2;	/* EXITINFO2, or as the suberror says */
			__u64 rip;
		} internal;
		__u8 padding2[256];
	};
	/* IO data lives here (data_offset); keep the union's size fixed. */
	__u8 io_data[8];
	__u64 exit_counts[SVMK_COUNT_SLOTS];	/* enum svmk_exit_count */
	/* Shadow mode: times svmk dropped all shadow tables (a TLB flush). */
	__u64 shadow_flushes;
	/*
	 * Shadow mode: CR3 writes that found the new address space's shadow
	 * tables cached, and so kept them.
	 */
	__u64 shadow_root_hits;
	/* Pages of guest memory pinned so far (see SVMK_SET_MEMORY). */
	__u64 pinned_pages;
	/*
	 * Shadow mode: shadow table pages svmk holds for the VM now, all
	 * cached address spaces together, besides the 4 root tables it
	 * allocates at the first run. Never more than the larger of 64 and
	 * (memory size / 4096) / 64, i.e. 1/64 of guest memory: at that
	 * bound svmk drops every shadow table, as a TLB flush would, and the
	 * guest runs on (refaulting what it uses). Like everything else the
	 * VM allocates, they are charged to the memory cgroup of the process
	 * that allocates them (the one that calls SVMK_RUN).
	 */
	__u64 shadow_pages;
	/*
	 * Guest TSC = host TSC + tsc_offset (mod 2^64), for the life of the
	 * VM; set when the fd is opened, so that the guest's TSC counts from
	 * about 0 there rather than showing the host's uptime. To tell the
	 * guest what its TSC reads at a moment: RDTSC in user space plus
	 * this.
	 */
	__u64 tsc_offset;
};

#define SVMK_IO 0xB5
#define SVMK_GET_API_VERSION	_IO(SVMK_IO, 0x00)
#define SVMK_SET_MEMORY		_IOW(SVMK_IO, 0x01, struct svmk_memory)
#define SVMK_SET_PAGING		_IO(SVMK_IO, 0x02)
#define SVMK_GET_REGS		_IOR(SVMK_IO, 0x03, struct svmk_regs)
#define SVMK_SET_REGS		_IOW(SVMK_IO, 0x04, struct svmk_regs)
#define SVMK_GET_SREGS		_IOR(SVMK_IO, 0x05, struct svmk_sregs)
#define SVMK_SET_SREGS		_IOW(SVMK_IO, 0x06, struct svmk_sregs)
#define SVMK_RUN		_IO(SVMK_IO, 0x07)
/*
 * SVMK_GET_TSC_KHZ (argument 0): returns the guest's TSC frequency in kHz,
 * > 0. RDTSC is not intercepted and the guest TSC is the host TSC plus an
 * offset (run->tsc_offset), so this is the host's tsc_khz; -1/ENODEV if the
 * host does not know it.
 */
#define SVMK_GET_TSC_KHZ	_IO(SVMK_IO, 0x08)
#define SVMK_SNAPSHOT		_IO(SVMK_IO, 0x09)
#define SVMK_RESTORE		_IO(SVMK_IO, 0x0a)
#define SVMK_ENABLE_DIRTY_LOG	_IO(SVMK_IO, 0x0b)
#define SVMK_GET_DIRTY_LOG	_IOW(SVMK_IO, 0x0c, struct svmk_dirty_log)
#define SVMK_GET_MSRS		_IOR(SVMK_IO, 0x0d, struct svmk_msrs)
#define SVMK_SET_MSRS		_IOW(SVMK_IO, 0x0e, struct svmk_msrs)

#endif /* _UAPI_SVMK_H */
