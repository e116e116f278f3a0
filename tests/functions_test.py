#!/usr/bin/env python3
"""functions_test.py: the example functions of apps/ in real languages,
each an unmodified interpreter served by its stdin (svm_client.py): a JSON
transform in JavaScript (qjs), a text template in Lua, a SQL query over a
database file in the root tree (the sqlite3 shell). For each: answers, an
error inside the interpreter, a timeout, and a call that cannot leave state
to the next. Usage: functions_test.py TOP BUILD-DIR; prints ok/FAIL lines."""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import svm_client  # noqa: E402

top, build = sys.argv[1], sys.argv[2]
svm = os.path.join(build, "bin", "svm-sandbox")
real = os.path.join(build, "real", "bin")
failed = passed = 0


def check(name, got, want):
    global failed, passed
    if got == want:
        passed += 1
        print("ok   function: " + name)
    else:
        failed += 1
        print("FAIL function: %s\n     got  %r\n     want %r" % (name, got, want))


def server(args):
    err = tempfile.TemporaryFile()
    s = svm_client.Server([svm, "--serve", "--timeout=2s", "--mem=64M"] + args,
                          stderr=err)
    s.err = err
    return s


def stderr_of(s):
    s.close()
    s.err.seek(0)
    return s.err.read().decode(errors="replace")


# JavaScript: QuickJS, apps/fn-js/handler.js.
order = (b'{"items": [{"name": "kettle", "price": 24.5, "qty": 2}, '
         b'{"name": "pan", "price": 12.75, "qty": 1}]}')
with server(["--root", os.path.join(top, "apps", "fn-js"),
             os.path.join(real, "qjs"), "--", "--std", "/handler.js"]) as s:
    check("js: served by its stdin", s.ready["mode"], "stdin")
    want = (0, 0, b'{"count":3,"total":61.75,"currency":"EUR",'
            b'"names":["kettle","pan"]}\n')
    check("js: an order's totals", s.call(order), want)
    check("js: the same again, from the same snapshot", s.call(order), want)
    check("js: not JSON is an error inside the interpreter (status 1)",
          s.call(b"{nope"), (0, 1, b""))
    check("js: a thrown TypeError (status 1)",
          s.call(b'{"items": [{"name": "x", "price": "1", "qty": 1}]}'),
          (0, 1, b""))
    check("js: a call that runs too long times out (124)",
          s.call(b'{"items": [{"name": "a", "price": 1, "qty": 1}], '
                 b'"repeat": 1e12}'), (124, 0, b""))
    check("js: the next call is answered as ever", s.call(order), want)
    err = stderr_of(s)
    check("js: the errors are the interpreter's lines on stderr",
          [line for line in err.splitlines()],
          ["handler.js: expecting property name",
           'handler.js: item "x": price and qty must be numbers',
           "svm-sandbox: call: timeout after 2000 ms"])

# Lua: apps/fn-lua/template.lua.
with server(["--root", os.path.join(top, "apps", "fn-lua"),
             os.path.join(real, "lua"), "--", "/template.lua"]) as s:
    want = (0, 0, b"Dear Ada,\n\nyour order 42 ships on Monday.\n")
    check("lua: a letter from its template",
          s.call(b"name=Ada\norder=42\nday=Monday\n"), want)
    check("lua: a missing value is an error() (status 1)",
          s.call(b"name=Ada\n"), (0, 1, b""))
    check("lua: a call that runs too long times out (124)",
          s.call(b"name=A\norder=1\nday=D\nrepeat=1e12\n"), (124, 0, b""))
    check("lua: then answered as ever",
          s.call(b"name=Ada\norder=42\nday=Monday\n"), want)
    err = stderr_of(s)
    check("lua: its error on stderr",
          "no value for {{order}}" in err, True)

# SQL: the sqlite3 shell over data/shop.db in the root tree.
root = os.path.join(build, "tests", "fn-sql")  # the tree: data/shop.db
db = os.path.join(root, "data", "shop.db")
os.makedirs(os.path.dirname(db), exist_ok=True)
if os.path.exists(db):
    os.unlink(db)
with open(os.path.join(top, "apps", "fn-sql", "shop.sql"), "rb") as f:
    subprocess.run([os.path.join(real, "sqlite3"), db], stdin=f, check=True)
q = (b"SELECT category, round(sum(price * qty), 2) FROM sale "
     b"JOIN product ON product.id = sale.product GROUP BY 1 ORDER BY 1;")
with server(["--root", root, os.path.join(real, "sqlite3"), "--",
             "-readonly", "-bail", "-batch", "-init", "/dev/null",
             "/data/shop.db"]) as s:
    want = (0, 0, b"kitchen|193.75\nliving|162.0\n")
    check("sql: a query over the database in the tree", s.call(q), want)
    check("sql: a missing table is an error (status 1)",
          s.call(b"SELECT * FROM nope;"), (0, 1, b""))
    check("sql: a write is refused: the database is read-only (status 1)",
          s.call(b"DELETE FROM sale;"), (0, 1, b""))
    check("sql: a query without end times out (124)",
          s.call(b"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
                 b"FROM c) SELECT count(*) FROM c;"), (124, 0, b""))
    check("sql: a temporary table a call makes is gone at the next",
          (s.call(b"CREATE TEMP TABLE t(x); INSERT INTO t VALUES (1); "
                  b"SELECT count(*) FROM t;"),
           s.call(b"SELECT count(*) FROM t;")),
          ((0, 0, b"1\n"), (0, 1, b"")))
    check("sql: then answered as ever", s.call(q), want)
    err = stderr_of(s)
    check("sql: its errors on stderr", ("no such table: nope" in err,
                                        "readonly database" in err),
          (True, True))

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
