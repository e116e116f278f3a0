/* SPDX-License-Identifier: GPL-2.0 */
/* svmk_entry.S: the world switch; everything VMRUN itself does not switch. */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/cpufeatures.h>
#include <asm/msr-index.h>
#include <asm/nospec-branch.h>
#include <asm/percpu.h>

/* Offsets into the guest register array (enum svmk_reg, 8 bytes each). */
#define R_RCX	(1 * 8)
#define R_RDX	(2 * 8)
#define R_RBX	(3 * 8)
#define R_RBP	(5 * 8)
#define R_RSI	(6 * 8)
#define R_RDI	(7 * 8)
#define R_R8	(8 * 8)
#define R_R9	(9 * 8)
#define R_R10	(10 * 8)
#define R_R11	(11 * 8)
#define R_R12	(12 * 8)
#define R_R13	(13 * 8)
#define R_R14	(14 * 8)
#define R_R15	(15 * 8)

/*
 * SPEC_CTRL. The guest's value is always 0: it cannot write the MSR (every
 * MSR access is intercepted), as a KVM guest that never wrote it. With
 * V_SPEC_CTRL the processor switches it (VMRUN loads the VMCB's copy,
 * which stays 0; #VMEXIT restores the host's); without, do what KVM does:
 * write the MSR only if the host's value differs, out of line so that the
 * common case does not jump, and with no RET or indirect branch between
 * the write and VMRUN, or between #VMEXIT and the host's value coming back.
 * Both clobber RAX, RCX and RDX.
 */
.macro GUEST_SPEC_CTRL
	ALTERNATIVE_2 "", "jmp 800f", X86_FEATURE_MSR_SPEC_CTRL, \
		      "", X86_FEATURE_V_SPEC_CTRL
801:
.endm
.macro GUEST_SPEC_CTRL_BODY
800:	cmpq $0, PER_CPU_VAR(x86_spec_ctrl_current)
	je 801b
	mov $MSR_IA32_SPEC_CTRL, %ecx
	xor %eax, %eax
	xor %edx, %edx
	wrmsr
	jmp 801b
.endm

.macro HOST_SPEC_CTRL
	ALTERNATIVE_2 "", "jmp 900f", X86_FEATURE_MSR_SPEC_CTRL, \
		      "", X86_FEATURE_V_SPEC_CTRL
901:
.endm
.macro HOST_SPEC_CTRL_BODY
900:	mov PER_CPU_VAR(x86_spec_ctrl_current), %rax
	test %rax, %rax
	je 901b
	mov %rax, %rdx
	shr $32, %rdx
	mov $MSR_IA32_SPEC_CTRL, %ecx
	wrmsr
	jmp 901b
.endm

	.text
/*
 * void svmk_vmrun(u64 vmcb_pa, unsigned long *regs, u64 host_save_pa)
 *
 * Called with GIF clear (clgi), interrupts disabled, EFER.SVME set and
 * VM_HSAVE_PA pointing at this CPU's host save area.
 *
 * VMRUN saves and restores only part of the host state; FS, GS (the kernel's
 * per-CPU base), TR, LDTR, KernelGSbase and the SYSCALL/SYSENTER MSRs are
 * switched here with VMSAVE/VMLOAD into a per-CPU page, before anything can
 * touch per-CPU data again. RAX and RSP are switched by VMRUN itself.
 *
 * IF is set around VMRUN so that a host interrupt (or NMI) arriving while
 * the guest runs makes a #VMEXIT (it stays pending while GIF is clear and is
 * taken by the host after the caller's stgi).
 *
 * After #VMEXIT, before the first RET, the mitigations the host chose apply
 * as on KVM's exit path (arch/x86/kvm/svm/vmenter.S): the kernel's own
 * macros, patched at load time by its alternatives, so they cost nothing
 * where the host does not need them.
 */
SYM_FUNC_START(svmk_vmrun)
	push %rbp
	push %r15
	push %r14
	push %r13
	push %r12
	push %rbx

	push %rsi		/* regs */
	push %rdx		/* host save area */
	push %rdi		/* guest VMCB */

	mov %rdx, %rax
	vmsave %rax

	GUEST_SPEC_CTRL

	mov %rsi, %rax
	mov R_RCX(%rax), %rcx
	mov R_RDX(%rax), %rdx
	mov R_RBX(%rax), %rbx
	mov R_RBP(%rax), %rbp
	mov R_RSI(%rax), %rsi
	mov R_RDI(%rax), %rdi
	mov R_R8(%rax), %r8
	mov R_R9(%rax), %r9
	mov R_R10(%rax), %r10
	mov R_R11(%rax), %r11
	mov R_R12(%rax), %r12
	mov R_R13(%rax), %r13
	mov R_R14(%rax), %r14
	mov R_R15(%rax), %r15

	pop %rax		/* guest VMCB */
	sti
	vmload %rax
	/* MDS/TSA: VERW clears CPU buffers the guest could sample (ZF only). */
	VM_CLEAR_CPU_BUFFERS
	vmrun %rax
	vmsave %rax
	pop %rax		/* host save area */
	vmload %rax
	cli

#ifdef CONFIG_RETPOLINE
	/* The guest may have poisoned the RSB: refill it before any RET. */
	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_FEATURE_RETPOLINE
#endif

	pop %rax		/* regs */
	mov %rcx, R_RCX(%rax)
	mov %rdx, R_RDX(%rax)
	mov %rbx, R_RBX(%rax)
	mov %rbp, R_RBP(%rax)
	mov %rsi, R_RSI(%rax)
	mov %rdi, R_RDI(%rax)
	mov %r8, R_R8(%rax)
	mov %r9, R_R9(%rax)
	mov %r10, R_R10(%rax)
	mov %r11, R_R11(%rax)
	mov %r12, R_R12(%rax)
	mov %r13, R_R13(%rax)
	mov %r14, R_R14(%rax)
	mov %r15, R_R15(%rax)

	HOST_SPEC_CTRL

	/*
	 * Retbleed/SRSO: untrain the return predictor (or IBPB, as the host
	 * chose) before the first RET and before interrupts come back, since
	 * their handlers do not untrain when returning to the kernel. With
	 * spec_rstack_overflow=ibpb-vmexit the host untrains nothing on
	 * kernel entry and wants an IBPB on every #VMEXIT instead.
	 */
	UNTRAIN_RET
	ALTERNATIVE "", "call entry_ibpb", X86_FEATURE_IBPB_ON_VMEXIT

	/*
	 * Leave no guest value in a register the host may speculate on,
	 * including those the pops below reload (a cache miss there would
	 * let speculation run on the guest's).
	 */
	xor %ecx, %ecx
	xor %edx, %edx
	xor %ebx, %ebx
	xor %ebp, %ebp
	xor %esi, %esi
	xor %edi, %edi
	xor %r8d, %r8d
	xor %r9d, %r9d
	xor %r10d, %r10d
	xor %r11d, %r11d
	xor %r12d, %r12d
	xor %r13d, %r13d
	xor %r14d, %r14d
	xor %r15d, %r15d

	pop %rbx
	pop %r12
	pop %r13
	pop %r14
	pop %r15
	pop %rbp
	RET

	GUEST_SPEC_CTRL_BODY
	HOST_SPEC_CTRL_BODY
SYM_FUNC_END(svmk_vmrun)
