#!/usr/bin/env python3
"""serve_test.py: drives `svm-sandbox --serve` over a pipe, as a runner in any
language would, and checks answers, resets, faults, timeouts and limits.
Usage: serve_test.py BUILD-DIR [monitor options...]; prints ok/FAIL lines."""
import struct
import subprocess
import sys

build = sys.argv[1]
extra = sys.argv[2:]
svm = build + "/bin/svm-sandbox"
callee = build + "/tests/guests/callee"
failed = passed = 0


def call(args, inputs, raw=None):
    """Send inputs as length-prefixed requests; return status, answers, stderr."""
    data = raw if raw is not None else b"".join(
        struct.pack("<I", len(x)) + x for x in inputs)
    p = subprocess.run([svm] + extra + args, input=data, capture_output=True,
                       timeout=60)
    out, answers = p.stdout, []
    while len(out) >= 12:
        length, result, status = struct.unpack("<III", out[:12])
        answers.append((result, status, out[12:12 + length]))
        out = out[12 + length:]
    if out:
        answers.append(("trailing bytes", out))
    return p.returncode, answers, p.stderr.decode()


def check(name, got, want):
    global failed, passed
    if got == want:
        passed += 1
        print("ok   serve: " + name)
    else:
        failed += 1
        print("FAIL serve: %s\n     got  %r\n     want %r" % (name, got, want))


rc, a, err = call(["--serve", callee], [b"a", b"b", b"status", b""])
check("answers, each from a fresh VM", (rc, a, err), (0, [
    (0, 0, b"call 1: a"), (0, 0, b"call 1: b"), (0, 7, b"call 1: status"),
    (0, 0, b"call 1: ")], ""))

rc, a, err = call(["--serve", "--warm", callee], [b"a", b"b", b"c"])
check("--warm keeps the VM as the last call left it", (rc, a), (0, [
    (0, 0, b"call 1: a"), (0, 0, b"call 2: b"), (0, 0, b"call 3: c")]))

rc, a, err = call(["--serve", callee], [b"div0", b"after"])
check("a faulting call reports 250 and the next call is pristine", (rc, a), (0, [
    (250, 0, b""), (0, 0, b"call 1: after")]))
check("the fault is one line on stderr", err.startswith(
    "svm-sandbox: call: guest fault: #DE divide error") and err.count("\n"),
    1)

rc, a, err = call(["--serve", "--timeout=500ms", callee], [b"spin", b"after"])
check("a spinning call times out (124), the next one works", (rc, a, err), (0, [
    (124, 0, b""), (0, 0, b"call 1: after")],
    "svm-sandbox: call: timeout after 500 ms\n"))

rc, a, err = call(["--serve", callee], [b"exit", b"after"])
check("an app that exits in a call: 42, then usable", (rc, a), (0, [
    (42, 42, b""), (0, 0, b"call 1: after")]))

rc, a, err = call(["--serve", callee], [b"big", b"after"])
check("an answer claimed past the buffer is a guest error (252)", (rc, a), (0, [
    (252, 0, b""), (0, 0, b"call 1: after")]))

rc, a, err = call(["--serve", callee], [b"x" * 5000, b"after"])
check("a request larger than the app's buffer is refused (2)", (rc, a), (0, [
    (2, 0, b""), (0, 0, b"call 1: after")]))

rc, a, err = call(["--serve", callee], [b"print", b"dirty", b"after"])
check("what the handler prints goes to stderr, not the answers", (rc, a, err),
      (0, [(0, 0, b"call 1: print"), (0, 0, b"call 1: dirty"),
           (0, 0, b"call 1: after")], "callee prints a line\n"))

rc, a, err = call(["--serve", callee], [b"dirty", b"check"])
check("the pages a call dirtied are as they were at ready", (rc, a, err),
      (0, [(0, 0, b"call 1: dirty"), (0, 0, b"call 1: check")], ""))

rc, a, err = call(["--serve", callee], None, raw=b"\x05\x00\x00\x00ab")
check("a truncated request ends the server (2)", (rc, a, err),
      (2, [], "svm-sandbox: truncated request on stdin\n"))

rc, a, err = call(["--serve", build + "/apps/hello/hello"], [b"a"])
check("an app that never gets ready (its output goes to stderr)", (rc, err), (
    252, "Hello from svm-sandbox!\n"
    "svm-sandbox: the app exited before it was ready for calls\n"))

rc, a, err = call([build + "/tests/guests/callee"], [])
check("a function app run without --serve is told how", (rc, err), (
    252, "svm-sandbox: the app serves calls: run it in function mode (--serve)\n"))

rc, a, err = call(["--serve", "--max-output=30", callee],
                  [b"print", b"print", b"a"])
check("--max-output applies to each call, not the server's life", (rc, a), (
    0, [(0, 0, b"call 1: print"), (0, 0, b"call 1: print"),
        (0, 0, b"call 1: a")]))

n = 2000
rc, a, err = call(["--serve", callee], [b"r%d" % i for i in range(n)])
check("%d calls in one server, each answered from a fresh VM" % n,
      (rc, a == [(0, 0, b"call 1: r%d" % i) for i in range(n)]), (0, True))

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
