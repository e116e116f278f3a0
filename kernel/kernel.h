/* kernel.h: internal interfaces of the guest kernel (Linux system calls in the
 * VM). */
#ifndef KERNEL_H
#define KERNEL_H

#include <stddef.h>
#include <stdint.h>

#include "svm_abi.h"
#include "uapi.h"

#define KPAGE 4096ul
#define PAGE_UP(x) (((x) + KPAGE - 1) & ~(KPAGE - 1))
#define PAGE_DOWN(x) ((x) & ~(KPAGE - 1))

/* The boot info the monitor wrote (read-only), set by kmain(). */
extern const struct svm_bootinfo *boot;

/* lib.c: the freestanding basics (no SSE: the kernel keeps the program's). */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);

/*
 * hcall.c: the hypercalls (a 32-bit out of the argument struct's address).
 * hc_write writes len bytes to the monitor's fd 1 or 2: 0 or -1 (a call's
 * answer may be held back for hc_exit, which hands it over). hc_read
 * reads up to len bytes of input: the count, 0 at its end, -1; *eof_next
 * says the next read would get the end (the monitor knows). hc_random
 * fills len <= SVM_RANDOM_MAX bytes: 0 or -1. hc_populate asks the monitor
 * to back whole fresh pages of the brk and mmap area (a hint). hc_exit does
 * not return.
 */
int hc_write(int fd, const void *buf, size_t len);
long hc_read(void *buf, size_t len, int *eof_next);
int hc_random(void *buf, size_t len);
void hc_populate(uint64_t addr, uint64_t len);
_Noreturn void hc_exit(int status);

/* kprintf: a line for the trace and for panics, on fd 2; %s %d %u %x %lx %ld
 * %lu %p %c. */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
size_t ksnprintf(char *buf, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* kpanic: the guest kernel found itself broken: say why, exit 127. */
_Noreturn void kpanic(const char *why);

/*
 * User memory. user_ok: whether [addr, addr + len) lies in memory the
 * program may read (or write, with write set): its own segments, the tree
 * (read only), brk, its mappings and its stack, checked without overflow.
 * The copy helpers check first and return 0 or -EFAULT.
 */
int user_ok(uint64_t addr, uint64_t len, int write);
long copy_from_user(void *dst, uint64_t src, size_t len);
long copy_to_user(uint64_t dst, const void *src, size_t len);
/* user_string: copy a NUL-terminated string of at most cap - 1 bytes:
 * its length, -EFAULT, or -ENAMETOOLONG. */
long user_string(char *dst, uint64_t src, size_t cap);

/* mem.c: brk, mmap and friends; mem_init from the boot info. */
void mem_init(void);
/* kalloc: pages for the kernel itself (pipe buffers), zeroed; 0 if none. */
uint64_t kalloc(uint64_t len);
void kfree(uint64_t addr, uint64_t len);

/* fs.c: the file tree and the fd table; fs_init from the boot info. */
void fs_init(void);
/*
 * fs_mappable: the tree file open on fd, for mmap: 0 and *node, -EBADF,
 * -ENODEV (not a regular file), or -EACCES for a shared writable mapping
 * (the tree is read-only).
 */
long fs_mappable(int fd, int shared_write, const struct svm_node **node);
/* fs_set_cwd: start in path if the tree has it as a directory, else "/". */
void fs_set_cwd(const char *path);
/* fs_data: the first byte of a regular file node's contents. */
const uint8_t *fs_data(const struct svm_node *n);

/* time.c: ns since the monitor started the guest, and since the epoch. */
uint64_t now_mono_ns(void);
uint64_t now_real_ns(void);

/*
 * The system-call table (table.c). A handler takes the six argument
 * registers as integers and returns a value or -errno. status says how far
 * Linux's semantics are kept; note says where they are not (table.c is the
 * compatibility document, gVisor style).
 */
typedef long (*sys_fn)(long, long, long, long, long, long);

enum sys_status {
	SYS_FULL,    /* as Linux */
	SYS_PARTIAL, /* as Linux, but see the note */
	SYS_REFUSED, /* always the errno in the note, as Linux could answer */
};

struct sys_entry {
	const char *name;
	sys_fn fn;
	enum sys_status status;
	const char *args; /* one letter per argument, for the trace (trace.c):
	                     d decimal, x hex, p pointer, s string, f fd, o
	                     open flags */
	const char *note;
};

#define SYS_MAX 450
extern const struct sys_entry sys_table[SYS_MAX];

/* signal.c: whether sig is ignored (SIG_IGN, or ignored by default). */
int sig_ignored(int sig);

/* The one entry from the stub in entry.S. */
long sys_dispatch(long nr, long a0, long a1, long a2, long a3, long a4,
    long a5);

/* trace.c: print one call with its decoded arguments and result. */
void trace_call(long nr, const long a[6], long ret);

/* The handlers, one file per subsystem. */
#define SYS(name) long sys_##name(long, long, long, long, long, long)
/* proc.c */
SYS(exit);
SYS(exit_group);
SYS(getpid);
SYS(gettid);
SYS(getppid);
SYS(getuid);
SYS(getgid);
SYS(geteuid);
SYS(getegid);
SYS(getresuid);
SYS(getresgid);
SYS(getgroups);
SYS(setuid);
SYS(uname);
SYS(arch_prctl);
SYS(set_tid_address);
SYS(set_robust_list);
SYS(get_robust_list);
SYS(rseq);
SYS(prlimit64);
SYS(getrlimit);
SYS(setrlimit);
SYS(sched_getaffinity);
SYS(sched_yield);
SYS(getrandom);
SYS(sysinfo);
SYS(getpgrp);
SYS(getpgid);
SYS(getsid);
SYS(setpgid);
SYS(setsid);
SYS(umask);
SYS(prctl);
SYS(getrusage);
SYS(times);
SYS(getpriority);
SYS(membarrier);
SYS(futex);
SYS(wait4);
SYS(kill);
SYS(tgkill);
SYS(tkill);
/* mem.c */
SYS(brk);
SYS(mmap);
SYS(munmap);
SYS(mremap);
SYS(mprotect);
SYS(madvise);
SYS(mlock);
SYS(munlock);
SYS(msync);
SYS(mincore);
/* fs.c */
SYS(read);
SYS(write);
SYS(readv);
SYS(writev);
SYS(pread64);
SYS(pwrite64);
SYS(preadv);
SYS(open);
SYS(openat);
SYS(close);
SYS(lseek);
SYS(fstat);
SYS(stat);
SYS(lstat);
SYS(newfstatat);
SYS(statx);
SYS(dup);
SYS(dup2);
SYS(dup3);
SYS(fcntl);
SYS(ioctl);
SYS(getcwd);
SYS(chdir);
SYS(fchdir);
SYS(access);
SYS(faccessat);
SYS(faccessat2);
SYS(readlink);
SYS(readlinkat);
SYS(getdents64);
SYS(pipe);
SYS(pipe2);
SYS(poll);
SYS(ppoll);
SYS(select);
SYS(pselect6);
SYS(fsync);
SYS(fdatasync);
SYS(statfs);
SYS(fstatfs);
SYS(fadvise64);
SYS(ftruncate);
SYS(unlink);
SYS(unlinkat);
SYS(mkdir);
SYS(mkdirat);
SYS(rename);
SYS(renameat);
SYS(rmdir);
SYS(creat);
SYS(chmod);
SYS(fchmod);
SYS(fchmodat);
SYS(chown);
SYS(fchown);
SYS(fchownat);
SYS(lchown);
SYS(utimensat);
SYS(symlink);
SYS(link);
SYS(flock);
SYS(sendfile);
SYS(copy_file_range);
SYS(close_range);
/* time.c */
SYS(clock_gettime);
SYS(clock_getres);
SYS(gettimeofday);
SYS(time);
SYS(nanosleep);
SYS(clock_nanosleep);
/* signal.c */
SYS(rt_sigaction);
SYS(rt_sigprocmask);
SYS(sigaltstack);
SYS(rt_sigreturn);
SYS(rt_sigsuspend);
SYS(rt_sigpending);
#undef SYS

#endif
