#!/bin/sh
# suite.sh: run a test suite ending "N passed, N failed", its output shown live.
#
# Usage: suite CMD...  Succeeds only if CMD exits 0 and its last line is
# "N passed, 0 failed": a suite that stops early, or whose count line is
# missing, fails even when its status says otherwise.
log=$(mktemp)
stf=$(mktemp)
t0=$(date +%s)
{
	"$@" 2>&1
	echo $? >"$stf"
} | tee "$log"
st=$(cat "$stf")
last=$(tail -n 1 "$log")
rm -f "$log" "$stf"
echo "suite: status $st after $(($(date +%s) - t0)) s: $*"
[ "$st" = 0 ] && printf '%s\n' "$last" | grep -Eqx '[0-9]+ passed, 0 failed'
