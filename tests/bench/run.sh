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
