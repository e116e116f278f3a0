/* kernel_image.S: the guest kernel's ELF (build/kernel/kernel.elf), built into the monitor. */
	.section .rodata
	.balign 4096
	.globl svm_kernel_image
	.globl svm_kernel_image_end
svm_kernel_image:
	.incbin KERNEL_ELF
svm_kernel_image_end:
	.section .note.GNU-stack, "", @progbits
