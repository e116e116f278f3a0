/* SPDX-License-Identifier: GPL-2.0 */
/* svmk_entry.S: the world switch; everything VMRUN itself does not switch. */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>

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

	/* Do not leave guest values in registers the host may speculate on. */
	xor %ecx, %ecx
	xor %edx, %edx
	xor %esi, %esi
	xor %edi, %edi
	xor %r8d, %r8d
	xor %r9d, %r9d
	xor %r10d, %r10d
	xor %r11d, %r11d

	pop %rbx
	pop %r12
	pop %r13
	pop %r14
	pop %r15
	pop %rbp
	RET
SYM_FUNC_END(svmk_vmrun)
