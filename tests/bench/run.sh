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
"$bb/coldstart" "$runs" "$svm" "$b/apps/hello/hello.bin" :: "$b/bin/floor" | tee "$bb/cold.txt"
echo

echo "== hypercall round trip: 5 rounds of 20000 no-op hypercalls (100000 in all)"
"$bb/hcbench" "$bb/nop.bin" 20000 5 "$b/apps/hello/hello.bin" | tee "$bb/hc.txt"
echo

echo "== compute (mandelbrot 600) in the guest against the same code native, 5 runs each"
"$bb/coldstart" 5 "$svm" "$b/apps/compute/compute.bin" -- 600 :: \
	"$b/tests/unit/compute-native" 600
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
