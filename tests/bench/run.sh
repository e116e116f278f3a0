#!/bin/sh
# run.sh: the benchmarks (`bmake bench`): ratios against floors measured in the same run.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
b=$top/build
svm=$b/bin/svm-sandbox
bb=$b/tests/bench
runs=${BENCH_RUNS:-30}

echo "machine: $(uname -srm), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, $(free -g | awk '/^Mem/ {print $2}') GiB, $(date -u +%Y-%m-%d)"
echo

echo "== cold start: svm-sandbox hello against the floor, $runs runs each, alternating"
"$bb/coldstart" "$runs" "$svm" "$b/apps/hello/hello" :: "$b/bin/floor" | tee "$bb/cold.txt"
echo

echo "== hypercall round trip: 5 rounds of 20000 no-op hypercalls (100000 in all)"
"$bb/hcbench" "$bb/nop" 20000 5 "$b/apps/hello/hello" | tee "$bb/hc.txt"
echo

echo "== compute (mandelbrot 600) in the guest against the same binary natively, 5 runs each"
"$bb/coldstart" 5 "$svm" "$b/apps/compute/compute" -- 600 :: \
	"$b/apps/compute/compute" 600
echo

echo "== function mode (public API, one process): latency, lifecycle, throughput, idle cost"
"$bb/callbench" "$b" "$(nproc)" 200 | tee "$bb/call.txt"
echo

echo "== function mode's reset: copying into the same mapping against replacing it"
"$bb/hcbench" --reset "$b/tests/guests/callee"
echo

echo "== a system call the guest kernel answers (getppid) against a bare syscall to a jmp *%rcx stub"
stub=$(nm "$bb/sysbench" | awk '/ bare_stub$/ { print $1 }')
"$bb/hcbench" --syscall "$bb/sysbench" "$stub" 100000 | tee "$bb/sys.txt"
"$bb/sysprobe" 100000 5 | tee -a "$bb/sys.txt"
echo

echo "== write(1, line) through the guest kernel against the write hypercall"
"$bb/hcbench" --write "$bb/sysbench" 20000 | tee "$bb/write.txt"
echo

echo "== real programs: the same static binary natively and in the guest (tests/real/bench.sh)"
bash "$top/tests/real/bench.sh" -n 5 "$svm" --mem 160M | tee "$bb/real.txt"
echo

echo "== functions in real languages: an echo handler through --serve (tests/bench/fnbench)"
fn=$top/tests/bench/fn
rb=$b/real/bin
"$bb/fnbench" "$fn" "$b" qjs 2000 "echo me" "echo me" -- "$rb/qjs" --std echo.js | tee "$bb/fn.txt"
"$bb/fnbench" "$fn" "$b" lua 2000 "echo me" "echo me" -- "$rb/lua" echo.lua | tee -a "$bb/fn.txt"
"$bb/fnbench" "$fn" "$b" sqlite3 2000 "SELECT 'echo me';" "echo me" -- \
	"$rb/sqlite3" -batch -init /dev/null :memory: | tee -a "$bb/fn.txt"
echo

echo "== the OCI runtime under podman and ctr against runc (tests/oci/bench.sh)"
ROUNDS=${BENCH_OCI_ROUNDS:-20} sh "$top/tests/oci/bench.sh" | tee "$bb/oci.txt"
echo

cold=$(sed -n 's/^ratio //p' "$bb/cold.txt")
hc=$(sed -n 's/^ratio \([0-9.]*\).*/\1/p' "$bb/hc.txt")
rss=$(sed -n '1s/.*peak RSS \([0-9]*\) KiB/\1/p' "$bb/cold.txt")
guest=$(sed -n 's/^guest memory touched by .*: \([0-9]*\) KiB.*/\1/p' "$bb/hc.txt")
verdict() { if awk "BEGIN { exit !($2) }"; then echo "met     $1"; else echo "MISSED  $1"; fi; }
echo "== targets"
verdict "cold start at most 1.5x the floor: $cold" "$cold <= 1.5"
verdict "hypercall at most 1.2x the raw exit: $hc" "$hc <= 1.2"
verdict "peak RSS $rss KiB at most guest-touched $guest KiB + 2048 KiB" "$rss <= $guest + 2048"
raw=$(sed -n 's/^raw port-I\/O exit (bare loop): *median \([0-9.]*\).*/\1/p' "$bb/hc.txt")
warm=$(sed -n 's/^warm call.*median \([0-9.]*\) us/\1/p' "$bb/call.txt")
fresh=$(sed -n 's/^fresh-state call (noop.*median \([0-9.]*\) us/\1/p' "$bb/call.txt")
life=$(sed -n 's/^create + serve + call + destroy.*recycled VM: median \([0-9.]*\) us/\1/p' "$bb/call.txt")
fresh_life=$(sed -n 's/^create + serve + call + destroy.*new VM: median \([0-9.]*\) us/\1/p' "$bb/call.txt")
floor_life=$(sed -n 's/^  floor: KVM alone.*median \([0-9.]*\) us/\1/p' "$bb/call.txt")
verdict "warm call $warm us at most 1.5x two raw exits (2 x $raw us)" "$warm <= 3 * $raw"
verdict "fresh-state no-op call $fresh us at most 100 us" "$fresh <= 100"
verdict "create + call + destroy $life us at most 1000 us (recycled VM)" "$life <= 1000"
echo "info    create + call + destroy with a new VM: $fresh_life us (KVM alone creating and destroying a VM: $floor_life us)"
sys=$(sed -n 's/^system call answered in the guest.*median \([0-9.]*\) us/\1/p' "$bb/sys.txt")
bare=$(sed -n 's/^bare syscall to a.*median \([0-9.]*\) us/\1/p' "$bb/sys.txt")
wr=$(sed -n 's/^ratio \([0-9.]*\).*/\1/p' "$bb/write.txt")
verdict "system call in the guest $sys us at most 2 us" "$sys <= 2"
probe=$(sed -n 's/^bare syscall in a minimal VM.*median \([0-9.]*\) us.*/\1/p' "$bb/sys.txt")
echo "info    the host's floor: a bare syscall in a minimal VM without the monitor takes $probe us"
verdict "system call in the guest $sys us at most 2x a bare syscall ($bare us)" "$sys <= 2 * $bare"
verdict "write(1) of a line at most 1.1x the write hypercall: $wr" "$wr <= 1.1"
# Real programs: wall time includes each run's start-up; "speed" takes the
# start-up of the same run (lua -e '') off both sides.
r0n=$(awk '/^lua: start and exit/ { print $(NF-2) }' "$bb/real.txt")
r0r=$(awk '/^lua: start and exit/ { print $(NF-1) }' "$bb/real.txt")
speed() {
	awk -v w="$1" -v a="$r0n" -v b="$r0r" 'index($0, w) == 1 {
		printf "%.3f", ($(NF-2) - a) / ($(NF-1) - b) }' "$bb/real.txt"
}
for w in "lua: sort 200,000 integers" "lua: recursive fib(30)" \
	"sqlite3: 20,000 inserts, SQL in tree" "busybox sha256sum: 64 MiB in tree"; do
	v=$(speed "$w")
	verdict "$w: at least 0.95x native speed, start-up off both: ${v}x" "$v >= 0.95"
done
for w in "lua: malloc churn" "lua: GC, binary trees"; do
	v=$(awk -v w="$w" 'index($0, w) == 1 { print $NF }' "$bb/real.txt")
	verdict "$w: at most 1.2x native time (start-up included): $v" "$v <= 1.2"
done
qjs=$(sed -n 's/^qjs: fresh-state call through --serve: median \([0-9.]*\) us.*/\1/p' "$bb/fn.txt")
verdict "qjs echo call through --serve at most 150 us median: $qjs us" "$qjs <= 150"
for l in qjs lua sqlite3; do
	f=$(sed -n "s/^$l: the same binary started natively.*svm-sandbox \([0-9.]*\)x faster/\1/p" "$bb/fn.txt")
	verdict "$l through --serve faster than starting it natively per request: ${f}x" "$f > 1"
done
