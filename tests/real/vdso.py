"""vdso.py: a gdb script that counts a program's calls into the vDSO, which strace cannot see (gdb -x vdso.py --args PROG ARGS...).

musl and glibc call clock_gettime, gettimeofday and time through the
vDSO when the kernel maps one, so those calls never show in strace. A
guest kernel without a vDSO gets them as system calls instead. This
breaks on each __vdso_* function, counts (function, first argument) and
appends "function rdi count" lines to the file named by VDSO_OUT when the
program exits. The program gets exactly the environment in VDSO_ENV ("N=V
N=V", in that order: env -i as an exec-wrapper, since gdb adds LINES and
COLUMNS and its /bin/sh adds PWD and sorts), and fds 3 and 4 as its
stdout and stderr, so that gdb,
started with its own stdout and stderr on /dev/null and with -batch
-return-child-result, leaves the run's output and status the program's.
"""

import collections
import os

import gdb

OUT = os.environ["VDSO_OUT"]
ENV = os.environ["VDSO_ENV"]
FUNCS = ("__vdso_clock_gettime", "__vdso_gettimeofday", "__vdso_time", "__vdso_getcpu",
         "__vdso_clock_getres")
counts = collections.Counter()


class Count(gdb.Breakpoint):
    def stop(self):
        counts[(self.location, int(gdb.parse_and_eval("$rdi")))] += 1
        return False


def on_exit(_event):
    with open(OUT, "a") as f:
        for (loc, rdi), n in sorted(counts.items()):
            f.write("%s %d %d\n" % (loc, rdi, n))


for cmd in ("set pagination off", "set confirm off", "set print inferior-events off",
            "set print thread-events off", "set disable-randomization off",
            "set breakpoint pending on", "unset environment VDSO_OUT",
            "unset environment VDSO_ENV", "set exec-wrapper /usr/bin/env -i " + ENV):
    gdb.execute(cmd, to_string=True)
gdb.events.exited.connect(on_exit)
for fn in FUNCS:
    Count(fn, internal=True)
# The program's stdout and stderr are fds 3 and 4 (see common.sh); gdb's
# own are /dev/null, so its messages cannot mix with the program's.
# "show args" has them quoted for the shell that starts the program.
shown = gdb.execute("show args", to_string=True)
args = shown[shown.index('"') + 1:shown.rindex('"')]
gdb.execute("run %s >&3 2>&4 3>&- 4>&-" % args)
