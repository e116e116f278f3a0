#!/usr/bin/env python3
"""jsonfn_test.py: drives apps/jsonfn (JSON canonicalization in function mode)
through ONE `svm-sandbox --serve` process: valid documents of many shapes,
invalid ones (ok:false, status 1, a sensible offset, never a fault), nesting
at and past the depth limit, inputs near and past in_cap, unicode escapes and
a seeded random round. Usage: jsonfn_test.py BUILD-DIR; prints ok/FAIL lines.
"""
import json
import os
import random
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import svm_client  # noqa: E402

build = sys.argv[1]
svm = os.path.join(build, "bin", "svm-sandbox")
app = os.path.join(build, "apps", "jsonfn", "jsonfn")
IN_CAP = 1 << 20
MAX_DEPTH = 64
failed = passed = 0


def check(name, got, want):
    global failed, passed
    if got == want:
        passed += 1
        print("ok   jsonfn: " + name)
    else:
        failed += 1
        print("FAIL jsonfn: %s\n     got  %s\n     want %s" % (
            name, short(got), short(want)))


def short(x):
    r = repr(x)
    return r if len(r) < 400 else r[:200] + " ... " + r[-150:]


class Server(svm_client.Server):
    """One monitor process on the reference client; close() also returns
    what else it wrote and its stderr."""

    def __init__(self, *opts):
        self.err = tempfile.TemporaryFile()
        super().__init__([svm, "--serve"] + list(opts) + [app],
                         stderr=self.err)
        # A hung server must not hang the test.
        self.timer = threading.Timer(600, self.p.kill)
        self.timer.start()

    def close(self):
        self.p.stdin.close()
        rest = self.p.stdout.read()
        rc = self.p.wait()
        self.timer.cancel()
        self.err.seek(0)
        return rc, rest, self.err.read().decode(errors="replace")


# The reference: Python's parser, held to the app's rules, and a serializer
# that copies numbers verbatim as the app does.
class Num(str):
    """A number's text, as it was in the input."""


def no_constants(name):
    raise ValueError("not JSON: " + name)


def unique_pairs(pairs):
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("duplicate key")
    return dict(pairs)


def walk(v):
    yield v
    if isinstance(v, dict):
        for k, x in v.items():
            yield k
            yield from walk(x)
    elif isinstance(v, list):
        for x in v:
            yield from walk(x)


def depth(v):
    if isinstance(v, dict):
        return 1 + max(map(depth, v.values()), default=0)
    if isinstance(v, list):
        return 1 + max(map(depth, v), default=0)
    return 0


def count(v):
    if isinstance(v, dict):
        return 1 + sum(map(count, v.values()))
    if isinstance(v, list):
        return 1 + sum(map(count, v))
    return 1


def canon(v):
    if isinstance(v, Num):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ",".join(map(canon, v)) + "]"
    if isinstance(v, dict):
        return "{" + ",".join(canon(k) + ":" + canon(v[k])
                              for k in sorted(v)) + "}"
    return json.dumps(v)  # true, false, null


def reference(data):
    """The app's answer for a valid document, or None if it is invalid."""
    try:
        v = json.loads(data.decode("utf-8"), parse_int=Num, parse_float=Num,
                       parse_constant=no_constants,
                       object_pairs_hook=unique_pairs)
    except (ValueError, RecursionError):
        return None
    # Python takes lone surrogates and any depth; the app does not.
    if depth(v) > MAX_DEPTH or any(
            isinstance(s, str) and any(0xd800 <= ord(c) < 0xe000 for c in s)
            for s in walk(v)):
        return None
    return answer(canon(v), count(v), depth(v), len(data))


def answer(canonical, values, depth, bytes_in):
    return ('{"ok":true,"canonical":%s,"stats":{"values":%d,"depth":%d,'
            '"bytes_in":%d}}' % (canonical, values, depth, bytes_in)).encode()


def python_canonical(data):
    """json.dumps's canonical form, where numbers cannot tell it apart:
    integers only, and no -0 (Python makes 1.0, 1e2 and -0 other text)."""
    v = json.loads(data, parse_float=lambda s: float("nan"))
    for x in walk(v):
        if x != x or (isinstance(x, int) and not isinstance(x, bool) and
                      x == 0 and b"-0" in data):
            return None
    return json.dumps(v, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False)


srv = Server()


def call(doc):
    if isinstance(doc, str):
        doc = doc.encode()
    return srv.call(doc)


def valid(name, doc):
    """doc must be answered as the reference answers it."""
    doc = doc.encode() if isinstance(doc, str) else doc
    want = reference(doc)
    if want is None:
        check(name + " (the reference takes it)", "invalid", "valid")
        return None
    got = call(doc)
    check(name, got, (0, 0, want))
    py = python_canonical(doc)
    if py is not None:
        check(name + ": same as json.dumps(sort_keys=True)",
              got[2].decode().startswith(
                  '{"ok":true,"canonical":' + py + ',"stats":'), True)
    return got


def invalid(name, doc, error, offset):
    """doc must be refused with this error at this byte offset."""
    doc = doc.encode() if isinstance(doc, str) else doc
    want = b'{"ok":false,"error":"%s","offset":%d}' % (error.encode(), offset)
    check(name, call(doc), (0, 1, want))
    if reference(doc) is not None:
        check(name + " (the reference refuses it)", "valid", "invalid")


# Valid documents of many shapes.
for name, doc in [
        ("a bare integer", "0"),
        ("a bare negative integer", "-17"),
        ("a bare string", '"hello"'),
        ("true", "true"), ("false", "false"), ("null", "null"),
        ("whitespace around a scalar", " \t\r\n 42 \n\t\r "),
        ("an empty array", "[]"), ("an empty object", "{}"),
        ("empty containers with whitespace inside", "[ { } , [ ] ,{\n}]"),
        ("an array of every kind", '[1, "two", true, false, null, [], {}]'),
        ("keys come out sorted", '{"b": 1, "a": 2, "c": 3}'),
        ("nested objects are sorted too",
         '{"z": {"y": 1, "x": [{"d": 1, "c": 2}]}, "a": {"b": {"a": 0}}}'),
        ("a key that prefixes another sorts first",
         '{"ab": 1, "a": 2, "": 3, "abc": 4}'),
        ("keys sort by code point (UTF-8 bytes), not UTF-16",
         '{"\\uffff": 1, "\\ud83d\\ude00": 2, "z": 3, "Z": 4, "\\u00e9": 5,'
         ' "\\u0000": 6, "\\u007f": 7}'),
        ("keys sort by decoded value, not by their escapes",
         '{"\\u0062": 1, "a": 2, "\\"": 3, "\\\\": 4, "\\n": 5}'),
        ("big integers stay exact",
         "[12345678901234567890123456789, -98765432109876543210]"),
        ("numbers are copied verbatim",
         "[1.0, 1e2, 1E+2, -0.0e-0, 0.5, -0, 1.25e-300, 6.02E23]"),
        ("integers are left as written", "[-0, 0, 10, 100]"),
        ("strings keep every escape's meaning",
         '"\\"\\\\\\/\\b\\f\\n\\r\\t"'),
        ("raw UTF-8 of every length",
         '"a\u00e9\u20ac\U0001f600\U0010ffff\ufffd"'),
        ("DEL and U+2028 go out raw", '"\x7f\u2028\u2029"'),
        ("a repeated value is not a duplicate key",
         '{"a": [1, 1], "b": {"a": 1}, "c": {"a": 1}}'),
        ("one key may appear in many objects",
         '[{"k": 1}, {"k": 2}, {"k": {"k": {"k": 3}}}]')]:
    valid(name, doc)

# Unicode escapes: each one against its UTF-8, and how it comes out.
valid("\\u escapes of every UTF-8 length, any hex case",
      '["\\u0041", "\\u00E9", "\\u07ff", "\\u0800", "\\uFFFF", "\\ud800\\udc00",'
      ' "\\uDBFF\\uDFFF", "\\uD83D\\ude00"]')
got = call('"\\u0041\\u00e9\\u20AC\\uD83D\\uDE00"')
check("\\u escapes decode to UTF-8", got, (0, 0, (
    '{"ok":true,"canonical":"A\u00e9\u20ac\U0001f600",'
    '"stats":{"values":1,"depth":0,"bytes_in":32}}').encode()))
doc = "[" + ",".join('"\\u%04X"' % c for c in range(0x20)) + "]"
check("control characters: \\b \\t \\n \\f \\r short, the rest \\u00xx",
      call(doc), (0, 0, answer(
          "[" + ",".join(json.dumps(chr(c)) for c in range(0x20)) + "]",
          33, 1, len(doc))))
check("\\/ and \\u002f come out as /",
      call('["\\/", "\\u002f", "\\u005c", "\\u0022"]')[2],
      b'{"ok":true,"canonical":["/","/","\\\\","\\""],"stats":'
      b'{"values":5,"depth":1,"bytes_in":36}}')

# Invalid documents: error message and offset of each.
for name, doc, error, offset in [
        ("empty input", "", "unexpected end of input", 0),
        ("only whitespace", " \n\t", "unexpected end of input", 3),
        ("an unterminated array", "[1,2", "unexpected end of input", 4),
        ("an unterminated object", '{"a":1', "unexpected end of input", 6),
        ("a trailing comma in an array", "[1,]", "expected a value", 3),
        ("a trailing comma in an object", '{"a":1,}',
         "expected a string key", 7),
        ("a missing colon", '{"a" 1}', "expected ':'", 5),
        ("a key without quotes", "{a:1}", "expected a string key", 1),
        ("a number as key", "{1:1}", "expected a string key", 1),
        ("a missing comma in an array", "[1 2]", "expected ',' or ']'", 3),
        ("a missing comma in an object", '{"a":1 "b":2}',
         "expected ',' or '}'", 7),
        ("a mismatched bracket", "[1}", "expected ',' or ']'", 2),
        ("two documents", "1 2", "trailing characters after the document", 2),
        ("a stray closer", "[]]", "trailing characters after the document",
         2),
        ("a leading zero", "01", "leading zero in number", 1),
        ("a leading zero after -", "[-012]", "leading zero in number", 3),
        ("a lone minus", "-", "unexpected end of input", 1),
        ("minus then a letter", "-a", "digit expected in number", 1),
        ("a dot without digits", "[1.]", "digit expected in number", 3),
        ("a dot at the end", "1.", "unexpected end of input", 2),
        ("an exponent without digits", "1e+]", "digit expected in number", 3),
        ("an exponent at the end", "1E", "unexpected end of input", 2),
        ("a leading dot", ".5", "expected a value", 0),
        ("a leading plus", "+1", "expected a value", 0),
        ("hex", "0x10", "trailing characters after the document", 1),
        ("NaN", "NaN", "expected a value", 0),
        ("Infinity", "[Infinity]", "expected a value", 1),
        ("-Infinity", "-Infinity", "digit expected in number", 1),
        ("a cut literal", "tru", "unexpected end of input", 3),
        ("a misspelled literal", "[nul]", "invalid literal", 1),
        ("a capitalized literal", "True", "expected a value", 0),
        ("a literal with a tail", "nulll",
         "trailing characters after the document", 4),
        ("single quotes", "'a'", "expected a value", 0),
        ("an unterminated string", '["abc', "unterminated string", 1),
        ("a string ending in a backslash", '"abc\\', "unterminated string",
         0),
        ("a raw control character in a string", '"a\x01b"',
         "control character in string", 2),
        ("a raw newline in a string", '"a\nb"',
         "control character in string", 2),
        ("a raw NUL in a string", '"\x00"', "control character in string", 1),
        ("a NUL outside strings", "[\x00]", "expected a value", 1),
        ("a bad escape", '"a\\x"', "invalid escape", 2),
        ("an uppercase U escape", '"\\U0041"', "invalid escape", 1),
        ("an escaped single quote", '"\\\'"', "invalid escape", 1),
        ("a short \\u escape", '"\\u12"', "invalid unicode escape", 1),
        ("a \\u escape cut by the end", '"\\u12', "invalid unicode escape",
         1),
        ("a \\u escape with a non-hex digit", '"\\u12G4"',
         "invalid unicode escape", 1),
        ("a lone high surrogate", '"\\ud800"', "lone surrogate", 1),
        ("a lone low surrogate", '"ab\\udc00"', "lone surrogate", 3),
        ("a high surrogate and a letter", '"\\ud800\\u0041"',
         "lone surrogate", 1),
        ("a high surrogate and raw text", '"\\ud800x"', "lone surrogate", 1),
        ("two high surrogates", '"\\ud83d\\ud83d"', "lone surrogate", 1),
        ("a pair, then a lone surrogate", '"\\ud83d\\ude00\\ud83d"',
         "lone surrogate", 13),
        ("a BOM", b"\xef\xbb\xbf1", "expected a value", 0),
        ("UTF-8 outside strings", b"[\xc3\xa9]", "expected a value", 1),
        ("invalid UTF-8: a stray byte", b'"\xff"', "invalid UTF-8", 1),
        ("invalid UTF-8: a continuation byte", b'"a\x80"', "invalid UTF-8",
         2),
        ("invalid UTF-8: overlong", b'"\xc0\x80"', "invalid UTF-8", 1),
        ("invalid UTF-8: overlong 3 bytes", b'"\xe0\x80\xaf"',
         "invalid UTF-8", 1),
        ("invalid UTF-8: an encoded surrogate", b'"\xed\xa0\x80"',
         "invalid UTF-8", 1),
        ("invalid UTF-8: past U+10FFFF", b'"\xf4\x90\x80\x80"',
         "invalid UTF-8", 1),
        ("invalid UTF-8: cut short", b'"a\xe2\x82"', "invalid UTF-8", 2),
        ("invalid UTF-8: cut by the end", b'"\xf0\x9f\x98', "invalid UTF-8",
         1),
        ("a duplicate key", '{"a":1,"a":2}', "duplicate key", 7),
        ("the first repeat is reported", '{"b":1,"a":2,"b":3,"a":4}',
         "duplicate key", 13),
        ("a duplicate key spelled with an escape", '{"a":1,"\\u0061":2}',
         "duplicate key", 7),
        ("a duplicate key in a nested object", '[{"x":{"k":1,"k":2}}]',
         "duplicate key", 13),
        ("a vertical tab is not whitespace", "\x0b1", "expected a value", 0),
        ("a no-break space is not whitespace", "1\u00a0",
         "trailing characters after the document", 1)]:
    invalid(name, doc, error, offset)

# Nesting at and past the limit.
for n in (MAX_DEPTH - 1, MAX_DEPTH):
    valid("%d nested arrays" % n, "[" * n + "]" * n)
    valid("%d nested objects" % n, '{"a":' * (n - 1) + "{}" + "}" * (n - 1))
valid("%d levels of mixed nesting" % MAX_DEPTH,
      '{"k":[' * (MAX_DEPTH // 2) + "1" + "]}" * (MAX_DEPTH // 2))
invalid("%d nested arrays" % (MAX_DEPTH + 1),
        "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1),
        "nesting too deep", MAX_DEPTH)
invalid("%d nested objects" % (MAX_DEPTH + 1),
        '{"a":' * (MAX_DEPTH + 1) + "1" + "}" * (MAX_DEPTH + 1),
        "nesting too deep", 5 * MAX_DEPTH)
invalid("a megabyte of [ stops at the limit", "[" * IN_CAP,
        "nesting too deep", MAX_DEPTH)
invalid("deep nesting, unterminated", "[" * MAX_DEPTH,
        "unexpected end of input", MAX_DEPTH)

# Big inputs near in_cap, and one past it.
body = "[" + ",".join(str(i) for i in range(150000)) + "]"
doc = body + " " * (IN_CAP - len(body))
valid("a document of exactly in_cap bytes", doc)
check("a document of in_cap + 1 bytes is refused by the monitor (2)",
      call(doc + " "), (2, 0, b""))
check("... and the next call is answered", call("[1]")[:2], (0, 0))
rng = random.Random(1)
keys = ["k%06d" % i for i in range(60000)]
rng.shuffle(keys)
valid("an object of 60000 shuffled keys",
      "{" + ",".join('"%s":%d' % (k, i) for i, k in enumerate(keys)) + "}")
valid("a string of 80000 escaped surrogate pairs",
      '"' + "\\ud83d\\ude00" * 80000 + '"')
valid("a string of 170000 escaped control characters",
      '"' + "\\u0001" * 170000 + '"')
valid("a string of half a million escaped quotes",
      '"' + '\\"' * 500000 + '"')
valid("%d levels, each with 200 members" % MAX_DEPTH,
      "".join('{%s,"z":' % ",".join('"m%03d":%d' % (199 - i, i)
                                    for i in range(199))
              for _ in range(MAX_DEPTH)) + "1" + "}" * MAX_DEPTH)
doc = "[" + ",".join('{"b":%d,"a":"%s"}' % (i, "x" * 20)
                     for i in range(IN_CAP // 44)) + "]"
valid("an array of %d small objects" % (IN_CAP // 44), doc)
doc = doc[:-1] + "}"
invalid("a big document with its error at the last byte", doc,
        "expected ',' or ']'", len(doc) - 1)
doc = "[" + ('"' + "a" * 1000 + '",') * 1000
invalid("a big document cut short", doc, "unexpected end of input",
        len(doc))


# A seeded random round: generated documents written with random
# whitespace and escapes, then the same documents with random damage.
POOL = ('abcxyzABZ019 _-.,:[]{}"\\/\x00\x01\x08\x09\x0a\x0c\x0d\x1f\x7f'
        '\u00e9\u00ff\u07ff\u0800\u20ac\u2028\ufffd\uffff'
        '\U00010000\U0001f600\U0010ffff')


def gen_string(r):
    return "".join(r.choice(POOL) for _ in range(r.choice([0, 1, 2, 5, 12])))


def gen_number(r):
    s = r.choice(["", "", "-"])
    s += r.choice(["0", str(r.randrange(1, 10)), str(r.randrange(10**30))])
    if s.lstrip("-") != "0" and s.lstrip("-").startswith("0"):
        s = s.replace("0", "1", 1)
    if r.random() < 0.3:
        s += "." + str(r.randrange(10**r.randrange(1, 8))).zfill(2)
    if r.random() < 0.2:
        s += r.choice("eE") + r.choice(["", "+", "-"]) + str(r.randrange(400))
    return Num(s)


def gen_value(r, d):
    k = r.random()
    if d < 8 and k < 0.25:
        return [gen_value(r, d + 1) for _ in range(r.randrange(6))]
    if d < 8 and k < 0.5:
        o = {}
        for _ in range(r.randrange(6)):
            o[r.choice([gen_string(r), "k%d" % r.randrange(8)])] = \
                gen_value(r, d + 1)
        return o
    return r.choice([gen_string, gen_number,
                     lambda r: r.choice([True, False, None])])(r)


def ws(r):
    return "".join(r.choice(" \t\n\r") for _ in range(r.choice([0, 0, 1, 3])))


def write_string(r, s):
    out = ['"']
    for c in s:
        o = ord(c)
        short = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f",
                 "\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(c)
        how = r.random()
        if c == "/" and how < 0.3:
            out.append("\\/")
        elif short and how < 0.5:
            out.append(short)
        elif o < 0x20 or c in '"\\' or how < 0.3:
            if o >= 0x10000:
                o -= 0x10000
                h = "\\u%04x\\u%04x" % (0xd800 + (o >> 10), 0xdc00 + (o & 1023))
            else:
                h = "\\u%04x" % o
            out.append(h.upper().replace("\\U", "\\u") if r.random() < 0.5
                       else h)
        else:
            out.append(c)
    return "".join(out) + '"'


def write(r, v):
    if isinstance(v, Num):
        return v
    if isinstance(v, str):
        return write_string(r, v)
    if isinstance(v, list):
        return "[" + ws(r) + ("," + ws(r)).join(
            write(r, x) + ws(r) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ws(r) + ("," + ws(r)).join(
            write_string(r, k) + ws(r) + ":" + ws(r) + write(r, x) + ws(r)
            for k, x in v.items()) + "}"
    return json.dumps(v)


def damage(r, b):
    i = r.randrange(len(b) + 1)
    k = r.random()
    if k < 0.4 and b:
        return b[:i] + b[i + 1:]
    if k < 0.7:
        return b[:i] + bytes([r.choice(b'{}[]",:\\/u0-eE.+ \x00\x80tfn')]) + \
            b[i:]
    if k < 0.9 and b:
        return b[:i] + bytes([r.randrange(256)]) + b[i + 1:]
    return b[:i]


rng = random.Random(20240601)
docs = [(ws(rng) + write(rng, gen_value(rng, 0)) + ws(rng)).encode()
        for _ in range(400)]
bad = []
for i, doc in enumerate(docs):
    want = reference(doc)
    got = call(doc)
    if want is None or got != (0, 0, want):
        bad.append("doc %d %s: got %s want %s" % (i, short(doc), short(got),
                                                   short(want)))
check("random round: %d generated documents match the reference"
      % len(docs), bad[:3], [])
bad, refused = [], 0
for i, doc in enumerate(docs[:300]):
    doc = damage(rng, doc)
    want = reference(doc)
    result, status, ans = call(doc)
    if want is not None:
        ok = (result, status, ans) == (0, 0, want)
    else:
        refused += 1
        try:
            a = json.loads(ans)
            ok = (result, status, a["ok"], sorted(a)) == (
                0, 1, False, ["error", "offset", "ok"]) and \
                0 <= a["offset"] <= len(doc)
        except ValueError:
            ok = False
    if not ok:
        bad.append("doc %d %s: got %s want %s" % (
            i, short(doc), short((result, status, ans)), short(want)))
check("random round: damaged documents are refused or match (%d refused)"
      % refused, bad[:3], [])

rc, rest, err = srv.close()
check("the server ends cleanly; stderr has only the refusal, no fault",
      (rc, rest, err), (0, b"", "svm-sandbox: request larger than the"
                        " %d-byte maximum\n" % IN_CAP))

# With --warm the heap is not reset between calls: big calls must not leak.
srv = Server("--warm")
doc = ("{" + ",".join('"%d":"%s"' % (i, "v" * 10) for i in range(45000)) +
       "}").encode()
want = reference(doc)
got = [srv.call(doc) == (0, 0, want) for _ in range(40)]
check("--warm: 40 calls of ~1 MiB do not exhaust the heap", got, [True] * 40)
rc, rest, err = srv.close()
check("the --warm server ends cleanly", (rc, rest, err), (0, b"", ""))

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
