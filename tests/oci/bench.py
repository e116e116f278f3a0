#!/usr/bin/env python3
"""bench.py: times for tests/oci/bench.sh, alternating what is compared so
that a shared, noisy machine weighs on both alike.

bench.py cmds N LABEL CMD [LABEL CMD...]
    Runs each command (words split as the shell would, no shell run) in
    turn, N rounds; "{n}" in a command becomes the round's number (for
    unique container names). Each must exit 0.
bench.py oci N ROOT BUNDLE LABEL RUNTIME [LABEL RUNTIME...]
    As a child subreaper (as conmon and the shim are): RUNTIME create,
    start, wait for the container's process, delete; N rounds. Each step
    gets its own line too.

Prints one line per label: median, minimum and maximum wall time in ms.
"""
import ctypes
import os
import shlex
import statistics
import subprocess
import sys
import time


def report(times):
    for label, ts in times.items():
        ms = [t * 1000 for t in ts]
        print("%-40s median %8.2f ms  min %8.2f  max %8.2f  (%d runs)" %
              (label, statistics.median(ms), min(ms), max(ms), len(ms)))


def run(argv, **kw):
    r = subprocess.run(argv, stdout=subprocess.DEVNULL, **kw)
    if r.returncode != 0:
        sys.exit("bench.py: %s: status %d" % (argv, r.returncode))


def cmds(n, pairs):
    times = {label: [] for label, _ in pairs}
    for i in range(n):
        for label, cmd in pairs:
            t0 = time.perf_counter()
            run(shlex.split(cmd.replace("{n}", str(i))))
            times[label].append(time.perf_counter() - t0)
    report(times)


def oci(n, root, bundle, pairs):
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(36, 1, 0, 0, 0) != 0:  # PR_SET_CHILD_SUBREAPER
        sys.exit("bench.py: prctl failed")
    times = {}
    for label, _ in pairs:
        for phase in ("", ": create", ": start", ": wait", ": delete"):
            times[label + phase] = []
    pid_file = os.path.join(root, "bench.pid")
    for i in range(n):
        for label, rt in pairs:
            cid = "bench-%d" % i
            base = [rt, "--root", os.path.join(root, os.path.basename(rt))]
            t = [time.perf_counter()]
            run(base + ["create", "--bundle", bundle, "--pid-file", pid_file,
                        cid])
            t.append(time.perf_counter())
            with open(pid_file) as f:
                pid = int(f.read())
            run(base + ["start", cid])
            t.append(time.perf_counter())
            _, status = os.waitpid(pid, 0)
            t.append(time.perf_counter())
            run(base + ["delete", cid])
            t.append(time.perf_counter())
            times[label].append(t[4] - t[0])
            for k, phase in enumerate(("create", "start", "wait", "delete")):
                times[label + ": " + phase].append(t[k + 1] - t[k])
            if status != 0:
                sys.exit("bench.py: %s: container status %d" % (rt, status))
    report(times)


def main():
    a = sys.argv[1:]
    if len(a) >= 4 and a[0] == "cmds":
        cmds(int(a[1]), list(zip(a[2::2], a[3::2])))
    elif len(a) >= 6 and a[0] == "oci":
        oci(int(a[1]), a[2], a[3], list(zip(a[4::2], a[5::2])))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
