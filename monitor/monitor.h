/* monitor.h: internal interfaces of the svm-sandbox monitor library. */
#ifndef MONITOR_H
#define MONITOR_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include "svm_abi.h"

/* Linux 5.14; musl's headers may predate it. */
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

/*
 * How a run ended. The CLI maps each to its exit status (main.c); the
 * library itself never exits.
 */
enum svm_end {
	SVM_END_EXIT, /* the app called exit; vm->app_status holds its status */
	SVM_END_FAULT, /* CPU exception in the app; vm->fault holds the details
	                */
	SVM_END_SHUTDOWN,    /* triple fault */
	SVM_END_GUEST_ERROR, /* the guest broke the ABI (port, hypercall, args)
	                      */
	SVM_END_MONITOR_ERROR, /* host-side failure during the run */
	SVM_END_TIMEOUT,       /* --timeout passed */
	SVM_END_OUTPUT_LIMIT,  /* the app wrote more than --max-output */
	SVM_END_SIGNAL, /* SIGINT, SIGTERM or SIGHUP; vm->stop_signal says which
	                 */
	SVM_END_READY,  /* function mode: the app is ready for calls */
	SVM_END_DONE,   /* function mode: the app finished a call */
};

/* Exit statuses of the CLI; README.md and --help list the same table. */
#define SVM_STATUS_BAD_APP 1
#define SVM_STATUS_USAGE 2
#define SVM_STATUS_MONITOR 3
#define SVM_STATUS_FAULT 250
#define SVM_STATUS_SHUTDOWN 251
#define SVM_STATUS_GUEST_ERROR 252
#define SVM_STATUS_TIMEOUT 124 /* as timeout(1) */
#define SVM_STATUS_OUTPUT_LIMIT 125
/* A stop signal ends the run with 128 + the signal, as a shell reports it. */

/* Exits counted for --stats, by kind. */
enum svm_exit_kind {
	SVM_EXIT_IO,
	SVM_EXIT_HLT,
	SVM_EXIT_SHUTDOWN,
	SVM_EXIT_MMIO,
	SVM_EXIT_INTR, /* a signal kicked the vCPU out */
	SVM_EXIT_OTHER,
	SVM_EXIT_KINDS
};

/* What --stats reports; the *_ns times are wall-clock. */
struct svm_stats {
	uint64_t exits[SVM_EXIT_KINDS];
	uint64_t hypercalls[SVM_HC_PORT_COUNT];
	uint64_t setup_ns;       /* vm_create() and lockdown */
	uint64_t guest_ns;       /* inside the run ioctl */
	uint64_t monitor_ns;     /* in the exit loop, outside the run ioctl */
	uint64_t pages_resident; /* guest pages in host memory at the end */
};

#define SVM_ERR_LEN 256

/* A checked-out PT_LOAD segment, where it goes in guest memory. */
struct elf_seg {
	uint64_t vaddr; /* p_vaddr plus the image's bias */
	uint64_t memsz, offset, filesz;
	uint32_t flags; /* PF_R | PF_W | PF_X, as in the ELF file */
	unsigned phdr;  /* its program header's index, for messages */
};

#define ELF_MAX_SEGS 8
#define SVM_PF_W 2 /* PF_W, without pulling <elf.h> into every file */

/* What elf_parse() found in a program file; all fields already checked. */
struct elf_image {
	uint16_t type; /* ET_EXEC, or ET_DYN for a static-PIE */
	/*
	 * Added (mod 2^64) to every address of the file: 0 for ET_EXEC; for
	 * ET_DYN what puts the page of its lowest segment at SVM_PIE_BASE.
	 */
	uint64_t bias;
	uint64_t entry; /* e_entry plus the bias: AT_ENTRY */
	uint64_t end;   /* page-rounded end of the highest segment */
	/*
	 * AT_PHDR: the guest address of the program headers where a segment
	 * loads them from the file, else 0: then the monitor copies the
	 * phnum * phentsize bytes at file offset phoff itself (AT_PHNUM and
	 * AT_PHENT are phnum and phentsize).
	 */
	uint64_t phdr;
	uint64_t phoff;
	uint16_t phnum, phentsize;
	/* PT_TLS: the program sets up its thread pointer itself, from it. */
	bool tls;
	unsigned nsegs;
	struct elf_seg segs[ELF_MAX_SEGS];
};

/*
 * elf_parse: check the program file image (file, len bytes) against guest
 * memory of mem_size bytes, its segments from lowest up (SVM_PROGRAM_MIN
 * for a program, SVM_LOAD_MIN for the guest kernel), and fill *img. Accepts
 * static ELF64 x86-64 ET_EXEC and static-PIE ET_DYN files. Segments may share a
 * page (it gets the union of their rights, which is never writable and
 * executable) but no byte. Returns 0, or -1 with a one-line reason in err
 * (errlen bytes). Reads only inside [file, file + len).
 */
int elf_parse(const uint8_t *file, size_t len, uint64_t mem_size,
    uint64_t lowest, struct elf_image *img, char *err, size_t errlen);

/*
 * elf_page_flags: whether a segment of img lies (partly) in the page of
 * guest address gpa; if so *flags is the union of the PF_* rights of every
 * such segment: what the page must allow.
 */
bool elf_page_flags(const struct elf_image *img, uint64_t gpa, uint32_t *flags);

/*
 * The root file tree (tree.c): --root DIR, the program's read-only "/", and
 * --file HOSTPATH:GUESTPATH, plus /dev and /proc/self/exe, made into one
 * struct svm_tree image (svm_abi.h) in guest memory. Built before the
 * lockdown: reads the host tree when added (metadata only) and opens each
 * file again when the image is written, so no file is held in the monitor's
 * memory. Never follows a symlink inside --root, and never opens a device.
 * Every function that takes err returns 0, or -1 with a one-line reason in
 * err (errlen bytes); after an error the tree may hold part of what was
 * being added, and is only good for tree_free(). Limits: 2^20 entries,
 * 64 path components, paths of 4095 bytes, names of 255 (PATH_MAX and
 * NAME_MAX as in Linux).
 */
struct tree;

/* tree_new: an empty tree: "/" only (0755). NULL if out of memory. */
struct tree *tree_new(void);

/*
 * tree_add_root: copy host directory host_dir (followed if it is a symlink:
 * the user named it) as "/": directories, regular files (size, permission
 * bits, mtime) and symlinks (their target verbatim); a FIFO, device or
 * socket in it is an error. At most once, before anything else is added.
 */
int tree_add_root(struct tree *t, const char *host_dir, char *err,
    size_t errlen);

/*
 * tree_add_file: add host file host (a regular file, through symlinks as
 * the user named it) at guest path guest: absolute, without empty, "." or
 * ".." components; missing parents become directories (0755), existing
 * ones are merged into; an existing entry there, or a parent that is not a
 * directory (a symlink included), is an error.
 */
int tree_add_file(struct tree *t, const char *host, const char *guest,
    char *err, size_t errlen);

/*
 * tree_add_file_arg: tree_add_file() from --file's argument HOST:GUEST,
 * split at the last ':' followed by '/' (a host path may hold ':').
 */
int tree_add_file_arg(struct tree *t, const char *arg, char *err,
    size_t errlen);

/*
 * tree_add_defaults: add the character devices /dev/null (1:3), zero (1:5),
 * random (1:8), urandom (1:9) and the symlink /proc/self/exe to the guest
 * path exe_guest_path (checked as tree_add_file's guest), merged into any
 * /dev, /proc, /proc/self the tree has; one of them already there is an
 * error. Once, after tree_add_root() and tree_add_file().
 */
int tree_add_defaults(struct tree *t, const char *exe_guest_path, char *err,
    size_t errlen);

/* tree_size: bytes of t's image (UINT64_MAX if that overflows). */
uint64_t tree_size(const struct tree *t);

/*
 * tree_write: write t's image to dst, which has avail bytes (a tree larger
 * than that is refused, with both sizes). Each file is opened again (from
 * its parent directory's fd, with O_NOFOLLOW, under --root) and must be the
 * very file seen when it was added, same size and mtime, or the write
 * fails. Entries of a directory come sorted by name, the image is the same
 * for the same host tree.
 */
int tree_write(struct tree *t, uint8_t *dst, uint64_t avail, char *err,
    size_t errlen);

/* tree_free: release t (NULL is fine), closing --root's directory. */
void tree_free(struct tree *t);

/* Paging for the guest: svmk lets the monitor choose; KVM decides itself. */
enum svm_paging {
	SVM_PAGING_DEFAULT,
	SVM_PAGING_TDP,
	SVM_PAGING_SHADOW,
};

/*
 * The program's registers, for the debugger (gdb.c), core files (core.c)
 * and fault reports: the general registers, RIP and RFLAGS, the selectors,
 * the FS and GS bases and CR2.
 */
struct svm_cpu {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rip, rflags;
	uint64_t cs, ss, ds, es, fs, gs;
	uint64_t fs_base, gs_base;
	uint64_t cr2; /* read only: the last page fault's address */
};

struct svm_vm;

/*
 * A hypercall handler: nr's argument struct is at guest-physical arg. Returns
 * 0 to resume the guest, or 1 when the run has ended (vm->end is set).
 */
typedef int (*svm_hypercall_fn)(struct svm_vm *vm, svm_gpa_t arg);

/* The VM: backend-neutral state plus an opaque pointer to the backend's. */
struct svm_vm {
	uint8_t *mem; /* host mapping of guest-physical [0, mem_size) */
	uint64_t mem_size;
	struct elf_image img;    /* the program */
	struct elf_image kernel; /* the guest kernel (kernel/), built in */
	svm_gpa_t entry, stack_top, bootinfo;
	/* Above the program (and the tree): brk and mmap, a guard page, the
	 * stack (svm_abi.h's layout). */
	svm_gpa_t heap_start, stack_bottom;
	svm_gpa_t tree_gpa; /* the root tree, or 0 */
	uint64_t tree_size;
	bool trace; /* --trace: the guest kernel prints each call */
	struct symtab *syms, *ksyms; /* the program's and the kernel's */
	enum svm_paging paging; /* set before vm_create() opens the backend */
	svm_hypercall_fn hypercalls[SVM_HC_PORT_COUNT];

	enum svm_end end;
	int app_status;
	struct svm_fault_frame fault;
	uint64_t fault_cr2;
	char err[SVM_ERR_LEN]; /* why the run ended, for every end but EXIT */

	const struct svm_backend *be;
	void *backend; /* the backend's own state */
	int vcpu_fd;   /* the fd the filter allows the run ioctl on */
	int vm_fd; /* the fd of the VM (the dirty log's, in function mode) */
	int in_fd; /* where the app's input comes from; -1: none */
	int request_fd, answer_fd; /* --serve's channel, or -1 */
	int out_fd[3]; /* where the app's fds 1 and 2 go ([0] unused) */

	/* Limits from the config; 0 means none. */
	uint64_t timeout_ms, max_output;
	uint64_t output_bytes; /* written so far through the write hypercall */
	/*
	 * A stop signal sets stop_signal, the timer timed_out; both set *kick
	 * (the backend's "leave the guest now" byte, e.g.
	 * kvm_run.immediate_exit) and write a byte to wake[1]; the loop then
	 * ends the run through vm_check_stop(), and vm_wait() wakes.
	 */
	volatile sig_atomic_t stop_signal, timed_out;
	/* --gdb: SIGIO said gdb sent something while the program ran. */
	volatile sig_atomic_t gdb_io;
	volatile uint8_t *kick;
	int wake[2]; /* a non-blocking pipe, from vm_start_limits() */
	timer_t timer;
	bool have_timer;
	pid_t timer_tid; /* the thread the timer signals */

	bool want_stats;
	struct svm_stats stats;

	/*
	 * Debugging, plain runs only: --core (core.c): the unnamed file it is
	 * written to, FILE's directory and /proc/self/fd, for linkat. -1
	 * where unused.
	 */
	struct core *core;
	int core_fd, core_dir, proc_fd;
	/* --gdb (gdb.c): the stub's state and its connection (or -1). */
	struct gdb *gdb;
	int gdb_fd;
	/* The auxiliary vector as process.c wrote it: for core files. */
	uint64_t auxv[40];
	unsigned auxv_words;

	/* Function mode (call.c); serving is false until the app is ready. */
	bool serving, warm;
	/*
	 * How the app is served: SVM_SERVE_CALLS (it made the ready hypercall:
	 * svm_serve's protocol) or SVM_SERVE_STDIN (its first read of stdin
	 * came first: each call is its stdin, its stdout the answer, its exit
	 * the end). starting: vm_serve_start runs it to one of the two.
	 */
	enum { SVM_SERVE_CALLS = 1, SVM_SERVE_STDIN } serve_mode;
	bool starting;
	/* SVM_SERVE_STDIN, during a call: the request not yet read, and the
	 * caller's buffer taking stdout. */
	const uint8_t *req;
	size_t req_len, req_off;
	uint8_t *ans;
	size_t ans_cap, ans_len;
	bool serve_filter; /* from the config: lock down for function mode */
	svm_gpa_t call;    /* the app's struct svm_call */
	uint8_t *snap; /* guest memory as it was at READY (resident pages) */
	unsigned long *had; /* bitmap: pages copied into snap */
	unsigned long
	    *dirty; /* bitmap: pages to restore before the next call */
	bool need_reset;
	uint64_t pages_reset; /* pages restored by resets so far */
	bool reset_by_remap;  /* benchmark only: replace pages, not copy in */
	unsigned char
	    *residency;   /* mincore() vector, allocated before lockdown */
	unsigned recycle; /* from the config; 0 once the thread locks down */
};

/*
 * vm_gpa: the host pointer for guest range [gpa, gpa + len), or NULL if any
 * part of it is outside guest memory. Every guest address goes through here;
 * the overflow-checked sum keeps a wrapping gpa + len from passing.
 */
static inline void *vm_gpa(const struct svm_vm *vm, svm_gpa_t gpa, uint64_t len)
{
	uint64_t end;

	if (__builtin_add_overflow(gpa, len, &end) || end > vm->mem_size)
		return NULL;
	return vm->mem + gpa;
}

/*
 * vm_gpa_out: like vm_gpa(), for memory the monitor writes on the guest's
 * behalf: the whole range must lie in one region the guest itself may write
 * (a writable segment, the heap or the stack), so a hypercall cannot be used
 * to patch the program's text or the monitor's tables.
 */
static inline void *vm_gpa_out(const struct svm_vm *vm, svm_gpa_t gpa,
    uint64_t len)
{
	uint64_t guard = vm->stack_bottom - SVM_PAGE_SIZE;
	uint64_t end = gpa + len; /* checked by vm_gpa() before use */
	const struct elf_image *img[2] = { &vm->img, &vm->kernel };
	unsigned i, k;

	if (vm_gpa(vm, gpa, len) == NULL)
		return NULL;
	if ((gpa >= vm->heap_start && end <= guard) ||
	    (gpa >= vm->stack_bottom && end <= vm->mem_size))
		return vm->mem + gpa;
	/*
	 * The program's writable segments, and the guest kernel's data, in
	 * whole pages: the page tables let the guest write all of a writable
	 * segment's pages (the guest kernel's checks agree), and elf.c keeps
	 * them apart from executable ones.
	 */
	for (k = 0; k < 2; k++)
		for (i = 0; i < img[k]->nsegs; i++) {
			const struct elf_seg *s = &img[k]->segs[i];
			uint64_t lo = s->vaddr & ~(SVM_PAGE_SIZE - 1);
			uint64_t hi =
			    (s->vaddr + s->memsz + SVM_PAGE_SIZE - 1) &
			    ~(SVM_PAGE_SIZE - 1);

			if ((s->flags & SVM_PF_W) && gpa >= lo && end <= hi)
				return vm->mem + gpa;
		}
	return NULL;
}

/*
 * vm_stdin_pending: SVM_SERVE_STDIN: answer the read the snapshot stopped
 * in with the first bytes of the call's request (hypercall.c). 0, or 1 with
 * vm->end set.
 */
int vm_stdin_pending(struct svm_vm *vm);

/* vm_end: record how the run ended; returns 1 (the handler "stop" value). */
int vm_end(struct svm_vm *vm, enum svm_end end, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* What a run is made of; zero means the default or no limit. */
struct svm_config {
	const struct svm_backend *backend; /* NULL: KVM */
	enum svm_paging paging;
	uint64_t mem_size; /* bytes; 0: SVM_MEM_DEFAULT */
	uint64_t timeout_ms, max_output;
	bool stats;
	bool serve;   /* function mode: the filter allows the reset, and the
	               * VM gets what a reset needs (kvm.c, needs_cpuid) */
	int stdin_fd; /* the app's input (0 is fd 0) */
	int stdout_fd, stderr_fd; /* the app's output; 0 means 1 and 2 */
	/* --serve only: where requests come from and answers go (0 and 1);
	 * -1 (and 0 for both) where there is no such channel. */
	int request_fd, answer_fd;
	unsigned recycle; /* park up to this many wiped VMs (pool.c) */
	int envc;         /* the program's environment: envc strings */
	char *const *envp;
	const char *cwd;  /* its working directory; NULL: "/" */
	bool trace;       /* the guest kernel prints each system call */
	const char *root; /* --root: a host directory as the program's "/" */
	int nfiles;       /* --file: nfiles "HOSTPATH:GUESTPATH" */
	char *const *files;
	const char *exe; /* the program's guest path; NULL: from the path */
};

/*
 * vm_create: with cfg, map guest memory, load the app file at path, write
 * page tables, descriptor tables and the boot info with argv (argc strings),
 * and open the backend. Returns 0, or a SVM_STATUS_* code with a message in
 * err.
 */
int vm_create(struct svm_vm *vm, const struct svm_config *cfg, const char *path,
    int argc, char *const argv[], char *err, size_t errlen);

/* vm_create_image: as vm_create, from an app image of len bytes in memory;
 * name is for messages. */
int vm_create_image(struct svm_vm *vm, const struct svm_config *cfg,
    const char *name, const uint8_t *image, size_t len, int argc,
    char *const argv[], char *err, size_t errlen);

/*
 * vm_start_limits: make the calling thread the one that runs vm (signals kick
 * its vCPU) and create the --timeout timer, aimed at this thread (again if
 * another thread ran vm before). Call it after vm_create(), before the
 * seccomp lockdown, and on every thread that runs vm. Returns 0, or -1 with
 * err set.
 */
int vm_start_limits(struct svm_vm *vm, char *err, size_t errlen);

/*
 * vm_stop_limits: undo vm_start_limits (timer, wake pipe; signals no longer
 * reach vm). vm_destroy calls it.
 */
void vm_stop_limits(struct svm_vm *vm);

/*
 * vm_arm_timeout: start the timeout for a run or a call (no-op without one);
 * vm_disarm_timeout stops it. vm_arm_timeout returns 0, or -1 with vm->end
 * set.
 */
int vm_arm_timeout(struct svm_vm *vm);
void vm_disarm_timeout(struct svm_vm *vm);

/*
 * vm_catch_signals: let SIGINT, SIGTERM and SIGHUP end the run of the vm this
 * thread runs cleanly (status 128 + signal) instead of killing the process.
 * For the CLI; an embedder keeps its own handlers.
 */
int vm_catch_signals(void);

/*
 * vm_catch_io: SIGIO for fd (to this thread) kicks the vCPU out and sets
 * vm->gdb_io, so that gdb's interrupt reaches a program that never leaves
 * the guest. 0 or -1.
 */
int vm_catch_io(int fd);

/*
 * vm_check_stop: for backends, after the run ioctl was interrupted or before
 * it is retried: 1 if a stop signal or the timer ended the run (vm->end set),
 * else 0 (and the kick is cleared).
 */
int vm_check_stop(struct svm_vm *vm);

/*
 * vm_wait: before a read or write the monitor makes for the guest (or a
 * server for its runner) on fd: wait until fd is ready for events (POLLIN or
 * POLLOUT), or a stop signal or the timeout ends the run. Returns 0 when fd
 * is ready (or in error: the call reports it), 1 when the run has ended
 * (vm->end set). A signal that came before the wait still ends it.
 */
int vm_wait(struct svm_vm *vm, int fd, short events);

/*
 * vm_mark_written: note that the monitor wrote guest range [gpa, gpa + len)
 * on the app's behalf, so a reset restores it too (KVM logs only the
 * guest's own writes). Call only on ranges vm_gpa() accepted.
 */
void vm_mark_written(struct svm_vm *vm, svm_gpa_t gpa, uint64_t len);

/*
 * vm_serve_start: run the app until it is ready for calls (SVM_HC_READY, or
 * its first read of stdin: vm->serve_mode says which) and take the
 * snapshot. warm keeps the VM as the last call left it instead of
 * resetting it. Returns 0, or -1 with vm->end and vm->err saying why.
 */
int vm_serve_start(struct svm_vm *vm, bool warm);

/*
 * vm_call: one call: copy in (in_len bytes) into the app, run its handler,
 * copy up to out_cap bytes of its answer to out and the length it made to
 * *out_len, its status to *status. An app served by its stdin
 * (SVM_SERVE_STDIN) reads in as its whole input, its stdout is the answer
 * and its exit status the status. Resets the VM first when the previous
 * call needs it. Returns 0 when the handler answered; otherwise vm->end and
 * vm->err say how the call ended, and the next call starts from the
 * snapshot. -1 with vm->end SVM_END_MONITOR_ERROR when the VM is unusable.
 */
int vm_call(struct svm_vm *vm, const void *in, size_t in_len, void *out,
    size_t out_cap, size_t *out_len, int *status);

/*
 * vm_call_reset: put the VM back to the snapshot now if the last call left
 * it dirty, rather than at the start of the next call. The server does it
 * once an answer is sent: the next call then starts at once, and no call's
 * data stays in guest memory while the server waits. 0, or nonzero with
 * vm->end SVM_END_MONITOR_ERROR when the VM is unusable.
 */
int vm_call_reset(struct svm_vm *vm);

/*
 * vm_enter: one run ioctl of the backend on vm->vcpu_fd (the only request the
 * filter lets through), timed into vm->stats when --stats asked. Returns what
 * the ioctl returned, errno intact.
 */
int vm_enter(struct svm_vm *vm);

/* vm_now_ns: CLOCK_MONOTONIC in ns (vDSO: no syscall). */
uint64_t vm_now_ns(void);

/*
 * vm_print_stats: write vm->stats to fd as one line of text, or as JSON.
 * Counts resident guest pages first (mincore, which the filter allows on
 * guest memory only).
 */
void vm_print_stats(struct svm_vm *vm, int fd, bool json);

/*
 * vm_set_clock: for the boot info, the guest TSC runs at tsc_khz and reads
 * tsc_now at the wall-clock time of this call. Backends call it before entry.
 */
void vm_set_clock(struct svm_vm *vm, uint64_t tsc_khz, uint64_t tsc_now);

/* vm_destroy: release everything vm_create and the backend acquired. */
void vm_destroy(struct svm_vm *vm);

/*
 * The calling thread's parked VMs (pool.c). pool_take gives vm a parked VM
 * of its backend, paging and memory size (vm->mem and vm->backend set; the
 * backend's open then resets the vCPU instead of creating one): true, or
 * false if there is none. pool_put wipes vm's memory and parks its backend
 * state and memory for the thread's next vm_create: 0, or -1 if vm cannot
 * be parked (then vm_destroy frees it as usual). pool_drain frees the
 * thread's parked VMs; threads that exit drain theirs.
 */
bool pool_take(struct svm_vm *vm);
int pool_put(struct svm_vm *vm);
void pool_drain(void);

/*
 * process_write: the program's start (process.c): argv (argc strings) and
 * envp (envc) with the auxiliary vector on its stack, as Linux lays them
 * out, and the boot info for the guest kernel; exe and cwd are guest paths.
 * file is the program's ELF image. Returns 0, or -1 with err set.
 */
int process_write(struct svm_vm *vm, const uint8_t *file, int argc,
    char *const argv[], int envc, char *const envp[], const char *exe,
    const char *cwd, char *err, size_t errlen);

/*
 * Function symbols (symbols.c). symtab_read: those of an ELF file of len
 * bytes that elf_parse() accepted, moved by bias, copied; NULL if it has none
 * (or no memory). symtab_view: the same without a copy, for a file that
 * outlives the table (the built-in kernel). symtab_name: "name+0xoff" for
 * addr into buf: 0, or -1 when no function holds addr. symtab_free: NULL is
 * fine.
 */
struct symtab;
struct symtab *symtab_read(const uint8_t *file, size_t len, uint64_t bias);
struct symtab *symtab_view(const uint8_t *file, size_t len, uint64_t bias);
int symtab_name(const struct symtab *t, uint64_t addr, char *buf, size_t len);
void symtab_free(struct symtab *t);

/* The guest kernel's ELF image, built in (kernel_image.S). */
extern const uint8_t svm_kernel_image[];
extern const uint8_t svm_kernel_image_end[];
static inline size_t svm_kernel_size(void)
{
	return (size_t)(svm_kernel_image_end - svm_kernel_image);
}

/* x86_setup: build GDT, TSS, IDT, fault stubs and page tables in guest memory.
 */
int x86_setup(struct svm_vm *vm, char *err, size_t errlen);

/* Page-table entry bits, as x86_page_rights() returns them. */
#define X86_PTE_P (1ull << 0)
#define X86_PTE_W (1ull << 1)
#define X86_PTE_U (1ull << 2)
#define X86_PTE_NX (1ull << 63)

/*
 * x86_page_rights: the rights (X86_PTE_*) the monitor's page tables give
 * guest page gpa, 0 where they map nothing.
 */
uint64_t x86_page_rights(const struct svm_vm *vm, uint64_t gpa);

/*
 * x86_program_cpu: the program's registers now, into *c: the vCPU's
 * (be->get_cpu), but in a fault stub RIP, CS, RFLAGS, RSP and SS as the CPU
 * pushed them and RDX once the stub pushed it. Returns 1 in a stub, 0
 * elsewhere, -1 if they cannot be read.
 */
int x86_program_cpu(struct svm_vm *vm, struct svm_cpu *c);

/* Descriptor-table and paging constants x86_setup() uses, for the backends. */
#define X86_GDT 0x1000ull
#define X86_TSS 0x2000ull
#define X86_IDT 0x3000ull
#define X86_STUBS 0x4000ull
#define X86_BOOTINFO 0x5000ull /* up to X86_BOOTINFO_END, user read-only */
#define X86_BOOTINFO_END 0x8000ull
#define X86_KSTACK_TOP 0x9000ull /* one kernel-only page below it */
#define X86_PT_BASE 0x9000ull    /* page tables from here ... */
#define X86_PT_END SVM_LOAD_MIN  /* ... to here */

#define X86_SEL_KCODE 0x08
#define X86_SEL_KDATA 0x10
#define X86_SEL_UDATA 0x1b
#define X86_SEL_UCODE 0x23
#define X86_SEL_TSS 0x28
#define X86_GDT_ENTRIES 7
#define X86_TSS_SIZE 104
#define X86_IOPB_BYTES ((SVM_HC_PORT_BASE + SVM_HC_PORT_COUNT + 7) / 8 + 1)
#define X86_TSS_LIMIT (X86_TSS_SIZE + X86_IOPB_BYTES - 1)
#define X86_IDT_ENTRIES 32

#define X86_CR0 0x80050033ull /* PG WP NE ET MP PE */
#define X86_CR4 0x620ull      /* OSXMMEXCPT OSFXSR PAE */
#define X86_CR4_FSGSBASE 0x10000ull
#define X86_EFER 0xd01ull /* NXE LMA LME SCE */
/*
 * `syscall` goes to the guest kernel (LSTAR = SVM_KERNEL_SYSCALL) with CS
 * 0x08 and SS 0x10, and clears IF, DF, TF, AC and NT; its sysretq comes
 * back with SS 0x10 + 8 = 0x1b and CS 0x10 + 16 = 0x23 (STAR[63:48]).
 */
#define X86_STAR ((uint64_t)X86_SEL_KDATA << 48 | (uint64_t)X86_SEL_KCODE << 32)
#define X86_SFMASK 0x44700ull

/*
 * x86_tss_type: the TR type to enter with: 11 (busy) on Intel, where VM entry
 * demands it; 9 (available) on AMD, where SVM does not care and QEMU's
 * emulated SVM applies the TSS I/O bitmap (which opens the hypercall ports to
 * user mode) only for type 9.
 */
unsigned x86_tss_type(void);

/*
 * x86_cr4: the guest's CR4: X86_CR4, plus FSGSBASE where the CPU has it, so
 * that a guest sets its TLS base (wrfsbase) without an exit on every
 * backend (PVM lets CPL 3 do so whatever the guest's CR4 says).
 */
uint64_t x86_cr4(void);

/* x86_hwcap: AT_HWCAP as Linux gives it on x86: CPUID leaf 1's EDX. */
uint32_t x86_hwcap(void);

/* x86_host_xcr0: the monitor's own XCR0 (0 without OSXSAVE). */
uint64_t x86_host_xcr0(void);

/*
 * The entry state for the app, at CPL 3 on the tables x86_setup() built.
 * Macros, because KVM's kvm_sregs/kvm_regs and svmk's svmk_sregs/svmk_regs
 * are different types with the same field names; sr and r start zeroed or as
 * the backend read them.
 */
#define X86_SEGMENT(seg, sel, typ, pl, code)                                   \
	do {                                                                   \
		memset(&(seg), 0, sizeof(seg));                                \
		(seg).selector = (sel);                                        \
		(seg).limit = 0xffffffff;                                      \
		(seg).type = (typ);                                            \
		(seg).present = 1;                                             \
		(seg).dpl = (pl);                                              \
		(seg).s = 1;                                                   \
		(seg).l = (code); /* 64-bit code; data ignores it */           \
		(seg).g = 1;                                                   \
	} while (0)

#define X86_ENTRY_SREGS(sr)                                                    \
	do {                                                                   \
		X86_SEGMENT((sr).cs, X86_SEL_UCODE, 11, 3, 1);                 \
		X86_SEGMENT((sr).ss, X86_SEL_UDATA, 3, 3, 0);                  \
		(sr).ds = (sr).es = (sr).fs = (sr).gs = (sr).ss;               \
		memset(&(sr).tr, 0, sizeof((sr).tr));                          \
		(sr).tr.selector = X86_SEL_TSS;                                \
		(sr).tr.base = X86_TSS;                                        \
		(sr).tr.limit = X86_TSS_LIMIT;                                 \
		(sr).tr.type = x86_tss_type();                                 \
		(sr).tr.present = 1;                                           \
		memset(&(sr).ldt, 0, sizeof((sr).ldt));                        \
		(sr).ldt.type = 2;                                             \
		(sr).ldt.unusable = 1;                                         \
		(sr).gdt.base = X86_GDT;                                       \
		(sr).gdt.limit = X86_GDT_ENTRIES * 8 - 1;                      \
		(sr).idt.base = X86_IDT;                                       \
		(sr).idt.limit = X86_IDT_ENTRIES * 16 - 1;                     \
		(sr).cr0 = X86_CR0;                                            \
		(sr).cr3 = X86_PT_BASE;                                        \
		(sr).cr4 = x86_cr4();                                          \
		(sr).efer = X86_EFER;                                          \
	} while (0)

/*
 * CS and SS of sr for a CS selector csel: the user's code and data (RPL 3)
 * or the kernel's, as the GDT has them. The same types for both backends.
 */
#define X86_CODE_SREGS(sr, csel)                                               \
	do {                                                                   \
		unsigned pl_ = 3 & (unsigned)(csel);                           \
		X86_SEGMENT((sr).cs, pl_ ? X86_SEL_UCODE : X86_SEL_KCODE, 11,  \
		    pl_, 1);                                                   \
		X86_SEGMENT((sr).ss, pl_ ? X86_SEL_UDATA : X86_SEL_KDATA, 3,   \
		    pl_, 0);                                                   \
	} while (0)

/* The general registers, RIP and RFLAGS from s into d, by name. */
#define X86_COPY_GPRS(d, s)                                                    \
	do {                                                                   \
		(d).rax = (s).rax, (d).rbx = (s).rbx, (d).rcx = (s).rcx;       \
		(d).rdx = (s).rdx, (d).rsi = (s).rsi, (d).rdi = (s).rdi;       \
		(d).rbp = (s).rbp, (d).rsp = (s).rsp, (d).r8 = (s).r8;         \
		(d).r9 = (s).r9, (d).r10 = (s).r10, (d).r11 = (s).r11;         \
		(d).r12 = (s).r12, (d).r13 = (s).r13, (d).r14 = (s).r14;       \
		(d).r15 = (s).r15, (d).rip = (s).rip, (d).rflags = (s).rflags; \
	} while (0)

/* The selectors and bases of sregs (KVM's or svmk's) into a struct svm_cpu. */
#define X86_COPY_SEGS(c, sr)                                                   \
	do {                                                                   \
		(c).cs = (sr).cs.selector, (c).ss = (sr).ss.selector;          \
		(c).ds = (sr).ds.selector, (c).es = (sr).es.selector;          \
		(c).fs = (sr).fs.selector, (c).gs = (sr).gs.selector;          \
		(c).fs_base = (sr).fs.base, (c).gs_base = (sr).gs.base;        \
		(c).cr2 = (sr).cr2;                                            \
	} while (0)

#define X86_ENTRY_REGS(r, vm)                                                  \
	do {                                                                   \
		memset(&(r), 0, sizeof(r));                                    \
		(r).rip = (vm)->entry;                                         \
		(r).rsp = (vm)->stack_top;                                     \
		(r).rdi = (vm)->bootinfo;                                      \
		(r).rflags = 0x2; /* IF clear: no interrupts */                \
	} while (0)

/*
 * A backend runs the vCPU: KVM (kvm.c) or the svmk module (svmk.c). open
 * creates the VM and vCPU over vm->mem and sets the entry registers; run is
 * the exit loop and returns when the run has ended (vm->end set), making only
 * syscalls the seccomp filter allows; regs reads rip, rsp and cr2 (0 or -1);
 * close frees the backend state. open and regs return 0 or -1 with err set.
 */
struct svm_backend {
	const char *name;
	int (*open)(struct svm_vm *vm, char *err, size_t errlen);
	/*
	 * Function mode (NULL where the backend lacks it). save: finish the
	 * pending exit, keep the vCPU state and start logging dirty pages;
	 * dirty: OR the pages written since the last call into bitmap (one
	 * bit a page) and clear the log; restore: finish the pending exit and
	 * put the vCPU back as save found it. All return 0 or -1.
	 */
	int (*save)(struct svm_vm *vm);
	int (*dirty)(struct svm_vm *vm, unsigned long *bitmap);
	int (*restore)(struct svm_vm *vm);
	/*
	 * park: make the VM reusable by another app (NULL where the backend
	 * cannot): finish the pending exit and stop the dirty log; open then
	 * resets every vCPU register an app can reach. 0 or -1.
	 */
	int (*park)(struct svm_vm *vm);
	/*
	 * resets: 0 if restore and a reused VM's open put back every
	 * register file a CPL-3 guest can write on this host, else -1 with
	 * what they miss in err (then the VM is neither served nor parked).
	 * NULL: the backend resets everything it lets a guest write.
	 */
	int (*resets)(struct svm_vm *vm, char *err, size_t errlen);
	void (*run)(struct svm_vm *vm);
	/*
	 * Debugging (gdb.c, core.c) and fault reports. finish: complete the
	 * exit the vCPU stopped on, so that its registers are the guest's
	 * (NULL where the backend does that before its run ioctl returns).
	 * get_cpu: the vCPU's registers as they are (in a fault stub, the
	 * stub's). set_cpu: load c into the vCPU, CS and SS with the
	 * descriptors of c's selectors (X86_SEL_*), the FS and GS bases and
	 * selectors as they are. 0 or -1.
	 */
	int (*finish)(struct svm_vm *vm);
	int (*get_cpu)(struct svm_vm *vm, struct svm_cpu *c);
	int (*set_cpu)(struct svm_vm *vm, const struct svm_cpu *c);
	void (*close)(struct svm_vm *vm);
	/* The only ioctls the filter allows, on vm->vcpu_fd, and their names.
	 */
	unsigned long ioctl_run, ioctl_regs, ioctl_sregs;
	const char *ioctl_names[3];
	/* Function mode's: set regs, set sregs, set FPU (vCPU fd), dirty log
	 * (VM fd); 0 for one the backend does not need. */
	unsigned long ioctl_serve[4];
	const char *ioctl_serve_names[4];
	/* --gdb's: set regs, set sregs (vCPU fd). */
	unsigned long ioctl_debug[2];
	const char *ioctl_debug_names[2];
};

extern const struct svm_backend svm_backend_kvm;
/*
 * Test builds only (svm-sandbox-test): XSAVE components a backend must
 * pretend it cannot reset, and parts of the reset to leave out, so that the
 * tests can show their checks fail without them.
 */
extern uint64_t svm_test_unreset;
extern unsigned svm_test_skip;
#define SVM_TEST_SKIP_XSAVE 1
#define SVM_TEST_SKIP_SEGMENTS 2
#define SVM_TEST_PAGEOUT 4     /* swap guest memory out before the snapshot */
#define SVM_TEST_SKIP_MEMORY 8 /* keep the pages a call dirtied as they are */
/* vm_destroy raises SIGALRM once the backend is closed and memory gone. */
#define SVM_TEST_LATE_SIGNAL 16
extern const struct svm_backend svm_backend_svmk;

/* call_init: the function-mode slots of the table, for a plain run. */
void call_init(struct svm_vm *vm);

/* hypercall_init: fill vm->hypercalls with the standard table. */
void hypercall_init(struct svm_vm *vm);

/* hypercall_register: put fn in slot nr. Returns 0, or -1 if nr is out of
 * range or the slot is taken. */
int hypercall_register(struct svm_vm *vm, unsigned nr, svm_hypercall_fn fn);

/*
 * vm_io: handle a port-I/O exit from any backend: port, size in bytes, out
 * for the direction, value (for an out), count (> 1 for rep). Returns 0 to
 * resume the guest, 1 when the run has ended.
 */
int vm_io(struct svm_vm *vm, uint16_t port, unsigned size, bool out,
    uint32_t value, uint32_t count);

/* svm_vector_signal: the Linux signal that CPU exception vector raises. */
int svm_vector_signal(uint64_t vector);

/* vm_rip: the guest's rip for error messages (0 if it cannot be read). */
uint64_t vm_rip(struct svm_vm *vm);

/*
 * seccomp_lockdown: install the run-loop filter for vm (its vCPU fd is the only
 * fd the run ioctl is allowed on; mincore only on its memory). Returns 0, or
 * -1 with a message in err.
 */
int seccomp_lockdown(const struct svm_vm *vm, char *err, size_t errlen);

/*
 * seccomp_export: the same filter as classic BPF into bpf (cap
 * instructions). Returns the instruction count, or -1 with err set.
 */
struct sock_filter;
ssize_t seccomp_export(const struct svm_vm *vm, struct sock_filter *bpf,
    size_t cap, char *err, size_t errlen);

/* seccomp_print: write the allowlist for backend be, with its rules, to fd. */
void seccomp_print(int fd, const struct svm_backend *be);

/*
 * Core files (core.c), plain runs only. core_open: before the lockdown,
 * prepare vm to write the program's core to path when the run ends by a
 * fault or the timeout: an unnamed file in path's directory (the check that
 * path can be made), that directory, /proc/self/fd, the PRPSINFO from argv
 * (argc strings, as the program has them) and the NT_FILE note from prog,
 * the program's file. 0, or -1 with err set. core_write: after the run, write
 * the core and give it path's name (replacing what was there), and add to
 * vm->err whether it did. core_signal: the Linux signal the core reports for
 * how the run ended.
 */
int core_open(struct svm_vm *vm, const char *path, const char *prog, int argc,
    char *const argv[], char *err, size_t errlen);
void core_write(struct svm_vm *vm);
int core_signal(const struct svm_vm *vm);

/*
 * The gdb stub (gdb.c), plain runs only. gdb_accept: before the lockdown,
 * listen on 127.0.0.1:port, wait for gdb's connection and put the first
 * stop (an int3) at the program's entry point; 0, or an exit status
 * (SVM_STATUS_*, 128+N for a stop signal) with err set. gdb_fault: for the
 * fault report just read into vm->fault: a breakpoint or a step is a stop,
 * served until gdb resumes; 0 to run the guest on, 1 if the run ends
 * (vm->end set), 2 for a fault to report as without gdb (gdb has seen it,
 * or is not there). gdb_end: tell gdb how the run ended.
 */
int gdb_accept(struct svm_vm *vm, unsigned port, char *err, size_t errlen);
int gdb_fault(struct svm_vm *vm);
void gdb_end(struct svm_vm *vm);
/*
 * gdb_interrupt: for the run loop, between exits, when vm->gdb_io is set: if
 * gdb sent its interrupt (^C), stop the program there. As gdb_fault, but
 * 0 also when there was nothing to do.
 */
int gdb_interrupt(struct svm_vm *vm);

/*
 * The CLI (main.c, serve.c; not in the library). svm_die: print
 * "svm-sandbox: MESSAGE" on stderr and exit with status. svm_end_status:
 * the exit status for how a run or call ended (the table in --help).
 * serve_main: --serve for vm, created and not yet run: serve calls from
 * vm->request_fd until the end of input (exit 0), or end the process with
 * the status and the END frame that says why.
 */
_Noreturn void svm_die(int status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int svm_end_status(const struct svm_vm *vm);

struct serve_opts {
	const char *app;      /* its path, for the READY frame */
	bool warm;            /* --warm */
	bool call_stats;      /* --call-stats: a STATS frame per call */
	uint64_t max_request; /* --max-request, --max-answer; 0: the app's */
	uint64_t max_answer;
};
_Noreturn int serve_main(struct svm_vm *vm, const struct serve_opts *o);

#endif
