#!/usr/bin/env python3
"""gen_data.py: writes the real-program workloads' input files, the same bytes on every machine.

gen_data.py DIR: writes into DIR (made if missing) text.txt (1 MiB of
words), text.gz (it, gzip -9, no name or time), numbers.txt (200,000
integers), floats.txt, table.csv, bin.dat (64 KiB of bytes) and bin.b64,
inserts.sql (20,000 INSERTs in one transaction), shop.sql (a small
database's schema and rows; run.sh turns it into shop.db with the sqlite3
under test), records.json, lines.txt, runs.txt (sorted, with repeats),
sums.md5, lines.xz, files.tar, calc.bc, empty. Everything comes from one fixed Park-Miller generator,
not Python's random module, so the files do not change with the Python
version (text.gz's bytes may, with Python's zlib).
"""

import base64
import gzip
import hashlib
import io
import json
import lzma
import os
import sys
import tarfile


class Lcg:
    """Park-Miller minimal standard generator (x * 16807 mod 2^31-1)."""

    def __init__(self, seed):
        self.x = seed

    def next(self):
        self.x = self.x * 16807 % 2147483647
        return self.x

    def below(self, n):
        return self.next() % n


WORDS = (
    "the of and to in is that it was for on are as with his they at be this "
    "from have or by one had not but what all were when we there can an your "
    "which their said if do will each about how up out them then she many some "
    "so these would other into has more her two like him see time could no "
    "make than first been its who now people my made over did down only way "
    "find use may water long little very after words called just where most "
    "know get through back much before go good new write our used me man too "
    "any day same right look think also around another came come work three "
    "word must because does part even place well such here take why things "
    "help put years different away again off went old number great tell men "
    "say small every found still between name should home big give air line "
    "set own under read last never us left end along while might next sound "
    "below saw something thought both few those always looked show large "
    "often together asked house don't world going want school important until "
    "form food keep children feet land side without boy once animals life "
    "enough took sometimes four head above kind began almost live page got "
    "earth need far hand high year mother light parts country father let "
    "night following picture being study second eyes soon times story boys "
    "since white days ever paper hard near sentence better best across during "
    "today others however sure means knew it's try told young miles sun ways "
    "thing whole hear example heard several change answer room sea against top "
    "turned learn point city play toward five using himself usually"
).split()

CITIES = ["Lyon", "Oslo", "Porto", "Quito", "Riga", "Sofia", "Tartu", "Turin",
          "Utrecht", "Vigo", "Zagreb", "Bergen", "Cork", "Delft", "Essen", "Faro"]


def text(rng, size):
    out, n, line = [], 0, []
    width = 0
    while n < size:
        w = WORDS[rng.below(len(WORDS))]
        if rng.below(40) == 0:
            w = w.capitalize()
        if rng.below(17) == 0:
            w += ",."[rng.below(2)]
        line.append(w)
        width += len(w) + 1
        if width > 50 + rng.below(30):
            s = " ".join(line) + "\n"
            out.append(s)
            n += len(s)
            line, width = [], 0
    data = "".join(out).encode()
    return data[:size - 1] + b"\n"


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: gen_data.py DIR")
    d = sys.argv[1]
    os.makedirs(d, exist_ok=True)

    def put(name, data):
        if isinstance(data, str):
            data = data.encode()
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)

    rng = Lcg(20240113)
    t = text(rng, 1 << 20)
    put("text.txt", t)
    put("text.gz", gzip.compress(t, compresslevel=9, mtime=0))

    put("numbers.txt", "".join("%d\n" % (rng.below(2000001) - 1000000)
                               for _ in range(200000)))
    put("floats.txt", "".join("%d.%03d\n" % (rng.below(100000), rng.below(1000))
                              for _ in range(5000)))

    rows = ["id,name,city,score,joined"]
    for i in range(1, 5001):
        name = WORDS[rng.below(len(WORDS))].capitalize() + \
            WORDS[rng.below(len(WORDS))]
        rows.append("%d,%s,%s,%d,2023-%02d-%02d" % (
            i, name, CITIES[rng.below(len(CITIES))], rng.below(1000),
            1 + rng.below(12), 1 + rng.below(28)))
    put("table.csv", "\n".join(rows) + "\n")

    bindat = bytes(rng.below(256) for _ in range(65536))
    put("bin.dat", bindat)
    put("bin.b64", base64.encodebytes(bindat))

    ins = ["CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER, name TEXT, v REAL);",
           "BEGIN;"]
    for i in range(1, 20001):
        ins.append("INSERT INTO t VALUES(%d,%d,'%s',%d.%02d);" % (
            i, rng.below(100), WORDS[rng.below(len(WORDS))].replace("'", "''"),
            rng.below(10000), rng.below(100)))
    ins.append("COMMIT;")
    ins.append("SELECT 'inserted', count(*), sum(k), round(sum(v), 2) FROM t;")
    put("inserts.sql", "\n".join(ins) + "\n")

    shop = ["CREATE TABLE customer(id INTEGER PRIMARY KEY, name TEXT NOT NULL, city TEXT);",
            "CREATE TABLE product(id INTEGER PRIMARY KEY, title TEXT, price REAL);",
            "CREATE TABLE orders(id INTEGER PRIMARY KEY, customer INTEGER REFERENCES customer,"
            " product INTEGER REFERENCES product, qty INTEGER, day TEXT);",
            "CREATE INDEX orders_customer ON orders(customer);",
            "CREATE VIEW revenue AS SELECT o.customer, sum(o.qty * p.price) AS total"
            " FROM orders o JOIN product p ON p.id = o.product GROUP BY o.customer;",
            "BEGIN;"]
    for i in range(1, 301):
        shop.append("INSERT INTO customer VALUES(%d,'%s %s','%s');" % (
            i, WORDS[rng.below(len(WORDS))].capitalize().replace("'", "''"),
            WORDS[rng.below(len(WORDS))].capitalize().replace("'", "''"),
            CITIES[rng.below(len(CITIES))]))
    for i in range(1, 81):
        shop.append("INSERT INTO product VALUES(%d,'%s',%d.%02d);" % (
            i, WORDS[rng.below(len(WORDS))].replace("'", "''"),
            1 + rng.below(500), rng.below(100)))
    for i in range(1, 6001):
        shop.append("INSERT INTO orders VALUES(%d,%d,%d,%d,'2024-%02d-%02d');" % (
            i, 1 + rng.below(300), 1 + rng.below(80), 1 + rng.below(9),
            1 + rng.below(12), 1 + rng.below(28)))
    shop.append("COMMIT;")
    put("shop.sql", "\n".join(shop) + "\n")

    recs = []
    for i in range(2000):
        recs.append({
            "id": i,
            "user": WORDS[rng.below(len(WORDS))] + str(rng.below(1000)),
            "city": CITIES[rng.below(len(CITIES))],
            "tags": [WORDS[rng.below(len(WORDS))] for _ in range(rng.below(4))],
            "score": rng.below(100000) / 100,
            "active": rng.below(3) != 0,
            "parent": None if i < 10 else rng.below(i),
        })
    put("records.json", json.dumps(recs, indent=1) + "\n")

    put("lines.txt", "".join("line %d: %s\n" % (i, WORDS[i % len(WORDS)])
                             for i in range(1, 1001)))
    put("empty", b"")

    runs = []
    for w in sorted(WORDS[:60]):
        runs.extend([w] * (1 + rng.below(5)))
    put("runs.txt", "\n".join(runs) + "\n")

    sums = []
    for name in ("text.txt", "table.csv", "bin.dat"):
        with open(os.path.join(d, name), "rb") as f:
            sums.append("%s  data/%s\n" % (hashlib.md5(f.read()).hexdigest(), name))
    put("sums.md5", "".join(sums))

    put("lines.xz", lzma.compress(open(os.path.join(d, "lines.txt"), "rb").read()))
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name in ("lines.txt", "runs.txt", "table.csv"):
            with open(os.path.join(d, name), "rb") as f:
                data = f.read()
            info = tarfile.TarInfo("archive/" + name)
            info.size, info.mtime, info.mode = len(data), 1700000000, 0o644
            info.uname = info.gname = "root"
            tar.addfile(info, io.BytesIO(data))
    put("files.tar", buf.getvalue())
    put("calc.bc", "scale=30\n4*a(1)\nsqrt(2)\n2^100\nl(10)\n"
        "define f(n) { if (n < 2) return n; return f(n - 1) + f(n - 2) }\nf(20)\n")


if __name__ == "__main__":
    main()
