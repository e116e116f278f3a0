#!/bin/sh
# trace.sh: lists every system call each real program makes natively, from strace and from gdb for the vDSO, as Markdown.
#
# tests/real/trace.sh [OUT]: runs tests/real/run.sh twice, native against
# native: once with each native run under strace -f (build/real/trace),
# once under gdb counting calls into the vDSO, which strace cannot see
# (build/real/vdso). Both must pass. Then syscalls.py writes the summary
# to OUT (default build/real/SYSCALLS.generated.md); tests/real/SYSCALLS.md
# is its reading.
set -eu
top=$(CDPATH='' cd -- "$(dirname -- "$0")/../.." && pwd -P)
out=${1:-$top/build/real/SYSCALLS.generated.md}
for t in strace gdb python3; do
	command -v $t >/dev/null 2>&1 || { echo "trace.sh: $t is not installed: run ./configure" >&2; exit 1; }
done
REAL_TRACE_DIR=$top/build/real/trace "$top/tests/real/run.sh" >"$top/build/real/trace.log" 2>&1 ||
	{ echo "trace.sh: run.sh under strace failed; see build/real/trace.log" >&2; exit 1; }
REAL_VDSO_DIR=$top/build/real/vdso "$top/tests/real/run.sh" >"$top/build/real/vdso.log" 2>&1 ||
	{ echo "trace.sh: run.sh under gdb failed; see build/real/vdso.log" >&2; exit 1; }
python3 "$top/tests/real/syscalls.py" "$top/build/real/trace" "$top/build/real/vdso" >"$out.tmp"
mv -f "$out.tmp" "$out"
echo "trace.sh: $(tail -n 1 "$top/build/real/trace.log") under strace, $(tail -n 1 "$top/build/real/vdso.log") under gdb; wrote $out"
