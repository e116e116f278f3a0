#!/usr/bin/env python3
"""syscalls.py: summarises run.sh's strace traces: every system call each program made, with its argument forms.

syscalls.py TRACE_DIR [VDSO_DIR] [--chroot CHROOT_DIR]: reads
TRACE_DIR/index (NNN, program, case name), TRACE_DIR/NNN.trace (strace -f
output) and VDSO_DIR/NNN.vdso (vdso.py's counts of the calls strace cannot
see), and prints Markdown: for each program, one row per system call with
the number of calls, the number of cases that made it, and its distinct
argument forms, each with its result when that was an error; vDSO calls
are rows of their own. A form keeps what a kernel must decide on (flags,
requests, signals, clock ids, resources, paths) and drops what varies
from run to run (addresses, sizes, counts). Paths under the tree become
relative to it; execve, which the runner makes, not the program, is left
out. With --chroot, a last table compares the same cases traced under
chroot-runner.sh (the tree as a read-only /): the forms seen only there or
only natively, which is where a guest's answers will differ.
"""

import collections
import os
import re
import sys

LINE = re.compile(r"^(\d+)\s+(.*)$")
CALL = re.compile(r"^([a-z_0-9]+)\((.*)\)\s+=\s+(.*)$")
UNFINISHED = re.compile(r"^([a-z_0-9]+)\((.*) <unfinished \.\.\.>$")
RESUMED = re.compile(r"^<\.\.\. ([a-z_0-9]+) resumed>(.*)\)\s+=\s+(.*)$")


def split_args(s):
    """Splits an strace argument list at its top-level commas."""
    out, depth, cur, quote, esc = [], 0, [], False, False
    for ch in s:
        if quote:
            cur.append(ch)
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                quote = False
            continue
        if ch == '"':
            quote = True
        elif ch in "[{(":
            depth += 1
        elif ch in "]})":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append("".join(cur).strip())
            cur = []
            continue
        cur.append(ch)
    if cur:
        out.append("".join(cur).strip())
    return out


def result_of(ret):
    m = re.match(r"^-1 (E[A-Z0-9]+)", ret)
    if m:
        return m.group(1)
    m = re.match(r"^\? (ERESTART\w+|<unavailable>)", ret)
    return m.group(1) if m else ""


def path_of(arg, tree):
    if arg.startswith('"'):
        p = arg.strip('"')
        if tree and p.startswith(tree + "/"):
            p = "TREE/" + p[len(tree) + 1:]
        return '"%s"' % p
    return arg


def fd_of(arg):
    return "fd" if re.match(r"^\d+$", arg) and int(arg) > 2 else arg


def sigset(arg):
    return arg if arg in ("[]", "NULL", "~[]") else arg


def form(name, a, tree):
    """The argument form of one call, as text."""
    try:
        if name in ("open",):
            return "%s, %s" % (path_of(a[0], tree), a[1])
        if name == "openat":
            return "%s, %s, %s" % (a[0], path_of(a[1], tree), a[2])
        if name in ("stat", "lstat", "access", "readlink", "chdir", "unlink", "mkdir", "statfs",
                    "getcwd" if False else "_"):
            return path_of(a[0], tree) + ("" if len(a) < 2 or name in ("stat", "lstat", "statfs", "readlink") else ", " + a[1])
        if name in ("newfstatat", "fstatat64"):
            return "%s, %s, %s" % (a[0] if a[0] == "AT_FDCWD" else fd_of(a[0]), path_of(a[1], tree), a[3])
        if name == "statx":
            return "%s, %s, %s, %s" % (a[0] if a[0] == "AT_FDCWD" else fd_of(a[0]), path_of(a[1], tree), a[2], a[3])
        if name in ("faccessat", "faccessat2", "readlinkat", "unlinkat", "mkdirat"):
            return "%s, %s" % (a[0], path_of(a[1], tree))
        if name == "fstat":
            return fd_of(a[0])
        if name == "mmap":
            return "%s, %s, %s, %s" % ("NULL" if a[0] == "NULL" else "addr", a[2], a[3], fd_of(a[4]))
        if name == "mprotect":
            return a[2]
        if name == "madvise":
            return a[2]
        if name == "mremap":
            return a[3]
        if name == "brk":
            return "NULL" if a[0] == "NULL" else "addr"
        if name == "ioctl":
            return "%s, %s" % (fd_of(a[0]), a[1])
        if name == "rt_sigaction":
            m = re.search(r"sa_flags=([A-Z_|0-9]+)", a[1])
            h = re.search(r"sa_handler=([A-Z_]+|0x)", a[1])
            what = "NULL" if a[1] == "NULL" else "%s %s" % (
                "handler" if h and h.group(1) == "0x" else (h.group(1) if h else "?"),
                m.group(1) if m else "")
            return "%s, %s" % (a[0], what.strip())
        if name == "rt_sigprocmask":
            return "%s, %s" % (a[0], a[1])
        if name in ("clock_gettime", "clock_getres"):
            return a[0]
        if name == "clock_nanosleep":
            return "%s, %s" % (a[0], a[1])
        if name == "prlimit64":
            return "%s, %s, %s" % (a[0], a[1], "new" if a[2] != "NULL" else "NULL")
        if name in ("getrlimit", "setrlimit"):
            return a[0]
        if name == "fcntl":
            return "%s, %s%s" % (fd_of(a[0]), a[1], (", " + a[2]) if len(a) > 2 and not a[2].startswith("{") else "")
        if name == "lseek":
            return "%s, %s" % (fd_of(a[0]), a[2])
        if name in ("read", "write", "readv", "writev", "pread64", "pwrite64", "close", "getdents64",
                    "fsync", "fdatasync", "ftruncate", "dup"):
            return fd_of(a[0])
        if name in ("dup2", "dup3"):
            return "%s, %s" % (fd_of(a[0]), a[1])
        if name == "futex":
            return a[1]
        if name in ("clone", "clone3"):
            m = re.search(r"flags=([A-Z_|0-9]+)", ", ".join(a))
            return m.group(1) if m else ""
        if name == "getrandom":
            return a[2]
        if name == "arch_prctl":
            return a[0]
        if name in ("exit", "exit_group"):
            return a[0]
        if name in ("set_robust_list", "rseq", "set_tid_address", "uname", "sysinfo", "getcwd",
                    "munmap", "sched_yield", "nanosleep", "sched_getaffinity", "times", "getrusage"):
            if name == "rseq":
                return "len %s, flags %s" % (a[1], a[2])
            if name == "getrusage":
                return a[0]
            if name == "sched_getaffinity":
                return a[0]
            return ""
        if name in ("socket", "connect"):
            return ", ".join(a[:3]) if name == "socket" else path_of(re.sub(r".*sun_path=", "", a[1]).rstrip("}"), tree)
        if name in ("tgkill", "kill", "tkill"):
            return a[-1]
        if name in ("pipe", "pipe2"):
            return a[-1] if name == "pipe2" else ""
        if name in ("wait4", "waitid"):
            return ""
        if name in ("sigaltstack",):
            return "set" if a[0] != "NULL" else "NULL"
        if name in ("poll", "ppoll", "select", "pselect6"):
            return ""
        if name in ("getpid", "getppid", "gettid", "getuid", "geteuid", "getgid", "getegid", "setsid",
                    "getpgrp", "umask"):
            return ", ".join(a)
    except IndexError:
        pass
    return ", ".join(x if not x.startswith("0x") else "addr" for x in a)


def parse(path, tree):
    """Yields (name, args, ret) for each completed call in one trace; in
    chroot-runner.sh's traces, only those after the program's execve."""
    pending = {}
    with open(path, errors="replace") as f:
        lines = f.readlines()
    for i, raw in enumerate(lines):
        if raw.split(None, 1)[-1].startswith('execve("/.runner/'):
            lines = lines[i:]
            break
    for raw in lines:
        m = LINE.match(raw.rstrip("\n"))
        if not m:
            continue
        pid, rest = m.groups()
        if rest.startswith("---") or rest.startswith("+++"):
            continue
        u = UNFINISHED.match(rest)
        if u:
            pending[pid] = (u.group(1), u.group(2))
            continue
        r = RESUMED.match(rest)
        if r:
            name, tail, ret = r.groups()
            _, head = pending.pop(pid, (name, ""))
            yield name, split_args(head + tail), ret
            continue
        c = CALL.match(rest)
        if c:
            yield c.group(1), split_args(c.group(2)), c.group(3)


CLOCKS = ["CLOCK_REALTIME", "CLOCK_MONOTONIC", "CLOCK_PROCESS_CPUTIME_ID",
          "CLOCK_THREAD_CPUTIME_ID", "CLOCK_MONOTONIC_RAW", "CLOCK_REALTIME_COARSE",
          "CLOCK_MONOTONIC_COARSE", "CLOCK_BOOTTIME"]


def vdso_calls(path):
    """Yields (name, form, count) from one vdso.py file."""
    if not os.path.exists(path):
        return
    with open(path) as f:
        for line in f:
            fn, rdi, n = line.split()
            name = fn.replace("__vdso_", "") + " (vDSO)"
            rdi = int(rdi)
            if fn in ("__vdso_clock_gettime", "__vdso_clock_getres"):
                fm = CLOCKS[rdi] if 0 <= rdi < len(CLOCKS) else str(rdi)
            else:
                fm = "NULL" if rdi == 0 else "ptr"
            yield name, fm, int(n)


def collect(d, vd, tree):
    """prog -> (cases, calls, cases per call, forms per call) for one run."""
    cases = collections.defaultdict(list)
    with open(os.path.join(d, "index")) as f:
        for line in f:
            n, prog, name = line.rstrip("\n").split("\t", 2)
            cases[prog].append((n, name))
    out = {}
    for prog in sorted(cases):
        calls = collections.Counter()
        incases = collections.defaultdict(set)
        forms = collections.defaultdict(collections.Counter)
        out[prog] = (cases[prog], calls, incases, forms)
        for n, _ in cases[prog]:
            for name, args, ret in parse(os.path.join(d, n + ".trace"), tree):
                if name == "execve":
                    continue
                calls[name] += 1
                incases[name].add(n)
                fm = form(name, args, tree)
                err = result_of(ret)
                forms[name][fm + ((" → " + err) if err else "")] += 1
            if vd:
                for name, fm, k in vdso_calls(os.path.join(vd, n + ".vdso")):
                    calls[name] += k
                    incases[name].add(n)
                    forms[name][fm] += k
    return out


def main():
    args = sys.argv[1:]
    guest = None
    if "--chroot" in args:
        i = args.index("--chroot")
        guest = args[i + 1]
        del args[i:i + 2]
    d = args[0]
    vd = args[1] if len(args) > 1 else None
    tree = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                         "../../build/real/tree"))
    native = collect(d, vd, tree)
    for prog, (cases, calls, incases, forms) in native.items():
        print("### %s (%d cases)\n" % (prog, len(cases)))
        print("| system call | calls | cases | argument forms (→ error returned) |")
        print("|---|---:|---:|---|")
        for name in sorted(calls):
            fl = sorted(forms[name].items(), key=lambda kv: (-kv[1], kv[0]))
            shown = "; ".join("`%s`" % f if f else "-" for f, _ in fl[:14])
            if len(fl) > 14:
                shown += "; (%d more)" % (len(fl) - 14)
            print("| %s | %d | %d | %s |" % (name, calls[name], len(incases[name]), shown.replace("|", "\\|")))
        print()
    if guest:
        chroot = collect(guest, None, tree)
        print("### In the read-only chroot (chroot-runner.sh): what differs\n")
        print("Forms seen only under chroot-runner.sh (the tree as a read-only /, nothing"
              " else), or only natively; vDSO calls are not counted there.\n")
        print("| program | system call | only in the chroot | only native |")
        print("|---|---|---|---|")
        for prog in sorted(chroot):
            nf, cf = native[prog][3], chroot[prog][3]
            for name in sorted(set(nf) | set(cf)):
                if name.endswith("(vDSO)"):
                    continue
                a = sorted(set(cf.get(name, {})) - set(nf.get(name, {})))
                b = sorted(set(nf.get(name, {})) - set(cf.get(name, {})))
                if a or b:
                    fmt = lambda xs: "; ".join("`%s`" % x if x else "-" for x in xs[:8]) + \
                        ("; (%d more)" % (len(xs) - 8) if len(xs) > 8 else "")
                    print("| %s | %s | %s | %s |" % (prog, name, fmt(a).replace("|", "\\|"),
                                                     fmt(b).replace("|", "\\|")))
        print()


if __name__ == "__main__":
    main()
