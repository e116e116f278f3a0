// SPDX-License-Identifier: GPL-2.0
/*
 * svmk_test.c: ioctl-level tests of /dev/svmk, in the spirit of OpenBSD's
 * regress/sys/arch/amd64/vmm/vcpu.c. Each test builds a tiny 64-bit guest
 * (page tables, GDT, TSS with I/O bitmap, IDT with stubs that report faults
 * on port 0x4ff, as the svm-sandbox monitor does), runs it and checks every
 * exit; the guest tests run with nested paging and with shadow paging.
 *
 * Build: gcc -static -O2 -I kmod/uapi kmod/tests/svmk_test.c
 * Output: one line per test, then "N passed, N failed"; exit status 1 if
 * anything failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <time.h>
#include <unistd.h>

#include "svmk.h"

/* --- guest layout (guest-physical = guest-virtual below 1 GiB) ------------ */
#define MEM_SIZE	(8u << 20)
#define G_PML4		0x1000
#define G_PDPT		0x2000
#define G_PD		0x3000
#define G_PT		0x4000
#define G_GDT		0x5000
#define G_TSS		0x6000		/* + I/O bitmap: 0x6000..0x8068 */
#define G_IDT		0x9000
#define G_STUBS		0xa000		/* 256 * 16 bytes */
#define G_KCODE		0x10000
#define G_UCODE		0x20000
#define G_KSTACK	0x40000		/* top */
#define G_USTACK	0x60000		/* top */
#define G_URO		0x60000		/* user read-only page */
#define G_UNX		0x61000		/* user no-execute page */
#define G_DATA		0x100000	/* kernel data pages */
#define G_BIG2M		0x200000	/* a 2 MiB guest page, kernel */
#define G_ALIAS1G	0x40000000ull	/* a 1 GiB guest page aliasing 0 */
#define G_PML4B		0xb000		/* address space B: as A, */
#define G_PDPTB		0xc000
#define G_PDB		0xd000
#define G_PTB		0xe000		/* but for G_DATA */
#define G_SPACES	0x110000	/* 6 more, 4 tables each (0x4000) */
#define G_AL_PML4	0x400000	/* 4 spaces aliasing one page, */
#define G_AL_PDPT	0x404000	/* sharing these tables */
#define G_AL_PD		0x405000
#define G_AL_PT		0x406000
#define G_AL_PAGE	0x407000

#define SEL_KCODE	0x08
#define SEL_KDATA	0x10
#define SEL_UDATA	0x1b
#define SEL_UCODE	0x23
#define SEL_TSS		0x28

#define PTE_P	1ull
#define PTE_W	2ull
#define PTE_U	4ull
#define PTE_A	0x20ull
#define PTE_D	0x40ull
#define PTE_PS	0x80ull
#define PTE_NX	(1ull << 63)

#define FAULT_PORT 0x4ff

/* --- guest code: position independent, copied to G_KCODE or G_UCODE ------ */
#define GUEST(name, body)						\
	extern const uint8_t name[], name##_end[];			\
	asm(".pushsection .rodata\n" #name ":\n" body "\n"		\
	    #name "_end:\n.popsection\n")

GUEST(g_out_hlt,
	"mov $0x500, %dx\n mov $0xdeadbeef, %eax\n out %eax, %dx\n hlt\n"
	"mov $0x501, %dx\n out %eax, %dx\n hlt\n");
GUEST(g_io_sizes,
	"mov $0xab, %al\n out %al, $0x80\n"
	"mov $0x502, %dx\n mov $0x1234, %ax\n out %ax, %dx\n"
	"mov $-1, %rax\n in %dx, %eax\n mov $0x503, %dx\n out %eax, %dx\n"
	"mov $-1, %rax\n in %dx, %al\n mov %eax, %ecx\n shr $8, %ecx\n"
	"mov $0x504, %dx\n out %eax, %dx\n mov %ecx, %eax\n out %eax, %dx\n"
	"hlt\n");
GUEST(g_cpuid,
	"xor %eax, %eax\n cpuid\n mov %ebx, %eax\n mov $0x500, %dx\n"
	"out %eax, %dx\n mov $1, %eax\n cpuid\n mov %ecx, %eax\n"
	"out %eax, %dx\n hlt\n");
GUEST(g_pf_read, "mov 0x10, %rax\n hlt\n");
GUEST(g_user_io,
	"mov $0x51c, %dx\n mov $42, %eax\n out %eax, %dx\n"
	"mov $0x4ff, %dx\n out %eax, %dx\n hlt\n");
GUEST(g_user_wr_kernel, "movq $1, 0x10000\n hlt\n");
GUEST(g_user_wr_ro, "mov $0x500, %dx\n mov 0x60000, %eax\n out %eax, %dx\n"
	"movq $1, 0x60000\n hlt\n");
GUEST(g_user_exec_nx, "mov $0x61000, %eax\n jmp *%rax\n");
GUEST(g_user_hlt, "hlt\n");
GUEST(g_rep_outs, "mov $0x500, %dx\n mov $2, %ecx\n xor %esi, %esi\n"
	"rep outsb\n hlt\n");
GUEST(g_mmio, "mov $0x44000000, %eax\n mov (%rax), %rbx\n hlt\n");
GUEST(g_big_pages,
	"movabs $0x1122334455667788, %rax\n mov %rax, 0x200100\n"
	"mov $0x40000000, %ebx\n mov 0x200100(%rbx), %rax\n"
	"mov $0x500, %dx\n out %eax, %dx\n shr $32, %rax\n out %eax, %dx\n"
	"mov $0x40000000, %ebx\n movl $0xcafe, 0x100008(%rbx)\n hlt\n");
GUEST(g_triple, "push $0\n push $0\n lidt (%rsp)\n ud2\n");
GUEST(g_msr, "mov $0xc0000080, %ecx\n rdmsr\n hlt\n");
GUEST(g_vmmcall, "vmmcall\n hlt\n");
GUEST(g_loop, "1: jmp 1b\n");
GUEST(g_fpu,
	"movabs $0x1234567887654321, %rax\n movq %rax, %xmm0\n"
	"push $0x7f80\n ldmxcsr (%rsp)\n"
	"mov $0x500, %dx\n out %eax, %dx\n"
	"movq %xmm0, %rax\n out %eax, %dx\n shr $32, %rax\n out %eax, %dx\n"
	"stmxcsr (%rsp)\n pop %rax\n out %eax, %dx\n hlt\n");
GUEST(g_cr3, "mov %cr3, %rax\n mov $0x500, %dx\n out %eax, %dx\n hlt\n");
/* Remap gva G_DATA to G_DATA + 0x1000 and back, with INVLPG and CR3. */
GUEST(g_remap,
	"mov $0x500, %dx\n mov 0x100000, %eax\n out %eax, %dx\n"
	"mov $0x4800, %ebx\n addq $0x1000, (%rbx)\n invlpg 0x100000\n"
	"mov 0x100000, %eax\n out %eax, %dx\n"
	"subq $0x1000, (%rbx)\n mov %cr3, %rax\n mov %rax, %cr3\n"
	"mov 0x100000, %eax\n out %eax, %dx\n"
	/* unmap it: the next read must fault (#PF, not present) */
	"andq $-2, (%rbx)\n invlpg (0x100000)\n mov 0x100000, %eax\n hlt\n");
GUEST(g_ad, "movq $5, 0x102000\n mov 0x103000, %rax\n hlt\n");
/*
 * The dirty log, in three rounds with an OUT after each: write two pages,
 * read one; read a written page, write one directly and one through the
 * 1 GiB alias; read, then write the first page again (a read must not
 * map it writable). No stack use.
 */
GUEST(g_dirty,
	"movl $1, 0x100000\n movl $2, 0x102000\n mov 0x101000, %eax\n"
	"mov $0x500, %dx\n out %eax, %dx\n"
	"mov 0x100000, %eax\n movl $3, 0x103000\n"
	"mov $0x40000000, %ebx\n movl $4, 0x105000(%rbx)\n out %eax, %dx\n"
	"mov 0x100000, %ecx\n movl $5, 0x100000\n out %eax, %dx\n hlt\n");
/*
 * Snapshot and restore: set up registers, FPU state and a shadow entry,
 * report at the snapshot, then report what the guest sees, change all of
 * it (CR3, then a PTE) and report through the new translation.
 */
GUEST(g_snap,
	"mov $0x1111, %ebx\n mov $0x5555, %r15d\n"
	"movabs $0x1234567887654321, %rax\n movq %rax, %xmm0\n"
	"push $0x7f80\n ldmxcsr (%rsp)\n pop %rax\n"
	"mov 0x100000, %eax\n mov $0x500, %dx\n out %eax, %dx\n"
	"movq %xmm0, %rax\n out %eax, %dx\n mov %ebx, %eax\n out %eax, %dx\n"
	"mov %r15d, %eax\n out %eax, %dx\n"
	"push %rax\n stmxcsr (%rsp)\n pop %rax\n out %eax, %dx\n"
	"mov %cr3, %rax\n out %eax, %dx\n mov 0x100000, %eax\n out %eax, %dx\n"
	"mov $0x2222, %ebx\n xor %r15d, %r15d\n pxor %xmm0, %xmm0\n"
	"push $0x1f80\n ldmxcsr (%rsp)\n pop %rax\n"
	"mov $0x1f0000, %eax\n mov %rax, %cr3\n"
	"mov $0x4800, %ecx\n addq $0x1000, (%rcx)\n invlpg 0x100000\n"
	"mov 0x100000, %eax\n mov $0x501, %dx\n out %eax, %dx\n hlt\n");
GUEST(g_snap_triple, "mov $0x500, %dx\n out %eax, %dx\n mov $0x502, %dx\n"
	"out %eax, %dx\n push $0\n push $0\n lidt (%rsp)\n ud2\n");
GUEST(g_int, "int $0x80\n hlt\n");
GUEST(g_cr4_vmxe, "mov %cr4, %rax\n or $0x2000, %rax\n mov %rax, %cr4\n hlt\n");
GUEST(g_cr0_wp_off, "mov %cr0, %rax\n and $~0x10000, %eax\n mov %rax, %cr0\n"
	"mov $0x500, %dx\n out %eax, %dx\n hlt\n");
GUEST(g_many_outs, "mov $0x500, %dx\n xor %eax, %eax\n"
	"1: inc %eax\n out %eax, %dx\n jmp 1b\n");
GUEST(g_wbinvd, "wbinvd\n mov $0x500, %dx\n out %eax, %dx\n hlt\n");
/* CPL 3 with CR0.AM (set in vm_setup) and RFLAGS.AC: a misaligned load. */
GUEST(g_ac, "pushf\n orl $0x40000, (%rsp)\n popf\n mov $0x500, %dx\n"
	"mov %rsp, %rbx\n sub $64, %rbx\n mov 1(%rbx), %eax\n out %eax, %dx\n"
	"hlt\n");
/* Writes one word in each of 64 pages from 0x100000 up, then reports. */
GUEST(g_touch64, "mov $0x100000, %ebx\n mov $64, %ecx\n"
	"1: mov %ecx, (%rbx)\n add $0x1000, %ebx\n loop 1b\n"
	"mov $0x500, %dx\n out %eax, %dx\n hlt\n");

/*
 * The CR3 tests switch between A (G_PML4) and B (G_PML4B), which map gva
 * G_DATA to different pages, and edit B's PTE for it at gva 0xe800 (G_PTB +
 * 0x100 * 8) without INVLPG: the CR3 write is the flush. Results in
 * r10-r13. They return to user space only where said: after that, svmk
 * flushes everything at the next CR3 write (user space may have written
 * tables), which would hide the bugs they look for. The first two reload CR3
 * first, so that any such flush is spent before the sequence starts.
 *
 * Edit a present PTE of B, warm and inactive, then read through it in B.
 * The edit follows a read, as a read-modify-write would: the page is
 * mapped before it is written.
 */
GUEST(g_cr3_edit_inactive,
	"mov $0x1000, %r8d\n mov $0xb000, %r9d\n mov $0x100000, %ebx\n"
	"mov %r8, %cr3\n mov (%rbx), %r10d\n"
	"mov %r9, %cr3\n mov (%rbx), %r11d\n"
	"mov %r8, %cr3\n mov (%rbx), %r12d\n"
	"mov 0xe800, %rax\n movq $0x102003, 0xe800\n"
	"mov %r9, %cr3\n mov (%rbx), %r13d\n hlt\n");
/*
 * A writes B's PTE before the page is a table to svmk, so A maps the page
 * writable; B uses it; A writes it again through that old mapping.
 */
GUEST(g_cr3_edit_premapped,
	"mov $0x1000, %r8d\n mov $0xb000, %r9d\n mov $0x100000, %ebx\n"
	"mov %r8, %cr3\n movq $0x101003, 0xe800\n"
	"mov %r9, %cr3\n mov (%rbx), %r10d\n"
	"mov %r8, %cr3\n mov (%rbx), %r11d\n"
	"movq $0x102003, 0xe800\n"
	"mov %r9, %cr3\n mov (%rbx), %r12d\n hlt\n");
/* Warm B and A, let user space edit B's PTE (OUT), read in B. */
GUEST(g_cr3_edit_by_user,
	"mov $0x1000, %r8d\n mov $0xb000, %r9d\n mov $0x100000, %ebx\n"
	"mov %r9, %cr3\n mov (%rbx), %r10d\n"
	"mov %r8, %cr3\n mov (%rbx), %r11d\n"
	"mov $0x500, %dx\n out %eax, %dx\n"
	"mov %r9, %cr3\n mov (%rbx), %r12d\n hlt\n");
/* 100 times: B, read, A, read; a wrong value is reported on port 0x501. */
GUEST(g_cr3_pingpong,
	"mov $0x1000, %r8d\n mov $0xb000, %r9d\n mov $0x100000, %ebx\n"
	"mov $0x500, %edx\n mov $100, %ecx\n"
	"1: mov %r9, %cr3\n mov (%rbx), %eax\n cmp $0xbbbb, %eax\n jne 2f\n"
	"mov %r8, %cr3\n mov (%rbx), %eax\n cmp $0xaaaa, %eax\n jne 2f\n"
	"loop 1b\n mov $0x600d, %eax\n out %eax, %dx\n hlt\n"
	"2: mov $0x501, %dx\n out %eax, %dx\n hlt\n");
/*
 * Lazy pinning: sum the first dword of the 16 pages at 0x200000 (user space
 * wrote them), write 16 pages at 0x300000 nobody touched yet, then read
 * 0x200000 again (user space changed it meanwhile).
 */
GUEST(g_lazy,
	"xor %eax, %eax\n mov $0x200000, %ebx\n mov $16, %ecx\n"
	"1: add (%rbx), %eax\n add $0x1000, %ebx\n loop 1b\n"
	"mov $0x500, %dx\n out %eax, %dx\n"
	"mov $0x300000, %ebx\n mov $16, %ecx\n"
	"1: mov %ecx, (%rbx)\n add $0x1000, %ebx\n loop 1b\n"
	"mov $0x501, %dx\n out %eax, %dx\n"
	"mov 0x200000, %eax\n mov $0x502, %dx\n out %eax, %dx\n hlt\n");
/* Read two pages nobody touched yet, one after the other. */
GUEST(g_touch2,
	"mov $0x500, %dx\n mov 0x205000, %eax\n out %eax, %dx\n"
	"mov 0x206000, %eax\n out %eax, %dx\n hlt\n");
/* 5 rounds over the 6 spaces at G_SPACES: space k maps 0x1000 + k. */
GUEST(g_cr3_evict,
	"mov $0x100000, %ebx\n mov $5, %r12d\n"
	"1: xor %ecx, %ecx\n"
	"2: mov %ecx, %eax\n shl $14, %eax\n add $0x110000, %eax\n"
	"mov %rax, %cr3\n mov (%rbx), %eax\n lea 0x1000(%rcx), %edx\n"
	"cmp %edx, %eax\n jne 3f\n"
	"inc %ecx\n cmp $6, %ecx\n jne 2b\n dec %r12d\n jnz 1b\n"
	"mov $0x600d, %eax\n mov $0x500, %dx\n out %eax, %dx\n hlt\n"
	"3: mov $0x501, %dx\n out %eax, %dx\n hlt\n");

/*
 * The shadow-table bound: touch gva (1 << 39) + n * 2 MiB for n = 1..r13,
 * in address space n % 4 (CR3 = 0x400000 + (n % 4) * 0x1000; see
 * setup_aliases()), each a new 2 MiB region aliasing one page, which must
 * read 0x5a5a5a5a (else OUT n on 0x501). OUT n on 0x500 whenever n & r12
 * is 0, at the start (n = 0) and 0x600d at the end.
 */
GUEST(g_alias_touch,
	"mov $0x400000, %r8d\n xor %r9d, %r9d\n mov $0x500, %dx\n"
	"xor %eax, %eax\n out %eax, %dx\n"
	"1: inc %r9d\n mov %r9d, %eax\n and $3, %eax\n shl $12, %eax\n"
	"add %r8, %rax\n mov %rax, %cr3\n"
	"mov %r9, %rax\n shl $21, %rax\n bts $39, %rax\n mov (%rax), %ebx\n"
	"cmp $0x5a5a5a5a, %ebx\n jne 3f\n"
	"test %r12d, %r9d\n jnz 2f\n mov %r9d, %eax\n out %eax, %dx\n"
	"2: cmp %r13d, %r9d\n jne 1b\n mov $0x600d, %eax\n out %eax, %dx\n hlt\n"
	"3: mov $0x501, %dx\n mov %r9d, %eax\n out %eax, %dx\n hlt\n");
/*
 * A 5-page guest whose 4-level tables map its last page at every address
 * (see small_alias_vm()): read gva n * 2 MiB for n = 1..r13, then OUT
 * 0x600d. No stack, no IDT.
 */
GUEST(g_small_alias,
	"xor %r9d, %r9d\n 1: inc %r9d\n mov %r9, %rax\n shl $21, %rax\n"
	"mov (%rax), %ebx\n cmp %r13d, %r9d\n jne 1b\n"
	"mov $0x600d, %eax\n mov $0x500, %dx\n out %eax, %dx\n hlt\n");
/*
 * The TSC at CPL 3: two reads into r12 and r13, an OUT, a third read into
 * r14, an OUT.
 */
GUEST(g_tsc,
	"rdtsc\n shl $32, %rdx\n or %rdx, %rax\n mov %rax, %r12\n"
	"rdtsc\n shl $32, %rdx\n or %rdx, %rax\n mov %rax, %r13\n"
	"mov $0x500, %dx\n out %eax, %dx\n"
	"rdtsc\n shl $32, %rdx\n or %rdx, %rax\n mov %rax, %r14\n"
	"mov $0x500, %dx\n out %eax, %dx\n hlt\n");
/*
 * What would say which host CPU runs the guest: TSC_AUX through RDTSCP and
 * RDPID (-1 if CPUID says there is no RDPID), the initial APIC ID (CPUID 1
 * EBX[31:24]), the x2APIC ID (CPUID 0xb EDX), the extended APIC ID, core
 * and node IDs (CPUID 0x8000001e EAX, EBX[7:0], ECX[7:0]); and OSPKE|PKU
 * (CPUID 7 ECX[4:3]). One OUT each.
 */
GUEST(g_host_cpu,
	"rdtscp\n mov %ecx, %eax\n mov $0x500, %dx\n out %eax, %dx\n"
	"mov $7, %eax\n xor %ecx, %ecx\n cpuid\n mov $-1, %eax\n"
	"bt $22, %ecx\n jnc 1f\n .byte 0xf3, 0x0f, 0xc7, 0xf8\n"	/* rdpid */
	"1: mov $0x500, %dx\n out %eax, %dx\n"
	"mov $1, %eax\n cpuid\n mov %ebx, %eax\n shr $24, %eax\n"
	"mov $0x500, %dx\n out %eax, %dx\n"
	"mov $0xb, %eax\n xor %ecx, %ecx\n cpuid\n mov %edx, %eax\n"
	"mov $0x500, %dx\n out %eax, %dx\n"
	"mov $0x8000001e, %eax\n cpuid\n mov $0x500, %dx\n out %eax, %dx\n"
	"movzbl %bl, %eax\n out %eax, %dx\n movzbl %cl, %eax\n out %eax, %dx\n"
	"mov $7, %eax\n xor %ecx, %ecx\n cpuid\n mov %ecx, %eax\n"
	"and $0x18, %eax\n mov $0x500, %dx\n out %eax, %dx\n hlt\n");
/*
 * SYSCALL from CPL 3 with DF set, to g_sys_entry at CPL 0, which reports
 * CS, SS, RCX, R11, its RFLAGS and the dword at the GS base after SWAPGS,
 * then SYSRETQ; back at CPL 3: CS, SS, RFLAGS; then HLT (#GP at CPL 3).
 */
GUEST(g_sys_user,
	"std\n mov $0x12345678, %r11d\n syscall\n"
	".globl g_sys_user_ret\n g_sys_user_ret:\n"
	"mov $0x500, %dx\n mov %cs, %eax\n out %eax, %dx\n"
	"mov %ss, %eax\n out %eax, %dx\n pushfq\n pop %rax\n out %eax, %dx\n"
	"hlt\n");
extern const uint8_t g_sys_user_ret[];
GUEST(g_sys_entry,
	"mov $0x500, %dx\n mov %cs, %eax\n out %eax, %dx\n"
	"mov %ss, %eax\n out %eax, %dx\n mov %ecx, %eax\n out %eax, %dx\n"
	"mov %r11d, %eax\n out %eax, %dx\n pushfq\n pop %rax\n out %eax, %dx\n"
	"swapgs\n mov %gs:0, %eax\n swapgs\n out %eax, %dx\n sysretq\n");
/* FS and GS bases at CPL 3 (CR4.FSGSBASE), read through and back. */
GUEST(g_fsgsbase,
	"mov $0x60000, %eax\n wrfsbase %rax\n mov $0x5fff8, %eax\n"
	"wrgsbase %rax\n mov $0x500, %dx\n mov %fs:0, %eax\n out %eax, %dx\n"
	"mov %gs:8, %eax\n out %eax, %dx\n rdfsbase %rax\n out %eax, %dx\n"
	"rdgsbase %rax\n out %eax, %dx\n hlt\n");
/* CPL 0 sets CR4.FSGSBASE itself (shadow mode: an intercepted write). */
GUEST(g_cr4_fsgsbase,
	"mov %cr4, %rax\n or $0x10000, %eax\n mov %rax, %cr4\n"
	"mov $0x100000, %eax\n wrfsbase %rax\n mov $0x500, %dx\n"
	"mov %fs:0, %eax\n out %eax, %dx\n hlt\n");
/* A VEX instruction (AVX), then an OUT. */
GUEST(g_vex, "vxorps %ymm1, %ymm1, %ymm1\n vcmpps $0xf, %ymm1, %ymm1, %ymm2\n"
	"vmovd %xmm2, %eax\n mov $0x500, %dx\n out %eax, %dx\n hlt\n");
/*
 * Everything a CPL-3 program can set (CR4.FSGSBASE on): it sets a state,
 * OUTs on 0x500 (the test takes a snapshot), reports it (g_cpl3_report),
 * changes all of it, OUTs on 0x501, and reports and changes again forever.
 */
GUEST(g_cpl3_state,
	"mov $0x60000, %eax\n wrfsbase %rax\n mov $0x5f000, %eax\n"
	"wrgsbase %rax\n fninit\n fld1\n fldpi\n push $0x27f\n fldcw (%rsp)\n"
	"pop %rax\n movabs $0x1111222233334444, %rax\n movq %rax, %xmm0\n"
	"movq %rax, %xmm15\n push $0x9f80\n ldmxcsr (%rsp)\n pop %rax\n"
	"xor %eax, %eax\n mov %eax, %es\n std\n mov $0xb1, %ebx\n"
	"mov $0xc1, %ecx\n mov $0xa8, %r8d\n mov $0xaf, %r15d\n"
	"mov $0x500, %dx\n out %eax, %dx\n"
	/* report: FCW, FSW, st0 and st1 as floats, xmm0, xmm15 (high half), */
	/* MXCSR, FS base, GS base, ES, RFLAGS, rbx, r15 */
	"1: mov $0x502, %dx\n sub $8, %rsp\n fnstcw (%rsp)\n movzwl (%rsp), %eax\n"
	"out %eax, %dx\n fnstsw %ax\n movzwl %ax, %eax\n out %eax, %dx\n"
	"fsts (%rsp)\n mov (%rsp), %eax\n out %eax, %dx\n fxch\n"
	"fsts (%rsp)\n fxch\n mov (%rsp), %eax\n out %eax, %dx\n"
	"movd %xmm0, %eax\n out %eax, %dx\n pextrd $1, %xmm15, %eax\n"
	"out %eax, %dx\n stmxcsr (%rsp)\n mov (%rsp), %eax\n out %eax, %dx\n"
	"add $8, %rsp\n rdfsbase %rax\n out %eax, %dx\n rdgsbase %rax\n"
	"out %eax, %dx\n mov %es, %eax\n out %eax, %dx\n pushfq\n pop %rax\n"
	"out %eax, %dx\n mov %ebx, %eax\n out %eax, %dx\n mov %r15d, %eax\n"
	"out %eax, %dx\n"
	/* change it all */
	"xor %eax, %eax\n wrfsbase %rax\n wrgsbase %rax\n fninit\n"
	"pxor %xmm0, %xmm0\n pcmpeqd %xmm15, %xmm15\n push $0x1f80\n"
	"ldmxcsr (%rsp)\n pop %rax\n mov $0x1b, %eax\n mov %eax, %es\n"
	"cld\n inc %ebx\n inc %ecx\n inc %r8d\n inc %r15d\n"
	"mov $0x501, %dx\n out %eax, %dx\n jmp 1b\n");
#define CPL3_REPORTS 13

/* Fault stubs, one per vector, 16 bytes apart: report the vector, halt. */
static void make_stub(uint8_t *p, int vec)
{
	static const uint8_t tmpl[] = {
		0xb8, 0, 0, 0, 0,		/* mov $vec, %eax */
		0x66, 0xba, 0xff, 0x04,		/* mov $0x4ff, %dx */
		0xef,				/* out %eax, %dx */
		0xf4,				/* hlt */
		0xeb, 0xfd,			/* jmp hlt */
	};

	memcpy(p, tmpl, sizeof(tmpl));
	memcpy(p + 1, &vec, 4);
}

/* --- test bookkeeping ------------------------------------------------------ */
static int passed, failed;
static char fail_msg[512];

#define CHECK(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			snprintf(fail_msg, sizeof(fail_msg), __VA_ARGS__); \
			return -1;					\
		}							\
	} while (0)

static void report(const char *name, const char *mode, int r)
{
	if (r == 0) {
		passed++;
		printf("ok   %s%s%s\n", name, mode ? " " : "", mode ? mode : "");
	} else {
		failed++;
		printf("FAIL %s%s%s: %s\n", name, mode ? " " : "",
		       mode ? mode : "", fail_msg);
	}
	fflush(stdout);
}

#define EXPECT_ERR(call, err)						\
	do {								\
		int _r = (call);					\
		CHECK(_r == -1 && errno == (err),			\
		      "%s: got %d errno %d, want %s", #call, _r,	\
		      _r ? errno : 0, #err);				\
	} while (0)

/* --- VM helpers ------------------------------------------------------------ */
struct vm {
	int fd;
	uint8_t *mem;
	size_t size;		/* of mem: MEM_SIZE unless said */
	struct svmk_run *run;
	int paging;
	uint64_t open_tsc;	/* host TSC just before the open() */
};

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static void vm_destroy(struct vm *vm)
{
	if (vm->run)
		munmap(vm->run, SVMK_RUN_SIZE);
	if (vm->mem)
		munmap(vm->mem, vm->size);
	if (vm->fd >= 0)
		close(vm->fd);
	memset(vm, 0, sizeof(*vm));
	vm->fd = -1;
}

/* A VM with size bytes of memory (the guest tests use MEM_SIZE). */
static int vm_create_size(struct vm *vm, int paging, size_t size)
{
	struct svmk_memory m;

	memset(vm, 0, sizeof(*vm));
	vm->paging = paging;
	vm->size = size;
	vm->open_tsc = rdtsc();
	vm->fd = open("/dev/svmk", O_RDWR | O_CLOEXEC);
	CHECK(vm->fd >= 0, "open /dev/svmk: %s", strerror(errno));
	vm->mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	CHECK(vm->mem != MAP_FAILED, "mmap mem");
	m = (struct svmk_memory){ .userspace_addr = (uintptr_t)vm->mem,
				  .size = size };
	CHECK(ioctl(vm->fd, SVMK_SET_MEMORY, &m) == 0, "SET_MEMORY: %s",
	      strerror(errno));
	CHECK(ioctl(vm->fd, SVMK_SET_PAGING, paging) == 0, "SET_PAGING: %s",
	      strerror(errno));
	vm->run = mmap(NULL, SVMK_RUN_SIZE, PROT_READ | PROT_WRITE,
		       MAP_SHARED, vm->fd, 0);
	CHECK(vm->run != MAP_FAILED, "mmap run: %s", strerror(errno));
	return 0;
}

static int vm_create(struct vm *vm, int paging)
{
	return vm_create_size(vm, paging, MEM_SIZE);
}

static uint64_t *q(struct vm *vm, uint64_t gpa)
{
	return (uint64_t *)(vm->mem + gpa);
}

static void set_seg(struct svmk_segment *s, uint16_t sel, int code, int dpl)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->limit = 0xffffffff;
	s->type = code ? 11 : 3;
	s->present = 1;
	s->dpl = dpl;
	s->s = 1;
	s->l = code;
	s->db = !code;
	s->g = 1;
}

/*
 * A long-mode guest as the svm-sandbox monitor builds it: identity map of
 * the first 2 MiB in 4 KiB pages (page 0 absent), a 2 MiB page and a 1 GiB
 * alias; GDT; TSS whose I/O bitmap opens ports 0x500..0x51f to user mode;
 * IDT whose vectors 0..31 go to CPL-0 stubs. Code goes to G_KCODE (cpl 0)
 * or G_UCODE (cpl 3) and starts there.
 */
static int vm_setup(struct vm *vm, const uint8_t *code, const uint8_t *end,
		    int cpl)
{
	struct svmk_sregs sr;
	struct svmk_regs r;
	uint64_t tss_desc_lo, tss_limit = 104 + 8192;
	uint8_t *tss = vm->mem + G_TSS;
	int i;

	/* Page tables. */
	*q(vm, G_PML4) = G_PDPT | PTE_P | PTE_W | PTE_U;
	*q(vm, G_PDPT) = G_PD | PTE_P | PTE_W | PTE_U;
	*q(vm, G_PDPT + 8) = 0 | PTE_P | PTE_W | PTE_U | PTE_PS;
	*q(vm, G_PD) = G_PT | PTE_P | PTE_W | PTE_U;
	*q(vm, G_PD + 8) = G_BIG2M | PTE_P | PTE_W | PTE_PS;
	for (i = 1; i < 512; i++) {
		uint64_t a = (uint64_t)i << 12, f = PTE_P | PTE_W;

		if ((a >= G_UCODE && a < G_UCODE + 0x10000) ||
		    (a >= G_USTACK - 0x10000 && a < G_USTACK))
			f |= PTE_U;
		if (a == G_URO)
			f = PTE_P | PTE_U;
		if (a == G_UNX)
			f = PTE_P | PTE_W | PTE_U | PTE_NX;
		*q(vm, G_PT + i * 8) = a | f;
	}

	/* GDT: null, kernel code, kernel data, user data, user code, TSS. */
	*q(vm, G_GDT + 0x08) = 0x00209a0000000000ull;
	*q(vm, G_GDT + 0x10) = 0x0000920000000000ull;
	*q(vm, G_GDT + 0x18) = 0x0000f20000000000ull;
	*q(vm, G_GDT + 0x20) = 0x0020fa0000000000ull;
	tss_desc_lo = (tss_limit & 0xffff) | ((uint64_t)(G_TSS & 0xffffff) << 16) |
		      (0x89ull << 40) | (((tss_limit >> 16) & 0xf) << 48) |
		      ((uint64_t)((G_TSS >> 24) & 0xff) << 56);
	*q(vm, G_GDT + 0x28) = tss_desc_lo;
	*q(vm, G_GDT + 0x30) = 0;

	/* TSS: RSP0 and the I/O bitmap (1 = denied) after the 104 bytes. */
	memset(tss, 0, 104);
	*(uint64_t *)(tss + 4) = G_KSTACK;
	*(uint16_t *)(tss + 102) = 104;
	memset(tss + 104, 0xff, 8192 + 1);
	for (i = 0x500; i < 0x520; i++)
		tss[104 + i / 8] &= ~(1 << (i % 8));

	/* IDT and stubs. */
	for (i = 0; i < 256; i++) {
		uint64_t h = G_STUBS + i * 16;

		*q(vm, G_IDT + i * 16) = (h & 0xffff) | (SEL_KCODE << 16) |
					 (0x8eull << 40) |
					 ((h >> 16 & 0xffff) << 48);
		*q(vm, G_IDT + i * 16 + 8) = h >> 32;
		make_stub(vm->mem + G_STUBS + i * 16, i);
	}

	memcpy(vm->mem + (cpl ? G_UCODE : G_KCODE), code, end - code);

	memset(&sr, 0, sizeof(sr));
	set_seg(&sr.cs, cpl ? SEL_UCODE : SEL_KCODE, 1, cpl ? 3 : 0);
	set_seg(&sr.ss, cpl ? SEL_UDATA : SEL_KDATA, 0, cpl ? 3 : 0);
	sr.ds = sr.es = sr.fs = sr.gs = sr.ss;
	sr.tr.selector = SEL_TSS;
	sr.tr.base = G_TSS;
	sr.tr.limit = tss_limit;
	sr.tr.type = 11;	/* busy, as after LTR (and as KVM wants) */
	sr.tr.present = 1;
	sr.ldt.unusable = 1;
	sr.gdt.base = G_GDT;
	sr.gdt.limit = 0x37;
	sr.idt.base = G_IDT;
	sr.idt.limit = 0xfff;
	sr.cr0 = 0x80050033;	/* PG WP NE ET MP PE */
	sr.cr3 = G_PML4;
	sr.cr4 = 0x620;		/* OSXMMEXCPT OSFXSR PAE */
	sr.efer = 0xd00;	/* NXE LMA LME */
	CHECK(ioctl(vm->fd, SVMK_SET_SREGS, &sr) == 0, "SET_SREGS: %s",
	      strerror(errno));

	memset(&r, 0, sizeof(r));
	r.rip = cpl ? G_UCODE : G_KCODE;
	r.rsp = cpl ? G_USTACK : G_KSTACK;
	r.rflags = 2;
	CHECK(ioctl(vm->fd, SVMK_SET_REGS, &r) == 0, "SET_REGS: %s",
	      strerror(errno));
	return 0;
}

static const char *reason_name(uint32_t r)
{
	static const char *n[] = { "NONE", "IO", "HLT", "SHUTDOWN", "MMIO",
				   "INTR", "FAIL_ENTRY", "INTERNAL_ERROR" };
	return r < sizeof(n) / sizeof(n[0]) ? n[r] : "?";
}

static char exit_desc[256];

static const char *describe(struct vm *vm)
{
	struct svmk_run *run = vm->run;

	switch (run->exit_reason) {
	case SVMK_EXIT_IO:
		snprintf(exit_desc, sizeof(exit_desc),
			 "IO %s port %#x size %u data %#llx",
			 run->io.direction ? "out" : "in", run->io.port,
			 run->io.size, (unsigned long long)run->io.data);
		break;
	case SVMK_EXIT_INTERNAL_ERROR:
		snprintf(exit_desc, sizeof(exit_desc),
			 "INTERNAL_ERROR sub %u code %#llx info %#llx %#llx rip %#llx",
			 run->internal.suberror,
			 (unsigned long long)run->internal.exit_code,
			 (unsigned long long)run->internal.info1,
			 (unsigned long long)run->internal.info2,
			 (unsigned long long)run->internal.rip);
		break;
	case SVMK_EXIT_FAIL_ENTRY:
		snprintf(exit_desc, sizeof(exit_desc), "FAIL_ENTRY %#llx",
			 (unsigned long long)run->fail_entry.exit_code);
		break;
	case SVMK_EXIT_MMIO:
		snprintf(exit_desc, sizeof(exit_desc), "MMIO gpa %#llx err %#llx",
			 (unsigned long long)run->mmio.gpa,
			 (unsigned long long)run->mmio.error);
		break;
	default:
		snprintf(exit_desc, sizeof(exit_desc), "%s",
			 reason_name(run->exit_reason));
	}
	return exit_desc;
}

static int vm_run(struct vm *vm)
{
	return ioctl(vm->fd, SVMK_RUN, 0);
}

static int expect_out(struct vm *vm, int port, int size, uint32_t data)
{
	struct svmk_run *run = vm->run;

	CHECK(vm_run(vm) == 0, "RUN: %s (%s)", strerror(errno), describe(vm));
	CHECK(run->exit_reason == SVMK_EXIT_IO &&
	      run->io.direction == SVMK_EXIT_IO_OUT && run->io.port == port &&
	      run->io.size == size && run->io.count == 1 &&
	      (uint32_t)run->io.data == data &&
	      !memcmp((char *)run + run->io.data_offset, &data, size),
	      "want out port %#x size %d data %#x, got %s", port, size, data,
	      describe(vm));
	return 0;
}

static int expect_reason(struct vm *vm, uint32_t reason)
{
	CHECK(vm_run(vm) == 0, "RUN: %s (%s)", strerror(errno), describe(vm));
	CHECK(vm->run->exit_reason == reason, "want %s, got %s",
	      reason_name(reason), describe(vm));
	return 0;
}

/* An OUT on port (any data, stored in *data unless NULL). */
static int expect_port(struct vm *vm, int port, uint32_t *data)
{
	struct svmk_run *run = vm->run;

	CHECK(vm_run(vm) == 0, "RUN: %s (%s)", strerror(errno), describe(vm));
	CHECK(run->exit_reason == SVMK_EXIT_IO &&
	      run->io.direction == SVMK_EXIT_IO_OUT && run->io.port == port,
	      "want out port %#x, got %s", port, describe(vm));
	if (data)
		*data = run->io.data;
	return 0;
}

/* A guest exception reported by a stub; err/cr2 checked unless -1. */
static int expect_fault(struct vm *vm, int vec, int64_t err, int64_t cr2)
{
	struct svmk_regs r;
	struct svmk_sregs sr;

	if (expect_out(vm, FAULT_PORT, 4, vec))
		return -1;
	CHECK(ioctl(vm->fd, SVMK_GET_REGS, &r) == 0, "GET_REGS");
	CHECK(ioctl(vm->fd, SVMK_GET_SREGS, &sr) == 0, "GET_SREGS");
	CHECK(sr.cs.selector == SEL_KCODE && sr.cs.dpl == 0,
	      "stub not at CPL 0 (cs %#x)", sr.cs.selector);
	if (err >= 0)
		CHECK(*q(vm, r.rsp) == (uint64_t)err,
		      "vector %d error code %#llx, want %#llx", vec,
		      (unsigned long long)*q(vm, r.rsp), (long long)err);
	if (cr2 >= 0)
		CHECK(sr.cr2 == (uint64_t)cr2, "cr2 %#llx, want %#llx",
		      (unsigned long long)sr.cr2, (long long)cr2);
	return 0;
}

/* --- guest tests (each in both paging modes) ------------------------------ */
typedef int (*guest_test_fn)(struct vm *vm);

static int t_out_hlt(struct vm *vm)
{
	struct svmk_regs r;

	if (vm_setup(vm, g_out_hlt, g_out_hlt_end, 0) ||
	    expect_out(vm, 0x500, 4, 0xdeadbeef) ||
	    expect_reason(vm, SVMK_EXIT_HLT))
		return -1;
	CHECK(ioctl(vm->fd, SVMK_GET_REGS, &r) == 0, "GET_REGS");
	CHECK(r.rip == G_KCODE + 11, "rip after hlt %#llx",
	      (unsigned long long)r.rip);
	/* Resuming after HLT goes on with the next instruction. */
	return expect_out(vm, 0x501, 4, 0xdeadbeef);
}

static int t_io_sizes(struct vm *vm)
{
	uint32_t v = 0x11223344;
	uint8_t b = 0x5a;

	if (vm_setup(vm, g_io_sizes, g_io_sizes_end, 0) ||
	    expect_out(vm, 0x80, 1, 0xab) || expect_out(vm, 0x502, 2, 0x1234) ||
	    expect_reason(vm, SVMK_EXIT_IO))
		return -1;
	CHECK(vm->run->io.direction == SVMK_EXIT_IO_IN &&
	      vm->run->io.size == 4 && vm->run->io.port == 0x502,
	      "want in port 0x502, got %s", describe(vm));
	memcpy((char *)vm->run + vm->run->io.data_offset, &v, 4);
	/* 32-bit IN zero-extends into RAX (it was -1). */
	if (expect_out(vm, 0x503, 4, 0x11223344) ||
	    expect_reason(vm, SVMK_EXIT_IO))
		return -1;
	CHECK(vm->run->io.direction == SVMK_EXIT_IO_IN && vm->run->io.size == 1,
	      "want in size 1, got %s", describe(vm));
	memcpy((char *)vm->run + vm->run->io.data_offset, &b, 1);
	/* 8-bit IN keeps the rest of RAX (-1). */
	return expect_out(vm, 0x504, 4, 0xffffff5a) ||
	       expect_out(vm, 0x504, 4, 0xffffff) ||
	       expect_reason(vm, SVMK_EXIT_HLT);
}

static int t_cpuid(struct vm *vm)
{
	if (vm_setup(vm, g_cpuid, g_cpuid_end, 0) ||
	    expect_out(vm, 0x500, 4, 0x68747541))	/* "Auth" */
		return -1;
	CHECK(vm_run(vm) == 0 && vm->run->exit_reason == SVMK_EXIT_IO,
	      "cpuid 1: %s", describe(vm));
	CHECK(vm->run->io.data & (1u << 31), "hypervisor bit clear");
	return expect_reason(vm, SVMK_EXIT_HLT);
}

static int t_pf_kernel(struct vm *vm)
{
	/* Read of absent page 0 at CPL 0: #PF, error 0, CR2 0x10. */
	return vm_setup(vm, g_pf_read, g_pf_read_end, 0) ||
	       expect_fault(vm, 14, 0, 0x10);
}

static int t_user_io(struct vm *vm)
{
	/* CPL 3: ports 0x51c-f open in the TSS bitmap, 0x4ff closed (#GP). */
	return vm_setup(vm, g_user_io, g_user_io_end, 3) ||
	       expect_out(vm, 0x51c, 4, 42) || expect_fault(vm, 13, 0, -1);
}

static int t_user_hlt(struct vm *vm)
{
	/* HLT at CPL 3 is a #GP, not an exit. */
	return vm_setup(vm, g_user_hlt, g_user_hlt_end, 3) ||
	       expect_fault(vm, 13, 0, -1);
}

static int t_user_wr_kernel(struct vm *vm)
{
	return vm_setup(vm, g_user_wr_kernel, g_user_wr_kernel_end, 3) ||
	       expect_fault(vm, 14, 7, 0x10000);
}

static int t_user_wr_ro(struct vm *vm)
{
	*q(vm, G_URO) = 0x77;
	return vm_setup(vm, g_user_wr_ro, g_user_wr_ro_end, 3) ||
	       expect_out(vm, 0x500, 4, 0x77) ||
	       expect_fault(vm, 14, 7, G_URO);
}

static int t_user_exec_nx(struct vm *vm)
{
	return vm_setup(vm, g_user_exec_nx, g_user_exec_nx_end, 3) ||
	       expect_fault(vm, 14, 0x15, G_UNX);
}

static int t_rep_outs(struct vm *vm)
{
	if (vm_setup(vm, g_rep_outs, g_rep_outs_end, 0) ||
	    expect_reason(vm, SVMK_EXIT_INTERNAL_ERROR))
		return -1;
	CHECK(vm->run->internal.suberror == SVMK_INTERNAL_STRING_IO,
	      "%s", describe(vm));
	return 0;
}

static int t_mmio(struct vm *vm)
{
	/* Through the 1 GiB alias: gpa 0x4000000 is beyond 8 MiB. */
	if (vm_setup(vm, g_mmio, g_mmio_end, 0) ||
	    expect_reason(vm, SVMK_EXIT_MMIO))
		return -1;
	CHECK(vm->run->mmio.gpa == 0x4000000, "%s", describe(vm));
	/* Not emulated: running again stops at the same access. */
	return expect_reason(vm, SVMK_EXIT_MMIO);
}

static int t_big_pages(struct vm *vm)
{
	if (vm_setup(vm, g_big_pages, g_big_pages_end, 0) ||
	    expect_out(vm, 0x500, 4, 0x55667788) ||
	    expect_out(vm, 0x500, 4, 0x11223344) ||
	    expect_reason(vm, SVMK_EXIT_HLT))
		return -1;
	CHECK(*q(vm, G_BIG2M + 0x100) == 0x1122334455667788ull,
	      "2 MiB page write not in memory");
	CHECK(*(uint32_t *)(vm->mem + G_DATA + 8) == 0xcafe,
	      "1 GiB alias write not in memory");
	return 0;
}

static int t_triple(struct vm *vm)
{
	if (vm_setup(vm, g_triple, g_triple_end, 0) ||
	    expect_reason(vm, SVMK_EXIT_SHUTDOWN))
		return -1;
	CHECK(vm_run(vm) == -1 && errno == EIO, "RUN after shutdown: %d",
	      errno);
	return 0;
}

static int t_msr(struct vm *vm)
{
	return vm_setup(vm, g_msr, g_msr_end, 0) ||
	       expect_fault(vm, 13, 0, -1);
}

static int t_vmmcall(struct vm *vm)
{
	return vm_setup(vm, g_vmmcall, g_vmmcall_end, 0) ||
	       expect_fault(vm, 6, -1, -1);
}

static int t_wbinvd(struct vm *vm)
{
	return vm_setup(vm, g_wbinvd, g_wbinvd_end, 0) ||
	       expect_out(vm, 0x500, 4, 0) || expect_reason(vm, SVMK_EXIT_HLT);
}

static void on_alarm(int sig)
{
	(void)sig;
}

static int t_signal(struct vm *vm)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	int r, e;

	if (vm_setup(vm, g_loop, g_loop_end, 0))
		return -1;
	sigaction(SIGALRM, &sa, NULL);	/* no SA_RESTART */
	alarm(1);
	r = vm_run(vm);
	e = errno;
	alarm(0);
	CHECK(r == -1 && e == EINTR, "RUN in a loop: %d %s", r, strerror(e));
	CHECK(vm->run->exit_reason == SVMK_EXIT_INTR, "%s", describe(vm));
	return 0;
}

static int t_fpu(struct vm *vm)
{
	uint32_t mxcsr_before = 0x1f80, mxcsr_after = 0;

	asm volatile("ldmxcsr %0" : : "m"(mxcsr_before));
	if (vm_setup(vm, g_fpu, g_fpu_end, 0) ||
	    expect_out(vm, 0x500, 4, 0x87654321))
		return -1;
	/* The monitor's own FPU use must not reach the guest ... */
	asm volatile("pxor %%xmm0, %%xmm0" ::: "xmm0");
	if (expect_out(vm, 0x500, 4, 0x87654321) ||
	    expect_out(vm, 0x500, 4, 0x12345678) ||
	    expect_out(vm, 0x500, 4, 0x7f80) || expect_reason(vm, SVMK_EXIT_HLT))
		return -1;
	/* ... nor the guest's MXCSR the monitor. */
	asm volatile("stmxcsr %0" : "=m"(mxcsr_after));
	CHECK(mxcsr_after == mxcsr_before, "host MXCSR %#x", mxcsr_after);
	return 0;
}

static int t_cr3(struct vm *vm)
{
	return vm_setup(vm, g_cr3, g_cr3_end, 0) ||
	       expect_out(vm, 0x500, 4, G_PML4) ||
	       expect_reason(vm, SVMK_EXIT_HLT);
}

static int t_remap(struct vm *vm)
{
	*(uint32_t *)(vm->mem + G_DATA) = 0xaaaa;
	*(uint32_t *)(vm->mem + G_DATA + 0x1000) = 0xbbbb;
	return vm_setup(vm, g_remap, g_remap_end, 0) ||
	       expect_out(vm, 0x500, 4, 0xaaaa) ||
	       expect_out(vm, 0x500, 4, 0xbbbb) ||
	       expect_out(vm, 0x500, 4, 0xaaaa) ||
	       expect_fault(vm, 14, 0, G_DATA);
}

static int t_ad(struct vm *vm)
{
	uint64_t e2, e3;

	if (vm_setup(vm, g_ad, g_ad_end, 0) ||
	    expect_reason(vm, SVMK_EXIT_HLT))
		return -1;
	e2 = *q(vm, G_PT + 0x102 * 8);
	e3 = *q(vm, G_PT + 0x103 * 8);
	CHECK((e2 & (PTE_A | PTE_D)) == (PTE_A | PTE_D), "written pte %#llx",
	      (unsigned long long)e2);
	CHECK((e3 & (PTE_A | PTE_D)) == PTE_A, "read pte %#llx",
	      (unsigned long long)e3);
	return 0;
}

#define LOG_WORDS (int)(MEM_SIZE / 4096 / 64)

/*
 * Read and empty the dirty log; the pages in want[] must be logged, those
 * in maybe[] may be, no other. Page tables are in maybe[]: the processor
 * writes their accessed bits (a write whenever a bit was clear), and QEMU's
 * TCG walks them as if to write even when every bit is set.
 */
static int expect_dirty(struct vm *vm, const int *want, int nwant,
			const int *maybe, int nmaybe)
{
	uint64_t bm[LOG_WORDS];
	struct svmk_dirty_log log = { (uintptr_t)bm, sizeof(bm), 0 };
	int p, i, in;

	memset(bm, 0xee, sizeof(bm));
	CHECK(ioctl(vm->fd, SVMK_GET_DIRTY_LOG, &log) == 0,
	      "GET_DIRTY_LOG: %s", strerror(errno));
	for (p = 0; p < LOG_WORDS * 64; p++) {
		int bit = bm[p / 64] >> (p % 64) & 1;

		for (in = 0, i = 0; i < nwant; i++)
			in |= want[i] == p;
		for (i = 0; i < nmaybe && !in && bit; i++)
			if (maybe[i] == p)
				bit = 0;
		CHECK(bit == in, "page %#x %s", p,
		      in ? "written, not logged" : "logged, not written");
	}
	return 0;
}

static const int tables[] = { G_PML4 >> 12, G_PDPT >> 12, G_PD >> 12,
			      G_PT >> 12, 0x1f0 };
#define NTABLES (int)(sizeof(tables) / sizeof(tables[0]))

static int t_dirty_log(struct vm *vm)
{
	static const int r1[] = { 0x100, 0x102 }, r2[] = { 0x103, 0x105 },
			 r3[] = { 0x100 };
	uint64_t bm[LOG_WORDS];
	struct svmk_dirty_log log = { 8, sizeof(bm), 0 };

	*(uint32_t *)(vm->mem + G_DATA + 0x1000) = 0x77;
	/* Before the first run: TDP builds its leaves read-only. */
	if (vm_setup(vm, g_dirty, g_dirty_end, 0))
		return -1;
	CHECK(ioctl(vm->fd, SVMK_ENABLE_DIRTY_LOG, 0) == 0,
	      "ENABLE_DIRTY_LOG: %s", strerror(errno));
	if (expect_out(vm, 0x500, 4, 0x77) ||
	    expect_dirty(vm, r1, 2, tables, NTABLES) ||
	    expect_out(vm, 0x500, 4, 1) ||
	    expect_dirty(vm, r2, 2, tables, NTABLES) ||
	    expect_out(vm, 0x500, 4, 1))
		return -1;
	/* A bitmap svmk cannot write: EFAULT, and the log stays. */
	EXPECT_ERR(ioctl(vm->fd, SVMK_GET_DIRTY_LOG, &log), EFAULT);
	if (expect_dirty(vm, r3, 1, tables, NTABLES) ||
	    expect_reason(vm, SVMK_EXIT_HLT) ||
	    expect_dirty(vm, NULL, 0, tables, NTABLES))
		return -1;
	CHECK(*(uint32_t *)(vm->mem + G_DATA) == 5 &&
	      *(uint32_t *)(vm->mem + G_DATA + 0x5000) == 4,
	      "guest writes not in memory");
	return 0;
}

/*
 * SVMK_RESTORE gives back the registers, the FPU state and CR3 taken by
 * SVMK_SNAPSHOT, and (user space having copied the page table back) the
 * old translation, which shadow mode must not keep in its tables.
 */
static int t_snapshot(struct vm *vm)
{
	static const int logged[] = { G_PT >> 12, (G_KSTACK >> 12) - 1 };
	struct svmk_regs r0, r1;
	struct svmk_sregs s0, s1;
	uint8_t pt[4096];
	int round;

	*(uint32_t *)(vm->mem + G_DATA) = 0xaaaa;
	*(uint32_t *)(vm->mem + G_DATA + 0x1000) = 0xbbbb;
	if (vm_setup(vm, g_snap, g_snap_end, 0))
		return -1;
	*q(vm, 0x1f0000) = *q(vm, G_PML4);	/* another CR3, same map */
	if (expect_out(vm, 0x500, 4, 0xaaaa))
		return -1;
	CHECK(ioctl(vm->fd, SVMK_SNAPSHOT, 0) == 0, "SNAPSHOT: %s",
	      strerror(errno));
	/* After the first run: the leaves become read-only now. */
	CHECK(ioctl(vm->fd, SVMK_ENABLE_DIRTY_LOG, 0) == 0,
	      "ENABLE_DIRTY_LOG: %s", strerror(errno));
	CHECK(ioctl(vm->fd, SVMK_GET_REGS, &r0) == 0 &&
	      ioctl(vm->fd, SVMK_GET_SREGS, &s0) == 0, "GET_(S)REGS");
	memcpy(pt, vm->mem + G_PT, sizeof(pt));
	for (round = 0; round < 2; round++) {
		if (expect_out(vm, 0x500, 4, 0x87654321) ||
		    expect_out(vm, 0x500, 4, 0x1111) ||
		    expect_out(vm, 0x500, 4, 0x5555) ||
		    expect_out(vm, 0x500, 4, 0x7f80) ||
		    expect_out(vm, 0x500, 4, G_PML4) ||
		    expect_out(vm, 0x500, 4, 0xaaaa) ||
		    expect_out(vm, 0x501, 4, 0xbbbb))
			return -1;
		/*
		 * Reading the log drops shadow tables too: only in the
		 * second round, so that the first restore must do it.
		 */
		if (round == 1 && expect_dirty(vm, logged, 2, tables, NTABLES))
			return -1;
		/* What a reset does: memory back (user space), then the vCPU. */
		memcpy(vm->mem + G_PT, pt, sizeof(pt));
		CHECK(ioctl(vm->fd, SVMK_RESTORE, 0) == 0, "RESTORE: %s",
		      strerror(errno));
		CHECK(ioctl(vm->fd, SVMK_GET_REGS, &r1) == 0 &&
		      ioctl(vm->fd, SVMK_GET_SREGS, &s1) == 0, "GET_(S)REGS");
		CHECK(!memcmp(&r0, &r1, sizeof(r0)), "regs differ: rip %#llx",
		      (unsigned long long)r1.rip);
		CHECK(!memcmp(&s0, &s1, sizeof(s0)), "sregs differ: cr3 %#llx",
		      (unsigned long long)s1.cr3);
	}
	return 0;
}

/* A VM that shut down runs again from its snapshot. */
static int t_restore_shutdown(struct vm *vm)
{
	if (vm_setup(vm, g_snap_triple, g_snap_triple_end, 0) ||
	    expect_out(vm, 0x500, 4, 0))
		return -1;
	CHECK(ioctl(vm->fd, SVMK_SNAPSHOT, 0) == 0, "SNAPSHOT: %s",
	      strerror(errno));
	if (expect_out(vm, 0x502, 4, 0) ||
	    expect_reason(vm, SVMK_EXIT_SHUTDOWN))
		return -1;
	EXPECT_ERR(vm_run(vm), EIO);
	EXPECT_ERR(ioctl(vm->fd, SVMK_SNAPSHOT, 0), EIO);
	CHECK(ioctl(vm->fd, SVMK_RESTORE, 0) == 0, "RESTORE: %s",
	      strerror(errno));
	return expect_out(vm, 0x502, 4, 0) ||
	       expect_reason(vm, SVMK_EXIT_SHUTDOWN);
}

static int t_int(struct vm *vm)
{
	/* A software interrupt through the guest IDT. */
	return vm_setup(vm, g_int, g_int_end, 0) ||
	       expect_out(vm, FAULT_PORT, 4, 0x80);
}

static int t_sregs_roundtrip(struct vm *vm)
{
	struct svmk_sregs a, b;

	/* At CPL 3 (port 0x500 is open to it), after a first exit. */
	if (vm_setup(vm, g_out_hlt, g_out_hlt_end, 3) ||
	    expect_out(vm, 0x500, 4, 0xdeadbeef))
		return -1;
	CHECK(ioctl(vm->fd, SVMK_GET_SREGS, &a) == 0, "GET_SREGS");
	CHECK(a.cr3 == G_PML4 && a.cr0 == 0x80050033 && a.efer == 0xd00 &&
	      a.cs.selector == SEL_UCODE && a.cs.dpl == 3 && a.cs.l == 1 &&
	      a.tr.base == G_TSS && a.idt.base == G_IDT,
	      "sregs: cr0 %#llx cr3 %#llx efer %#llx cs %#x",
	      (unsigned long long)a.cr0, (unsigned long long)a.cr3,
	      (unsigned long long)a.efer, a.cs.selector);
	CHECK(ioctl(vm->fd, SVMK_SET_SREGS, &a) == 0, "SET_SREGS back");
	CHECK(ioctl(vm->fd, SVMK_GET_SREGS, &b) == 0, "GET_SREGS again");
	CHECK(!memcmp(&a, &b, sizeof(a)), "sregs changed on a round trip");
	return 0;
}

static int t_cr4_gp(struct vm *vm)
{
	/* CR4.VMXE does not exist on AMD: #GP, CR4 unchanged. */
	struct svmk_sregs sr;

	if (vm_setup(vm, g_cr4_vmxe, g_cr4_vmxe_end, 0))
		return -1;
	if (vm->paging == SVMK_PAGING_TDP) {
		/*
		 * With nested paging the guest owns CR4 and the processor
		 * checks the write. QEMU's TCG takes it, and the next VMRUN
		 * then refuses the state: either way only the VM suffers.
		 */
		CHECK(vm_run(vm) == 0, "RUN: %s", strerror(errno));
		if (vm->run->exit_reason == SVMK_EXIT_FAIL_ENTRY)
			return 0;
		CHECK(vm->run->exit_reason == SVMK_EXIT_IO &&
		      vm->run->io.port == FAULT_PORT && vm->run->io.data == 13,
		      "want #GP or FAIL_ENTRY, got %s", describe(vm));
		return 0;
	}
	if (expect_fault(vm, 13, 0, -1))
		return -1;
	CHECK(ioctl(vm->fd, SVMK_GET_SREGS, &sr) == 0 && sr.cr4 == 0x620,
	      "cr4 %#llx", (unsigned long long)sr.cr4);
	return 0;
}

static int t_cr0_wp_off(struct vm *vm)
{
	/* Fine with nested paging; shadow paging needs CR0.WP: an error. */
	if (vm_setup(vm, g_cr0_wp_off, g_cr0_wp_off_end, 0))
		return -1;
	if (vm->paging == SVMK_PAGING_TDP)
		return expect_out(vm, 0x500, 4, 0x80040033);
	if (expect_reason(vm, SVMK_EXIT_INTERNAL_ERROR))
		return -1;
	CHECK(vm->run->internal.suberror == SVMK_INTERNAL_PAGING, "%s",
	      describe(vm));
	return 0;
}

static int t_shadow_needs_paging(struct vm *vm)
{
	struct svmk_sregs sr;

	/* A guest without paging: fine for TDP, refused by shadow mode. */
	if (vm_setup(vm, g_out_hlt, g_out_hlt_end, 0))
		return -1;
	CHECK(ioctl(vm->fd, SVMK_GET_SREGS, &sr) == 0, "GET_SREGS");
	sr.cr0 &= ~0x80000000ull;
	sr.efer &= ~0x400ull;		/* LMA goes with paging */
	sr.cs.l = 0;
	sr.cs.db = 1;
	CHECK(ioctl(vm->fd, SVMK_SET_SREGS, &sr) == 0, "SET_SREGS: %s",
	      strerror(errno));
	if (vm->paging == SVMK_PAGING_TDP)
		return expect_out(vm, 0x500, 4, 0xdeadbeef);
	if (expect_reason(vm, SVMK_EXIT_INTERNAL_ERROR))
		return -1;
	CHECK(vm->run->internal.suberror == SVMK_INTERNAL_PAGING, "%s",
	      describe(vm));
	return 0;
}

static int t_exit_rate(struct vm *vm)
{
	struct timespec a, b;
	int i, n = 2000;
	double us;

	if (vm_setup(vm, g_many_outs, g_many_outs_end, 0))
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 1; i <= n; i++)
		if (expect_out(vm, 0x500, 4, i))
			return -1;
	clock_gettime(CLOCK_MONOTONIC, &b);
	us = ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / 1e3 / n;
	printf("     %d OUT exits to user space: %.1f us each (emulated)\n",
	       n, us);
	return 0;
}

static int t_immediate_exit(struct vm *vm)
{
	uint64_t exits;
	int i;

	if (vm_setup(vm, g_out_hlt, g_out_hlt_end, 3))
		return -1;
	/* Set: no entry at all (the exit count stays), as often as asked. */
	vm->run->immediate_exit = 1;
	for (i = 0; i < 3; i++) {
		exits = vm->run->exits;
		EXPECT_ERR(vm_run(vm), EINTR);
		CHECK(vm->run->exit_reason == SVMK_EXIT_INTR, "%s",
		      describe(vm));
		CHECK(vm->run->exits == exits, "the guest was entered");
		CHECK(vm->run->immediate_exit == 1, "svmk cleared it");
	}
	/* Cleared: the guest goes on where it was (HLT at CPL 3: #GP). */
	vm->run->immediate_exit = 0;
	return expect_out(vm, 0x500, 4, 0xdeadbeef) ||
	       expect_fault(vm, 13, 0, -1);
}

/* What a monitor's timeout handler does: kick the vCPU out, for good. */
static struct svmk_run *volatile kick_run;
static volatile sig_atomic_t kicks;

static void on_kick(int sig)
{
	(void)sig;
	kicks++;
	if (kick_run)
		kick_run->immediate_exit = 1;
}

/*
 * A CPL-3 guest spinning on "jmp ." never exits by itself. A timer signal
 * whose handler sets immediate_exit stops it, whether the signal lands
 * while the guest runs or just before SVMK_RUN is entered (the race
 * immediate_exit closes: the handler runs, then the monitor's SVMK_RUN
 * must not enter the guest for good). SA_RESTART, as a monitor would.
 */
static int t_signal_kick(struct vm *vm)
{
	struct sigaction sa = { .sa_handler = on_kick, .sa_flags = SA_RESTART };
	struct itimerval it = { .it_value = { 0, 100000 } };
	struct timespec a, b;
	uint64_t exits;
	double ms;
	int r, e;

	if (vm_setup(vm, g_loop, g_loop_end, 3))
		return -1;
	kick_run = vm->run;
	kicks = 0;
	sigaction(SIGALRM, &sa, NULL);
	clock_gettime(CLOCK_MONOTONIC, &a);
	setitimer(ITIMER_REAL, &it, NULL);
	r = vm_run(vm);
	e = errno;
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
	CHECK(r == -1 && e == EINTR, "RUN of a spinning guest: %d %s", r,
	      strerror(e));
	CHECK(vm->run->exit_reason == SVMK_EXIT_INTR && kicks == 1 &&
	      vm->run->immediate_exit == 1, "%s, %d kicks", describe(vm),
	      (int)kicks);
	CHECK(ms < 5000, "stopped only after %.0f ms", ms);

	/* The signal handled just before SVMK_RUN: no entry. */
	vm->run->immediate_exit = 0;
	exits = vm->run->exits;
	raise(SIGALRM);
	EXPECT_ERR(vm_run(vm), EINTR);
	CHECK(vm->run->exits == exits && kicks == 2,
	      "entered after the kick (%d kicks)", (int)kicks);
	kick_run = NULL;
	signal(SIGALRM, SIG_DFL);
	return 0;
}

static uint64_t sum_counts(const struct svmk_run *run)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < SVMK_COUNT_SLOTS; i++)
		n += run->exit_counts[i];
	return n;
}

static int t_exit_counts(struct vm *vm)
{
	const struct svmk_run *run = vm->run;

	if (vm_setup(vm, g_touch64, g_touch64_end, 0) ||
	    expect_out(vm, 0x500, 4, 0) || expect_reason(vm, SVMK_EXIT_HLT))
		return -1;
	CHECK(sum_counts(run) == run->exits, "counts add up to %llu, exits %llu",
	      (unsigned long long)sum_counts(run),
	      (unsigned long long)run->exits);
	CHECK(run->exit_counts[SVMK_COUNT_IO] == 1 &&
	      run->exit_counts[SVMK_COUNT_HLT] == 1, "io %llu hlt %llu",
	      (unsigned long long)run->exit_counts[SVMK_COUNT_IO],
	      (unsigned long long)run->exit_counts[SVMK_COUNT_HLT]);
	if (vm->paging == SVMK_PAGING_SHADOW) {
		/* Code, stack-less writes to 64 pages: one fill each at least. */
		CHECK(run->exit_counts[SVMK_COUNT_PF] >= 65 &&
		      run->shadow_flushes >= 1, "pf %llu flushes %llu",
		      (unsigned long long)run->exit_counts[SVMK_COUNT_PF],
		      (unsigned long long)run->shadow_flushes);
	} else {
		/* Nested leaves are filled on first touch: 65 pages at least. */
		CHECK(run->exit_counts[SVMK_COUNT_PF] == 0 &&
		      run->exit_counts[SVMK_COUNT_NPF] >= 65 &&
		      run->shadow_flushes == 0, "pf %llu npf %llu",
		      (unsigned long long)run->exit_counts[SVMK_COUNT_PF],
		      (unsigned long long)run->exit_counts[SVMK_COUNT_NPF]);
	}
	return 0;
}

/*
 * #AC is intercepted and reflected: the guest's handler sees vector 17 with
 * error code 0. QEMU's TCG does not check alignment at all; then the load
 * just works, which is fine too (and said).
 */
static int t_ac(struct vm *vm)
{
	if (vm_setup(vm, g_ac, g_ac_end, 3))
		return -1;
	CHECK(vm_run(vm) == 0 && vm->run->exit_reason == SVMK_EXIT_IO,
	      "%s", describe(vm));
	if (vm->run->io.port == 0x500) {
		printf("     no #AC: this CPU does not check alignment\n");
		return expect_fault(vm, 13, 0, -1);	/* then HLT at CPL 3 */
	}
	CHECK(vm->run->io.port == FAULT_PORT && vm->run->io.data == 17,
	      "want #AC, got %s", describe(vm));
	CHECK(vm->run->exit_counts[SVMK_COUNT_EXCEPTION] >= 1, "not counted");
	return 0;
}

/*
 * A second address space, B: the first (vm_setup) but with B's own PML4,
 * PDPT, PD and PT, whose entry for G_DATA is pte. G_DATA, G_DATA + 0x1000
 * and G_DATA + 0x2000 hold 0xaaaa, 0xbbbb and 0xcccc.
 */
static void setup_b(struct vm *vm, uint64_t pte)
{
	*q(vm, G_PML4B) = G_PDPTB | PTE_P | PTE_W | PTE_U;
	*q(vm, G_PDPTB) = G_PDB | PTE_P | PTE_W | PTE_U;
	*q(vm, G_PDPTB + 8) = *q(vm, G_PDPT + 8);
	*q(vm, G_PDB) = G_PTB | PTE_P | PTE_W | PTE_U;
	*q(vm, G_PDB + 8) = *q(vm, G_PD + 8);
	memcpy(vm->mem + G_PTB, vm->mem + G_PT, 4096);
	*q(vm, G_PTB + (G_DATA >> 12) * 8) = pte;
	*(uint32_t *)(vm->mem + G_DATA) = 0xaaaa;
	*(uint32_t *)(vm->mem + G_DATA + 0x1000) = 0xbbbb;
	*(uint32_t *)(vm->mem + G_DATA + 0x2000) = 0xcccc;
}

/* r10-r13 at the guest's HLT (0 = do not check). */
static int expect_r10_13(struct vm *vm, uint64_t a, uint64_t b, uint64_t c,
			 uint64_t d)
{
	struct svmk_regs r;

	if (expect_reason(vm, SVMK_EXIT_HLT))
		return -1;
	CHECK(ioctl(vm->fd, SVMK_GET_REGS, &r) == 0, "GET_REGS");
	CHECK(r.r10 == a && r.r11 == b && r.r12 == c && (!d || r.r13 == d),
	      "read %#llx %#llx %#llx %#llx, want %#llx %#llx %#llx %#llx",
	      (unsigned long long)r.r10, (unsigned long long)r.r11,
	      (unsigned long long)r.r12, (unsigned long long)r.r13,
	      (unsigned long long)a, (unsigned long long)b,
	      (unsigned long long)c, (unsigned long long)d);
	return 0;
}

/*
 * A CR3 write flushes the TLB, so an edit of an inactive address space's
 * tables shows once the guest switches to it: a cache of shadow roots per
 * CR3 must notice the write (here, the page is a table when written).
 */
static int t_cr3_edit_inactive(struct vm *vm)
{
	if (vm_setup(vm, g_cr3_edit_inactive, g_cr3_edit_inactive_end, 0))
		return -1;
	setup_b(vm, (G_DATA + 0x1000) | PTE_P | PTE_W);
	return expect_r10_13(vm, 0xaaaa, 0xbbbb, 0xaaaa, 0xcccc);
}

/* The same, when a mapping of the page predates its use as a table. */
static int t_cr3_edit_premapped(struct vm *vm)
{
	if (vm_setup(vm, g_cr3_edit_premapped, g_cr3_edit_premapped_end, 0))
		return -1;
	setup_b(vm, 0);
	return expect_r10_13(vm, 0xbbbb, 0xaaaa, 0xcccc, 0);
}

/* The same, when user space edits the table between two runs. */
static int t_cr3_edit_by_user(struct vm *vm)
{
	if (vm_setup(vm, g_cr3_edit_by_user, g_cr3_edit_by_user_end, 0))
		return -1;
	setup_b(vm, (G_DATA + 0x1000) | PTE_P | PTE_W);
	if (expect_reason(vm, SVMK_EXIT_IO))
		return -1;
	*q(vm, G_PTB + (G_DATA >> 12) * 8) = (G_DATA + 0x2000) | PTE_P | PTE_W;
	return expect_r10_13(vm, 0xbbbb, 0xaaaa, 0xcccc, 0);
}

/*
 * Switching back and forth reads the right pages, and once both spaces
 * are warm takes one exit per switch (the CR3 write) in shadow mode, not
 * a refill of the code and data pages after each.
 */
static int t_cr3_pingpong(struct vm *vm)
{
	const struct svmk_run *run = vm->run;
	uint64_t n, cr3w, switches = 200;

	if (vm_setup(vm, g_cr3_pingpong, g_cr3_pingpong_end, 0))
		return -1;
	setup_b(vm, (G_DATA + 0x1000) | PTE_P | PTE_W);
	if (expect_out(vm, 0x500, 4, 0x600d) ||
	    expect_reason(vm, SVMK_EXIT_HLT))
		return -1;
	/* Host interrupts exit too, as often as the host likes. */
	n = run->exits - run->exit_counts[SVMK_COUNT_INTR];
	printf("     %llu CR3 switches: %llu exits but interrupts, "
	       "%llu #PF, %llu cached roots reused\n",
	       (unsigned long long)switches, (unsigned long long)n,
	       (unsigned long long)run->exit_counts[SVMK_COUNT_PF],
	       (unsigned long long)run->shadow_root_hits);
	/* Filling both spaces: the code and data page in each, and a flush. */
	CHECK(n <= switches + 10, "%llu exits for %llu switches",
	      (unsigned long long)n, (unsigned long long)switches);
	cr3w = run->exit_counts[SVMK_COUNT_CR3_WRITE];
	if (vm->paging == SVMK_PAGING_SHADOW)
		CHECK(cr3w == switches && run->shadow_root_hits >= switches - 4,
		      "cr3 writes %llu, roots reused %llu",
		      (unsigned long long)cr3w,
		      (unsigned long long)run->shadow_root_hits);
	return 0;
}

/* More address spaces than svmk caches roots for: evicted ones refill. */
static int t_cr3_evict(struct vm *vm)
{
	const struct svmk_run *run = vm->run;
	uint64_t k, pt, cr3w;

	if (vm_setup(vm, g_cr3_evict, g_cr3_evict_end, 0))
		return -1;
	for (k = 0; k < 6; k++) {
		uint64_t base = G_SPACES + k * 0x4000;

		*q(vm, base) = (base + 0x1000) | PTE_P | PTE_W | PTE_U;
		*q(vm, base + 0x1000) = (base + 0x2000) | PTE_P | PTE_W | PTE_U;
		*q(vm, base + 0x2000) = (base + 0x3000) | PTE_P | PTE_W | PTE_U;
		*q(vm, base + 0x2008) = *q(vm, G_PD + 8);
		memcpy(vm->mem + base + 0x3000, vm->mem + G_PT, 4096);
		pt = G_DATA + 0x3000 + k * 0x1000;
		*q(vm, base + 0x3000 + (G_DATA >> 12) * 8) = pt | PTE_P | PTE_W;
		*(uint32_t *)(vm->mem + pt) = 0x1000 + k;
	}
	if (expect_out(vm, 0x500, 4, 0x600d) ||
	    expect_reason(vm, SVMK_EXIT_HLT))
		return -1;
	/* 30 switches over 6 spaces: at least 6 fills, whatever is cached. */
	cr3w = run->exit_counts[SVMK_COUNT_CR3_WRITE];
	if (vm->paging == SVMK_PAGING_SHADOW)
		CHECK(cr3w == 30 && run->shadow_root_hits <= 24,
		      "cr3 writes %llu, roots reused %llu",
		      (unsigned long long)cr3w,
		      (unsigned long long)run->shadow_root_hits);
	return 0;
}

/* Pages of guest memory resident in the user mapping (mincore). */
static int resident(struct vm *vm)
{
	static unsigned char vec[MEM_SIZE / 4096];
	unsigned int i;
	int n = 0;

	if (mincore(vm->mem, MEM_SIZE, vec) < 0)
		return -1;
	for (i = 0; i < MEM_SIZE / 4096; i++)
		n += vec[i] & 1;
	return n;
}

/*
 * Guest memory is pinned page by page as the guest first touches it: a
 * first touch sees what user space wrote before, user space sees what the
 * guest wrote, and a user write to a page already pinned reaches the guest.
 */
static int t_lazy_pin(struct vm *vm)
{
	uint64_t pinned;
	int i, res0, res1;

	/* 4 KiB pages, or mincore() would count whole huge pages. */
	CHECK(madvise(vm->mem, MEM_SIZE, MADV_NOHUGEPAGE) == 0, "madvise");
	if (vm_setup(vm, g_lazy, g_lazy_end, 0))
		return -1;
	for (i = 0; i < 16; i++)
		*(uint32_t *)(vm->mem + 0x200000 + i * 0x1000) = i + 1;
	res0 = resident(vm);
	CHECK(res0 > 0 && res0 < 128, "%d pages resident before the run", res0);
	CHECK(vm->run->pinned_pages == 0, "%llu pages pinned before the run",
	      (unsigned long long)vm->run->pinned_pages);
	if (expect_out(vm, 0x500, 4, 136) || expect_out(vm, 0x501, 4, 136))
		return -1;
	/* The 32 data pages, and code, stack, tables, GDT, TSS, IDT, stubs. */
	pinned = vm->run->pinned_pages;
	CHECK(pinned >= 32 && pinned < 32 + 32, "%llu pages pinned",
	      (unsigned long long)pinned);
	printf("     %llu pages pinned of %u; %d resident before the run\n",
	       (unsigned long long)pinned, MEM_SIZE / 4096, res0);
	for (i = 0; i < 16; i++)
		CHECK(*(uint32_t *)(vm->mem + 0x300000 + i * 0x1000) ==
		      (uint32_t)(16 - i), "guest write to page %d not seen", i);
	res1 = resident(vm);
	CHECK(res1 >= res0 + 16 && res1 < res0 + 32,
	      "%d pages resident after the run, %d before", res1, res0);
	*(uint32_t *)(vm->mem + 0x200000) = 0x5555;
	if (expect_out(vm, 0x502, 4, 0x5555))
		return -1;
	CHECK(vm->run->pinned_pages == pinned, "%llu pages pinned, was %llu",
	      (unsigned long long)vm->run->pinned_pages,
	      (unsigned long long)pinned);
	return expect_reason(vm, SVMK_EXIT_HLT);
}

/* A first touch that cannot pin its page: SVMK_INTERNAL_MEMORY. */
static int expect_pin_error(struct vm *vm, uint64_t gpa, int err)
{
	struct svmk_run *run = vm->run;

	if (expect_reason(vm, SVMK_EXIT_INTERNAL_ERROR))
		return -1;
	CHECK(run->internal.suberror == SVMK_INTERNAL_MEMORY &&
	      run->internal.info1 == gpa && run->internal.info2 == (uint64_t)err,
	      "want pin error at %#llx errno %d, got %s",
	      (unsigned long long)gpa, err, describe(vm));
	return 0;
}

/*
 * User space replaced or removed the mapping of a page the guest has not
 * touched yet: the touch ends the run cleanly, and once the page is
 * ordinary memory again the guest goes on.
 */
static int t_lazy_pin_unpinnable(struct vm *vm)
{
	void *p;

	if (vm_setup(vm, g_touch2, g_touch2_end, 0))
		return -1;
	/* svmk's own run page, a driver mapping, over gpa 0x205000. */
	p = mmap(vm->mem + 0x205000, SVMK_RUN_SIZE, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED, vm->fd, 0);
	CHECK(p == vm->mem + 0x205000, "mmap run page: %s", strerror(errno));
	if (expect_pin_error(vm, 0x205000, EINVAL) ||
	    expect_pin_error(vm, 0x205000, EINVAL))
		return -1;
	/* Ordinary memory again; the next page is not mapped at all. */
	p = mmap(vm->mem + 0x205000, 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(p == vm->mem + 0x205000, "mmap anon: %s", strerror(errno));
	*(uint32_t *)p = 0x1234;
	CHECK(munmap(vm->mem + 0x206000, 4096) == 0, "munmap");
	if (expect_out(vm, 0x500, 4, 0x1234) ||
	    expect_pin_error(vm, 0x206000, EFAULT))
		return -1;
	/* Read-only memory cannot be pinned for the guest to write. */
	p = mmap(vm->mem + 0x206000, 4096, PROT_READ,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(p == vm->mem + 0x206000, "mmap ro: %s", strerror(errno));
	if (expect_pin_error(vm, 0x206000, EINVAL))
		return -1;
	CHECK(mprotect(p, 4096, PROT_READ | PROT_WRITE) == 0, "mprotect");
	*(uint32_t *)p = 0x5678;
	if (expect_out(vm, 0x500, 4, 0x5678))
		return -1;
	return expect_reason(vm, SVMK_EXIT_HLT);
}

/*
 * Four address spaces at G_AL_PML4 + k * 0x1000: the usual low map (PML4
 * entry 0) and, at gva 1 << 39, 512 GiB in which every 4 KiB page is the
 * one at G_AL_PAGE (one PDPT, PD and PT, each entry pointing at the next).
 * Each 2 MiB of it a guest touches costs shadow mode a table page.
 */
static void setup_aliases(struct vm *vm)
{
	int i, k;

	for (k = 0; k < 4; k++) {
		*q(vm, G_AL_PML4 + k * 0x1000) = *q(vm, G_PML4);
		*q(vm, G_AL_PML4 + k * 0x1000 + 8) = G_AL_PDPT | PTE_P | PTE_W;
	}
	for (i = 0; i < 512; i++) {
		*q(vm, G_AL_PDPT + i * 8) = G_AL_PD | PTE_P | PTE_W;
		*q(vm, G_AL_PD + i * 8) = G_AL_PT | PTE_P | PTE_W;
		*q(vm, G_AL_PT + i * 8) = G_AL_PAGE | PTE_P | PTE_W;
	}
	*(uint32_t *)(vm->mem + G_AL_PAGE) = 0x5a5a5a5a;
}

/* The bound uapi/svmk.h gives on run->shadow_pages for a VM of size bytes. */
static uint64_t shadow_bound(size_t size)
{
	return size / 4096 / 64 > 64 ? size / 4096 / 64 : 64;
}

/* Start g_alias_touch: n touches, an OUT whenever n & mask is 0. */
static int alias_touch_start(struct vm *vm, uint32_t n, uint32_t mask)
{
	struct svmk_regs r;

	if (vm_setup(vm, g_alias_touch, g_alias_touch_end, 0))
		return -1;
	setup_aliases(vm);
	CHECK(ioctl(vm->fd, SVMK_GET_REGS, &r) == 0, "GET_REGS");
	r.r12 = mask;
	r.r13 = n;
	CHECK(ioctl(vm->fd, SVMK_SET_REGS, &r) == 0, "SET_REGS");
	return expect_out(vm, 0x500, 4, 0);
}

/*
 * A small VM whose guest maps one page at 2,048 addresses in 4 address
 * spaces: shadow mode never holds more table pages than the bound (64
 * here: 8 MiB / 4 KiB / 64 is less), dropping them all when it would, and
 * the guest reads the right page throughout. Without the bound this guest
 * made svmk allocate a table page per address.
 */
static int t_shadow_bound(struct vm *vm)
{
	const struct svmk_run *run = vm->run;
	uint64_t bound = shadow_bound(vm->size), most = 0;
	uint32_t i, n = 2048;

	if (alias_touch_start(vm, n, 255))
		return -1;
	for (i = 256; i <= n; i += 256) {
		if (expect_out(vm, 0x500, 4, i))
			return -1;
		CHECK(run->shadow_pages <= bound,
		      "%llu shadow pages after %u touches, bound %llu",
		      (unsigned long long)run->shadow_pages, i,
		      (unsigned long long)bound);
		if (run->shadow_pages > most)
			most = run->shadow_pages;
	}
	if (expect_out(vm, 0x500, 4, 0x600d))
		return -1;
	if (vm->paging == SVMK_PAGING_TDP) {
		CHECK(run->shadow_pages == 0 && run->shadow_flushes == 0,
		      "TDP: %llu shadow pages",
		      (unsigned long long)run->shadow_pages);
		return 0;
	}
	/* Each touch needs a new table: the bound was reached n / 64 times. */
	CHECK(run->shadow_flushes >= n / bound, "%llu flushes for %u touches",
	      (unsigned long long)run->shadow_flushes, n);
	printf("     %u aliases in 4 spaces: at most %llu shadow pages seen "
	       "(bound %llu), %llu flushes, %llu exits\n", n,
	       (unsigned long long)most, (unsigned long long)bound,
	       (unsigned long long)run->shadow_flushes,
	       (unsigned long long)run->exits);
	return 0;
}

/*
 * The guest's TSC counts from about 0 at open(): guest = host + tsc_offset
 * (run page), -tsc_offset was the host TSC at open(), reads are monotonic,
 * and SVMK_RESTORE keeps the offset (the guest's time goes on).
 */
static int t_tsc(struct vm *vm)
{
	uint64_t off = vm->run->tsc_offset, h0, h1, h2, h3, first;
	struct svmk_regs r;

	if (vm_setup(vm, g_tsc, g_tsc_end, 3))
		return -1;
	CHECK(-off >= vm->open_tsc && -off <= rdtsc(),
	      "tsc_offset %#llx: not minus the host TSC at open (%#llx)",
	      (unsigned long long)off, (unsigned long long)vm->open_tsc);
	h0 = rdtsc();
	if (expect_port(vm, 0x500, NULL))
		return -1;
	h1 = rdtsc();
	CHECK(ioctl(vm->fd, SVMK_GET_REGS, &r) == 0, "GET_REGS");
	CHECK(r.r12 <= h1 - vm->open_tsc,
	      "guest TSC %llu, but only %llu host cycles since open()",
	      (unsigned long long)r.r12,
	      (unsigned long long)(h1 - vm->open_tsc));
	CHECK(r.r12 - off >= h0 && r.r12 <= r.r13 && r.r13 - off <= h1,
	      "guest TSC %#llx %#llx - offset not within host %#llx..%#llx",
	      (unsigned long long)r.r12, (unsigned long long)r.r13,
	      (unsigned long long)h0, (unsigned long long)h1);
	first = r.r13;
	CHECK(ioctl(vm->fd, SVMK_SNAPSHOT, 0) == 0, "SNAPSHOT: %s",
	      strerror(errno));
	if (expect_port(vm, 0x500, NULL))
		return -1;
	CHECK(ioctl(vm->fd, SVMK_GET_REGS, &r) == 0, "GET_REGS");
	CHECK(r.r14 > first, "TSC went back: %#llx after %#llx",
	      (unsigned long long)r.r14, (unsigned long long)first);
	first = r.r14;
	CHECK(ioctl(vm->fd, SVMK_RESTORE, 0) == 0, "RESTORE: %s",
	      strerror(errno));
	CHECK(vm->run->tsc_offset == off, "RESTORE changed tsc_offset");
	h2 = rdtsc();
	if (expect_port(vm, 0x500, NULL))
		return -1;
	h3 = rdtsc();
	CHECK(ioctl(vm->fd, SVMK_GET_REGS, &r) == 0, "GET_REGS");
	CHECK(r.r14 > first && r.r14 - off >= h2 && r.r14 - off <= h3,
	      "after RESTORE the guest TSC read %#llx (before: %#llx; host "
	      "%#llx..%#llx)", (unsigned long long)r.r14,
	      (unsigned long long)first, (unsigned long long)h2,
	      (unsigned long long)h3);
	return 0;
}

/* The host CPU's TSC_AUX (RDTSCP in user space). */
static uint32_t host_tsc_aux(void)
{
	uint32_t lo, hi, aux;

	asm volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
	return aux;
}

/*
 * TSC_AUX through RDTSCP and RDPID, and CPUID's APIC IDs, on host CPU 1
 * (whose TSC_AUX is not 0): all 0. QEMU's TCG (7.2) has no RDPID; then
 * RDTSCP shows the TSC_AUX RDPID would read.
 */
static int host_cpu_hidden(struct vm *vm)
{
	static const char *const what[] = {
		"RDTSCP's TSC_AUX", "RDPID", "initial APIC ID", "x2APIC ID",
		"extended APIC ID", "core ID", "node ID", "PKU|OSPKE" };
	uint32_t aux = host_tsc_aux(), v;
	int i;

	CHECK(aux != 0, "host TSC_AUX is 0 on CPU 1: nothing to hide");
	if (vm_setup(vm, g_host_cpu, g_host_cpu_end, 0))
		return -1;
	for (i = 0; i < 8; i++) {
		if (expect_port(vm, 0x500, &v))
			return -1;
		if (i == 1 && v == ~0u) {
			printf("     no RDPID on this CPU: TSC_AUX seen through "
			       "RDTSCP only\n");
			continue;
		}
		CHECK(v == 0, "the guest's %s is %#x (host TSC_AUX %#x)",
		      what[i], v, aux);
	}
	printf("     host TSC_AUX here %#x, the guest's 0\n", aux);
	return expect_reason(vm, SVMK_EXIT_HLT);
}

static int t_host_cpu(struct vm *vm)
{
	cpu_set_t one, all;
	int r;

	CHECK(sched_getaffinity(0, sizeof(all), &all) == 0, "getaffinity");
	CPU_ZERO(&one);
	CPU_SET(1, &one);
	CHECK(sched_setaffinity(0, sizeof(one), &one) == 0,
	      "cannot run on CPU 1: %s", strerror(errno));
	r = host_cpu_hidden(vm);
	sched_setaffinity(0, sizeof(all), &all);
	return r;
}

/*
 * SYSCALL at CPL 3 lands at LSTAR at CPL 0 with RCX, R11 and RFLAGS as
 * architected, SWAPGS finds KERNEL_GS_BASE, SYSRETQ goes back; the MSRs
 * are checked as WRMSR would and come back from a snapshot.
 */
static int t_syscall(struct vm *vm)
{
	const struct svmk_msrs a = {
		.star = 0x13ull << 48 | 0x08ull << 32,
		.lstar = G_KCODE,
		.cstar = 0xffffffff80001000ull,
		.sfmask = 0x47700,	/* TF DF IF IOPL NT AC, as Linux */
		.kernel_gs_base = G_DATA,
	};
	const struct svmk_msrs b = { 1, G_KCODE + 0x800, 2, 0x100, 0x3000 };
	uint32_t ret_rip = G_UCODE + (g_sys_user_ret - g_sys_user);
	struct svmk_msrs m, bad;
	struct svmk_sregs sr;

	if (vm_setup(vm, g_sys_user, g_sys_user_end, 3))
		return -1;
	memcpy(vm->mem + G_KCODE, g_sys_entry, g_sys_entry_end - g_sys_entry);
	*(uint32_t *)(vm->mem + G_DATA) = 0xabcd1234;
	CHECK(ioctl(vm->fd, SVMK_GET_SREGS, &sr) == 0, "GET_SREGS");
	sr.efer |= 1;		/* SCE */
	CHECK(ioctl(vm->fd, SVMK_SET_SREGS, &sr) == 0, "SET_SREGS: %s",
	      strerror(errno));

	memset(&m, 0xee, sizeof(m));
	CHECK(ioctl(vm->fd, SVMK_GET_MSRS, &m) == 0, "GET_MSRS: %s",
	      strerror(errno));
	CHECK(!m.star && !m.lstar && !m.cstar && !m.sfmask &&
	      !m.kernel_gs_base, "a new VM's MSRs are not 0");
	bad = a, bad.lstar = 1ull << 47;
	EXPECT_ERR(ioctl(vm->fd, SVMK_SET_MSRS, &bad), EINVAL);
	bad = a, bad.cstar = 0x0000800000000000ull;
	EXPECT_ERR(ioctl(vm->fd, SVMK_SET_MSRS, &bad), EINVAL);
	bad = a, bad.kernel_gs_base = 0x8000000000000000ull;
	EXPECT_ERR(ioctl(vm->fd, SVMK_SET_MSRS, &bad), EINVAL);
	bad = a, bad.sfmask = 1ull << 32;
	EXPECT_ERR(ioctl(vm->fd, SVMK_SET_MSRS, &bad), EINVAL);
	EXPECT_ERR(ioctl(vm->fd, SVMK_SET_MSRS, (void *)8), EFAULT);
	EXPECT_ERR(ioctl(vm->fd, SVMK_GET_MSRS, (void *)8), EFAULT);
	CHECK(ioctl(vm->fd, SVMK_GET_MSRS, &m) == 0 && !m.lstar,
	      "a refused SET_MSRS changed them");

	CHECK(ioctl(vm->fd, SVMK_SET_MSRS, &a) == 0, "SET_MSRS: %s",
	      strerror(errno));
	CHECK(ioctl(vm->fd, SVMK_SNAPSHOT, 0) == 0, "SNAPSHOT: %s",
	      strerror(errno));
	CHECK(ioctl(vm->fd, SVMK_SET_MSRS, &b) == 0, "SET_MSRS b");
	CHECK(ioctl(vm->fd, SVMK_GET_MSRS, &m) == 0 && !memcmp(&m, &b, sizeof(m)),
	      "GET_MSRS is not what SET_MSRS set");
	CHECK(ioctl(vm->fd, SVMK_RESTORE, 0) == 0, "RESTORE: %s",
	      strerror(errno));
	CHECK(ioctl(vm->fd, SVMK_GET_MSRS, &m) == 0 && !memcmp(&m, &a, sizeof(m)),
	      "RESTORE did not bring the MSRs back (lstar %#llx)",
	      (unsigned long long)m.lstar);

	/* At LSTAR: kernel CS and SS, RCX, R11 (DF set), DF masked, GS. */
	if (expect_out(vm, 0x500, 4, SEL_KCODE) ||
	    expect_out(vm, 0x500, 4, SEL_KDATA) ||
	    expect_out(vm, 0x500, 4, ret_rip) ||
	    expect_out(vm, 0x500, 4, 0x402) ||
	    expect_out(vm, 0x500, 4, 0x2) ||
	    expect_out(vm, 0x500, 4, 0xabcd1234))
		return -1;
	/* After SYSRETQ: CPL 3 again, RFLAGS from R11. */
	if (expect_out(vm, 0x500, 4, SEL_UCODE) ||
	    expect_out(vm, 0x500, 4, SEL_UDATA) ||
	    expect_out(vm, 0x500, 4, 0x402) || expect_fault(vm, 13, 0, -1))
		return -1;
	CHECK(ioctl(vm->fd, SVMK_GET_MSRS, &m) == 0 && !memcmp(&m, &a, sizeof(m)),
	      "the MSRs changed while the guest ran (kgs %#llx)",
	      (unsigned long long)m.kernel_gs_base);
	return 0;
}

/* Set CR4 bits on top of vm_setup()'s. */
static int add_cr4(struct vm *vm, uint64_t bits)
{
	struct svmk_sregs sr;

	CHECK(ioctl(vm->fd, SVMK_GET_SREGS, &sr) == 0, "GET_SREGS");
	sr.cr4 |= bits;
	CHECK(ioctl(vm->fd, SVMK_SET_SREGS, &sr) == 0, "SET_SREGS cr4 %#llx: %s",
	      (unsigned long long)sr.cr4, strerror(errno));
	return 0;
}

#define CR4_FSGSBASE	(1ull << 16)
#define CR4_OSXSAVE	(1ull << 18)

/* WRFSBASE/WRGSBASE at CPL 3 with CR4.FSGSBASE, as a guest's TLS would. */
static int t_fsgsbase(struct vm *vm)
{
	struct svmk_sregs sr;

	*(uint32_t *)(vm->mem + G_URO) = 0x77;
	if (vm_setup(vm, g_fsgsbase, g_fsgsbase_end, 3) ||
	    add_cr4(vm, CR4_FSGSBASE) || expect_out(vm, 0x500, 4, 0x77) ||
	    expect_out(vm, 0x500, 4, 0x77) ||
	    expect_out(vm, 0x500, 4, G_URO) ||
	    expect_out(vm, 0x500, 4, G_URO - 8))
		return -1;
	CHECK(ioctl(vm->fd, SVMK_GET_SREGS, &sr) == 0, "GET_SREGS");
	CHECK(sr.fs.base == G_URO && sr.gs.base == G_URO - 8,
	      "fs base %#llx gs base %#llx", (unsigned long long)sr.fs.base,
	      (unsigned long long)sr.gs.base);
	return expect_fault(vm, 13, 0, -1);
}

/* Without CR4.FSGSBASE the same code gets #UD. */
static int t_fsgsbase_off(struct vm *vm)
{
	return vm_setup(vm, g_fsgsbase, g_fsgsbase_end, 3) ||
	       expect_fault(vm, 6, -1, -1);
}

/* The guest sets CR4.FSGSBASE itself (in shadow mode svmk checks it). */
static int t_fsgsbase_cr4(struct vm *vm)
{
	struct svmk_sregs sr;

	*(uint32_t *)(vm->mem + G_DATA) = 0x4242;
	if (vm_setup(vm, g_cr4_fsgsbase, g_cr4_fsgsbase_end, 0) ||
	    expect_out(vm, 0x500, 4, 0x4242))
		return -1;
	CHECK(ioctl(vm->fd, SVMK_GET_SREGS, &sr) == 0 &&
	      (sr.cr4 & CR4_FSGSBASE) && sr.fs.base == G_DATA,
	      "cr4 %#llx fs base %#llx", (unsigned long long)sr.cr4,
	      (unsigned long long)sr.fs.base);
	return expect_reason(vm, SVMK_EXIT_HLT);
}

/*
 * XCR0 stays the host's while the guest runs, so AVX state is unusable
 * only because CR4.OSXSAVE is clear, as the monitor leaves it: VEX
 * instructions get #UD. With OSXSAVE the same code runs.
 */
static int t_vex_ud(struct vm *vm)
{
	return vm_setup(vm, g_vex, g_vex_end, 3) || expect_fault(vm, 6, -1, -1);
}

static int t_vex_osxsave(struct vm *vm)
{
	return vm_setup(vm, g_vex, g_vex_end, 3) ||
	       add_cr4(vm, CR4_OSXSAVE) ||
	       expect_out(vm, 0x500, 4, 0xffffffff);
}

/*
 * SVMK_RESTORE gives back every register a CPL-3 program can write (the
 * general registers and RFLAGS, segment selectors, FS and GS bases, x87,
 * SSE, MXCSR; AVX and beyond need CR4.OSXSAVE, above), as g_cpl3_state
 * reports them, and as SVMK_GET_(S)REGS show them.
 */
static int t_snapshot_cpl3(struct vm *vm)
{
	static const char *const what[CPL3_REPORTS] = {
		"FCW", "FSW", "st0", "st1", "xmm0", "xmm15[63:32]", "MXCSR",
		"FS base", "GS base", "ES", "RFLAGS", "rbx", "r15" };
	static const uint32_t want[CPL3_REPORTS] = {
		0x27f, 0x3000, 0x40490fdb, 0x3f800000, 0x33334444, 0x11112222,
		0x9f80, 0x60000, 0x5f000, 0, 0x402, 0xb1, 0xaf };
	uint32_t got[2][CPL3_REPORTS];
	struct svmk_regs r0, r1;
	struct svmk_sregs s0, s1;
	int round, i;

	if (vm_setup(vm, g_cpl3_state, g_cpl3_state_end, 3) ||
	    add_cr4(vm, CR4_FSGSBASE) || expect_port(vm, 0x500, NULL))
		return -1;
	CHECK(ioctl(vm->fd, SVMK_SNAPSHOT, 0) == 0, "SNAPSHOT: %s",
	      strerror(errno));
	CHECK(ioctl(vm->fd, SVMK_GET_REGS, &r0) == 0 &&
	      ioctl(vm->fd, SVMK_GET_SREGS, &s0) == 0, "GET_(S)REGS");
	for (round = 0; round < 2; round++) {
		for (i = 0; i < CPL3_REPORTS; i++)
			if (expect_port(vm, 0x502, &got[round][i]))
				return -1;
		if (expect_port(vm, 0x501, NULL))
			return -1;
		for (i = 0; i < CPL3_REPORTS; i++)
			CHECK(got[round][i] == want[i] ||
			      (i == 10 && (got[round][i] & 0x400)),
			      "round %d: %s %#x, want %#x", round, what[i],
			      got[round][i], want[i]);
		CHECK(ioctl(vm->fd, SVMK_GET_SREGS, &s1) == 0, "GET_SREGS");
		CHECK(s1.fs.base == 0 && s1.gs.base == 0 &&
		      s1.es.selector == SEL_UDATA, "the guest changed nothing");
		CHECK(ioctl(vm->fd, SVMK_RESTORE, 0) == 0, "RESTORE: %s",
		      strerror(errno));
		CHECK(ioctl(vm->fd, SVMK_GET_REGS, &r1) == 0 &&
		      ioctl(vm->fd, SVMK_GET_SREGS, &s1) == 0, "GET_(S)REGS");
		CHECK(!memcmp(&r0, &r1, sizeof(r0)), "regs differ: rbx %#llx",
		      (unsigned long long)r1.rbx);
		CHECK(!memcmp(&s0, &s1, sizeof(s0)),
		      "sregs differ: fs base %#llx es %#x",
		      (unsigned long long)s1.fs.base, s1.es.selector);
	}
	return 0;
}

static const struct {
	const char *name;
	guest_test_fn fn;
} guest_tests[] = {
	{ "out-hlt", t_out_hlt },
	{ "io-sizes-in", t_io_sizes },
	{ "cpuid", t_cpuid },
	{ "pf-kernel-absent", t_pf_kernel },
	{ "cpl3-io-bitmap", t_user_io },
	{ "cpl3-hlt-gp", t_user_hlt },
	{ "cpl3-write-kernel-pf", t_user_wr_kernel },
	{ "cpl3-write-ro-pf", t_user_wr_ro },
	{ "cpl3-exec-nx-pf", t_user_exec_nx },
	{ "rep-outs-error", t_rep_outs },
	{ "outside-memory-mmio", t_mmio },
	{ "2m-1g-pages", t_big_pages },
	{ "triple-fault-shutdown", t_triple },
	{ "rdmsr-gp", t_msr },
	{ "vmmcall-ud", t_vmmcall },
	{ "wbinvd-skipped", t_wbinvd },
	{ "signal-eintr", t_signal },
	{ "immediate-exit", t_immediate_exit },
	{ "signal-kick-cpl3-spin", t_signal_kick },
	{ "exit-counts", t_exit_counts },
	{ "cpl3-alignment-check", t_ac },
	{ "fpu-isolation", t_fpu },
	{ "cr3-read", t_cr3 },
	{ "pte-remap-invlpg-cr3", t_remap },
	{ "cr3-cache-edit-inactive", t_cr3_edit_inactive },
	{ "cr3-cache-edit-premapped", t_cr3_edit_premapped },
	{ "cr3-cache-edit-by-user", t_cr3_edit_by_user },
	{ "cr3-cache-pingpong-exits", t_cr3_pingpong },
	{ "cr3-cache-evict", t_cr3_evict },
	{ "accessed-dirty", t_ad },
	{ "dirty-log", t_dirty_log },
	{ "snapshot-restore", t_snapshot },
	{ "restore-after-shutdown", t_restore_shutdown },
	{ "int-0x80", t_int },
	{ "sregs-roundtrip", t_sregs_roundtrip },
	{ "cr4-reserved-gp", t_cr4_gp },
	{ "cr0-wp-off", t_cr0_wp_off },
	{ "no-paging", t_shadow_needs_paging },
	{ "exit-rate", t_exit_rate },
	{ "lazy-pin", t_lazy_pin },
	{ "lazy-pin-unpinnable", t_lazy_pin_unpinnable },
	{ "shadow-table-bound", t_shadow_bound },
	{ "guest-tsc-offset", t_tsc },
	{ "host-cpu-hidden", t_host_cpu },
	{ "syscall-sysret-msrs", t_syscall },
	{ "fsgsbase-cpl3", t_fsgsbase },
	{ "fsgsbase-off-ud", t_fsgsbase_off },
	{ "fsgsbase-cr4-write", t_fsgsbase_cr4 },
	{ "vex-no-osxsave-ud", t_vex_ud },
	{ "vex-osxsave", t_vex_osxsave },
	{ "snapshot-cpl3-state", t_snapshot_cpl3 },
};

static void run_guest_test(int i, int paging)
{
	const char *mode = paging == SVMK_PAGING_TDP ? "[tdp]" : "[shadow]";
	struct vm vm;
	int r;

	fail_msg[0] = 0;
	r = vm_create(&vm, paging);
	if (r == 0)
		r = guest_tests[i].fn(&vm);
	vm_destroy(&vm);
	report(guest_tests[i].name, mode, r);
}

/* --- negative tests --------------------------------------------------------- */

static int n_memory(void)
{
	int fd = open("/dev/svmk", O_RDWR);
	uint8_t *mem = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *ro = mmap(NULL, 1 << 16, PROT_READ,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct svmk_memory m = { (uintptr_t)mem, 1 << 20, 0 };
	struct svmk_memory bad;

	CHECK(fd >= 0, "open");
	CHECK(ioctl(fd, SVMK_GET_API_VERSION, 0) == SVMK_API_VERSION,
	      "API version");
	bad = m, bad.size = 0;
	EXPECT_ERR(ioctl(fd, SVMK_SET_MEMORY, &bad), EINVAL);
	bad = m, bad.size = 4097;
	EXPECT_ERR(ioctl(fd, SVMK_SET_MEMORY, &bad), EINVAL);
	bad = m, bad.userspace_addr += 1;
	EXPECT_ERR(ioctl(fd, SVMK_SET_MEMORY, &bad), EINVAL);
	bad = m, bad.size = (2ull << 30);
	EXPECT_ERR(ioctl(fd, SVMK_SET_MEMORY, &bad), EINVAL);
	bad = m, bad.flags = 1;
	EXPECT_ERR(ioctl(fd, SVMK_SET_MEMORY, &bad), EINVAL);
	bad = m, bad.userspace_addr = 0xffff800000000000ull;
	EXPECT_ERR(ioctl(fd, SVMK_SET_MEMORY, &bad), EINVAL);
	bad = m, bad.userspace_addr = -4096ull, bad.size = 8192;
	EXPECT_ERR(ioctl(fd, SVMK_SET_MEMORY, &bad), EINVAL);
	bad = m, bad.userspace_addr = 0x1000;	/* nothing mapped there */
	EXPECT_ERR(ioctl(fd, SVMK_SET_MEMORY, &bad), EINVAL);
	bad = m, bad.userspace_addr = (uintptr_t)ro, bad.size = 1 << 16;
	EXPECT_ERR(ioctl(fd, SVMK_SET_MEMORY, &bad), EINVAL);
	EXPECT_ERR(ioctl(fd, SVMK_SET_MEMORY, (void *)8), EFAULT);
	EXPECT_ERR(ioctl(fd, SVMK_RUN, 0), ENOEXEC);
	CHECK(ioctl(fd, SVMK_SET_MEMORY, &m) == 0, "SET_MEMORY: %s",
	      strerror(errno));
	EXPECT_ERR(ioctl(fd, SVMK_SET_MEMORY, &m), EBUSY);
	close(fd);
	munmap(mem, 1 << 20);
	munmap(ro, 1 << 16);
	return 0;
}

static int n_args(void)
{
	struct vm vm;
	struct svmk_regs r;
	struct svmk_sregs sr;
	void *p;

	if (vm_create(&vm, SVMK_PAGING_TDP))
		return -1;
	EXPECT_ERR(ioctl(vm.fd, SVMK_SET_PAGING, 2), EINVAL);
	EXPECT_ERR(ioctl(vm.fd, SVMK_RUN, 1), EINVAL);
	EXPECT_ERR(ioctl(vm.fd, _IO(SVMK_IO, 0x7f)), ENOTTY);
	EXPECT_ERR(ioctl(vm.fd, SVMK_GET_REGS, (void *)8), EFAULT);
	CHECK(ioctl(vm.fd, SVMK_GET_REGS, &r) == 0, "GET_REGS");
	r.rflags = 1ull << 40;
	EXPECT_ERR(ioctl(vm.fd, SVMK_SET_REGS, &r), EINVAL);
	if (vm_setup(&vm, g_out_hlt, g_out_hlt_end, 0))
		return -1;
	CHECK(ioctl(vm.fd, SVMK_GET_SREGS, &sr) == 0, "GET_SREGS");
	sr.efer |= 1ull << 12;		/* SVME */
	EXPECT_ERR(ioctl(vm.fd, SVMK_SET_SREGS, &sr), EINVAL);
	sr.efer &= ~(1ull << 12);
	sr.cr0 |= 1ull << 32;
	EXPECT_ERR(ioctl(vm.fd, SVMK_SET_SREGS, &sr), EINVAL);
	sr.cr0 &= ~(1ull << 32);
	sr.cr4 &= ~0x20ull;		/* long mode without PAE */
	EXPECT_ERR(ioctl(vm.fd, SVMK_SET_SREGS, &sr), EINVAL);
	sr.cr4 |= 1ull << 13;		/* VMXE */
	EXPECT_ERR(ioctl(vm.fd, SVMK_SET_SREGS, &sr), EINVAL);
	sr.cr4 = 0x620;
	sr.cs.db = 1;			/* L and D together */
	EXPECT_ERR(ioctl(vm.fd, SVMK_SET_SREGS, &sr), EINVAL);
	p = mmap(NULL, SVMK_RUN_SIZE, PROT_READ, MAP_SHARED, vm.fd, 4096);
	CHECK(p == MAP_FAILED, "mmap at offset 4096 worked");
	p = mmap(NULL, 2 * SVMK_RUN_SIZE, PROT_READ, MAP_SHARED, vm.fd, 0);
	CHECK(p == MAP_FAILED, "mmap of 2 pages worked");
	p = mmap(NULL, SVMK_RUN_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		 vm.fd, 0);
	CHECK(p == MAP_FAILED, "private mmap worked");
	if (expect_out(&vm, 0x500, 4, 0xdeadbeef))
		return -1;
	EXPECT_ERR(ioctl(vm.fd, SVMK_SET_PAGING, SVMK_PAGING_SHADOW), EBUSY);
	vm_destroy(&vm);
	return 0;
}

static int n_fork(void)
{
	struct vm vm;
	pid_t pid;
	int st;

	if (vm_create(&vm, SVMK_PAGING_TDP))
		return -1;
	pid = fork();
	if (pid == 0)
		_exit(ioctl(vm.fd, SVMK_RUN, 0) == -1 && errno == EIO ? 0 : 1);
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid, "fork");
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "another process could use the VM");
	vm_destroy(&vm);
	return 0;
}

/*
 * Pages pinned and not yet unpinned, system-wide, in *held; -1 if the
 * kernel does not count them. (The difference itself may be negative: the
 * counters lag.)
 */
static int pins_held(long *held)
{
	char name[64];
	long v, acq = -1, rel = -1;
	FILE *f = fopen("/proc/vmstat", "r");

	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld", name, &v) == 2) {
		if (!strcmp(name, "nr_foll_pin_acquired"))
			acq = v;
		else if (!strcmp(name, "nr_foll_pin_released"))
			rel = v;
	}
	fclose(f);
	*held = acq - rel;
	return acq < 0 || rel < 0 ? -1 : 0;
}

static int n_many(void)
{
	long pins, after;

	CHECK(pins_held(&pins) == 0, "no pin counters in /proc/vmstat");
	/* Open and close many VMs with memory: nothing may leak or crash. */
	for (int i = 0; i < 64; i++) {
		struct vm vm;

		if (vm_create(&vm, i & 1 ? SVMK_PAGING_SHADOW : SVMK_PAGING_TDP))
			return -1;
		/* Half of them pin pages: about 80 each (64 data pages). */
		if (i % 4 < 2 && (vm_setup(&vm, g_touch64, g_touch64_end, 0) ||
				  expect_out(&vm, 0x500, 4, 0)))
			return -1;
		vm_destroy(&vm);
	}
	/*
	 * Every page pinned for guest memory was unpinned at close. The
	 * counters lag by the per-CPU deltas not yet folded in (a few
	 * hundred at most); the 32 runs left pinned would be 2500 pages.
	 */
	CHECK(pins_held(&after) == 0 && labs(after - pins) < 1024,
	      "pins held: %ld before, %ld after", pins, after);
	printf("     pins held system-wide: %ld before, %ld after\n", pins,
	       after);
	return 0;
}

/*
 * kvm-amd and svmk share the CPU's SVM: while a KVM VM exists, KVM keeps
 * EFER.SVME set and svmk backs off with EBUSY; afterwards svmk runs again.
 */
static int n_kvm_coexist(void)
{
	struct vm vm;
	int kvm, kvm_vm;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		printf("     no /dev/kvm: skipped\n");
		return 0;
	}
	if (vm_create(&vm, SVMK_PAGING_TDP) ||
	    vm_setup(&vm, g_out_hlt, g_out_hlt_end, 0))
		return -1;
	kvm_vm = ioctl(kvm, _IO(0xae, 0x01), 0);	/* KVM_CREATE_VM */
	CHECK(kvm_vm >= 0, "KVM_CREATE_VM: %s", strerror(errno));
	EXPECT_ERR(ioctl(vm.fd, SVMK_RUN, 0), EBUSY);
	close(kvm_vm);
	if (expect_out(&vm, 0x500, 4, 0xdeadbeef))
		return -1;
	vm_destroy(&vm);
	close(kvm);
	return 0;
}

/* The TSC frequency svmk reports is the one RDTSC runs at (within 10%). */
static int n_tsc_khz(void)
{
	struct timespec a, b, d = { 0, 200000000 };
	uint64_t t0, t1;
	double ns, khz;
	int fd, k;
	pid_t pid;
	int st;

	fd = open("/dev/svmk", O_RDWR | O_CLOEXEC);
	CHECK(fd >= 0, "open");
	k = ioctl(fd, SVMK_GET_TSC_KHZ, 0);
	CHECK(k > 0, "SVMK_GET_TSC_KHZ: %d %s", k, strerror(errno));
	EXPECT_ERR(ioctl(fd, SVMK_GET_TSC_KHZ, 1), EINVAL);
	clock_gettime(CLOCK_MONOTONIC, &a);
	t0 = rdtsc();
	nanosleep(&d, NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	t1 = rdtsc();
	ns = (b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec);
	khz = (t1 - t0) / ns * 1e6;
	printf("     tsc_khz %d, measured %.0f\n", k, khz);
	CHECK(khz > k * 0.9 && khz < k * 1.1, "measured %.0f kHz, svmk says %d",
	      khz, k);
	/* A fact about the host: another process may ask too. */
	pid = fork();
	if (pid == 0)
		_exit(ioctl(fd, SVMK_GET_TSC_KHZ, 0) == k ? 0 : 1);
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	      WEXITSTATUS(st) == 0, "another process could not ask");
	close(fd);
	return 0;
}

/*
 * Guest memory must be memory no filesystem writes back: private mappings
 * and tmpfs/memfd files are fine, a driver's mapping (here svmk's own run
 * page) is not.
 */
static int n_memory_kinds(void)
{
	struct svmk_memory m = { 0, 1 << 20, 0 };
	int fd, fd2, mfd;
	void *p, *runp;

	fd = open("/dev/svmk", O_RDWR | O_CLOEXEC);
	fd2 = open("/dev/svmk", O_RDWR | O_CLOEXEC);
	CHECK(fd >= 0 && fd2 >= 0, "open");
	runp = mmap(NULL, SVMK_RUN_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		    fd2, 0);
	CHECK(runp != MAP_FAILED, "mmap run");
	m.userspace_addr = (uintptr_t)runp;
	m.size = SVMK_RUN_SIZE;
	EXPECT_ERR(ioctl(fd, SVMK_SET_MEMORY, &m), EINVAL);

	mfd = memfd_create("guest", MFD_CLOEXEC);
	CHECK(mfd >= 0 && ftruncate(mfd, 1 << 20) == 0, "memfd");
	p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	CHECK(p != MAP_FAILED, "mmap memfd");
	m.userspace_addr = (uintptr_t)p;
	m.size = 1 << 20;
	CHECK(ioctl(fd, SVMK_SET_MEMORY, &m) == 0, "memfd memory: %s",
	      strerror(errno));
	close(fd);
	close(fd2);
	close(mfd);
	munmap(p, 1 << 20);
	munmap(runp, SVMK_RUN_SIZE);
	return 0;
}

/* Field key (e.g. "VmLck") of this process's status, in kB (-1 if unknown). */
static long status_kb(const char *key)
{
	char line[256], fmt[64];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	snprintf(fmt, sizeof(fmt), "%s: %%ld kB", key);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, fmt, &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static long vmlck_kb(void)
{
	return status_kb("VmLck");
}

/*
 * SVMK_SET_MEMORY of the most memory a VM may have costs next to nothing
 * until the guest touches it: nothing is pinned or populated up front.
 */
static int n_memory_lazy(void)
{
	struct svmk_memory m = { 0, SVMK_MEM_MAX, 0 };
	long before, after;
	uint8_t *mem;
	int fd;

	fd = open("/dev/svmk", O_RDWR | O_CLOEXEC);
	CHECK(fd >= 0, "open");
	mem = mmap(NULL, SVMK_MEM_MAX, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	CHECK(mem != MAP_FAILED, "mmap 1 GiB");
	m.userspace_addr = (uintptr_t)mem;
	before = status_kb("VmRSS");
	CHECK(ioctl(fd, SVMK_SET_MEMORY, &m) == 0, "SET_MEMORY 1 GiB: %s",
	      strerror(errno));
	after = status_kb("VmRSS");
	CHECK(before > 0 && after - before < 4096,
	      "VmRSS %ld kB after SET_MEMORY of 1 GiB, %ld kB before", after,
	      before);
	close(fd);
	munmap(mem, SVMK_MEM_MAX);
	return 0;
}

/*
 * Pinned guest memory counts against RLIMIT_MEMLOCK (without CAP_IPC_LOCK)
 * and is given back when the VM goes. In a child that drops every
 * capability (the tests run as root).
 */
static int memlock_child(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = { { 0 } };
	struct rlimit rl = { 1 << 20, 1 << 20 };
	uint8_t *mem = mmap(NULL, 4 << 20, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct svmk_memory m = { (uintptr_t)mem, 4 << 20, 0 };
	int fd, fd2;

	CHECK(syscall(SYS_capset, &h, d) == 0, "capset: %s", strerror(errno));
	CHECK(setrlimit(RLIMIT_MEMLOCK, &rl) == 0, "setrlimit");
	fd = open("/dev/svmk", O_RDWR | O_CLOEXEC);
	fd2 = open("/dev/svmk", O_RDWR | O_CLOEXEC);
	CHECK(fd >= 0 && fd2 >= 0, "open");
	EXPECT_ERR(ioctl(fd, SVMK_SET_MEMORY, &m), ENOMEM);
	CHECK(vmlck_kb() == 0, "VmLck %ld kB after a refused pin", vmlck_kb());
	m.size = 1 << 20;
	CHECK(ioctl(fd, SVMK_SET_MEMORY, &m) == 0, "1 MiB: %s",
	      strerror(errno));
	CHECK(vmlck_kb() == 1024, "VmLck %ld kB, want 1024", vmlck_kb());
	m.userspace_addr += 1 << 20;
	m.size = 4096;
	EXPECT_ERR(ioctl(fd2, SVMK_SET_MEMORY, &m), ENOMEM);
	close(fd);
	CHECK(vmlck_kb() == 0, "VmLck %ld kB after close", vmlck_kb());
	m.size = 1 << 20;
	CHECK(ioctl(fd2, SVMK_SET_MEMORY, &m) == 0, "again after close: %s",
	      strerror(errno));
	close(fd2);
	return 0;
}

static int n_memlock(void)
{
	pid_t pid;
	int st;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int r = memlock_child();

		if (r)
			printf("     %s\n", fail_msg);
		fflush(stdout);
		_exit(r ? 1 : 0);
	}
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid, "fork");
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "see above");
	return 0;
}

/* Bad arguments to the snapshot and dirty-log ioctls. */
static int n_snapshot_args(void)
{
	uint64_t bm[512];
	struct svmk_dirty_log log = { (uintptr_t)bm, LOG_WORDS * 8, 0 }, bad;
	struct vm vm;
	void *ro;
	int fd, i;

	fd = open("/dev/svmk", O_RDWR | O_CLOEXEC);
	CHECK(fd >= 0, "open");
	EXPECT_ERR(ioctl(fd, SVMK_ENABLE_DIRTY_LOG, 0), ENOEXEC);
	EXPECT_ERR(ioctl(fd, SVMK_RESTORE, 0), ENOENT);
	close(fd);

	if (vm_create(&vm, SVMK_PAGING_TDP) ||
	    vm_setup(&vm, g_io_sizes, g_io_sizes_end, 0))
		return -1;
	EXPECT_ERR(ioctl(vm.fd, SVMK_SNAPSHOT, 1), EINVAL);
	EXPECT_ERR(ioctl(vm.fd, SVMK_RESTORE, 1), EINVAL);
	EXPECT_ERR(ioctl(vm.fd, SVMK_ENABLE_DIRTY_LOG, 1), EINVAL);
	EXPECT_ERR(ioctl(vm.fd, SVMK_RESTORE, 0), ENOENT);
	EXPECT_ERR(ioctl(vm.fd, SVMK_GET_DIRTY_LOG, &log), ENOENT);
	CHECK(ioctl(vm.fd, SVMK_ENABLE_DIRTY_LOG, 0) == 0, "ENABLE: %s",
	      strerror(errno));
	EXPECT_ERR(ioctl(vm.fd, SVMK_GET_DIRTY_LOG, (void *)8), EFAULT);
	bad = log, bad.flags = 1;
	EXPECT_ERR(ioctl(vm.fd, SVMK_GET_DIRTY_LOG, &bad), EINVAL);
	bad = log, bad.size = LOG_WORDS * 8 - 1;
	EXPECT_ERR(ioctl(vm.fd, SVMK_GET_DIRTY_LOG, &bad), EINVAL);
	bad = log, bad.bitmap = -4096ull;
	EXPECT_ERR(ioctl(vm.fd, SVMK_GET_DIRTY_LOG, &bad), EFAULT);
	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(ro != MAP_FAILED, "mmap");
	bad = log, bad.bitmap = (uintptr_t)ro;
	EXPECT_ERR(ioctl(vm.fd, SVMK_GET_DIRTY_LOG, &bad), EFAULT);
	munmap(ro, 4096);
	/* A larger bitmap is fine; svmk writes exactly its words. */
	memset(bm, 0xee, sizeof(bm));
	bad = log, bad.size = sizeof(bm);
	CHECK(ioctl(vm.fd, SVMK_GET_DIRTY_LOG, &bad) == 0, "GET: %s",
	      strerror(errno));
	for (i = 0; i < 512; i++)
		CHECK(bm[i] == (i < LOG_WORDS ? 0 : 0xeeeeeeeeeeeeeeeeull),
		      "word %d: %#llx", i, (unsigned long long)bm[i]);
	/* An IN waiting for its data cannot be in a snapshot. */
	if (expect_out(&vm, 0x80, 1, 0xab) || expect_out(&vm, 0x502, 2, 0x1234) ||
	    expect_reason(&vm, SVMK_EXIT_IO))
		return -1;
	EXPECT_ERR(ioctl(vm.fd, SVMK_SNAPSHOT, 0), EBUSY);
	vm_destroy(&vm);
	return 0;
}

/* --- memory cgroup ---------------------------------------------------------- */
#define CG_ROOT "/sys/fs/cgroup"

static int write_str(const char *path, const char *str)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), r;

	if (fd < 0)
		return -1;
	r = write(fd, str, strlen(str)) == (ssize_t)strlen(str) ? 0 : -1;
	close(fd);
	return r;
}

/* The number at the start of cg's file name, -1 if none. */
static long long cg_read(const char *cg, const char *name)
{
	char path[256];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", cg, name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/*
 * In the cgroup cg: a 256 MiB shadow-mode VM (bound 1,024 table pages,
 * 4 MiB) whose guest maps one page at 4,096 addresses. The cgroup's peak
 * grows by about the bound, not by a page per address (16 MiB), and the
 * charge goes once the VM is closed. The per-CPU charge caches make
 * memory.current run up to 64 pages per CPU ahead: the margins.
 */
static int memcg_child(const char *cg)
{
	const size_t size = 256u << 20;
	const long long bound = shadow_bound(size) * 4096, slack = 1 << 20;
	long long c0, p0, p1, c1;
	struct vm vm;

	if (vm_create_size(&vm, SVMK_PAGING_SHADOW, size) ||
	    alias_touch_start(&vm, 4 * shadow_bound(size), ~0u))
		return -1;
	c0 = cg_read(cg, "memory.current");
	p0 = cg_read(cg, "memory.peak");
	CHECK(c0 > 0 && p0 >= c0, "memory.current %lld, memory.peak %lld", c0,
	      p0);
	if (expect_out(&vm, 0x500, 4, 0x600d))
		return -1;
	p1 = cg_read(cg, "memory.peak");
	CHECK(vm.run->shadow_pages * 4096 <= (uint64_t)bound,
	      "%llu shadow pages", (unsigned long long)vm.run->shadow_pages);
	printf("     cgroup peak +%lld KiB for %llu aliases (bound %lld KiB), "
	       "%llu flushes\n", (p1 - c0) >> 10,
	       (unsigned long long)(4 * shadow_bound(size)), bound >> 10,
	       (unsigned long long)vm.run->shadow_flushes);
	CHECK(p1 - c0 >= bound * 3 / 4,
	      "peak only +%lld KiB: shadow tables not charged to the cgroup?",
	      (p1 - c0) >> 10);
	CHECK(p1 - c0 <= bound + slack, "peak +%lld KiB, bound %lld KiB",
	      (p1 - c0) >> 10, bound >> 10);
	vm_destroy(&vm);
	c1 = cg_read(cg, "memory.current");
	CHECK(c1 < c0 + slack / 2, "memory.current %lld KiB after close, "
	      "%lld KiB before the guest ran", c1 >> 10, c0 >> 10);
	return 0;
}

/*
 * A shadow-mode VM of 20 KiB: page 0 is the PML4, whose every entry points
 * at page 1, and so on down to page 4, the code, at every address; the
 * guest reads n aliases (each a new 2 MiB region, so a new shadow table).
 */
static int small_alias_vm(struct vm *vm, uint32_t n)
{
	struct svmk_sregs sr;
	struct svmk_regs r;
	int i, level;

	if (vm_create_size(vm, SVMK_PAGING_SHADOW, 5 * 4096))
		return -1;
	for (level = 0; level < 4; level++)
		for (i = 0; i < 512; i++)
			*q(vm, level * 4096 + i * 8) =
				(level + 1) * 4096 | PTE_P | PTE_W;
	memcpy(vm->mem + 4 * 4096, g_small_alias,
	       g_small_alias_end - g_small_alias);
	memset(&sr, 0, sizeof(sr));
	set_seg(&sr.cs, SEL_KCODE, 1, 0);
	set_seg(&sr.ss, SEL_KDATA, 0, 0);
	sr.ds = sr.es = sr.fs = sr.gs = sr.ss;
	sr.tr.selector = SEL_TSS;
	sr.tr.limit = 0x67;
	sr.tr.type = 11;
	sr.tr.present = 1;
	sr.ldt.unusable = 1;
	sr.cr0 = 0x80050033;
	sr.cr3 = 0;
	sr.cr4 = 0x620;
	sr.efer = 0xd00;
	CHECK(ioctl(vm->fd, SVMK_SET_SREGS, &sr) == 0, "SET_SREGS: %s",
	      strerror(errno));
	memset(&r, 0, sizeof(r));
	r.rflags = 2;
	r.r13 = n;
	CHECK(ioctl(vm->fd, SVMK_SET_REGS, &r) == 0, "SET_REGS");
	return expect_out(vm, 0x500, 4, 0x600d);
}

/*
 * The audit's case: 48 such VMs, each of whose guests maps its pages at
 * 4,000 addresses, held open together. Each may hold 64 shadow table pages
 * (its bound), 4 roots, and its VMCB, run page, FPU image and the like:
 * under 100 pages. With the fixed bound of 4,096 table pages, which 4,000
 * aliases stay under, they took 16 MiB each.
 */
static int memcg_small_vms(const char *cg)
{
	static struct vm vms[48];
	long long c0, c1, per_vm;
	uint64_t shadow = 0;
	int i;

	c0 = cg_read(cg, "memory.current");
	CHECK(c0 > 0, "memory.current %lld", c0);
	for (i = 0; i < 48; i++) {
		if (small_alias_vm(&vms[i], 4000))
			return -1;
		shadow += vms[i].run->shadow_pages;
		CHECK(vms[i].run->shadow_pages <= 64, "VM %d: %llu shadow pages",
		      i, (unsigned long long)vms[i].run->shadow_pages);
	}
	c1 = cg_read(cg, "memory.current");
	per_vm = (c1 - c0) / 48;
	printf("     48 VMs of 20 KiB, 4,000 aliases each: +%lld KiB in the "
	       "cgroup (%lld KiB per VM), %llu shadow pages in all\n",
	       (c1 - c0) >> 10, per_vm >> 10, (unsigned long long)shadow);
	CHECK(per_vm <= 100 * 4096, "%lld KiB per VM", per_vm >> 10);
	for (i = 0; i < 48; i++)
		vm_destroy(&vms[i]);
	return 0;
}

/* Run fn(cgroup) in a child process in a new memory cgroup. */
static int in_memcg(int (*fn)(const char *cg))
{
	char cg[64], path[80];
	int mounted = 0, st;
	pid_t pid;

	if (access(CG_ROOT "/cgroup.controllers", F_OK) != 0) {
		CHECK(mount("cgroup2", CG_ROOT, "cgroup2", 0, NULL) == 0,
		      "mount cgroup2 on " CG_ROOT ": %s", strerror(errno));
		mounted = 1;
	}
	CHECK(write_str(CG_ROOT "/cgroup.subtree_control", "+memory") == 0,
	      "no memory controller: %s", strerror(errno));
	snprintf(cg, sizeof(cg), CG_ROOT "/svmk_test.%d", (int)getpid());
	CHECK(mkdir(cg, 0755) == 0, "mkdir %s: %s", cg, strerror(errno));
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int r;

		snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
		r = write_str(path, "0");
		if (r)
			snprintf(fail_msg, sizeof(fail_msg), "joining %s: %s",
				 cg, strerror(errno));
		else
			r = fn(cg);
		if (r)
			printf("     %s\n", fail_msg);
		fflush(stdout);
		_exit(r ? 1 : 0);
	}
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid, "fork");
	rmdir(cg);
	if (mounted)
		umount(CG_ROOT);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "see above");
	return 0;
}

static int n_shadow_memcg(void)
{
	return in_memcg(memcg_child);
}

static int n_shadow_small_vms(void)
{
	return in_memcg(memcg_small_vms);
}

static const struct {
	const char *name;
	int (*fn)(void);
} other_tests[] = {
	{ "kvm-coexist", n_kvm_coexist },
	{ "bad-memory-args", n_memory },
	{ "bad-ioctl-args", n_args },
	{ "other-process-eio", n_fork },
	{ "open-close-64", n_many },
	{ "tsc-khz", n_tsc_khz },
	{ "memory-kinds", n_memory_kinds },
	{ "memory-1g-lazy", n_memory_lazy },
	{ "memlock-limit", n_memlock },
	{ "snapshot-dirty-log-args", n_snapshot_args },
	{ "shadow-memcg-charge", n_shadow_memcg },
	{ "shadow-48-small-vms", n_shadow_small_vms },
};

/* Usage: svmk_test [tdp|shadow|all [NAME-SUBSTRING]] */
int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "all";
	const char *only = argc > 2 ? argv[2] : NULL;
	int pmin = SVMK_PAGING_TDP, pmax = SVMK_PAGING_SHADOW;
	unsigned int i;
	int p;

	if (!strcmp(mode, "tdp"))
		pmax = SVMK_PAGING_TDP;
	else if (!strcmp(mode, "shadow"))
		pmin = SVMK_PAGING_SHADOW;
	else if (strcmp(mode, "all"))
		return fprintf(stderr, "usage: svmk_test [tdp|shadow|all [NAME]]\n"), 2;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < sizeof(other_tests) / sizeof(other_tests[0]); i++) {
		if (only && !strstr(other_tests[i].name, only))
			continue;
		fail_msg[0] = 0;
		report(other_tests[i].name, NULL, other_tests[i].fn());
	}
	for (p = pmin; p <= pmax; p++)
		for (i = 0; i < sizeof(guest_tests) / sizeof(guest_tests[0]);
		     i++) {
			if (only && !strstr(guest_tests[i].name, only))
				continue;
			run_guest_test(i, p);
		}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
