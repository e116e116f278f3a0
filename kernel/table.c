/*
 * table.c: the system-call table, which is also the compatibility document:
 * each entry says whether the call is kept as Linux has it (FULL), kept with
 * the differences its note gives (PARTIAL), or answered with the errno its
 * note gives (REFUSED). Every number not here returns -ENOSYS and is counted
 * for the monitor's --stats. (gVisor keeps such a table in linux64.go.)
 */
#include "kernel.h"

#define FULL(name, args)                                                       \
	[__NR_##name] = { #name, sys_##name, SYS_FULL, args, NULL }
#define PART(name, args, note)                                                 \
	[__NR_##name] = { #name, sys_##name, SYS_PARTIAL, args, note }
#define REFUSE(name, fn, args, note)                                           \
	[__NR_##name] = { #name, sys_##fn, SYS_REFUSED, args, note }

/* Refusals that share one answer. */
static long refuse_nosys(long a0, long a1, long a2, long a3, long a4, long a5)
{
	(void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	return -ENOSYS;
}

static long refuse_afnosupport(long a0, long a1, long a2, long a3, long a4,
    long a5)
{
	(void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	return -EAFNOSUPPORT;
}

static long refuse_perm(long a0, long a1, long a2, long a3, long a4, long a5)
{
	(void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	return -EPERM;
}

#define sys_refuse_nosys refuse_nosys
#define sys_refuse_afnosupport refuse_afnosupport
#define sys_refuse_perm refuse_perm

static const char ROFS[] = "the root tree is read-only: EROFS, after ENOENT "
                           "for a missing path";

const struct sys_entry sys_table[SYS_MAX] = {
	/* files */
	PART(read, "fpd",
	    "stdin is the monitor's (in function mode the "
	    "call's input); an empty pipe whose write end is "
	    "open gives EAGAIN (one thread: nobody could fill it)"),
	PART(write, "fpd",
	    "to stdout, stderr (the monitor's), pipes and "
	    "/dev/null; files of the tree: EBADF (read-only)"),
	FULL(readv, "fpd"),
	PART(writev, "fpd",
	    "as write; to stdout and stderr at most 64 KiB in "
	    "one hypercall"),
	FULL(pread64, "fpdd"),
	PART(pwrite64, "fpdd", "EBADF on the tree's files, ESPIPE elsewhere"),
	FULL(preadv, "fpdd"),
	PART(open, "sod", "read-only: a write or create open is EROFS"),
	PART(openat, "fsod", "as open"),
	PART(creat, "sd", "EROFS"),
	FULL(close, "f"),
	FULL(close_range, "ddx"),
	FULL(lseek, "fdd"),
	PART(fstat, "fp", "stdin, stdout and stderr look like pipes"),
	FULL(stat, "sp"),
	FULL(lstat, "sp"),
	FULL(newfstatat, "fspx"),
	PART(statx, "fsxxp", "the basic fields; birth time and mount id 0"),
	FULL(dup, "f"),
	FULL(dup2, "ff"),
	FULL(dup3, "ffx"),
	PART(fcntl, "fdx",
	    "locks always granted (one process); no leases or "
	    "signals; O_APPEND and O_NONBLOCK kept, unused"),
	PART(ioctl, "fxp",
	    "nothing is a terminal: ENOTTY (TCGETS, TIOCGWINSZ "
	    "...); FIONREAD, FIOCLEX, FIONBIO"),
	FULL(getcwd, "pd"),
	FULL(chdir, "s"),
	FULL(fchdir, "f"),
	PART(access, "sd", "W_OK is EROFS but on devices"),
	PART(faccessat, "fsd", "as access"),
	PART(faccessat2, "fsdx", "as access"),
	PART(readlink, "spd",
	    "/proc/self/exe names the program's guest path, "
	    "which is a file only if the tree holds it"),
	PART(readlinkat, "fspd", "as readlink"),
	FULL(getdents64, "fpd"),
	PART(pipe, "p", "within the program, 64 KiB; see read and write"),
	PART(pipe2, "px", "as pipe"),
	PART(poll, "pdd",
	    "never waits: everything but an empty pipe is ready "
	    "(stdin: the monitor blocks for it on read)"),
	PART(ppoll, "pdpp", "as poll"),
	PART(select, "dpppp", "as poll"),
	PART(pselect6, "dppppp", "as poll"),
	PART(sendfile, "ffpd",
	    "from the tree's files to stdout and stderr; "
	    "else EINVAL (callers fall back to read/write)"),
	REFUSE(copy_file_range, copy_file_range, "ffpfpd",
	    "EXDEV: callers fall back to read and write"),
	PART(fsync, "f", "nothing to sync"),
	PART(fdatasync, "f", "as fsync"),
	PART(fadvise64, "fddd", "a hint, ignored"),
	PART(flock, "fd", "always granted (one process)"),
	PART(statfs, "sp", "a read-only file system"),
	PART(fstatfs, "fp", "as statfs"),
	REFUSE(unlink, unlink, "s", ROFS),
	REFUSE(unlinkat, unlinkat, "fsx", ROFS),
	REFUSE(rmdir, rmdir, "s", ROFS),
	REFUSE(mkdir, mkdir, "sd", ROFS),
	REFUSE(mkdirat, mkdirat, "fsd", ROFS),
	REFUSE(rename, rename, "ss", ROFS),
	REFUSE(renameat, renameat, "fsfs", ROFS),
	REFUSE(symlink, symlink, "ss", ROFS),
	REFUSE(link, link, "ss", ROFS),
	REFUSE(chmod, chmod, "sd", ROFS),
	REFUSE(fchmod, fchmod, "fd", ROFS),
	REFUSE(fchmodat, fchmodat, "fsd", ROFS),
	REFUSE(chown, chown, "sdd", ROFS),
	REFUSE(fchown, fchown, "fdd", ROFS),
	REFUSE(fchownat, fchownat, "fsddx", ROFS),
	REFUSE(lchown, lchown, "sdd", ROFS),
	REFUSE(utimensat, utimensat, "fspx", ROFS),
	REFUSE(ftruncate, ftruncate, "fd", ROFS),

	/* memory */
	PART(brk, "p", "pages brk gives back read as zero when it grows again"),
	PART(mmap, "pdxxfd",
	    "anonymous memory, and private copies of the "
	    "tree's files (a shared writable file mapping: "
	    "EACCES); MAP_FIXED only above brk; PROT_EXEC "
	    "memory is not executable (no JIT)"),
	PART(munmap, "pd",
	    "mappings only: the program's segments, brk and "
	    "stack stay"),
	PART(mremap, "pddx",
	    "MREMAP_MAYMOVE; MREMAP_FIXED and DONTUNMAP: "
	    "EINVAL"),
	PART(mprotect, "pdx",
	    "not enforced: rights stay as loaded (text RX, "
	    "data RW, the rest RW and never executable)"),
	PART(madvise, "pdd", "MADV_DONTNEED zeroes; the others are hints"),
	PART(mlock, "pd", "nothing is swapped inside the VM"),
	PART(munlock, "pd", "as mlock"),
	PART(msync, "pdx", "nothing to write back"),
	PART(mincore, "pdp", "every page is resident"),

	/* the process */
	PART(exit, "d", "ends the run with the status (one thread)"),
	FULL(exit_group, "d"),
	PART(getpid, "", "1"),
	PART(gettid, "", "1"),
	PART(getppid, "", "0"),
	PART(getuid, "", "0: the VM's own root"),
	PART(getgid, "", "0"),
	PART(geteuid, "", "0"),
	PART(getegid, "", "0"),
	PART(getresuid, "ppp", "0"),
	PART(getresgid, "ppp", "0"),
	PART(getgroups, "dp", "none"),
	PART(setuid, "d", "0 only; else EPERM"),
	PART(getpgrp, "", "1"),
	PART(getpgid, "d", "1"),
	PART(setpgid, "dd", "to itself only"),
	PART(getsid, "d", "1"),
	PART(setsid, "", "EPERM: already the session leader"),
	FULL(umask, "x"),
	PART(uname, "p", "Linux 6.1.0-svm-sandbox x86_64, host svm-sandbox"),
	PART(arch_prctl, "xp", "ARCH_SET/GET_FS/GS (wrfsbase, no exit)"),
	PART(set_tid_address, "p", "kept; no thread ever exits to clear it"),
	PART(set_robust_list, "pd", "kept, never walked (one thread)"),
	PART(get_robust_list, "dpp", "as set"),
	REFUSE(rseq, rseq, "pdxx", "ENOSYS: libcs do without"),
	PART(prlimit64, "dxpp",
	    "reports the VM's limits (stack, 256 files, "
	    "memory); lowered limits are kept, not enforced"),
	PART(getrlimit, "xp", "as prlimit64"),
	PART(setrlimit, "xp", "as prlimit64"),
	PART(sched_getaffinity, "ddp", "one CPU"),
	FULL(sched_yield, ""),
	PART(getpriority, "dd", "nice 0"),
	PART(getrandom, "pdx",
	    "from the host for every call (a snapshot "
	    "never replays it); never blocks"),
	PART(sysinfo, "p", "guest memory as RAM, no swap, one process"),
	PART(prctl, "dpxxx", "PR_SET_NAME, PR_GET_NAME; the rest EINVAL"),
	PART(getrusage, "dp", "user time is the run's time; no other counts"),
	PART(times, "p", "as getrusage"),
	PART(membarrier, "dxd", "none supported (MEMBARRIER_CMD_QUERY: 0)"),
	PART(futex, "pxdpxx",
	    "one thread: WAIT on a changed value is EAGAIN, "
	    "else EDEADLK (nobody could wake it); WAKE 0"),
	PART(wait4, "dpxp", "ECHILD: there are no children"),
	PART(kill, "dd",
	    "to itself: ends the run with 128 + sig, unless the "
	    "signal is ignored; never delivered to a handler"),
	PART(tgkill, "ddd", "as kill"),
	PART(tkill, "dd", "as kill"),
	REFUSE(clone, refuse_nosys, "xppp", "ENOSYS: one thread, no processes"),
	REFUSE(clone3, refuse_nosys, "pd", "ENOSYS"),
	REFUSE(fork, refuse_nosys, "", "ENOSYS"),
	REFUSE(vfork, refuse_nosys, "", "ENOSYS"),
	REFUSE(execve, refuse_nosys, "spp",
	    "ENOSYS: the monitor starts the "
	    "program"),
	REFUSE(execveat, refuse_nosys, "fsppx", "ENOSYS"),
	REFUSE(socket, refuse_afnosupport, "ddd", "EAFNOSUPPORT: no network"),
	REFUSE(socketpair, refuse_afnosupport, "dddp", "EAFNOSUPPORT"),
	REFUSE(mount, refuse_perm, "sssxp", "EPERM"),
	REFUSE(setns, refuse_perm, "fx", "EPERM"),
	REFUSE(unshare, refuse_perm, "x", "EPERM"),

	/* time */
	PART(clock_gettime, "dp",
	    "from the TSC, no exit; the CPU-time clocks "
	    "count the run's time"),
	PART(clock_getres, "dp", "1 ns"),
	PART(gettimeofday, "pp", "UTC"),
	FULL(time, "p"),
	PART(nanosleep, "pp", "spins on the TSC; --timeout still ends it"),
	PART(clock_nanosleep, "dxpp", "as nanosleep"),

	/* signals */
	PART(rt_sigaction, "dppd",
	    "kept and reported; nothing delivers a "
	    "signal inside the VM (see kill)"),
	PART(rt_sigprocmask, "dppd", "kept"),
	PART(rt_sigpending, "pd", "none"),
	PART(sigaltstack, "pp", "kept"),
	PART(rt_sigreturn, "", "no signal frame: the guest kernel stops"),
	PART(rt_sigsuspend, "pd", "waits for ever (--timeout ends it)"),
};
