#!/bin/sh
# run.sh: runs every test of svm-sandbox (`bmake test`); ends with "N passed, N failed".
#
# run.sh [--vm-only]: --vm-only leaves out the host-side tests (unit tests,
# format, trace), for a run inside the QEMU test machine. The words of
# $SVM_ARGS (e.g. "--backend=svmk --paging=shadow") go to every svm-sandbox.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
b=$top/build
apps=$b/apps
g=$b/tests/guests
golden=$top/tests/golden
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
. "$top/tests/lib.sh"
vm_only=false
[ "${1-}" = --vm-only ] && vm_only=true

# Both monitors through wrappers that add $SVM_ARGS.
for m in svm-sandbox svm-sandbox-test; do
	printf '#!/bin/sh\n# shellcheck disable=SC2086\nexec "%s" ${SVM_ARGS-} "$@"\n' \
		"$b/bin/$m" >"$tmp/$m"
	chmod +x "$tmp/$m"
done
svm=$tmp/svm-sandbox
dev=/dev/kvm
case " ${SVM_ARGS-} " in *" --backend=svmk "*) dev=/dev/svmk ;; esac

# t NAME STATUS STDOUT STDERR [INPUT] -- CMD...
# Runs CMD with INPUT (a file, default /dev/null) on stdin. STDOUT must match
# exactly ("*" skips the check, "@FILE" compares bytes with FILE); STDERR is
# an extended regex the whole of stderr must match, or empty when stderr
# must be empty.
t() {
	name=$1 want=$2 wout=$3 werr=$4
	shift 4
	input=/dev/null
	if [ "$1" != -- ]; then
		input=$1
		shift
	fi
	shift
	"$@" <"$input" >"$tmp/out" 2>"$tmp/err"
	st=$?
	why=
	[ "$st" = "$want" ] || why="status $st, want $want"
	if [ "${wout#@}" != "$wout" ]; then
		cmp -s "${wout#@}" "$tmp/out" ||
			why="$why${why:+; }stdout ($(wc -c <"$tmp/out") bytes) differs from ${wout#@}"
	elif [ "$wout" != "*" ] && [ "$(cat "$tmp/out")" != "$wout" ]; then
		why="$why${why:+; }stdout: $(head -c 200 "$tmp/out")"
	fi
	if [ -z "$werr" ]; then
		[ -s "$tmp/err" ] && why="$why${why:+; }stderr: $(head -c 300 "$tmp/err")"
	elif [ "$(wc -l <"$tmp/err")" != 1 ] ||
		! grep -Eqx -- "$werr" "$tmp/err"; then
		why="$why${why:+; }stderr: $(head -c 300 "$tmp/err")"
	fi
	if [ -z "$why" ]; then ok "$name"; else nok "$name" "$why"; fi
}

if ! $vm_only; then
# Unit tests (no KVM), each one test here: they print their own counts.
unit() {
	name=$1
	shift
	"$@" >"$tmp/unit" 2>&1
	st=$?
	line=$(tail -n 1 "$tmp/unit")
	if [ $st = 0 ] && expr "$line" : '[0-9]* passed, 0 failed$' >/dev/null; then
		ok "unit: $name: $line"
	else
		nok "unit: $name (status $st)" "$(grep -m 20 FAIL "$tmp/unit")" "$line"
	fi
}
unit "ELF and guest-address checks, and every app built" \
	"$b/tests/unit/elf_test" "$apps"/*/* "$g"/*
unit "the root file tree builder" "$b/tests/unit/tree_test"

if command -v clang-format >/dev/null && [ -e "$top/.git" ]; then
	if sh "$top/tests/check-format.sh" >"$tmp/fmt" 2>&1; then
		ok "C sources match .clang-format"
	else
		nok "C sources match .clang-format" "$(head -n 5 "$tmp/fmt")"
	fi
else
	nok "C sources match .clang-format" "needs clang-format and a git checkout"
fi
fi

# The svmk module, and the VM tests below on kvm-amd and on svmk in both
# paging modes, inside QEMU's emulated SVM: this host cannot load modules.
# Where the host has no /dev/kvm, this is where the KVM tests still run.
qemu_suite() {
	$vm_only && return
	bash "$top/tests/qemu/run.sh" >"$tmp/qemu" 2>&1
	st=$?
	sed -n 's/^@@ PASS \(.*\)/\1/p' "$tmp/qemu" | while IFS= read -r n; do
		echo "ok   qemu: $n"
	done
	pass=$((pass + $(grep -c '^@@ PASS ' "$tmp/qemu")))
	if [ $st != 0 ] || ! tail -n 1 "$tmp/qemu" | grep -q " passed, 0 failed$"; then
		grep '^@@ FAIL ' "$tmp/qemu" | while IFS= read -r n; do
			echo "FAIL qemu: ${n#@@ FAIL }"
		done
		fail=$((fail + $(grep -c '^@@ FAIL ' "$tmp/qemu")))
		nok "qemu: tests/qemu/run.sh (status $st)" "$(grep -v '^\[' "$tmp/qemu" | tail -n 5)"
	fi
}

# Everything below runs VMs on this host: without KVM they fail, loudly
# (after the QEMU suite, which needs none).
if [ ! -c $dev ] || [ ! -r $dev ] || [ ! -w $dev ]; then
	nok "$dev" "$dev is missing or not usable by $(id -u): the VM tests cannot run on this host"
	qemu_suite
	echo "$pass passed, $fail failed"
	exit 1
fi

if ! $vm_only; then
	case "$(file -b "$b/bin/svm-sandbox")" in
	*"statically linked"*) ok "svm-sandbox is statically linked" ;;
	*) nok "svm-sandbox is statically linked" "$(file -b "$b/bin/svm-sandbox")" ;;
	esac
fi

# The apps.
t "hello" 0 "Hello from svm-sandbox!" "" -- "$svm" "$apps/hello/hello"
printf 'line one\nline two\n' >"$tmp/in2"
t "echo: arguments and input" 0 "$(printf 'a b  c\nline one\nline two')" "" \
	"$tmp/in2" -- "$svm" "$apps/echo/echo" -- a b " c"
t "echo: no arguments, no input" 0 "" "" -- "$svm" "$apps/echo/echo"
head -c 3000000 /dev/urandom >"$tmp/big"
if "$svm" "$apps/echo/echo" <"$tmp/big" >"$tmp/big.out" 2>"$tmp/err" &&
	cmp -s "$tmp/big" "$tmp/big.out"; then
	ok "echo: 3 MB of binary input comes back intact"
else
	nok "echo: 3 MB of binary input comes back intact" "$(cat "$tmp/err")"
fi
printf 'abc' >"$tmp/abc"
: >"$tmp/empty"
for f in empty abc big; do
	t "sha256: $f input matches sha256sum" 0 \
		"$(sha256sum <"$tmp/$f")" "" "$tmp/$f" -- "$svm" "$apps/sha256/sha256"
done
t "compute matches the same binary run natively" 0 "$("$apps/compute/compute" 300)" \
	"" -- "$svm" "$apps/compute/compute" -- 300
t "compute: bad argument" 2 "" "compute: bad size" -- \
	"$svm" "$apps/compute/compute" -- -5

# Static programs of other toolchains, unmodified: glibc's gcc -static and
# -static-pie (built by tests/unit), and Debian's busybox-static.
if ! $vm_only; then
	for p in hello-glibc hello-static-pie; do
		t "$p: a glibc static program runs as natively" 0 "$("$b/tests/unit/$p")" "" -- \
			"$svm" "$b/tests/unit/$p"
	done
	t "busybox-static (glibc) runs its applets" 0 "3" "" -- \
		"$svm" /bin/busybox -- sh -c 'echo $((1 + 2))'
fi

# Guest behaviour: floating point, time, random, malloc, argv.
t "float: SSE and x87 at CPL 3" 0 "sse 3.3750 x87 2.2500 basel 1.643935" "" -- \
	"$svm" "$g/float"
t "env: time, random, malloc, argv" 7 \
	"argc 2 argv[1] hi time ok random ok malloc ok" "" -- "$svm" "$g/env" -- hi
t "--mem: hello runs in the smallest memory that holds it" 0 \
	"Hello from svm-sandbox!" "" -- "$svm" --mem=6 "$apps/hello/hello"
t "--mem: a program at 4 MiB does not fit in 2 MiB (1)" 1 "" \
	"svm-sandbox: .*/hello: segment 0: 0x400000\+0x[0-9a-f]+ does not fit in guest memory .*" \
	-- "$svm" --mem=2 "$apps/hello/hello"
t "--mem: app runs in the largest memory" 0 "Hello from svm-sandbox!" "" -- \
	"$svm" --mem 1G "$apps/hello/hello"

# Guest faults: one line naming the exception, status 250.
rip='rip 0x[0-9a-f]+( \([^)]*\))?'
t "fault: divide by zero" 250 "about to divide by zero" \
	"svm-sandbox: guest fault: #DE divide error \(vector 0\) at $rip, error code 0" \
	-- "$svm" "$g/div0"
t "fault: NULL dereference" 250 "" \
	"svm-sandbox: guest fault: #PF page fault \(vector 14\) at $rip, address 0, error code 0x4" \
	-- "$svm" "$g/null"
t "fault: write to text" 250 "" \
	"svm-sandbox: guest fault: #PF page fault \(vector 14\) at $rip, address 0x40[0-9a-f]{4}, error code 0x7" \
	-- "$svm" "$g/write_text"
t "fault: execute data" 250 "" \
	"svm-sandbox: guest fault: #PF page fault \(vector 14\) at $rip, address 0x40[0-9a-f]{4}, error code 0x15" \
	-- "$svm" "$g/exec_data"
t "fault: stack overflow into the guard" 250 "" \
	"svm-sandbox: guest fault: #PF page fault \(stack overflow\) \(vector 14\) at $rip, address 0x1bff[0-9a-f]{3}, error code 0x6" \
	-- "$svm" "$g/stack_overflow"

t "fault: the line names the function (ELF symbols)" 250 "about to divide by zero" \
	"svm-sandbox: guest fault: #DE divide error \(vector 0\) at rip 0x[0-9a-f]+ \(main\+0x[0-9a-f]+\), error code 0" \
	-- "$svm" "$g/div0"
t "fault: in the guest kernel, said so (its data is the program's to break)" 250 "" \
	"svm-sandbox: guest fault: #PF page fault \(vector 14\) at rip 0x1[0-9a-f]{5} \(in the guest kernel: sys_dispatch\+0x[0-9a-f]+\), address 0x[0-9a-f]+, error code 0x4" \
	-- "$svm" "$g/sysloop" -- kfault
t "--timeout ends a program looping in system calls (no exits)" 124 "" \
	"svm-sandbox: timeout after 200 ms" -- "$svm" --timeout=200ms "$g/sysloop" -- spin

t "--stats counts the calls the guest kernel does not have (ENOSYS; fork is a documented refusal)" 0 "" \
	"svm-sandbox: stats: .*; system calls [0-9]+, ENOSYS 2 \(400: 2\); setup .*" \
	-- "$svm" --stats "$g/sysloop" -- nosys
# The Linux process: environment, and --trace.
t "--env: the program's environment, nothing else" 0 "A=1 B=x=y n 2" "" -- \
	"$svm" --env A=1 --env B=x=y "$g/env" -- env
t "--env: the environment is empty by default" 0 "A=(none) B=(none) n 0" "" -- \
	"$svm" "$g/env" -- env
t "usage: bad --env" 2 "" "svm-sandbox: bad --env 'NOEQUALS' \(NAME=VALUE\)" -- \
	"$svm" --env NOEQUALS "$apps/hello/hello"
"$svm" --trace "$apps/hello/hello" >"$tmp/out" 2>"$tmp/err"
st=$?
if [ $st = 0 ] && [ "$(cat "$tmp/out")" = "Hello from svm-sandbox!" ] &&
	grep -qx 'svm-trace: arch_prctl(0x1002, 0x[0-9a-f]*) = 0' "$tmp/err" &&
	grep -qx 'svm-trace: ioctl(1, 0x5413, 0x[0-9a-f]*) = -1 ENOTTY' "$tmp/err" &&
	grep -qx 'svm-trace: writev(1, 0x[0-9a-f]*, 2) = 24' "$tmp/err" &&
	[ "$(tail -n 1 "$tmp/err")" = "svm-trace: exit_group(0) = ?" ]; then
	ok "--trace: each system call with its arguments and result"
else
	nok "--trace: each system call with its arguments and result" "status $st: $(head -c 400 "$tmp/err")"
fi

# Guests that break the ABI: status 252.
t "unknown hypercall" 252 "" "svm-sandbox: unknown hypercall 8 at $rip" -- \
	"$svm" "$g/bad_hypercall"
t "read into read-only text is refused" 252 "" \
	"svm-sandbox: read: buffer 0x40[0-9a-f]{4}\+0x10 not writable by the program" -- \
	"$svm" "$g/read_into_text"
t "write buffer past the end of memory" 252 "" \
	"svm-sandbox: write: buffer 0x1fffff8\+0x40 outside guest memory" -- \
	"$svm" "$g/hc_outside"
t "exit with held output past the end of memory" 252 "" \
	"svm-sandbox: exit: buffer 0x1fffff8\+0x40 outside guest memory" -- \
	"$svm" "$g/hc_outside" -- exit

# Limits: a spinning guest, floods, signals, a closed pipe.
t "--timeout ends a guest spinning without exits (124)" 124 "" \
	"svm-sandbox: timeout after 200 ms" -- "$svm" --timeout=200ms "$g/spin"
t "--timeout ends a hypercall flood (124)" 124 "" \
	"svm-sandbox: timeout after 300 ms" -- "$svm" --timeout 300ms "$g/hcflood"
"$svm" --timeout 1 "$g/hcflood" 2>/dev/null
st=$?
[ $st = 124 ] && ok "--timeout in whole seconds" || nok "--timeout in whole seconds" "status $st"
# A blocking read or write made just before the deadline (the guest aims
# at the window between its exit and the monitor's read or write, at many
# offsets) still ends by the timeout: input kept open and empty, output
# that nobody reads. A run that hangs is killed after 2 s (status 137).
mkfifo "$tmp/win"
for op in read write; do
	bad=
	for off in 0 10 20 30 40 50 60 70 80 90 100 110 120 130 140 150; do
		sleep 5 <>"$tmp/win" >/dev/null 2>&1 &
		keeper=$!
		if [ $op = read ]; then
			timeout -s KILL 2 "$svm" -t 100ms "$g/window" -- $op 100 $off \
				<"$tmp/win" >/dev/null 2>"$tmp/err"
		else
			timeout -s KILL 2 "$svm" -t 100ms "$g/window" -- $op 100 $off \
				>"$tmp/win" 2>"$tmp/err"
		fi
		st=$?
		kill $keeper 2>/dev/null
		wait $keeper 2>/dev/null
		[ $st = 124 ] &&
			[ "$(cat "$tmp/err")" = "svm-sandbox: timeout after 100 ms" ] ||
			bad="$bad offset ${off}us: status $st;"
	done
	if [ -z "$bad" ]; then
		ok "--timeout ends a $op blocked just before the deadline (16 offsets)"
	else
		nok "--timeout ends a $op blocked just before the deadline" "$bad"
	fi
done
"$svm" --max-output=10000 "$g/flood" >"$tmp/out" 2>"$tmp/err"
st=$?
if [ $st = 125 ] && [ "$(wc -c <"$tmp/out")" = 10000 ] &&
	[ "$(cat "$tmp/err")" = "svm-sandbox: output limit of 10000 bytes reached" ]; then
	ok "--max-output cuts the output at the limit (125)"
else
	nok "--max-output cuts the output at the limit (125)" "status $st, $(wc -c <"$tmp/out") bytes, $(cat "$tmp/err")"
fi
"$svm" "$g/spin" 2>"$tmp/err" &
pid=$!
sleep 0.3
kill -TERM $pid
wait $pid
st=$?
if [ $st = 143 ] && [ "$(cat "$tmp/err")" = "svm-sandbox: stopped by signal 15 (SIGTERM)" ]; then
	ok "SIGTERM ends the run cleanly (143)"
else
	nok "SIGTERM ends the run cleanly (143)" "status $st: $(cat "$tmp/err")"
fi
st=$( ("$svm" "$g/flood" 2>"$tmp/err"; echo $? >"$tmp/st") | head -c 100 >/dev/null; cat "$tmp/st")
if [ "$st" = 3 ] && grep -qx "svm-sandbox: writing the program's output: Broken pipe" "$tmp/err"; then
	ok "a closed stdout ends the run (3)"
else
	nok "a closed stdout ends the run (3)" "status $st: $(cat "$tmp/err")"
fi
t "malloc until it fails, then recover" 0 "*" "" -- "$svm" "$g/mallocall"
t "--stats prints one line of counts" 0 "Hello from svm-sandbox!" \
	"svm-sandbox: stats: [a-z]+, (tdp|shadow|unknown) paging; exits 2 \(io 2, hlt 0, shutdown 0, mmio 0, intr 0, other 0\); hypercalls write 1, read 0, random 0, exit 1, nop 0, ready 0, done 0, populate 0; system calls 5, ENOSYS 0; setup [0-9.]+ ms, guest [0-9.]+ ms, monitor [0-9.]+ ms; guest pages resident [0-9]+" \
	-- "$svm" --stats "$apps/hello/hello"
t "--stats=json prints JSON" 0 "Hello from svm-sandbox!" \
	'\{"backend": "[a-z]+", "paging": "(tdp|shadow|unknown)", "exits": \{"total": 2, "io": 2, "hlt": 0, "shutdown": 0, "mmio": 0, "intr": 0, "other": 0\}, "hypercalls": \{"write": 1, "read": 0, "random": 0, "exit": 1, "nop": 0, "ready": 0, "done": 0, "populate": 0\}, "syscalls": 5, "enosys": \{"total": 0\}, "setup_ms": [0-9.]+, "guest_ms": [0-9.]+, "monitor_ms": [0-9.]+, "guest_pages_resident": [0-9]+\}' \
	-- "$svm" --stats=json "$apps/hello/hello"

# Hostile guests: each misbehaviour ends with its status and one line.
h=$g/hostile
gp="svm-sandbox: guest fault: #GP general protection \(vector 13\) at $rip, error code 0"
pf="svm-sandbox: guest fault: #PF page fault \(vector 14\) at $rip"
for c in cli hlt cr3 lidt port-unknown; do
	t "hostile: $c at CPL 3 is #GP" 250 "" "$gp" -- "$svm" "$h" -- $c
done
t "hostile: write to the page tables (never mapped)" 250 "" \
	"$pf, address 0x9000, error code 0x6" -- "$svm" "$h" -- pagetables
t "hostile: write to the IDT (kernel-only)" 250 "" \
	"$pf, address 0x3000, error code 0x7" -- "$svm" "$h" -- idt
t "hostile: write to the boot info (read-only)" 250 "" \
	"$pf, address 0x5000, error code 0x7" -- "$svm" "$h" -- bootinfo
t "hostile: load past the end of memory" 250 "" \
	"$pf, address 0x2100000, error code 0x4" -- "$svm" "$h" -- mmio-load
t "hostile: store to an APIC address" 250 "" \
	"$pf, address 0xfee00000, error code 0x6" -- "$svm" "$h" -- mmio-store
t "hostile: in from a hypercall port" 252 "" \
	"svm-sandbox: hypercall 0: in of 4 byte\(s\) instead of a 32-bit out at $rip" \
	-- "$svm" "$h" -- port-in
t "hostile: 8-bit out to a hypercall port" 252 "" \
	"svm-sandbox: hypercall 0: out of 1 byte\(s\) instead of a 32-bit out at $rip" \
	-- "$svm" "$h" -- port-width
case " ${SVM_ARGS-} " in
*" --backend=svmk "*)
	t "hostile: rep outs is refused (svmk reports string I/O)" 252 "" \
		"svm-sandbox: svmk: string or rep port I/O .*" -- "$svm" "$h" -- rep-outs
	;;
*)
	# This KVM splits rep outsl into single 32-bit outs: 4 no-op hypercalls.
	t "hostile: rep outs counts as single outs (KVM splits it)" 1 \
		"hostile: rep-outs did not end the run" \
		"svm-sandbox: stats: .* nop 4, .*" -- "$svm" --stats "$h" -- rep-outs
	;;
esac
t "hostile: hypercall struct at the last byte of memory" 252 "" \
	"svm-sandbox: write: argument struct at 0x1ffffff outside guest memory" \
	-- "$svm" "$h" -- hc-last-byte
t "hostile: hypercall struct past the end of memory" 252 "" \
	"svm-sandbox: write: argument struct at 0xfffffff0 outside guest memory" \
	-- "$svm" "$h" -- hc-beyond
t "hostile: length SIZE_MAX" 252 "" \
	"svm-sandbox: write: buffer 0x[0-9a-f]+\+0xffffffffffffffff outside guest memory" \
	-- "$svm" "$h" -- hc-size-max
t "hostile: address+length wrapping past 2^64" 252 "" \
	"svm-sandbox: write: buffer 0x1fffff0\+0xfffffffffe00001f outside guest memory" \
	-- "$svm" "$h" -- hc-wrap
t "hostile: length 0 at the end of memory is fine" 0 \
	"empty write at the end of memory: 0" "" -- "$svm" "$h" -- hc-len0-end
t "hostile: write to fd 3" 252 "" "svm-sandbox: write: bad fd 3" -- \
	"$svm" "$h" -- hc-bad-fd
t "hostile: result into a read-only struct" 252 "" \
	"svm-sandbox: write: argument struct at 0x40[0-9a-f]{4} not writable by the program" \
	-- "$svm" "$h" -- hc-struct-in-rodata
t "hostile: random bytes past SVM_RANDOM_MAX" 252 "" \
	"svm-sandbox: random: bad buffer 0x[0-9a-f]+\+0x200" -- "$svm" "$h" -- random-too-long
# The populate hint: whole pages of the brk and mmap area, nothing else.
t "hostile: populate at both ends of the mmap area is fine" 0 \
	"populate: the area's both ends are fine" "" -- "$svm" "$h" -- populate-ok
for c in below guard unaligned wrap empty; do
	t "hostile: populate-$c is a guest error" 252 "" \
		"svm-sandbox: populate: bad range 0x[0-9a-f]+\+(0x[0-9a-f]+|0)" -- "$svm" "$h" -- populate-$c
done
# Function mode ignores the hint: its filter has no madvise, which would kill (159).
"$svm" --serve "$h" -- populate-ok </dev/null >"$tmp/out" 2>"$tmp/err"
st=$?
if [ $st = 252 ] && grep -qx "populate: the area's both ends are fine" "$tmp/err" &&
	tail -n 1 "$tmp/err" |
	grep -qx "svm-sandbox: the program exited with status 0 before it was ready for calls"; then
	ok "hostile: populate under --serve is ignored (no madvise in its filter)"
else
	nok "hostile: populate under --serve is ignored" "status $st: $(head -c 300 "$tmp/err")"
fi
t "hostile: triple fault (test build destroys the IDT)" 251 "" \
	"svm-sandbox: guest triple fault \(shutdown\)( at $rip)?" -- \
	"$tmp/svm-sandbox-test" --test-break-idt "$g/null"
"$b/tests/hostile/randcode" "$tmp/svm-sandbox" 1000 1 >"$tmp/rand" 2>&1
st=$?
if [ $st = 0 ] && tail -n 1 "$tmp/rand" | grep -qx "1000 passed, 0 failed"; then
	ok "random code: 1000 guests end with a documented status ($(sed -n 's/^randcode: //p' "$tmp/rand"))"
else
	nok "random code: 1000 guests" "$(grep -m 5 FAIL "$tmp/rand")" "$(tail -n 1 "$tmp/rand")"
fi

# The guest kernel against garbage system calls (tests/guests/sysfuzz.c):
# bad addresses get EFAULT, and 200 programs of 5,000 calls each, random
# numbers with random arguments, get to their last line, or fault in their
# own code (a call may unmap or overwrite what the program needs): whatever
# a program does to itself, the kernel never faults or breaks the ABI. What
# the program writes to fd 2 is its own, so stderr is not checked but for
# the monitor's fault line.
t "sysfuzz: bad addresses get EFAULT" 0 "efault: all EFAULT" "" -- \
	"$svm" "$g/sysfuzz" -- efault
t "sysfuzz: a hypercall buffer in the rest of .bss's last page is the guest's" 0 \
	"tail: ok" "" -- "$svm" "$g/sysfuzz" -- tail
# Fewer in the QEMU machine, where each call is emulated: the same kernel.
runs=200 calls=5000
$vm_only && runs=40 calls=2000
fz=0 fzfault=0 fzbad=
for s in $(seq 1 $runs); do
	"$svm" --timeout=10s --max-output=1M "$g/sysfuzz" -- "$s" $calls \
		</dev/null >"$tmp/out" 2>"$tmp/err"
	st=$?
	if [ $st = 0 ] && [ "$(tail -n 1 "$tmp/out")" = "done $calls" ]; then
		fz=$((fz + 1))
	elif [ $st = 250 ] && tail -n 1 "$tmp/err" | grep -q "^svm-sandbox: guest fault" &&
		! tail -n 1 "$tmp/err" | grep -q "in the guest kernel"; then
		fz=$((fz + 1)) fzfault=$((fzfault + 1))
	elif [ -z "$fzbad" ]; then
		fzbad="seed $s: status $st: $(tail -n 1 "$tmp/err" | head -c 300)"
	fi
done
if [ $fz = $runs ]; then
	ok "sysfuzz: $runs programs of $calls random system calls run to the end ($fzfault faulted in their own code)"
else
	nok "sysfuzz: $runs programs of $calls random system calls run to the end" \
		"$fz of $runs; first failure: $fzbad"
fi

# A sub-suite that prints ok/FAIL lines: each line counts here.
subsuite() {
	name=$1
	shift
	"$@" >"$tmp/sub" 2>&1
	while IFS= read -r line; do
		case $line in
		"ok   "*) ok "${line#ok   }" ;;
		"FAIL "*) nok "${line#FAIL }" ;;
		"     "*) printf '%s\n' "$line" ;;
		esac
	done <"$tmp/sub"
	tail -n 1 "$tmp/sub" | grep -q " passed, 0 failed$" ||
		nok "$name ran to the end" "$(tail -n 3 "$tmp/sub")"
}

if ! $vm_only; then
	# The committed malformed-app corpus, and special files.
	subsuite tests/corpus/run.sh sh "$top/tests/corpus/run.sh"
	# A short fuzzing run of the loader (bmake fuzz runs it for longer).
	if (cd "$top/tests/fuzz" && bmake -s fuzz-smoke) >"$tmp/fuzz" 2>&1; then
		ok "fuzz: 20 s of libFuzzer on the loader ($(grep -o 'Done [0-9]* runs' "$tmp/fuzz" | head -n 1))"
	else
		nok "fuzz: 20 s of libFuzzer on the loader" "$(grep -m 3 -E 'ERROR|SUMMARY|crash' "$tmp/fuzz")"
	fi
fi

# Function mode over a pipe, on every backend, driven from the shell: the
# QEMU machine has no Python for serve_test.py and jsonfn_test.py (below,
# on the host). le32 N prints N as 4 little-endian bytes; req writes each
# argument as a request; ans RESULT STATUS DATA writes one expected ANSWER
# frame (protocol 2, see monitor/serve.c), endf STATUS LINE an END frame;
# "$served" CMD runs CMD with its first frame (READY) taken off stdout.
le32() {
	# shellcheck disable=SC2059 # the format is the bytes
	printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $(($1 & 255)) \
		$(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)))"
}
req() {
	for r in "$@"; do
		le32 ${#r}
		printf %s "$r"
	done
}
ans() {
	le32 ${#3}
	le32 2
	le32 "$1"
	le32 "$2"
	printf %s "$3"
}
endf() {
	le32 ${#2}
	le32 3
	le32 "$1"
	le32 0
	printf %s "$2"
}
served=$tmp/served
printf '%s\n' '#!/bin/sh' '"$@" >"$0.out"' 'st=$?' \
	'n=$(od -An -tu4 -N4 "$0.out" | tr -d " ")' \
	'tail -c +$((17 + ${n:-0})) "$0.out"' 'exit $st' >"$served"
chmod +x "$served"
callee=$g/callee
can=$g/canary
# The READY frame: protocol 2, the mode and the app's buffer sizes.
r='{"protocol": 2, "app": "callee", "mode": "calls", "max_request": 4096, "max_answer": 4096}'
{ le32 ${#r}; le32 1; le32 2; le32 1; printf %s "$r"; } >"$tmp/want"
t "serve: the READY frame comes first" 0 "@$tmp/want" "" -- "$svm" --serve "$callee"
call="svm-sandbox: call:"
req a b status "" >"$tmp/req"
{ ans 0 0 "call 1: a"; ans 0 0 "call 1: b"; ans 0 7 "call 1: status"
	ans 0 0 "call 1: "; } >"$tmp/want"
t "serve: answers, each from a fresh VM" 0 "@$tmp/want" "" "$tmp/req" -- \
	"$served" "$svm" --serve "$callee"
req a b c >"$tmp/req"
{ ans 0 0 "call 1: a"; ans 0 0 "call 2: b"; ans 0 0 "call 3: c"; } >"$tmp/want"
t "serve: --warm keeps the VM as the last call left it" 0 "@$tmp/want" "" \
	"$tmp/req" -- "$served" "$svm" --serve --warm "$callee"
req dirty check >"$tmp/req"
{ ans 0 0 "call 1: dirty"; ans 0 0 "call 1: check"; } >"$tmp/want"
t "serve: the 100 pages a call dirtied are as they were at ready" 0 \
	"@$tmp/want" "" "$tmp/req" -- "$served" "$svm" --serve "$callee"
{ ans 0 0 "call 1: dirty"; ans 0 9 "call 2: check"; } >"$tmp/want"
t "serve: --warm keeps them dirty (so the check above can fail)" 0 \
	"@$tmp/want" "" "$tmp/req" -- "$served" "$svm" --serve --warm "$callee"
req div0 after >"$tmp/req"
{ ans 250 0 ""; ans 0 0 "call 1: after"; } >"$tmp/want"
t "serve: a faulting call (250), then a pristine one" 0 "@$tmp/want" \
	"$call guest fault: #DE divide error \(vector 0\) at $rip, error code 0" \
	"$tmp/req" -- "$served" "$svm" --serve "$callee"
req spin after >"$tmp/req"
{ ans 124 0 ""; ans 0 0 "call 1: after"; } >"$tmp/want"
t "serve: a call that times out (124), then a pristine one" 0 "@$tmp/want" \
	"$call timeout after 500 ms" "$tmp/req" -- \
	"$served" "$svm" --serve --timeout=500ms "$callee"
req exit after >"$tmp/req"
{ ans 42 42 ""; ans 0 0 "call 1: after"; } >"$tmp/want"
t "serve: an app that exits in a call (42), then a pristine one" 0 \
	"@$tmp/want" "$call the program exited" "$tmp/req" -- "$served" "$svm" --serve "$callee"
req big after >"$tmp/req"
{ ans 252 0 ""; ans 0 0 "call 1: after"; } >"$tmp/want"
t "serve: an answer claimed past the buffer (252), then a pristine one" 0 \
	"@$tmp/want" "$call done: answer 0x[0-9a-f]+\+0x1001 outside the program's buffer" \
	"$tmp/req" -- "$served" "$svm" --serve "$callee"
req "$(printf '%5000s' | tr ' ' x)" after >"$tmp/req"
{ ans 2 0 ""; ans 0 0 "call 1: after"; } >"$tmp/want"
t "serve: a request larger than the app's buffer is refused (2)" 0 \
	"@$tmp/want" "svm-sandbox: request larger than the 4096-byte maximum" \
	"$tmp/req" -- "$served" "$svm" --serve "$callee"
req print after >"$tmp/req"
{ ans 0 0 "call 1: print"; ans 0 0 "call 1: after"; } >"$tmp/want"
t "serve: what a call prints goes to stderr" 0 "@$tmp/want" \
	"callee prints a line" "$tmp/req" -- "$served" "$svm" --serve "$callee"
i=0
: >"$tmp/req"
: >"$tmp/want"
while [ $i -lt 300 ]; do
	req "r$i" >>"$tmp/req"
	ans 0 0 "call 1: r$i" >>"$tmp/want"
	i=$((i + 1))
done
t "serve: 300 calls, each from a fresh VM" 0 "@$tmp/want" "" "$tmp/req" -- \
	"$served" "$svm" --serve "$callee"
printf '\005\000\000\000ab' >"$tmp/req"
endf 2 "truncated request on stdin" >"$tmp/want"
t "serve: a truncated request ends the server (2)" 2 "@$tmp/want" \
	"svm-sandbox: truncated request on stdin" "$tmp/req" -- "$served" "$svm" --serve "$callee"
printf '\005\000\000\000' >"$tmp/req"
t "serve: a length and then the end of input ends the server (2), no call" 2 "@$tmp/want" \
	"svm-sandbox: truncated request on stdin" "$tmp/req" -- "$served" "$svm" --serve "$callee"
{ req a; printf '\003\000'; } >"$tmp/req"
{ ans 0 0 "call 1: a"; endf 2 "truncated request on stdin"; } >"$tmp/want"
t "serve: a header cut short ends the server (2)" 2 "@$tmp/want" \
	"svm-sandbox: truncated request on stdin" "$tmp/req" -- "$served" "$svm" --serve "$callee"
# The app's input is its call's only: a handler that reads stdin gets the
# end of input, not the next callers' requests, which are all served.
req read "tenant B: password=1" "tenant C: card=2" >"$tmp/req"
{ ans 0 0 "call 1: read 0 "; ans 0 0 "call 1: tenant B: password=1"
	ans 0 0 "call 1: tenant C: card=2"; } >"$tmp/want"
t "serve: a handler reading stdin gets end of input, not the requests" 0 \
	"@$tmp/want" "" "$tmp/req" -- "$served" "$svm" --serve "$callee"
# What a guest learns of the host: where the backend can hide them, its TSC
# counts from its own start and RDTSCP/RDPID give CPU 0. PVM cannot (the
# guest's user mode reads the real registers): README's threat model says so.
"$svm" "$can" -- host >"$tmp/out" 2>"$tmp/err"
st=$?
read -r _ secs rest <"$tmp/out"
if [ -e /sys/module/kvm_pvm ] && [ "$dev" = /dev/kvm ]; then
	[ $st = 0 ] && ok "host: under PVM the guest sees the host's TSC and CPU number (documented: $(cat "$tmp/out"))" ||
		nok "host: canary host" "status $st: $(cat "$tmp/err")"
elif [ $st = 0 ] && [ "${secs:-99}" -lt 60 ] &&
	! printf '%s\n' "$rest" | grep -Eq '(rdtscp|rdpid) [1-9]'; then
	ok "host: the guest's TSC starts with it and TSC_AUX is 0 ($(cat "$tmp/out"))"
else
	nok "host: the guest's TSC starts with it and TSC_AUX is 0" "status $st: $(cat "$tmp/out" "$tmp/err")"
fi
# What a call does to the guest kernel's state (file offsets, brk, the
# mappings, fds, a pipe's bytes) is undone by the reset: every call of a
# program served by its stdin reports the state it had at its first read.
head -c 300 "$apps/hello/hello" >"$tmp/f300"
k="offset 3 brk same map mm fds 7 pipe x
"
req a b c >"$tmp/req"
{ ans 0 0 "$k"; ans 0 0 "$k"; ans 0 0 "$k"; } >"$tmp/want"
t "serve: each call finds the kernel's state as at the snapshot (offsets, brk, mappings, fds, pipes)" \
	0 "@$tmp/want" "" "$tmp/req" -- "$served" "$svm" --serve --file "$tmp/f300:/data/f" "$g/kstate" -- /data/f
"$served" "$tmp/svm-sandbox-test" --test-skip-reset=memory --serve --file "$tmp/f300:/data/f" \
	"$g/kstate" -- /data/f <"$tmp/req" >"$tmp/out" 2>/dev/null
if cmp -s "$tmp/out" "$tmp/want"; then
	nok "serve: without the memory reset, the kernel's state carries over" "the answers did not change"
else
	ok "serve: without the memory reset, the kernel's state carries over (so the test above can fail)"
fi

# Stop signals end the server: idle, and during a call (answered 128+N).
for sig in TERM:15 INT:2 HUP:1; do
	n=${sig#*:} sig=${sig%:*}
	sleep 5 <>"$tmp/win" >/dev/null 2>&1 &
	keeper=$!
	"$svm" --serve "$callee" <"$tmp/win" >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	sleep 0.3
	kill -$sig $pid
	wait $pid
	st=$?
	kill $keeper 2>/dev/null
	wait $keeper 2>/dev/null
	endf $((128 + n)) "stopped by signal $n (SIG$sig)" >"$tmp/want"
	k=$(od -An -tu4 -N4 "$tmp/out" | tr -d ' ')
	tail -c +$((17 + ${k:-0})) "$tmp/out" >"$tmp/out2"
	if [ $st = $((128 + n)) ] && cmp -s "$tmp/want" "$tmp/out2" &&
		[ "$(cat "$tmp/err")" = "svm-sandbox: stopped by signal $n (SIG$sig)" ]; then
		ok "serve: SIG$sig while idle ends the server ($st)"
	else
		nok "serve: SIG$sig while idle ends the server" "status $st: $(cat "$tmp/err")"
	fi
done
sleep 5 <>"$tmp/win" >/dev/null 2>&1 &
keeper=$!
{ req spin; sleep 3; } >"$tmp/win" &
feeder=$!
"$svm" --serve "$callee" <"$tmp/win" >"$tmp/out" 2>"$tmp/err" &
pid=$!
sleep 0.5
kill -TERM $pid
wait $pid
st=$?
kill $keeper $feeder 2>/dev/null
wait $keeper $feeder 2>/dev/null
{ ans 143 0 ""; endf 143 "stopped by signal 15 (SIGTERM)"; } >"$tmp/want"
n=$(od -An -tu4 -N4 "$tmp/out" | tr -d ' ')
tail -c +$((17 + ${n:-0})) "$tmp/out" >"$tmp/out2"
if [ $st = 143 ] && cmp -s "$tmp/want" "$tmp/out2" &&
	[ "$(cat "$tmp/err")" = "svm-sandbox: stopped by signal 15 (SIGTERM)" ]; then
	ok "serve: SIGTERM during a call answers it (143), then ends the server (143)"
else
	nok "serve: SIGTERM during a call answers it (143), then ends the server (143)" \
		"status $st: $(od -c "$tmp/out" | head -n 2) $(cat "$tmp/err")"
fi
t "serve: a function app run without --serve is told how" 252 "" \
	"svm-sandbox: the program serves calls: run it in function mode \(--serve\)" \
	-- "$svm" "$callee"
req x y >"$tmp/req"
{ ans 0 0 ""; ans 0 0 ""; } >"$tmp/want"
t "serve: noop" 0 "@$tmp/want" "" "$tmp/req" -- "$served" "$svm" --serve "$apps/noop/noop"
req '{"b":1,"a":[true,null]}' '[1,' >"$tmp/req"
{ ans 0 0 '{"ok":true,"canonical":{"a":[true,null],"b":1},"stats":{"values":5,"depth":2,"bytes_in":23}}'
	ans 0 1 '{"ok":false,"error":"unexpected end of input","offset":3}'; } >"$tmp/want"
t "serve: jsonfn, a document and a broken one" 0 "@$tmp/want" "" "$tmp/req" -- \
	"$served" "$svm" --serve "$apps/jsonfn/jsonfn"
req print print a >"$tmp/req"
{ ans 0 0 "call 1: print"; ans 0 0 "call 1: print"; ans 0 0 "call 1: a"; } >"$tmp/want"
"$served" "$svm" --serve --max-output=30 "$callee" <"$tmp/req" >"$tmp/out" 2>"$tmp/err"
st=$?
if [ $st = 0 ] && cmp -s "$tmp/want" "$tmp/out" &&
	[ "$(grep -c '^callee prints a line$' "$tmp/err")" = 2 ]; then
	ok "serve: --max-output applies to each call, not the server's life"
else
	nok "serve: --max-output applies to each call, not the server's life" \
		"status $st; stderr: $(head -c 300 "$tmp/err")"
fi
# Whose CPUID a program sees. Under PVM without CPUID faulting (the AMD
# machines) user mode runs the host's CPUID natively, so a VM that is not
# reset gets no CPUID table from KVM (0.55 ms of a cold start: kvm.c,
# needs_cpuid) and the program sees what it sees natively. Elsewhere KVM or
# svmk answers it: the VM's CPUID, which differs from the host's at least in
# OSXSAVE (the guest's CR4 has none) or in SVM.
if [ -d /sys/module/kvm_pvm ] && ! grep -qw cpuid_fault /proc/cpuinfo; then
	cpuid_native=true
else
	cpuid_native=false
fi
"$g/cpuid" >"$tmp/cpuid.host" 2>&1
"$svm" "$g/cpuid" >"$tmp/out" 2>"$tmp/err"
st=$?
if $cpuid_native; then
	if [ $st = 0 ] && cmp -s "$tmp/cpuid.host" "$tmp/out"; then
		ok "cpuid: a program sees the host's CPUID here, as natively (PVM does not trap it)"
	else
		nok "cpuid: a program sees the host's CPUID here, as natively" \
			"status $st: $(diff "$tmp/cpuid.host" "$tmp/out" | head -c 400) $(head -c 200 "$tmp/err")"
	fi
elif [ $st = 0 ] && grep -q '^0x1: ' "$tmp/out" && ! cmp -s "$tmp/cpuid.host" "$tmp/out"; then
	ok "cpuid: a program sees the VM's CPUID here, not the host's (the hypervisor answers it)"
else
	nok "cpuid: a program sees the VM's CPUID here, not the host's" \
		"status $st: $(head -c 300 "$tmp/out" "$tmp/err")"
fi
# AVX where the guest can use it (PVM runs user mode with the host's XCR0),
# #UD where its CR4 keeps it off (hardware SVM, VMX). Where PVM's CPUID traps
# (Intel's CPUID faulting) it answers from the guest's CR4, which has no
# OSXSAVE, and the VEX instruction runs all the same: the canary is told to
# read XCR0 anyway, so the register tests below cover AVX and AVX-512.
canenv=
"$svm" "$can" -- avx >"$tmp/out" 2>"$tmp/err"
st=$?
case "$st:$(head -n 1 "$tmp/out")" in
"0:avx usable") ok "canary avx: AVX is usable here, so the reset covers it" ;;
"0:avx not enabled")
	if grep -qx "vex ran" "$tmp/out" &&
		"$svm" --env CANARY_HOST_XCR0=1 "$can" -- avx | grep -qx "avx usable"; then
		canenv="--env CANARY_HOST_XCR0=1"
		ok "canary avx: AVX runs though the guest's CPUID says no OSXSAVE (the host's XCR0), so the reset covers it"
	else
		nok "canary avx" "status $st: $(cat "$tmp/out" "$tmp/err")"
	fi
	;;
"250:avx not enabled")
	if grep -q "#UD invalid opcode" "$tmp/err"; then
		ok "canary avx: AVX is not enabled here (#UD)"
	else
		nok "canary avx: AVX is not enabled here (#UD)" "$(cat "$tmp/err")"
	fi
	;;
*) nok "canary avx" "status $st: $(cat "$tmp/out" "$tmp/err")" ;;
esac
# Registers: a call plants a canary in every register file a CPL-3 guest
# can write here (canary.c asks CPUID and XCR0 which there are: general,
# RFLAGS, DS/ES/FS/GS, FS/GS base, x87, SSE and MXCSR, AVX, opmask, ZMM,
# PKRU...); whatever ends that call, the next one finds none of it.
for end in "done 0 0" "fault 250 0" "exit 0 0" "spin 124 0"; do
	set -- $end
	req "plant:$1" scan >"$tmp/req"
	{ ans "$2" "$3" ""; ans 0 0 clean; } >"$tmp/want"
	case $1 in
	done) e= ;;
	fault) e="$call guest fault: #UD invalid opcode \(vector 6\) at $rip, error code 0" ;;
	exit) e="$call the program exited" ;;
	spin) e="$call timeout after 300 ms" ;;
	esac
	t "serve: a call that plants a canary in every register and ends by $1, then one that finds none" \
		0 "@$tmp/want" "$e" "$tmp/req" -- "$served" "$svm" --serve --timeout=300ms $canenv "$can" -- serve
done
# The same with a part of KVM's reset left out (test build): the scan finds
# the canary, so the test above can fail. The thread's segments matter only
# under PVM, whose guests run on the monitor thread's selectors; svmk keeps
# its own copy of the vCPU.
req plant:done scan >"$tmp/req"
parts=
case " ${SVM_ARGS-} " in *" --backend=svmk "*) ;; *) parts=xsave ;; esac
[ -n "$parts" ] && [ -e /sys/module/kvm_pvm ] && parts="$parts segments"
for part in $parts; do
	"$tmp/svm-sandbox-test" --test-skip-reset=$part --serve $canenv "$can" -- serve \
		<"$tmp/req" >"$tmp/out" 2>"$tmp/err"
	if grep -q "canary in" "$tmp/out"; then
		ok "serve: without the $part reset the next call finds the canary ($(tr -cd '[:print:]' <"$tmp/out" | sed 's/.*canary in//'))"
	else
		nok "serve: without the $part reset the next call finds the canary" \
			"$(tr -cd '[:print:]' <"$tmp/out")"
	fi
done
case " ${SVM_ARGS-} " in
*" --backend=svmk "*) ;; # svmk's own snapshot covers every register file
*)
	t "serve: refused where a register file a guest can write is not reset" 3 "*" \
		"svm-sandbox: KVM here cannot reset the guest's XSAVE state 0x4 \(XCR0 bits a CPL-3 guest can write but KVM_SET_XSAVE does not cover\): refusing to serve" \
		"$tmp/req" -- "$tmp/svm-sandbox-test" --test-unreset=4 --serve $canenv "$can" -- serve
	;;
esac
req a >"$tmp/req"
"$svm" --serve "$apps/hello/hello" <"$tmp/req" >"$tmp/out" 2>"$tmp/err"
st=$?
printf '%s\n' "Hello from svm-sandbox!" \
	"svm-sandbox: the program exited with status 0 before it was ready for calls" >"$tmp/want"
endf 252 "the program exited with status 0 before it was ready for calls" >"$tmp/want2"
if [ $st = 252 ] && cmp -s "$tmp/want2" "$tmp/out" && cmp -s "$tmp/want" "$tmp/err"; then
	ok "serve: an app that never gets ready (252; its output goes to stderr)"
else
	nok "serve: an app that never gets ready (252; its output goes to stderr)" \
		"status $st; stderr: $(head -c 300 "$tmp/err")"
fi

# The snapshot with guest memory swapped out at ready (test build: the
# monitor pushes it out with MADV_PAGEOUT): such pages are kept and put
# back, not taken for zero. Needs swap: a swap file under build/ while the
# test runs, where the host has none (host only: tmpfs cannot swap).
if ! $vm_only; then
	name="serve: pages swapped out at ready are restored as they were"
	sw=
	if [ "$(awk 'NR > 1' /proc/swaps | wc -l)" = 0 ]; then
		sw=$b/swapfile
		rm -f "$sw"
		if ! { fallocate -l 256M "$sw" && chmod 600 "$sw" &&
			mkswap "$sw" >/dev/null && swapon "$sw"; } >"$tmp/err" 2>&1; then
			nok "$name" "no swap, and cannot add a swap file: $(cat "$tmp/err")"
			rm -f "$sw"
			sw=none
		fi
	fi
	if [ "$sw" != none ]; then
		req dirty check a >"$tmp/req"
		{ ans 0 0 "call 1: dirty"; ans 0 0 "call 1: check"; ans 0 0 "call 1: a"; } >"$tmp/want"
		t "$name" 0 "@$tmp/want" "" "$tmp/req" -- \
			"$served" "$tmp/svm-sandbox-test" --test-pageout --serve "$callee"
		[ -z "$sw" ] || { swapoff "$sw"; rm -f "$sw"; }
	fi
fi

# Function mode, driven over a pipe by Python runners (host only: the QEMU
# machine has no Python).
if ! $vm_only; then
	subsuite tests/serve_test.py python3 "$top/tests/serve_test.py" "$b"
	subsuite tests/jsonfn_test.py python3 "$top/tests/jsonfn_test.py" "$b"
	# The public library, linked as an embedder links it.
	subsuite sandbox_test "$b/tests/unit/sandbox_test" "$b"
	# bmake install, then an embedder built against it with exactly the
	# documented command (the shared library; the static one is there too).
	d=$tmp/dest
	pc="PKG_CONFIG_PATH=$d/opt/svm/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$d"
	if (cd "$top" && bmake -s install DESTDIR="$d" PREFIX=/opt/svm) >"$tmp/inst" 2>&1 &&
		env $pc sh -c 'cc -o "$1" "$2" $(pkg-config --cflags --libs svm-sandbox)' \
			sh "$tmp/example" "$top/tests/embed/example.c" >>"$tmp/inst" 2>&1 &&
		[ "$(LD_LIBRARY_PATH=$d/opt/svm/lib "$tmp/example" "$g/callee")" = "answered: call 1: hi" ] &&
		[ -f "$d/opt/svm/lib/libsvm-sandbox.a" ] &&
		[ -f "$d/opt/svm/share/man/man3/svm_sandbox.3" ] && [ -x "$d/opt/svm/bin/svm-sandbox" ]; then
		ok "bmake install DESTDIR PREFIX; an embedder built with 'cc x.c \$(pkg-config --cflags --libs svm-sandbox)'"
	else
		nok "bmake install DESTDIR PREFIX, and an embedder built with pkg-config" "$(tail -n 5 "$tmp/inst")"
	fi
	# The SDK from an empty directory: svm-cc builds a function program.
	p=$tmp/prefix
	mkdir "$tmp/empty-dir"
	cp "$top/tests/embed/fn.c" "$tmp/empty-dir/"
	req hello >"$tmp/req"
	ans 0 0 "5 bytes: hello" >"$tmp/want"
	if (cd "$top" && bmake -s install PREFIX="$p") >"$tmp/inst" 2>&1 &&
		(cd "$tmp/empty-dir" && "$p/bin/svm-cc" -O2 -o fn fn.c) >>"$tmp/inst" 2>&1 &&
		"$served" "$p/bin/svm-sandbox" --serve "$tmp/empty-dir/fn" <"$tmp/req" >"$tmp/out" 2>>"$tmp/inst" &&
		cmp -s "$tmp/want" "$tmp/out"; then
		ok "the SDK: svm-cc builds a function in an empty directory, svm-sandbox serves it"
	else
		nok "the SDK: svm-cc builds a function in an empty directory" "$(tail -n 5 "$tmp/inst")"
	fi
fi

# Real programs from Debian's and npm's sources (tests/real: Lua, sqlite3,
# minigzip, QuickJS and its own tests; Debian's busybox-static), unmodified
# static binaries, each run natively and in the guest: the same output and
# status, byte for byte (host only: built here, cached under build/real).
if ! $vm_only; then
	if bash "$top/tests/real/build.sh" >"$tmp/realbuild" 2>&1; then
		ok "real programs built from Debian and npm sources ($(grep -c ' built in \| cached' "$tmp/realbuild") steps)"
		subsuite tests/real/run.sh bash "$top/tests/real/run.sh" "$b/bin/svm-sandbox" --mem 128M
		# Functions in JavaScript, Lua and SQL: the interpreters above,
		# unmodified, each served by its stdin (apps/fn-*).
		subsuite tests/functions_test.py python3 "$top/tests/functions_test.py" "$top" "$b"
	else
		nok "real programs built from Debian and npm sources" "$(tail -n 5 "$tmp/realbuild")"
	fi
fi

# Bad app files: status 1, one line, before any guest instruction.
printf '#!/bin/sh\n# a shell script is not an app, however long it is.\necho hello\n' >"$tmp/text"
head -c 200 "$apps/hello/hello" >"$tmp/trunc1"
head -c 4200 "$apps/hello/hello" >"$tmp/trunc2"
mkfifo "$tmp/fifo"
t "bad app: not ELF" 1 "" "svm-sandbox: $tmp/text: not an ELF file \(bad magic\)" -- \
	"$svm" "$tmp/text"
t "bad app: empty file" 1 "" "svm-sandbox: $tmp/empty: empty file" -- \
	"$svm" "$tmp/empty"
t "bad app: short text file" 1 "" \
	"svm-sandbox: $tmp/in2: file too short for an ELF header \(18 bytes\)" -- "$svm" "$tmp/in2"
t "bad app: cut in the program headers" 1 "" \
	"svm-sandbox: $tmp/trunc1: program headers outside the file \(offset 0x40\)" -- \
	"$svm" "$tmp/trunc1"
t "bad app: cut in the text" 1 "" \
	"svm-sandbox: $tmp/trunc2: segment 1: data outside the file" -- "$svm" "$tmp/trunc2"
t "bad app: directory" 1 "" "svm-sandbox: $tmp: is a directory" -- "$svm" "$tmp"
t "bad app: /dev/zero" 1 "" "svm-sandbox: /dev/zero: not a regular file" -- \
	"$svm" /dev/zero
t "bad app: FIFO (no hang)" 1 "" "svm-sandbox: $tmp/fifo: not a regular file" -- \
	timeout 10 "$svm" "$tmp/fifo"
t "bad app: missing" 1 "" "svm-sandbox: $tmp/nope: No such file or directory" -- \
	"$svm" "$tmp/nope"

# Usage errors: status 2.
t "usage: no program" 2 "" "svm-sandbox: no program given \(--help for usage\)" -- "$svm"
t "usage: bad --mem" 2 "" "svm-sandbox: bad --mem 'lots'" -- \
	"$svm" --mem=lots "$apps/hello/hello"
t "usage: --mem not a multiple of 2 MiB" 2 "" \
	"svm-sandbox: --mem must be a multiple of 2 MiB from 2 to 1024 MiB" -- \
	"$svm" --mem=3 "$apps/hello/hello"
t "usage: --mem too large" 2 "" \
	"svm-sandbox: --mem must be a multiple of 2 MiB from 2 to 1024 MiB" -- \
	"$svm" --mem=2G "$apps/hello/hello"
t "usage: argument without --" 2 "" \
	"svm-sandbox: unexpected argument 'x' \(program arguments go after --\)" -- \
	"$svm" "$apps/hello/hello" x
t "usage: bad --timeout" 2 "" "svm-sandbox: bad --timeout '0'" -- \
	"$svm" --timeout=0 "$apps/hello/hello"
t "usage: bad --max-output" 2 "" "svm-sandbox: bad --max-output '10X'" -- \
	"$svm" --max-output=10X "$apps/hello/hello"
t "usage: bad --backend" 2 "" "svm-sandbox: bad --backend 'xen'" -- \
	"$svm" --backend=xen "$apps/hello/hello"
t "usage: bad --paging" 2 "" "svm-sandbox: bad --paging 'ept'" -- \
	"$svm" --paging=ept "$apps/hello/hello"
t "usage: bad --stats" 2 "" "svm-sandbox: bad --stats 'xml'" -- \
	"$svm" --stats=xml "$apps/hello/hello"
"$svm" --bogus >"$tmp/out" 2>"$tmp/err"
st=$?
if [ $st = 2 ] && grep -q "unrecognized option" "$tmp/err" && [ ! -s "$tmp/out" ]; then
	ok "usage: unknown option"
else
	nok "usage: unknown option" "status $st: $(cat "$tmp/err")"
fi
t "--help matches tests/golden/help.txt" 0 "$(cat "$golden/help.txt")" "" -- "$svm" --help
t "--version" 0 "svm-sandbox 0.1.0 (ABI 3)" "" -- "$svm" --version
t "--print-filter matches tests/golden/filter.txt" 0 "$(cat "$golden/filter.txt")" "" -- \
	"$b/bin/svm-sandbox" --print-filter
t "--print-filter --backend=svmk matches tests/golden/filter-svmk.txt" 0 \
	"$(cat "$golden/filter-svmk.txt")" "" -- "$b/bin/svm-sandbox" --backend=svmk --print-filter

# One table of statuses: --help, the man page and README list the same ones.
sed -n '/^Exit status:/,/^Every/s/^  \([0-9+N-]*\) .*/\1/p' "$golden/help.txt" >"$tmp/st.help"
sed -n '/^\.Sh EXIT STATUS/,/^\.Sh FILES/s/^\.It \([0-9+N-]*\)$/\1/p' \
	"$top/monitor/svm-sandbox.1" >"$tmp/st.man"
sed -n '/^| status | meaning |$/,/^$/s/^| \([0-9+N-]*\) | .*/\1/p' "$top/README.md" >"$tmp/st.readme"
if [ -s "$tmp/st.help" ] && cmp -s "$tmp/st.help" "$tmp/st.man" &&
	[ "$(sort "$tmp/st.help")" = "$(sort "$tmp/st.readme")" ]; then
	ok "exit statuses agree in --help, svm-sandbox.1 and README ($(tr '\n' ' ' <"$tmp/st.help"))"
else
	nok "exit statuses agree in --help, svm-sandbox.1 and README" \
		"help: $(tr '\n' ' ' <"$tmp/st.help")" "man: $(tr '\n' ' ' <"$tmp/st.man")" \
		"README: $(tr '\n' ' ' <"$tmp/st.readme")"
fi

# One set of options: every long option of --help is in the man page's
# list (as .It Fl -NAME) and in README's usage block, and no other.
sed -n 's/^  \(-[a-zA-Z], \)\{0,1\} *--\([a-z-]*\).*/\2/p' "$golden/help.txt" |
	sort >"$tmp/opt.help"
sed -n 's/^\.It \(Fl [a-zA-Z] , \)\{0,1\}Fl -\([a-z-]*\).*/\2/p' \
	"$top/monitor/svm-sandbox.1" | sort -u >"$tmp/opt.man"
sed -n '/^<!-- options -->$/,/^<!-- end options -->$/s/^ *\(-[a-zA-Z], \)\{0,1\}--\([a-z-]*\).*/\2/p' \
	"$top/README.md" | sort >"$tmp/opt.readme"
if [ -s "$tmp/opt.help" ] && cmp -s "$tmp/opt.help" "$tmp/opt.man" &&
	cmp -s "$tmp/opt.help" "$tmp/opt.readme"; then
	ok "options agree in --help, svm-sandbox.1 and README ($(wc -l <"$tmp/opt.help") long options)"
else
	nok "options agree in --help, svm-sandbox.1 and README" \
		"help: $(tr '\n' ' ' <"$tmp/opt.help")" "man: $(tr '\n' ' ' <"$tmp/opt.man")" \
		"README: $(tr '\n' ' ' <"$tmp/opt.readme")"
fi

# Debugging: --core, ELF cores that Debian's gdb reads (host only).
# debugee is built with -g.
dbg=$g/debugee
tsvm=$tmp/svm-sandbox-test
# On every backend (the QEMU suite runs this part on svmk): a fault writes
# an x86-64 ELF core, which the host part below reads with gdb.
t "--core: a fault writes an ELF core on this backend" 250 "" \
	"svm-sandbox: guest fault: #PF page fault \(vector 14\) at rip 0x[0-9a-f]+ \(crash_here\+0x[0-9a-f]+\), address 0, error code 0x6 \(core dumped to $tmp/vmcore\)" \
	-- "$svm" --core="$tmp/vmcore" "$dbg" -- fault
printf '\177ELF\002\001\001' >"$tmp/core.magic"
printf '\004\000\076\000' >"$tmp/core.type" # ET_CORE, EM_X86_64
if head -c 7 "$tmp/vmcore" | cmp -s - "$tmp/core.magic" &&
	head -c 20 "$tmp/vmcore" | tail -c 4 | cmp -s - "$tmp/core.type"; then
	ok "--core: the file is an x86-64 ELF core"
else
	nok "--core: the file is an x86-64 ELF core" "$(head -c 20 "$tmp/vmcore" | od -c | head -n 2)"
fi
if ! $vm_only; then
	# Core files: gdb's backtrace names the function, after a fault and
	# after the timeout; a run that ends otherwise leaves nothing, not even
	# a temporary file; FILE is replaced only by a whole core.
	cd_=$tmp/cores
	mkdir "$cd_"
	t "--core: a fault writes a core" 250 "" \
		"svm-sandbox: guest fault: #PF page fault \(vector 14\) at rip 0x[0-9a-f]+ \(crash_here\+0x[0-9a-f]+\), address 0, error code 0x6 \(core dumped to $cd_/core\)" \
		-- "$svm" --core "$cd_/core" "$dbg" -- fault
	gdb -nx -batch -ex bt "$dbg" "$cd_/core" >"$tmp/gdbout" 2>&1
	if grep -q '^Program terminated with signal SIGSEGV' "$tmp/gdbout" &&
		grep -q '^#0 .* in crash_here (p=' "$tmp/gdbout" &&
		grep -q '^#1 .* in main (' "$tmp/gdbout"; then
		ok "--core: gdb PROGRAM CORE: bt names crash_here, then main"
	else
		nok "--core: gdb PROGRAM CORE: bt names crash_here" "$(tail -n 5 "$tmp/gdbout")"
	fi
	"$svm" --core "$cd_/core" "$dbg" -- ud2 2>/dev/null
	gdb -nx -batch -ex 'info registers rdx' "$dbg" "$cd_/core" >"$tmp/gdbout" 2>&1
	if grep -q '^Program terminated with signal SIGILL' "$tmp/gdbout" &&
		grep -Eq '^rdx +0x5ca1ab1e ' "$tmp/gdbout"; then
		ok "--core: the core has every register, RDX too (replacing the last core)"
	else
		nok "--core: the core has every register, RDX too" "$(tail -n 5 "$tmp/gdbout")"
	fi
	t "--core: the timeout writes a core" 124 "" \
		"svm-sandbox: timeout after 300 ms \(core dumped to $cd_/spin\)" \
		-- "$svm" --timeout=300ms --core "$cd_/spin" "$dbg" -- spin
	gdb -nx -batch -ex bt "$dbg" "$cd_/spin" >"$tmp/gdbout" 2>&1
	if grep -q '^Program terminated with signal SIGALRM' "$tmp/gdbout" &&
		grep -q '^#0 .*spin_here ()' "$tmp/gdbout"; then
		ok "--core: gdb PROGRAM CORE after the timeout: bt names spin_here"
	else
		nok "--core: gdb PROGRAM CORE after the timeout" "$(tail -n 5 "$tmp/gdbout")"
	fi
	rm -f "$cd_/core" "$cd_/spin"
	t "--core: a run that exits" 21 "total 21" "" -- "$svm" --core "$cd_/core" "$dbg"
	if [ -z "$(ls -A "$cd_")" ]; then
		ok "--core: a run that exits leaves no file, and no temporary one"
	else
		nok "--core: a run that exits leaves no file" "$(ls -A "$cd_")"
	fi
	echo old >"$cd_/core"
	"$svm" --core "$cd_/core" "$dbg" >/dev/null
	"$svm" --timeout=1s --core "$cd_/core2" "$apps/echo/echo" <"$tmp/in2" >/dev/null
	if [ "$(cat "$cd_/core")" = old ] && [ "$(ls -A "$cd_")" = core ]; then
		ok "--core: an existing FILE stays as it was when no core is written"
	else
		nok "--core: an existing FILE stays as it was" "$(ls -A "$cd_")"
	fi
	mkdir "$cd_/ro"
	chmod 555 "$cd_/ro"
	# Root writes anywhere unless it gives up CAP_DAC_OVERRIDE.
	ro=
	[ "$(id -u)" = 0 ] && ro="setpriv --bounding-set=-dac_override,-dac_read_search"
	t "--core on an unwritable directory is a usage error, before the run" 2 "" \
		"svm-sandbox: --core $cd_/ro/core: cannot create a file in its directory: Permission denied" \
		-- $ro "$svm" --core "$cd_/ro/core" "$dbg"
	t "usage: --core with --serve" 2 "" \
		"svm-sandbox: --core is for a plain run, not --serve" -- \
		"$svm" --serve --core "$cd_/core" "$dbg"
	# The rules --core adds, both ways; the core's directory is an argument.
	for c in ok-write-core ok-linkat-core ok-renameat-core ok-mincore; do
		t "seccomp: $c with --core passes" 0 "Hello from svm-sandbox!" "" -- \
			"$tsvm" --core "$cd_/c" --test-syscall=$c "$apps/hello/hello"
	done
	for c in bad-linkat-core-dir bad-renameat-core-dir; do
		sh -c '"$@" 2>/dev/null' sh "$tsvm" --core "$cd_/c" --test-syscall=$c \
			"$apps/hello/hello" >"$tmp/out"
		st=$?
		[ $st = 159 ] && ok "seccomp: $c with --core is killed (159)" ||
			nok "seccomp: $c with --core is killed (159)" "status $st"
	done
	for c in ok-write-core ok-linkat-core ok-renameat-core; do
		sh -c '"$@" 2>/dev/null' sh "$tsvm" --test-syscall=$c "$apps/hello/hello" \
			>"$tmp/out"
		st=$?
		[ $st = 159 ] && ok "seccomp: $c without --core is killed (159)" ||
			nok "seccomp: $c without --core is killed (159)" "status $st"
	done
	chmod 755 "$cd_/ro"

	# --gdb: Debian's gdb in batch mode against debugee, over the stub.
	# A port of this run's own; the monitor says when it listens.
	gport=$((20000 + $$ % 20000))
	# gdb_run NAME GDB-ARGS... -- MONITOR-ARGS...: the monitor in the
	# background (its status in $tmp/gst), gdb once it listens; gdb's
	# output in $tmp/gdbout, the monitor's in $tmp/gout and $tmp/gerr.
	gdb_run() {
		gargs=
		while [ "$1" != -- ]; do
			gargs="$gargs -ex '$1'"
			shift
		done
		shift
		rm -f "$tmp/gst"
		(timeout 60 "$@" >"$tmp/gout" 2>"$tmp/gerr"; echo $? >"$tmp/gst") &
		n=0
		until grep -q "waiting for gdb" "$tmp/gerr" 2>/dev/null || [ $n = 100 ]; do
			sleep 0.1
			n=$((n + 1))
		done
		eval timeout 60 gdb -nx -batch -ex "'target remote 127.0.0.1:$gport'" \
			"$gargs" "$dbg" >"$tmp/gdbout" 2>&1
		wait
	}
	# Breakpoints, registers and memory both ways, a single step, then on
	# to the end: step(10) with counter 100, then step(1), step(2): 326.
	gdb_run 'break step' continue bt 'print counter' 'set var counter = 100' \
		'set $rdi = 10' stepi 'print $pc' 'info registers rdi' delete continue \
		-- "$svm" --gdb=$gport "$dbg"
	if grep -q '^Breakpoint 1, step (i=i@entry=0) at .*debugee.c:16' "$tmp/gdbout" &&
		grep -q '^#1 .* in main (' "$tmp/gdbout" &&
		grep -q '^\$1 = 5$' "$tmp/gdbout" &&
		grep -Eq '^\$2 = \(void \(\*\)\(\)\) 0x[0-9a-f]+ <step\+[1-9][0-9]*>' "$tmp/gdbout" &&
		grep -Eq '^rdi +0xa +10$' "$tmp/gdbout" &&
		grep -q '^\[Inferior 1 (Remote target) exited with code 0106\]' "$tmp/gdbout" &&
		[ "$(cat "$tmp/gst")" = 70 ] && [ "$(cat "$tmp/gout")" = "total 326" ] &&
		[ "$(cat "$tmp/gerr")" = "svm-sandbox: waiting for gdb on 127.0.0.1:$gport" ]; then
		ok "--gdb: break, bt, print and set memory and a register, stepi, continue to the exit"
	else
		nok "--gdb: break, bt, print, set, stepi, continue" "status $(cat "$tmp/gst")" \
			"$(cat "$tmp/gout" "$tmp/gerr")" "$(tail -n 12 "$tmp/gdbout")"
	fi
	# A step over a system call ends at the next instruction, with its result.
	gdb_run 'break at_syscall' continue stepi 'print $pc' 'print $rax' continue \
		-- "$svm" --gdb=$gport "$dbg" -- sys
	if grep -Eq '^\$1 = \(void \(\*\)\(\)\) 0x[0-9a-f]+ <sys_here\+7>' "$tmp/gdbout" &&
		grep -q '^\$2 = 1$' "$tmp/gdbout" &&
		grep -q '^\[Inferior 1 (Remote target) exited normally\]' "$tmp/gdbout" &&
		[ "$(cat "$tmp/gst")" = 0 ] && [ "$(cat "$tmp/gout")" = "pid 1" ]; then
		ok "--gdb: stepi over a system call stops after it, with its result"
	else
		nok "--gdb: stepi over a system call" "status $(cat "$tmp/gst")" \
			"$(tail -n 8 "$tmp/gdbout")"
	fi
	# A fault stops in gdb first; the run then ends with it, as without gdb.
	gdb_run continue bt continue -- "$svm" --gdb=$gport "$dbg" -- fault
	if grep -q '^Program received signal SIGSEGV' "$tmp/gdbout" &&
		grep -q '^#0 .* in crash_here (p=' "$tmp/gdbout" &&
		grep -q '^Program terminated with signal SIGSEGV' "$tmp/gdbout" &&
		[ "$(cat "$tmp/gst")" = 250 ] &&
		grep -q '^svm-sandbox: guest fault: #PF page fault (vector 14) at rip 0x[0-9a-f]* (crash_here+0x[0-9a-f]*)' "$tmp/gerr"; then
		ok "--gdb: a fault stops in crash_here, then ends the run (250)"
	else
		nok "--gdb: a fault stops in crash_here" "status $(cat "$tmp/gst")" \
			"$(cat "$tmp/gerr")" "$(tail -n 8 "$tmp/gdbout")"
	fi
	gdb_run 'break step' continue kill -- "$svm" --gdb=$gport "$dbg"
	if [ "$(cat "$tmp/gst")" = 137 ] && [ ! -s "$tmp/gout" ] &&
		grep -qx 'svm-sandbox: killed by the debugger' "$tmp/gerr"; then
		ok "--gdb: gdb's kill ends the run (137)"
	else
		nok "--gdb: gdb's kill ends the run (137)" "status $(cat "$tmp/gst")" "$(cat "$tmp/gerr")"
	fi
	# The timeout while stopped: the core has the program as gdb showed it,
	# at the breakpoint, with the original instruction there.
	rm -f "$cd_/gcore"
	gdb_run 'break step' continue 'shell sleep 1.5' continue -- \
		"$svm" --timeout=1s --core="$cd_/gcore" --gdb=$gport "$dbg"
	gdb -nx -batch -ex bt -ex 'x/i $pc' "$dbg" "$cd_/gcore" >"$tmp/gdbout" 2>&1
	if [ "$(cat "$tmp/gst")" = 124 ] && grep -q '^#0  step (i=i@entry=0)' "$tmp/gdbout" &&
		grep -q '^=> 0x[0-9a-f]* <step>:	mov ' "$tmp/gdbout"; then
		ok "--gdb with --core: the timeout while stopped dumps the program at the breakpoint"
	else
		nok "--gdb with --core: the timeout while stopped" "status $(cat "$tmp/gst")" \
			"$(tail -n 4 "$tmp/gdbout")"
	fi
	rm -f "$cd_/gcore"
	# gdb's interrupt (SIGINT to gdb while it waits in continue: it sends
	# ^C) stops a program that never leaves the guest, where it spins.
	rm -f "$tmp/gst"
	(timeout 60 "$svm" --timeout=30s --gdb=$gport "$dbg" -- spin >"$tmp/gout" 2>"$tmp/gerr"
		echo $? >"$tmp/gst") &
	n=0
	until grep -q "waiting for gdb" "$tmp/gerr" 2>/dev/null || [ $n = 100 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	# --foreground: timeout passes SIGINT on to gdb once, not to its group too.
	timeout --foreground 60 gdb -nx -batch -ex "target remote 127.0.0.1:$gport" -ex continue \
		-ex bt -ex kill "$dbg" >"$tmp/gdbout" 2>&1 &
	gpid=$!
	sleep 1
	kill -INT $gpid
	wait $gpid
	wait
	if grep -q '^Program received signal SIGINT' "$tmp/gdbout" &&
		grep -q '^#0  spin_here ()' "$tmp/gdbout" && [ "$(cat "$tmp/gst")" = 137 ]; then
		ok "--gdb: gdb's interrupt stops a program spinning in the guest"
	else
		nok "--gdb: gdb's interrupt stops a spinning program" "status $(cat "$tmp/gst")" \
			"$(tail -n 6 "$tmp/gdbout")"
	fi
	# gdb goes away: the program runs on without it.
	gdb_run 'break step' continue -- "$svm" --gdb=$gport "$dbg"
	if [ "$(cat "$tmp/gst")" = 21 ] && [ "$(cat "$tmp/gout")" = "total 21" ]; then
		ok "--gdb: when gdb goes away, the program runs on to its exit"
	else
		nok "--gdb: when gdb goes away, the program runs on" "status $(cat "$tmp/gst")" \
			"$(cat "$tmp/gout" "$tmp/gerr")"
	fi
	t "usage: --gdb with --serve" 2 "" "svm-sandbox: --gdb is for a plain run, not --serve" -- \
		"$svm" --serve --gdb=$gport "$dbg"
	t "usage: --gdb=0" 2 "" "svm-sandbox: bad --gdb '0'" -- "$svm" --gdb=0 "$dbg"
	t "usage: --gdb=65536" 2 "" "svm-sandbox: bad --gdb '65536'" -- "$svm" --gdb=65536 "$dbg"
	t "usage: --gdb with --backend=svmk" 2 "" "svm-sandbox: --gdb works with --backend=kvm only" -- \
		"$svm" --backend=svmk --gdb=$gport "$dbg"
	# The rules --gdb adds, both ways. A client that connects and closes:
	# the monitor makes the call after the lockdown, then the program runs
	# on without gdb.
	for c in ok-read-gdb ok-write-gdb ok-ioctl-setregs-gdb ok-ioctl-setsregs-gdb; do
		(sleep 0.3; python3 -c 'import socket, sys, time
for i in range(100):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1]))).close()
        break
    except OSError:
        time.sleep(0.1)' $gport) &
		sh -c '"$@" 2>/dev/null' sh "$tsvm" --gdb=$gport --test-syscall=$c \
			"$apps/hello/hello" >"$tmp/out"
		st=$?
		wait
		[ $st = 0 ] && [ "$(cat "$tmp/out")" = "Hello from svm-sandbox!" ] &&
			ok "seccomp: $c with --gdb passes" ||
			nok "seccomp: $c with --gdb passes" "status $st"
		sh -c '"$@" 2>/dev/null' sh "$tsvm" --test-syscall=$c "$apps/hello/hello" \
			>"$tmp/out"
		st=$?
		[ $st = 159 ] && ok "seccomp: $c without --gdb is killed (159)" ||
			nok "seccomp: $c without --gdb is killed (159)" "status $st"
	done
fi

# Seccomp: after lockdown a syscall outside the filter kills the monitor
# (SIGSYS: 159 from a shell); the allowed control call does not.
for c in ok-ioctl-regs ok-write-1 ok-write-2 ok-writev-2 ok-read-0 ok-getrandom \
	ok-ppoll ok-read-wake ok-write-wake ok-ioctl-regs-fd-high ok-madvise-populate; do
	t "seccomp: $c after lockdown passes" 0 "Hello from svm-sandbox!" "" -- \
		"$tsvm" --test-syscall=$c "$apps/hello/hello"
done
t "seccomp: ok-timer (with --timeout) passes" 0 "Hello from svm-sandbox!" "" -- \
	"$tsvm" --timeout=10s --test-syscall=ok-timer "$apps/hello/hello"
t "seccomp: ok-mincore (with --stats) passes" 0 "Hello from svm-sandbox!" \
	"svm-sandbox: stats: .*" -- "$tsvm" --stats --test-syscall=ok-mincore "$apps/hello/hello"
for c in bad-ioctl-fd bad-ioctl-request bad-write-3 bad-writev-1 bad-read-3 \
	bad-getrandom-flags bad-mincore-addr bad-getpid ok-mincore \
	bad-ppoll-timed bad-ppoll-nfds ok-timer bad-timer \
	bad-getrandom-flags-high bad-write-x32 bad-madvise-advice; do
	sh -c '"$@" 2>/dev/null' sh "$tsvm" --test-syscall=$c "$apps/hello/hello" \
		>"$tmp/out"
	st=$?
	if [ $st = 159 ] && [ ! -s "$tmp/out" ]; then
		ok "seccomp: $c after lockdown is killed (159)"
	else
		nok "seccomp: $c after lockdown is killed (159)" "status $st"
	fi
done
# The 64-bit compares where --stats allows mincore: one high bit off kills.
for c in bad-mincore-addr-high bad-mincore-len-high; do
	sh -c '"$@" 2>/dev/null' sh "$tsvm" --stats --test-syscall=$c "$apps/hello/hello" \
		>"$tmp/out"
	st=$?
	if [ $st = 159 ] && [ ! -s "$tmp/out" ]; then
		ok "seccomp: $c (with --stats) is killed (159)"
	else
		nok "seccomp: $c (with --stats) is killed (159)" "status $st"
	fi
done

# The trace: what the monitor calls after lockdown is exactly the allowlist.
if $vm_only; then
	: # traced on the host
elif command -v strace >/dev/null; then
	strace -o "$tmp/trace1" "$svm" "$g/env" >/dev/null 2>&1
	strace -o "$tmp/trace2" "$svm" "$apps/echo/echo" <"$tmp/in2" >/dev/null 2>&1
	strace -o "$tmp/trace3" "$svm" "$g/div0" >/dev/null 2>&1
	strace -o "$tmp/trace4" "$svm" --stats --timeout=100ms "$g/spin" >/dev/null 2>&1
	printf '\001\000\000\000a\004\000\000\000div0' |
		strace -o "$tmp/trace5" "$svm" --serve --timeout=1s "$g/callee" >/dev/null 2>&1
	req plant:done scan |
		strace -o "$tmp/trace6" "$svm" --serve "$g/canary" -- serve >/dev/null 2>&1
	# A core file.
	strace -o "$tmp/trace7" "$svm" --core "$tmp/trace.core" "$dbg" -- fault >/dev/null 2>&1
	# KVM's CPUID table only for a vCPU that needs it (above, "cpuid").
	n1=$(grep -c 'KVM_GET_SUPPORTED_CPUID\|KVM_SET_CPUID2' "$tmp/trace1")
	n6=$(grep -c 'KVM_GET_SUPPORTED_CPUID\|KVM_SET_CPUID2' "$tmp/trace6")
	if $cpuid_native; then want=0; else want=2; fi
	if [ "$n1" = $want ] && [ "$n6" = 2 ]; then
		ok "trace: KVM's CPUID is asked and set $want times for a run, 2 for a server that resets"
	else
		nok "trace: KVM's CPUID is asked and set $want times for a run, 2 for a server that resets" \
			"run: $n1, server: $n6"
	fi
	for f in 1 2 3 4 5 6 7; do sed -n '/^seccomp(SECCOMP_SET_MODE_FILTER, 0, {len=/,$p' "$tmp/trace$f"; done >"$tmp/trace"
	used=$(sed -n 's/^\([a-z_0-9]*\)(.*/\1/p' "$tmp/trace" | grep -v '^seccomp$' |
		sort -u | tr '\n' ' ')
	# clock_gettime is there for kernels without a vDSO clock; this one has it.
	allowed=$(sed -n 's/^allow \([a-z_0-9]*\).*/\1/p' "$golden/filter.txt" |
		grep -vx clock_gettime | sort -u | tr '\n' ' ')
	if [ "$used" = "$allowed" ]; then
		ok "trace: syscalls after lockdown are the allowlist ($used)"
	else
		nok "trace: syscalls after lockdown are the allowlist" "used: $used" "allowed: $allowed"
	fi
else
	nok "trace" "strace is not installed (./configure installs it)"
fi

# The OCI runtime under podman, containerd's ctr and its CRI plugin (host
# only: the engines are not in the QEMU machine).
if ! $vm_only; then
	subsuite tests/oci/run.sh sh "$top/tests/oci/run.sh"
fi

qemu_suite
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
