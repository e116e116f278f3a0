"""svm_client.py: a reference client of `svm-sandbox --serve` (protocol 2),
the one the tests use; a runner in Python can use it as it is.

    with Server(["build/bin/svm-sandbox", "--serve", "app"]) as s:
        print(s.ready)                    # {"protocol": 2, "mode": ..., ...}
        result, status, answer = s.call(b"input")

A request is a 32-bit little-endian length and that many bytes. The server
sends frames: a header of four 32-bit little-endian words (length, kind, a,
b) and length bytes. READY (1) first: a = 2, b = 1 (the app serves calls
through svm_serve) or 2 (it is served by its stdin), a JSON object. Then
per request an ANSWER (2): a = 0 when the call answered, else the exit
status for how it ended (250 fault, 124 timeout, 125 output limit, 2 a
request too large...), b = the status, the answer's bytes; with
--call-stats a STATS (4) frame of figures follows. END (3), a = the
server's exit status and one line of why, is the last frame whenever the
server ends other than at the end of input.
"""
import json
import struct
import subprocess

READY, ANSWER, END, STATS = 1, 2, 3, 4


class ServerEnded(Exception):
    """The server sent END (status, message) or closed the stream."""

    def __init__(self, status, message):
        super().__init__("server ended (%s): %s" % (status, message))
        self.status, self.message = status, message


def request(data):
    """One request's bytes."""
    return struct.pack("<I", len(data)) + data


def parse(out):
    """Split a server's whole output into (kind, a, b, payload) frames."""
    frames = []
    while len(out) >= 16:
        length, kind, a, b = struct.unpack("<IIII", out[:16])
        frames.append((kind, a, b, out[16:16 + length]))
        out = out[16 + length:]
    if out:
        frames.append(("trailing bytes", out))
    return frames


class Server:
    """A long-lived server on a pipe: call() sends one request and returns
    (result, status, answer); stats holds the last STATS figures."""

    def __init__(self, argv, stderr=subprocess.DEVNULL, call_stats=False):
        self.call_stats = call_stats
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=stderr)
        self.stats = None
        kind, a, b, data = self.frame()
        if kind != READY:
            raise ServerEnded(a, data.decode(errors="replace"))
        self.ready = json.loads(data)

    def read(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.p.stdout.read(n - len(buf))
            if not chunk:
                raise ServerEnded(self.p.wait(), "end of stream")
            buf += chunk
        return buf

    def frame(self):
        length, kind, a, b = struct.unpack("<IIII", self.read(16))
        data = self.read(length)
        if kind == END:
            raise ServerEnded(a, data.decode(errors="replace"))
        return kind, a, b, data

    def call(self, data):
        self.p.stdin.write(request(data))
        self.p.stdin.flush()
        kind, result, status, answer = self.frame()
        if kind != ANSWER:
            raise ServerEnded(None, "frame %r instead of an answer" % kind)
        if self.call_stats:
            kind, _, _, figures = self.frame()
            self.stats = json.loads(figures)
        return result, status, answer

    def close(self):
        """End of input: the server exits 0."""
        self.p.stdin.close()
        rc = self.p.wait(timeout=60)
        self.p.stdout.close()
        return rc

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()
