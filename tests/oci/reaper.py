#!/usr/bin/env python3
"""reaper.py: stands in for conmon or the containerd shim around one container.

reaper.py [--no-start] [--kill SIG] RUNTIME ROOT BUNDLE ID

Becomes a child subreaper (as conmon and the shim are), runs RUNTIME create
with a pid file, checks that the pid there is its own child (a descendant
that was reparented to it), runs start (unless --no-start; --kill sends SIG
with the runtime's kill instead), and waits for the container's process.
Prints "ppid ok" (or what it found), then "exit N" or "signal N", and exits 0
if it could wait, 1 if not.
"""
import ctypes
import os
import subprocess
import sys

PR_SET_CHILD_SUBREAPER = 36


def main():
    args = sys.argv[1:]
    start, kill = True, None
    while args and args[0].startswith("--"):
        if args[0] == "--no-start":
            start = False
            args = args[1:]
        elif args[0] == "--kill":
            kill = args[1]
            args = args[2:]
        else:
            sys.exit("reaper.py: unknown option %s" % args[0])
    runtime, root, bundle, cid = args
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit("reaper.py: prctl: %s" % os.strerror(ctypes.get_errno()))
    pid_file = os.path.join(root, cid + ".pid")
    rt = [runtime, "--root", root]
    r = subprocess.run(rt + ["create", "--bundle", bundle, "--pid-file",
                             pid_file, cid])
    if r.returncode != 0:
        print("create failed: %d" % r.returncode)
        return 1
    with open(pid_file) as f:
        pid = int(f.read())
    os.unlink(pid_file)
    ppid = None
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("PPid:"):
                ppid = int(line.split()[1])
    print("ppid ok" if ppid == os.getpid() else "ppid %s, not %d" % (ppid, os.getpid()))
    sys.stdout.flush()
    if kill is not None:
        subprocess.run(rt + ["kill", cid, kill])
    elif start:
        r = subprocess.run(rt + ["start", cid])
        if r.returncode != 0:
            print("start failed: %d" % r.returncode)
    _, status = os.waitpid(pid, 0)
    if os.WIFEXITED(status):
        print("exit %d" % os.WEXITSTATUS(status))
    else:
        print("signal %d" % os.WTERMSIG(status))
    return 0


if __name__ == "__main__":
    sys.exit(main())
