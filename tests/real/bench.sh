#!/bin/bash
# bench.sh: times real-program workloads natively and through RUNNER: median wall time of N runs each.
#
# tests/real/bench.sh [-n N] [RUNNER...]
#
# Each workload runs N times (default 5) natively, and N times through
# RUNNER if one is given (the same runners as run.sh: svm-sandbox gets
# --root, --cwd / and --env), alternating, so that drift on a shared
# machine hits both alike. Prints one line per workload: the native
# median, the runner's median and their ratio, in milliseconds of wall
# time from just before the program starts to its exit (including the
# runner's own start-up, which is what a user waits for). Every run must
# exit 0 with the same stdout as the first native run, or the line says
# FAIL. The 64 MiB for sha256sum come on stdin, not in the tree.
set -u
. "$(dirname "$0")/common.sh"
n=5
if [ "${1-}" = -n ]; then
	n=$2
	shift 2
fi
case $n in '' | *[!0-9]* | 0) echo "bench.sh: -n takes a positive count" >&2; exit 2 ;; esac
runner=("$@")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

sh "$top/tests/real/build.sh" >"$tmp/build" 2>&1 || {
	cat "$tmp/build" >&2
	exit 1
}
prepare_tree || exit 1
big=$real/bench/zero-64m
if [ "$(stat -c %s "$big" 2>/dev/null)" != 67108864 ]; then
	mkdir -p "$real/bench"
	head -c 67108864 /dev/zero >"$big.tmp" && mv "$big.tmp" "$big"
fi

# ms HOW IN PROG ARGS...: runs once; prints its wall time in ms, or fails.
ms() {
	local how=$1 in=$2 t0 t1 st
	shift 2
	t0=$EPOCHREALTIME
	invoke "$how" "$tmp/out" "$tmp/err" "$in" "$@"
	st=$?
	t1=$EPOCHREALTIME
	[ "$st" = 0 ] || return 1
	if [ -f "$tmp/want" ]; then
		cmp -s "$tmp/want" "$tmp/out" || return 1
	else
		cp "$tmp/out" "$tmp/want"
	fi
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", (b - a) * 1000 }'
}

median() {
	sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# w NAME STDIN PROG ARGS...: one workload; STDIN is - (none), a path in the
# tree or an absolute host path.
w() {
	local name=$1 in=$2 i t
	shift 2
	case $in in
	-) in=/dev/null ;;
	/*) ;;
	*) in=$tree/$in ;;
	esac
	rm -f "$tmp/want" "$tmp/native" "$tmp/runner"
	for ((i = 0; i < n; i++)); do
		t=$(ms native "$in" "$@") || { printf '%-34s FAIL native run: %s\n' "$name" "$(head -c 200 "$tmp/err")"; return; }
		echo "$t" >>"$tmp/native"
		if [ ${#runner[@]} -gt 0 ]; then
			t=$(ms runner "$in" "$@") || { printf '%-34s FAIL runner: %s\n' "$name" "$(head -c 200 "$tmp/err")"; return; }
			echo "$t" >>"$tmp/runner"
		fi
	done
	local a b
	a=$(median <"$tmp/native")
	if [ ${#runner[@]} -gt 0 ]; then
		b=$(median <"$tmp/runner")
		printf '%-34s %10s %10s %7s\n' "$name" "$a" "$b" "$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", b / a }')"
	else
		printf '%-34s %10s\n' "$name" "$a"
	fi
}

echo "# $(uname -sr) $(uname -m); $(nproc) cores; $(awk '/^model name/ { sub(/.*: /, ""); print; exit }' /proc/cpuinfo)"
echo "# load: $(cut -d' ' -f1-3 /proc/loadavg); median of $n runs; ms of wall time"
if [ ${#runner[@]} -gt 0 ]; then
	echo "# runner ($(runner_kind "${runner[@]}")): ${runner[*]}"
	printf '%-34s %10s %10s %7s\n' workload native runner ratio
else
	printf '%-34s %10s\n' workload native
fi
w "lua: sort 200,000 integers" - lua lua/sort.lua
w "lua: recursive fib(30)" - lua lua/fib.lua 30
w "lua: malloc churn (50,000 steps)" - lua lua/churn.lua 50000
w "lua: GC, binary trees (depth 14)" - lua lua/trees.lua 14
w "sqlite3: 20,000 inserts" data/inserts.sql sqlite3 -init sql/init.sql
w "sqlite3: 20,000 inserts, SQL in tree" - sqlite3 -init sql/init.sql :memory: '.read data/inserts.sql'
w "busybox sha256sum: 64 MiB stdin" "$big" busybox sha256sum
# The same 64 MiB as a file of the tree: in the guest, read from memory.
ln -f "$big" "$tree/zero-64m" 2>/dev/null || cp "$big" "$tree/zero-64m"
w "busybox sha256sum: 64 MiB in tree" - busybox sha256sum zero-64m
rm -f "$tree/zero-64m"
w "minigzip -9: 1 MiB" data/text.txt minigzip -9
w "qjs: compute.js" - qjs js/compute.js
w "lua: start and exit (-e '')" - lua -e ''
