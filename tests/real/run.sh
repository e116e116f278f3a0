#!/bin/bash
# run.sh: runs real programs natively and through RUNNER and compares stdout and exit status byte for byte.
#
# tests/real/run.sh [RUNNER...]
#
# Each case runs one static binary (lua, sqlite3, minigzip, qjs from
# tests/real/build.sh, and Debian's /bin/busybox) twice on the same input:
# natively, and through RUNNER. With no RUNNER (or env, strace, any prefix
# that runs a host program) the second run is native too, which checks that
# the builds work and the workloads are deterministic. With RUNNER
# build/bin/svm-sandbox [flags] the second run is in the guest:
#   RUNNER --root build/real/tree --cwd / --env N=V... PROGRAM -- ARGS...
# (see common.sh for the tree and how paths and the environment match).
# A case passes when the native run ends with the status the case expects,
# both runs end with the same status and write the same bytes to stdout,
# stderr matches the case's pattern in both (where it has one), and neither
# run changed anything in the tree (the guest cannot write files, so no
# workload may). Prints "ok   NAME" or "FAIL NAME" and indented details
# per case, then "N passed, N failed"; exits 0 only if none failed.
#
# REAL_ONLY=REGEX runs only the cases whose names match. REAL_TRACE_DIR=DIR
# traces each case's native run with strace -f into DIR/NNN.trace, and
# REAL_VDSO_DIR=DIR counts its vDSO calls into DIR/NNN.vdso (DIR/index names
# the cases; trace.sh summarises them); REAL_RUNNER_TRACE_DIR=DIR passes
# CHROOT_TRACE=DIR/NNN.trace to the runner (chroot-runner.sh traces the
# program there). REAL_TIMEOUT bounds each run.
set -u
. "$(dirname "$0")/common.sh"
runner=("$@")
kind=$(runner_kind "$@")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
. "$top/tests/lib.sh"
ncase=0

# head_of FILE: FILE's first lines, cut short, for a detail line.
head_of() {
	head -c 600 "$1" | head -n 4 | cut -c1-160 | tr '\n' '|'
}

# first_diff A B: where two outputs part, with the line from each.
first_diff() {
	local at line
	at=$(cmp "$1" "$2" 2>&1 | head -n 1)
	case $at in
	*"line "*)
		line=${at##*line }
		echo "$at"
		echo "native: $(sed -n "${line}p" "$1" | cut -c1-160)"
		echo "runner: $(sed -n "${line}p" "$2" | cut -c1-160)"
		;;
	*) echo "$at" ;;
	esac
}

# c NAME STATUS STDIN STDERR -- PROG ARG...
# STATUS is the status the native run must end with; STDIN a file in the
# tree (or - for /dev/null); STDERR an extended regex that stderr must
# match in both runs, or - for no check (stderr names the program by its
# argv[0], which differs between the runs).
# refused NAME STATUS STDERR-REGEX -- PROGRAM ARGS: what the guest refuses
# by design: through the runner only, the status and stderr must be these.
refused() {
	local name=$1 want=$2 errre=$3 s
	shift 3
	[ "$1" = -- ] && shift
	if [ -n "${REAL_ONLY-}" ] && ! [[ $name =~ $REAL_ONLY ]]; then
		return
	fi
	ncase=$((ncase + 1))
	invoke runner "$tmp/runner.out" "$tmp/runner.err" /dev/null "$@"
	s=$?
	if [ "$s" = "$want" ] && grep -Eq -- "$errre" "$tmp/runner.err"; then
		ok "$name"
	else
		nok "$name" "runner: status $s, want $want; stderr: $(head_of "$tmp/runner.err")"
	fi
}

c() {
	local name=$1 want=$2 input=$3 errre=$4
	shift 4
	[ "$1" = -- ] && shift
	if [ -n "${REAL_ONLY-}" ] && ! [[ $name =~ $REAL_ONLY ]]; then
		return
	fi
	ncase=$((ncase + 1))
	local in=/dev/null
	[ "$input" = - ] || in=$tree/$input
	local o1=$tmp/native.out e1=$tmp/native.err o2=$tmp/runner.out e2=$tmp/runner.err
	local s1 s2 why=() trace='' vdso='' rtrace='' d
	for d in "${REAL_TRACE_DIR-}" "${REAL_VDSO_DIR-}" "${REAL_RUNNER_TRACE_DIR-}"; do
		[ -z "$d" ] || printf '%03d\t%s\t%s\n' "$ncase" "$1" "$name" >>"$d/index"
	done
	[ -z "${REAL_TRACE_DIR-}" ] || trace=$(printf '%s/%03d.trace' "$REAL_TRACE_DIR" "$ncase")
	[ -z "${REAL_VDSO_DIR-}" ] || vdso=$(printf '%s/%03d.vdso' "$REAL_VDSO_DIR" "$ncase")
	REAL_TRACE=$trace REAL_VDSO=$vdso invoke native "$o1" "$e1" "$in" "$@"
	s1=$?
	[ -z "${REAL_RUNNER_TRACE_DIR-}" ] ||
		rtrace=$(printf '%s/%03d.trace' "$REAL_RUNNER_TRACE_DIR" "$ncase")
	CHROOT_TRACE=$rtrace invoke runner "$o2" "$e2" "$in" "$@"
	s2=$?
	[ "$s1" = "$want" ] ||
		why+=("native run: status $s1, want $want; stderr: $(head_of "$e1")")
	[ "$s2" = 124 ] && why+=("runner: timed out after ${REAL_TIMEOUT:-300} s")
	[ "$s1" = "$s2" ] || why+=("status: native $s1, runner $s2")
	if ! cmp -s "$o1" "$o2"; then
		why+=("stdout differs: native $(wc -c <"$o1") bytes, runner $(wc -c <"$o2") bytes")
		while IFS= read -r l; do why+=("  $l"); done < <(first_diff "$o1" "$o2")
	fi
	if [ "$errre" != - ]; then
		grep -Eq -- "$errre" "$e1" || why+=("native stderr does not match /$errre/: $(head_of "$e1")")
		grep -Eq -- "$errre" "$e2" || why+=("runner stderr does not match /$errre/: $(head_of "$e2")")
	fi
	if [ ${#why[@]} -gt 0 ] && [ -s "$e2" ]; then
		why+=("runner stderr: $(head_of "$e2")")
	fi
	tree_state >"$tmp/state.now"
	if ! cmp -s "$tmp/state" "$tmp/state.now"; then
		why+=("changed the tree: $(diff "$tmp/state" "$tmp/state.now" | grep '^[<>]' | head -n 3 | tr '\n' ' ')")
		prepare_tree && tree_state >"$tmp/state"
	fi
	if [ ${#why[@]} -eq 0 ]; then ok "$name"; else nok "$name" "${why[@]}"; fi
}

# --- build and tree ------------------------------------------------------

if sh "$top/tests/real/build.sh" >"$tmp/build" 2>&1; then
	ok "build: lua, sqlite3, minigzip, qjs (build/real/MANIFEST)"
else
	nok "build: lua, sqlite3, minigzip, qjs" "$(tail -n 5 "$tmp/build" | tr '\n' '|')"
	echo "$pass passed, $fail failed"
	exit 1
fi
if [ ! -x "$busybox" ]; then
	nok "busybox" "$busybox is missing: ./configure installs busybox-static"
	echo "$pass passed, $fail failed"
	exit 1
fi
if ! prepare_tree >"$tmp/tree" 2>&1; then
	nok "tree: data and workloads in build/real/tree" "$(tail -n 5 "$tmp/tree" | tr '\n' '|')"
	echo "$pass passed, $fail failed"
	exit 1
fi
tree_state >"$tmp/state"
for d in "${REAL_TRACE_DIR-}" "${REAL_VDSO_DIR-}" "${REAL_RUNNER_TRACE_DIR-}"; do
	[ -z "$d" ] || { rm -rf "$d" && mkdir -p "$d"; }
done
if [ "$kind" = sandbox ]; then
	echo "# runner (sandbox): ${runner[*]} --root $tree --cwd / ..."
else
	echo "# runner (native): ${runner[*]:-(none)}"
fi

# --- Lua 5.4 -------------------------------------------------------------

c "lua: sort 200,000 generated integers" 0 - - -- lua lua/sort.lua
c "lua: sort 200,000 integers read from /data/numbers.txt" 0 - - -- \
	lua lua/sort.lua @ROOT@/data/numbers.txt
c "lua: recursive fib(27)" 0 - - -- lua lua/fib.lua 27
c "lua: string building, gsub, patterns, pack, utf8" 0 - - -- lua lua/strings.lua
c "lua: coroutines" 0 - - -- lua lua/coro.lua
c "lua: string.format('%a') and number conversions" 0 - - -- lua lua/format.lua
c "lua: os.time, os.date, os.clock, os.getenv" 0 - - -- lua lua/time.lua
c "lua: collector, weak tables, finalizers, both GC modes" 0 - - -- lua lua/gc.lua
c "lua: allocator churn, 20,000 strings and tables up to 32 KiB" 0 - - -- lua lua/churn.lua 20000
c "lua: binary trees for the collector (depth 12)" 0 - - -- lua lua/trees.lua 12
c "lua: unbounded recursion ends in \"stack overflow\", status 1" 1 - \
	'overflow\.lua:3: stack overflow' -- lua lua/overflow.lua
c "lua: word frequencies of 1 MiB of text on stdin" 0 data/text.txt - -- lua lua/wordfreq.lua
c "lua: io library on files by absolute and relative paths" 0 - - -- \
	lua lua/io.lua @ROOT@/data/numbers.txt data/lines.txt
c "lua: a script on stdin (lua - 20)" 0 lua/fib.lua - -- lua - 20
c "lua: -v and -e" 0 - - -- lua -v -e 'print(("%d %s"):format(6 * 7, _VERSION))'
c "lua: os.exit(3) flushes and exits 3" 3 - - -- lua lua/exit.lua 3
c "lua: os.exit(false) exits 1" 1 - - -- lua lua/exit.lua false
c "lua: an error with a table value exits 1" 1 - 'error object is a table value' -- \
	lua lua/exit.lua error
c "lua: a syntax error exits 1" 1 - "unexpected symbol near '='" -- lua -e 'x = = 1'

# --- sqlite3 -------------------------------------------------------------

c "sqlite3: 20,000 INSERTs in one transaction on stdin" 0 data/inserts.sql - -- \
	sqlite3 -init sql/init.sql
c "sqlite3: the inserts by .read, then aggregates, windows, CTEs, JSON, modes" 0 - - -- \
	sqlite3 -init sql/init.sql :memory: '.read data/inserts.sql' '.read sql/aggregates.sql'
c "sqlite3: queries over a read-only database file (-readonly data/shop.db)" 1 sql/readonly.sql \
	'attempt to write a readonly database' -- sqlite3 -init sql/init.sql -readonly data/shop.db
c "sqlite3: the same over file:/data/shop.db?immutable=1 (absolute path)" 1 sql/readonly.sql \
	'attempt to write a readonly database' -- \
	sqlite3 -init sql/init.sql 'file:@ROOT@/data/shop.db?immutable=1'
c "sqlite3: .schema and .dump of the read-only database" 0 sql/dump.sql - -- \
	sqlite3 -init sql/init.sql -readonly data/shop.db
c "sqlite3: -json output of a query given as an argument" 0 - - -- \
	sqlite3 -init sql/init.sql -json -readonly data/shop.db \
	'SELECT * FROM product ORDER BY price DESC LIMIT 5'
c "sqlite3: -bail stops at the first error with status 1" 1 sql/error.sql \
	'no such table: no_such_table' -- sqlite3 -init sql/init.sql -bail
c "sqlite3: -version" 0 - - -- sqlite3 -init sql/init.sql -version

# --- minigzip (zlib) -----------------------------------------------------

c "minigzip: compress 1 MiB of text, stdin to stdout" 0 data/text.txt - -- minigzip
c "minigzip: compress at -1" 0 data/text.txt - -- minigzip -1
c "minigzip: compress at -9" 0 data/text.txt - -- minigzip -9
c "minigzip: compress binary data with -h (Huffman only)" 0 data/bin.dat - -- minigzip -h
c "minigzip: compress with -r (RLE)" 0 data/text.txt - -- minigzip -r
c "minigzip: compress empty input" 0 data/empty - -- minigzip
c "minigzip: -c of a file by a relative path" 0 - - -- minigzip -c data/lines.txt
c "minigzip: decompress stdin to stdout (-d)" 0 data/text.gz - -- minigzip -d
c "minigzip: -d -c of /data/text.gz (absolute path)" 0 - - -- minigzip -d -c @ROOT@/data/text.gz
c "minigzip: -d of input that is not gzip copies it" 0 data/lines.txt - -- minigzip -d

# --- QuickJS -------------------------------------------------------------

for t in closure language builtin loop; do
	c "qjs: QuickJS's tests/test_$t.js" 0 - - -- qjs "qjs-tests/test_$t.js"
done
c "qjs: QuickJS's tests/test_bignum.js (--bignum)" 0 - - -- qjs --bignum qjs-tests/test_bignum.js
c "qjs: QuickJS's tests/test_op_overloading.js (--bignum)" 0 - - -- \
	qjs --bignum qjs-tests/test_op_overloading.js
c "qjs: QuickJS's tests/test_qjscalc.js (--qjscalc)" 0 - - -- qjs --qjscalc qjs-tests/test_qjscalc.js
# test_std.js: js/std_subtests.js runs those of its subtests that can run
# in a read-only, single-process guest and lists the rest with the reason.
c "qjs: QuickJS's tests/test_std.js, the subtests that apply" 0 - - -- \
	qjs js/std_subtests.js qjs-tests/test_std.js
# test_worker.js needs threads (clone, futex). svm-sandbox's guest has one
# thread (clone is ENOSYS, kernel/table.c): there the case checks that the
# worker is refused as documented, and the test itself runs natively.
# test_bjson.js needs a shared-library module: no dlopen in a static
# binary, natively or in the guest, so it is not run at all.
if [ "$kind" = sandbox ]; then
	refused "qjs: QuickJS's tests/test_worker.js: no threads in the guest, the worker is refused" \
		1 'could not create worker' -- qjs qjs-tests/test_worker.js
else
	c "qjs: QuickJS's tests/test_worker.js (a worker thread)" 0 - - -- qjs qjs-tests/test_worker.js
fi
c "qjs: JSON transform of /data/records.json and stdin" 0 data/records.json - -- \
	qjs js/json_transform.js @ROOT@/data/records.json
c "qjs: read-only std and os APIs" 0 data/empty '^to stderr$' -- qjs js/stdos.js @ROOT@/data/lines.txt
c "qjs: regexps, BigInt, typed arrays, classes, promises" 0 - - -- qjs js/compute.js
c "qjs: --std -e" 0 - - -- qjs --std -e 'std.printf("%05d %s\n", 42, typeof os.open)'
c "qjs: an uncaught exception exits 1" 1 - 'Error: boom' -- qjs -e 'throw new Error("boom")'

# --- busybox (Debian's busybox-static, glibc) ----------------------------

c "busybox sha256sum: files" 0 - - -- busybox sha256sum data/text.txt data/bin.dat data/empty
c "busybox sha256sum: stdin" 0 data/text.txt - -- busybox sha256sum
c "busybox md5sum: a file" 0 - - -- busybox md5sum data/table.csv
c "busybox md5sum -c: a checksum list naming files" 0 - - -- busybox md5sum -c data/sums.md5
c "busybox sha512sum: stdin" 0 data/bin.dat - -- busybox sha512sum
c "busybox wc: files" 0 - - -- busybox wc data/text.txt data/lines.txt data/bin.dat
c "busybox wc -l: stdin" 0 data/numbers.txt - -- busybox wc -l
c "busybox sort -n: a file" 0 - - -- busybox sort -n data/numbers.txt
c "busybox sort -t, -k: a CSV file" 0 - - -- busybox sort -t, -k4,4nr -k1,1n data/table.csv
c "busybox sort -u -r: stdin" 0 data/runs.txt - -- busybox sort -u -r
c "busybox uniq -c: a file" 0 - - -- busybox uniq -c data/runs.txt
c "busybox tr -s: translate and squeeze stdin" 0 data/text.txt - -- busybox tr -s 'a-z' 'A-Z'
c "busybox tr -cs: words per line" 0 data/lines.txt - -- busybox tr -cs 'A-Za-z0-9' '\n'
c "busybox sed: substitutions on stdin" 0 data/text.txt - -- \
	busybox sed -e 's/\([a-z]*\) \([a-z]*\)/\2 \1/g' -e '/the/d'
c "busybox sed -n: a range of a file" 0 - - -- busybox sed -n '100,120p;$=' data/lines.txt
# shellcheck disable=SC2016 # a program for busybox
c "busybox awk: totals per city of a CSV file" 0 - - -- busybox awk -F, \
	'NR > 1 { s[$3] += $4; n[$3]++ } END { for (c in s) printf "%s %d %.2f\n", c, n[c], s[c] / n[c] }' \
	data/table.csv
# shellcheck disable=SC2016 # a program for busybox
c "busybox awk: word counts on stdin" 0 data/text.txt - -- busybox awk \
	'{ for (i = 1; i <= NF; i++) w[$i]++ } END { n = 0; for (k in w) n++; print n, NR, w["the"] }'
c "busybox grep -n -E: a file" 0 - - -- busybox grep -n -E '^line [0-9]*7: (the|of)' data/lines.txt
c "busybox grep -c -i -v: stdin" 0 data/text.txt - -- busybox grep -c -i -v 'THE'
c "busybox grep: no match exits 1" 1 data/lines.txt - -- busybox grep 'no such words'
c "busybox cut -d -f: a CSV file" 0 - - -- busybox cut -d, -f2,4 data/table.csv
c "busybox cut -c: stdin" 0 data/text.txt - -- busybox cut -c3-12
c "busybox head -n: files" 0 - - -- busybox head -n 5 data/table.csv data/lines.txt
c "busybox tail -n: a file (seeks)" 0 - - -- busybox tail -n 3 data/numbers.txt
c "busybox tail -n +N: stdin" 0 data/lines.txt - -- busybox tail -n +995
c "busybox base64: a binary file" 0 - - -- busybox base64 data/bin.dat
c "busybox base64 -d: stdin" 0 data/bin.b64 - -- busybox base64 -d
c "busybox gzip -c -9: a file" 0 - - -- busybox gzip -c -9 data/text.txt
c "busybox gzip -c: stdin" 0 data/bin.dat - -- busybox gzip -c
c "busybox gunzip -c: a file" 0 - - -- busybox gunzip -c data/text.gz
# Not zcat on stdin: it forks a child to decompress through a pipe.
c "busybox gunzip -c: stdin" 0 data/text.gz - -- busybox gunzip -c
c "busybox bzip2 -c: a file" 0 - - -- busybox bzip2 -c data/lines.txt
c "busybox od -A x -t x1 -c: a binary file" 0 - - -- busybox od -A x -t x1 -N 4096 data/bin.dat
c "busybox hexdump -C: stdin" 0 data/bin.dat - -- busybox hexdump -C
c "busybox seq" 0 - - -- busybox seq 1 3 100000
c "busybox seq -w with a float step" 0 - - -- busybox seq -w 0 0.25 20
c "busybox expr: arithmetic" 0 - - -- busybox expr 6 '*' 7 + 1
c "busybox expr: a match" 0 - - -- busybox expr 'abcdef' : 'a\(.*\)e'
c "busybox expr: division by zero exits 2" 2 - 'division by zero' -- busybox expr 1 / 0
c "busybox printf" 0 - - -- busybox printf '%05d|%-5s|%x|%.3f|%c|%%\n' 42 ab 255 3.14159 xyz
c "busybox cat: files" 0 - - -- busybox cat data/lines.txt data/empty data/runs.txt
c "busybox tee: stdin to stdout" 0 data/lines.txt - -- busybox tee
c "busybox cmp: files that differ exit 1" 1 - - -- busybox cmp data/text.txt data/lines.txt
c "busybox dd: blocks of a file" 0 - - -- busybox dd if=data/bin.dat bs=1024 skip=3 count=4
c "busybox ls -1: a directory" 0 - - -- busybox ls -1 data lua
c "busybox stat -c: size and type of files" 0 - - -- busybox stat -c '%s %F %n' data/text.txt data/empty
# A directory's size is the file system's own business: only its type.
c "busybox stat -c: type of directories" 0 - - -- busybox stat -c '%F %n' data lua
c "busybox fold -w: stdin" 0 data/lines.txt - -- busybox fold -w 7
c "busybox rev: stdin" 0 data/lines.txt - -- busybox rev
c "busybox nl: a file" 0 - - -- busybox nl data/runs.txt
c "busybox tac: a file" 0 - - -- busybox tac data/lines.txt
c "busybox crc32: a file" 0 - - -- busybox crc32 data/bin.dat
c "busybox date -u -d: fixed times" 0 - - -- busybox date -u -d @1700000000 '+%Y-%m-%d %H:%M:%S %j %a'
c "busybox sha3sum: a file" 0 - - -- busybox sha3sum data/text.txt
c "busybox xxd: a part of a file" 0 - - -- busybox xxd -s 1000 -l 512 data/bin.dat
c "busybox strings: a binary file" 0 - - -- busybox strings -n 3 data/bin.dat
c "busybox paste -d: files side by side" 0 - - -- busybox paste -d'|' data/lines.txt data/runs.txt
c "busybox factor" 0 - - -- busybox factor 600851475143 9007199254740993 1000000007
c "busybox bc -l: a script on stdin" 0 data/calc.bc - -- busybox bc -l
c "busybox cal: a fixed month" 0 - - -- busybox cal 2 2024
c "busybox tar -tvf: an archive's listing" 0 - - -- busybox tar -tvf data/files.tar
c "busybox tar -xOf: members to stdout" 0 - - -- busybox tar -xOf data/files.tar archive/runs.txt archive/table.csv
c "busybox xzcat: a file" 0 - - -- busybox xzcat data/lines.xz
c "busybox env: exactly the environment given" 0 - - -- busybox env
c "busybox uname -s -m" 0 - - -- busybox uname -s -m
c "busybox sleep 0.1" 0 - - -- busybox sleep 0.1
c "busybox false exits 1" 1 - - -- busybox false
# shellcheck disable=SC2016 # a program for busybox
c "busybox sh -c: builtins only, reading stdin (no fork)" 0 data/lines.txt - -- busybox sh -c \
	'n=0; s=0; while read -r a b c; do n=$((n + 1)); s=$((s + ${#c})); done; echo "$n $s"; i=0; while [ $i -lt 2000 ]; do i=$((i + 1)); done; printf "%s %x\n" "$i" "$i"; test -f data/text.txt && echo file; [ -d data ] && echo dir; set -- a b c; echo "$# $2"'

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
