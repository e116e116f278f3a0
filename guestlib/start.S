/* start.S: the app's entry point; the monitor enters here at CPL 3. */
	.text
	.globl _start
	.type _start, @function
_start:
	/* %rdi = boot info, %rsp = stack top (both set by the monitor). */
	xor %ebp, %ebp
	and $-16, %rsp
	fninit
	sub $16, %rsp
	movl $0x1f80, (%rsp)	/* MXCSR: all SIMD exceptions masked */
	ldmxcsr (%rsp)
	add $16, %rsp
	call __svm_start	/* does not return */
	ud2
	.size _start, . - _start
	.section .note.GNU-stack, "", @progbits
