#!/bin/sh
# trace.sh: lists every system call each real program makes natively, from strace and from gdb for the vDSO, as Markdown.
#
# tests/real/trace.sh [OUT]: runs tests/real/run.sh three times: native
# against native with each native run under strace -f (build/real/trace),
# the same under gdb counting calls into the vDSO, which strace cannot see
# (build/real/vdso), and through chroot-runner.sh with the chrooted program
# under strace (build/real/trace-chroot), which shows how the calls change
# when the tree is a read-only / (needs root). All must pass. Then
# syscalls.py writes the summary to OUT (default
# build/real/SYSCALLS.generated.md); tests/real/SYSCALLS.md is its reading.
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
[ "$(id -u)" -eq 0 ] || { echo "trace.sh: the chroot pass needs root" >&2; exit 1; }
REAL_RUNNER_KIND=sandbox REAL_RUNNER_TRACE_DIR=$top/build/real/trace-chroot \
	"$top/tests/real/run.sh" "$top/tests/real/chroot-runner.sh" >"$top/build/real/trace-chroot.log" 2>&1 ||
	{ echo "trace.sh: run.sh through chroot-runner.sh failed; see build/real/trace-chroot.log" >&2; exit 1; }
python3 "$top/tests/real/syscalls.py" "$top/build/real/trace" "$top/build/real/vdso" \
	--chroot "$top/build/real/trace-chroot" >"$out.tmp"
mv -f "$out.tmp" "$out"
echo "trace.sh: $(tail -n 1 "$top/build/real/trace.log") under strace," \
	"$(tail -n 1 "$top/build/real/vdso.log") under gdb," \
	"$(tail -n 1 "$top/build/real/trace-chroot.log") chrooted; wrote $out"
