#!/usr/bin/env python3
"""serve_test.py: drives `svm-sandbox --serve` over a pipe with the reference
client (svm_client.py), as a runner in any language would, and checks the
ready frame, answers, resets, faults, timeouts, limits and the END frames.
Usage: serve_test.py BUILD-DIR [monitor options...]; prints ok/FAIL lines."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import svm_client  # noqa: E402

build = sys.argv[1]
extra = sys.argv[2:]
svm = build + "/bin/svm-sandbox"
callee = build + "/tests/guests/callee"
failed = passed = 0


def call(args, inputs, raw=None):
    """Send inputs as requests; return status, answers (result, status,
    bytes), stderr. The READY frame must come first; an END frame comes
    back as ("end", status, message)."""
    data = raw if raw is not None else b"".join(
        svm_client.request(x) for x in inputs)
    p = subprocess.run([svm] + extra + args, input=data, capture_output=True,
                       timeout=60)
    frames, answers = svm_client.parse(p.stdout), []
    for f in frames:
        if f[0] == svm_client.ANSWER:
            answers.append(f[1:])
        elif f[0] == svm_client.END:
            answers.append(("end", f[1], f[3].decode()))
        elif f[0] != svm_client.READY or f is not frames[0]:
            answers.append(f)
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
check("a truncated request ends the server (2) with an END frame",
      (rc, a, err), (2, [("end", 2, "truncated request on stdin")],
                     "svm-sandbox: truncated request on stdin\n"))

rc, a, err = call(["--serve", callee], None, raw=b"\xff\xff\xff\xff")
check("a length of 0xffffffff is refused at once, not drained (2)",
      (rc, a), (2, [("end", 2, "request of 4294967295 bytes is larger than "
                     "the 4096-byte maximum, too large to skip")]))

rc, a, err = call(["--serve", "--max-request=100", callee],
                  [b"x" * 101, b"after"])
check("--max-request refuses a larger request (2); the next is served",
      (rc, a), (0, [(2, 0, b""), (0, 0, b"call 1: after")]))

rc, a, err = call(["--serve", build + "/apps/hello/hello"], [b"a"])
check("an app that exits before it is ready: an END frame with its status",
      (rc, a, err), (252, [("end", 252, "the program exited with status 0 "
                            "before it was ready for calls")],
                     "Hello from svm-sandbox!\n"
                     "svm-sandbox: the program exited with status 0 before it "
                     "was ready for calls\n"))

rc, a, err = call(["--serve", callee, "--", "huge"], [b"a"])
check("a function app without memory for its buffers: an END frame, not a "
      "silent exit", (rc, a), (252, [("end", 252, "the program exited with "
                                       "status 1 before it was ready for "
                                       "calls")]))

with svm_client.Server([svm] + extra + ["--serve", callee]) as s:
    check("the READY frame says the protocol, the mode and the sizes",
          s.ready, {"protocol": 2, "app": "callee", "mode": "calls",
                    "max_request": 4096, "max_answer": 4096})
    s.close()

with svm_client.Server([svm] + extra + ["--serve", "--call-stats", callee],
                       call_stats=True) as s:
    s.call(b"dirty")
    r = s.call(b"a")
    st = s.stats
    check("--call-stats: figures after each answer (guest time, exits, "
          "pages reset)", (r, sorted(st), st["pages_reset"] >= 100,
                           st["exits"] >= 1),
          ((0, 0, b"call 1: a"), ["exits", "guest_us", "hypercalls",
                                  "monitor_us", "pages_reset"], True, True))
    s.close()

# An unmodified program served by its stdin: the snapshot is taken at its
# first read of stdin; each call is its whole input, its stdout the answer.
upper = build + "/tests/guests/stdinfn"
with svm_client.Server([svm] + extra + ["--serve", upper]) as s:
    check("a program that reads stdin is served by it (mode stdin)",
          (s.ready["mode"], s.ready["max_request"]), ("stdin", 1 << 20))
    got = [s.call(x) for x in (b"abc", b"", b"x" * 70000)]
    check("each call gets its request as the whole stdin, then end of file",
          got, [(0, 0, b"ABC 3 starts 1"), (0, 0, b" 0 starts 1"),
                (0, 0, b"X" * 70000 + b" 70000 starts 1")])
    check("the exit status is the call's status", s.call(b"exit 7"),
          (0, 7, b"EXIT 7"))
    check("a fault in a call (250), then a pristine one",
          (s.call(b"fault"), s.call(b"z")),
          ((250, 0, b""), (0, 0, b"Z 1 starts 1")))
    s.close()

with svm_client.Server([svm] + extra + ["--serve", "--call-stats", upper],
                       call_stats=True) as s:
    r = s.call(b"abc")
    check("a call to a program served by its stdin takes one exit: the "
          "guest kernel hands its answer to the exit hypercall",
          (r, s.stats["exits"], s.stats["hypercalls"]),
          ((0, 0, b"ABC 3 starts 1"), 1, 1))
    s.close()

rc, a, err = call(["--serve", "--max-output=14", upper], [b"abcdefghijk", b"ab"])
check("--max-output: a held-back answer over it ends that call (125)",
      (rc, a), (0, [(125, 0, b""), (0, 0, b"AB 2 starts 1")]))

rc, a, err = call(["--serve", "--warm", upper], [b"a"])
check("--warm with a stdin program is refused", (rc, a), (3, [
    ("end", 3, "--warm needs a program that serves calls (svm_serve): this one "
     "reads its stdin")]))

rc, a, err = call(["--serve", "--max-answer=13", upper], [b"abcdef", b"ab"])
check("--max-answer: a larger answer ends that call (125)", (rc, a), (0, [
    (125, 0, b""), (0, 0, b"AB 2 starts 1")]))

rc, a, err = call([build + "/tests/guests/callee"], [])
check("a function app run without --serve is told how", (rc, err), (
    252, "svm-sandbox: the program serves calls: run it in function mode (--serve)\n"))

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
