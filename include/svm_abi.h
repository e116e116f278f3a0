/* svm_abi.h: the versioned guest/monitor ABI of svm-sandbox (self-contained).
 */
#ifndef SVM_ABI_H
#define SVM_ABI_H

#include <stdint.h>

/*
 * Bump SVM_ABI_VERSION on any incompatible change. The monitor writes it into
 * the boot info; the guest kernel refuses to start under a different one.
 */
#define SVM_ABI_VERSION 3
#define SVM_BOOTINFO_MAGIC 0x53564d42u /* "SVMB" */

/*
 * A guest-physical address. The guest runs on an identity map, so in the guest
 * it is also a virtual address; in the monitor it is only a number, and turning
 * it into a host pointer goes through the checked accessor (vm_gpa()).
 */
typedef uint64_t svm_gpa_t;

/*
 * Guest-physical layout (identity-mapped; all of it below 4 GiB).
 *   [0, 4 KiB)            not mapped: catches NULL dereferences
 *   [4 KiB, 1 MiB)        monitor-owned: GDT, TSS, IDT, fault stubs, page
 *                         tables (kernel-only), boot info (user RO)
 *   [1 MiB, 2 MiB)        the guest kernel (kernel/), which implements the
 *                         Linux system calls inside the VM
 *   [2 MiB, image end)    the program's PT_LOAD segments, with their rights
 *   [image end, tree end) the root file tree (read-only), if any
 *   [brk_start, mmap_end) brk grows up from the bottom, mmap down from the
 *                         top
 *   one page              stack guard, not mapped
 *   [mem - stack, mem)    the stack (svm_stack_size()), argv, envp and the
 *                         auxiliary vector at its top
 */
#define SVM_PAGE_SIZE 0x1000ull
#define SVM_LOAD_MIN 0x100000ull    /* the guest kernel's region ... */
#define SVM_PROGRAM_MIN 0x200000ull /* ... up to the program's lowest */
#define SVM_PIE_BASE 0x400000ull    /* where a static-PIE is loaded */
/* The guest kernel starts at SVM_LOAD_MIN; syscall enters it here (LSTAR). */
#define SVM_KERNEL_SYSCALL 0x100040ull
#define SVM_MEM_MIN 0x200000ull      /* 2 MiB */
#define SVM_MEM_MAX 0x40000000ull    /* 1 GiB */
#define SVM_MEM_DEFAULT 0x2000000ull /* 32 MiB */

/* The stack: 8 MiB from 64 MiB of memory, else an eighth, at least 256 KiB. */
static inline uint64_t svm_stack_size(uint64_t mem_size)
{
	uint64_t s = mem_size / 8 & ~(SVM_PAGE_SIZE - 1);

	if (mem_size >= 0x4000000ull)
		return 0x800000ull;
	return s < 0x40000ull ? 0x40000ull : s;
}

/*
 * Hypercalls. The app (at CPL 3) performs a 32-bit `out` to port
 * SVM_HC_PORT_BASE + nr; the value is the guest-physical address of the
 * argument struct for that call. The TSS I/O bitmap opens exactly the ports
 * [SVM_HC_PORT_BASE, SVM_HC_PORT_BASE + SVM_HC_PORT_COUNT) to user mode.
 * Results come back in the same struct.
 */
#define SVM_HC_PORT_BASE 0x500
#define SVM_HC_PORT_COUNT 32

enum svm_hypercall {
	SVM_HC_WRITE = 0,    /* struct svm_hc_write */
	SVM_HC_READ = 1,     /* struct svm_hc_read */
	SVM_HC_RANDOM = 2,   /* struct svm_hc_random */
	SVM_HC_EXIT = 3,     /* struct svm_hc_exit; does not return */
	SVM_HC_NOP = 4,      /* no argument; measures the round trip */
	SVM_HC_READY = 5,    /* struct svm_call: function mode, see below */
	SVM_HC_DONE = 6,     /* struct svm_call */
	SVM_HC_POPULATE = 7, /* struct svm_hc_populate: a hint */
	SVM_HC_MAX           /* first unassigned number */
};

/* Write len bytes at data to the monitor's stdout (fd 1) or stderr (fd 2). */
struct svm_hc_write {
	svm_gpa_t data;
	uint64_t len;
	uint32_t fd;
	int32_t ret; /* out: 0, or -1 if the monitor could not write */
};

/*
 * Read up to len bytes of the app's input into data. left tells what the
 * monitor knows remains after this read: 0 when the next read would get
 * the end of input (so the guest kernel answers it without a hypercall: a
 * call's request in function mode), -1 when it cannot know (a pipe, a
 * terminal).
 */
struct svm_hc_read {
	svm_gpa_t data;
	uint64_t len;
	int64_t ret;  /* out: bytes read, 0 at end of input, -1 on error */
	int64_t left; /* out: bytes known to remain, or -1 */
	/*
	 * out: 1 when the app's stdout is collected until it ends (a call's
	 * answer in function mode): the guest kernel may then hold it back and
	 * hand it to the exit hypercall, which saves an exit per call; else 0.
	 */
	uint32_t held;
	uint32_t pad;
};

/* Fill len bytes at data with random bytes (len <= SVM_RANDOM_MAX). */
#define SVM_RANDOM_MAX 256
struct svm_hc_random {
	svm_gpa_t data;
	uint64_t len;
	int64_t ret; /* out: 0, or -1 on error */
};

/*
 * A hint from the guest kernel: [addr, addr + len), whole pages of the brk
 * and mmap area (svm_bootinfo's [brk_start, mmap_end)) that it has just
 * handed out for the first time, is about to be used, so the monitor backs
 * it with host memory in one call: a first guest touch of a backed page
 * costs about 0.94 us here, of one not yet backed 4.3-6.0 us (a
 * shadow-paging exit each). Any other range is a guest error. Function mode
 * ignores it (a snapshot must not hold pages no call touched), and says so
 * by leaving SVM_BOOT_POPULATE out of the boot info's flags.
 */
struct svm_hc_populate {
	svm_gpa_t addr;
	uint64_t len;
};

/*
 * End the run; the monitor exits with status & 0xff. First the len bytes at
 * data (len 0: none) go to stdout as a write hypercall's would: the output
 * held back by the guest kernel (svm_hc_read's held).
 */
struct svm_hc_exit {
	int32_t status;
	uint32_t pad;
	svm_gpa_t data;
	uint64_t len;
};

/*
 * Function mode. An app that serves calls sets up, then makes SVM_HC_READY
 * with a struct svm_call naming its input and output buffers. The monitor
 * keeps a snapshot of the VM as it is at that moment. For each call it
 * copies the input into in (in_len bytes) and resumes the guest, which runs
 * its handler, fills out (out_len bytes, at most out_cap) and status, and
 * makes SVM_HC_DONE. Between calls the monitor resets the VM to the snapshot,
 * so every call resumes from SVM_HC_READY with pristine memory; when it keeps
 * the VM warm instead, SVM_HC_DONE returns with the next call's input.
 * All of svm_call and both buffers must be memory the app may write.
 */
struct svm_call {
	svm_gpa_t in;
	uint64_t in_cap;
	uint64_t in_len; /* set by the monitor */
	svm_gpa_t out;
	uint64_t out_cap;
	uint64_t out_len; /* set by the app */
	int32_t status;   /* set by the app: 0 for success */
	uint32_t pad;
};

/*
 * Fault reports. The monitor-owned exception stubs (kernel mode) push the
 * error code (0 where the CPU pushes none), the program's RDX and the vector,
 * and `out` to SVM_FAULT_PORT, which the I/O bitmap keeps closed to user
 * mode, so an app cannot forge a fault report. The stack then holds struct
 * svm_fault_frame at the guest's RSP; with the vCPU's other general registers
 * it is the program's whole register state at the exception.
 */
#define SVM_FAULT_PORT 0x4ff
struct svm_fault_frame {
	uint64_t vector;
	uint64_t rdx; /* the stub uses DX for the port */
	uint64_t error;
	uint64_t rip; /* pushed by the CPU from here on */
	uint64_t cs;
	uint64_t rflags;
	uint64_t rsp;
	uint64_t ss;
};

/*
 * Boot info, written by the monitor below SVM_LOAD_MIN and mapped read-only;
 * the guest kernel's entry point gets its address in %rdi. The program's
 * start (argc, argv, envp, auxv) is on its stack at sp, as Linux puts it.
 */
struct svm_boot_seg {
	svm_gpa_t start, end; /* page-rounded */
	uint32_t prot;        /* PROT_READ 1 | PROT_WRITE 2 | PROT_EXEC 4 */
	uint32_t pad;
};

#define SVM_BOOT_SEGS 8
#define SVM_BOOT_TRACE 1    /* print every system call on fd 2 (--trace) */
#define SVM_BOOT_POPULATE 2 /* the monitor acts on SVM_HC_POPULATE */

struct svm_bootinfo {
	uint32_t magic;       /* SVM_BOOTINFO_MAGIC */
	uint32_t abi_version; /* SVM_ABI_VERSION */
	uint64_t mem_size;    /* bytes of guest memory */
	uint32_t flags;       /* SVM_BOOT_* */
	uint32_t nsegs;
	struct svm_boot_seg segs[SVM_BOOT_SEGS]; /* the program's memory */
	svm_gpa_t entry;                         /* the program's entry point */
	svm_gpa_t sp;        /* its initial %rsp (argc there) */
	svm_gpa_t tree;      /* struct svm_tree, or 0 */
	svm_gpa_t brk_start; /* brk and mmap share [brk_start, mmap_end) */
	svm_gpa_t mmap_end;
	svm_gpa_t stack_bottom; /* the stack is [stack_bottom, mem_size) */
	svm_gpa_t cwd; /* NUL-terminated path of the working directory */
	svm_gpa_t exe; /* NUL-terminated guest path of the program */
	/*
	 * Time without an exit: at guest TSC value tsc_base the wall clock read
	 * wall_ns_base nanoseconds since the Unix epoch; the TSC runs at
	 * tsc_khz.
	 */
	uint64_t tsc_khz;
	uint64_t tsc_base;
	uint64_t wall_ns_base;
};

/*
 * What the guest kernel counts, at a fixed address in its data, for the
 * monitor's --stats: system calls made, those it refused with ENOSYS, and
 * the first few such numbers.
 */
#define SVM_KSTATS 0x180000ull
#define SVM_KSTATS_NOSYS 8
struct svm_kstats {
	uint64_t syscalls;
	uint64_t nosys;
	uint32_t nosys_nr[SVM_KSTATS_NOSYS]; /* distinct numbers, in order */
	uint32_t nosys_count[SVM_KSTATS_NOSYS];
};

/*
 * The read-only root file tree (--root, --file) the monitor writes into
 * guest memory before the guest runs; the guest kernel serves open, stat,
 * getdents, readlink... from it and never asks the host for a file. It is a
 * struct svm_tree, then count struct svm_node (node 0 is "/"), then names
 * and file bytes. Every offset is from the start of the struct svm_tree and
 * lies inside its size; every index is below count.
 */
#define SVM_TREE_MAGIC 0x45455254u /* "TREE" */

struct svm_tree {
	uint32_t magic; /* SVM_TREE_MAGIC */
	uint32_t count; /* nodes */
	uint64_t size;  /* bytes of the whole image */
};

struct svm_node {
	uint32_t mode;   /* st_mode: S_IFDIR, S_IFREG, S_IFLNK or S_IFCHR, and
	                    the permission bits */
	uint32_t parent; /* node index; the root is its own parent */
	uint32_t child;  /* a directory's first entry; 0: none */
	uint32_t next;   /* the next entry of the same directory; 0: none */
	uint32_t name;   /* offset of the NUL-terminated name ("" for "/") */
	uint32_t rdev;   /* S_IFCHR: major << 8 | minor (1:3 null, 1:5 zero,
	                    1:8 random, 1:9 urandom) */
	uint64_t size;   /* S_IFREG: bytes; S_IFLNK: target length */
	uint64_t data;   /* S_IFREG: offset of the bytes; S_IFLNK: of the
	                    target (not NUL-terminated) */
	uint64_t mtime;  /* seconds since the epoch */
};

#endif
