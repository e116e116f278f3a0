/*
 * entry.S: the guest kernel's entry from the monitor, the system-call entry
 * and the jump into the program. The only assembly of the kernel.
 *
 * `syscall` lands at LSTAR (SVM_KERNEL_SYSCALL: syscall_stub) at CPL 0 on
 * hardware SVM and VMX, as architected, and at CPL 3 under PVM, which never
 * leaves user mode for it. The stub keeps RCX and R11 (the return address
 * and RFLAGS) in memory and goes on at CPL 3 in both cases, with sysretq
 * from CPL 0: the kernel's C never runs at CPL 0, so a program that
 * corrupts the kernel's data (which is its own memory) gains nothing the
 * program did not have. The way back is popfq and a jump to RCX, with RCX
 * and R11 as Linux leaves them and every other register but RAX as it was.
 */
	.section .text.entry, "ax"
	.globl _start
	.type _start, @function
_start:
	/* %rdi = boot info (monitor). One stack for boot and system calls. */
	lea kstack_top(%rip), %rsp
	xor %ebp, %ebp
	call kmain
	ud2
	.size _start, . - _start

	/* At SVM_KERNEL_SYSCALL (kernel.ld): the monitor's LSTAR. */
	.section .text.syscall, "ax"
	.globl syscall_stub
	.type syscall_stub, @function
syscall_stub:
	mov %rcx, user_rcx(%rip)
	mov %r11, user_r11(%rip)
	mov %cs, %ecx
	test $3, %cl
	jnz syscall_entry
	lea syscall_entry(%rip), %rcx
	mov $2, %r11d		/* RFLAGS for the kernel: IF and the rest clear */
	sysretq
	.size syscall_stub, . - syscall_stub

	.text
	.type syscall_entry, @function
	.balign 16
syscall_entry:
	mov %rsp, user_rsp(%rip)
	lea kstack_top(%rip), %rsp
	push user_rcx(%rip)
	push user_r11(%rip)
	push %rdi
	push %rsi
	push %rdx
	push %r10
	push %r8
	push %r9
	sub $8, %rsp		/* keeps %rsp 16-aligned at the call */
	push %r9		/* a5, on the stack */
	mov %r8, %r9		/* a4 */
	mov %r10, %r8		/* a3 */
	mov %rdx, %rcx		/* a2 */
	mov %rsi, %rdx		/* a1 */
	mov %rdi, %rsi		/* a0 */
	mov %rax, %rdi		/* nr */
	cld
	call sys_dispatch
	add $16, %rsp
	pop %r9
	pop %r8
	pop %r10
	pop %rdx
	pop %rsi
	pop %rdi
	mov (%rsp), %r11
	mov 8(%rsp), %rcx
	popfq			/* the program's RFLAGS (CPL 3 keeps IOPL, IF) */
	mov user_rsp(%rip), %rsp
	jmp *%rcx
	.size syscall_entry, . - syscall_entry

/* enter_program(entry, sp): start the program as Linux does, registers 0. */
	.globl enter_program
	.type enter_program, @function
enter_program:
	mov %rsi, %rsp
	mov %rdi, %rcx
	xor %eax, %eax
	xor %ebx, %ebx
	xor %edx, %edx		/* no atexit function from the loader */
	xor %esi, %esi
	xor %edi, %edi
	xor %ebp, %ebp
	xor %r8d, %r8d
	xor %r9d, %r9d
	xor %r10d, %r10d
	xor %r11d, %r11d
	xor %r12d, %r12d
	xor %r13d, %r13d
	xor %r14d, %r14d
	xor %r15d, %r15d
	jmp *%rcx
	.size enter_program, . - enter_program

	.bss
	.balign 16
user_rsp:
	.quad 0
user_rcx:
	.quad 0
user_r11:
	.quad 0
	.balign 4096
kstack:
	.skip 65536
kstack_top:

	.section .note.GNU-stack, "", @progbits
