#!/bin/sh
# run.sh: runs svm-sandbox on every malformed app of tests/corpus and on special files; ends with "N passed, N failed".
#
# Each file's exit status and its one line of stderr must be as expected.txt
# says, with nothing on stdout. A refused file must be refused before any VM
# exists: status 1 comes only from the loader's checks, which run before
# /dev/kvm is opened, and when strace works here that is checked directly.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
svm=$top/build/bin/svm-sandbox
dir=$top/tests/corpus/elf
expected=$top/tests/corpus/expected.txt
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
. "$top/tests/lib.sh"

if [ ! -x "$svm" ]; then
	nok svm-sandbox "$svm is missing: build the tree first"
	echo "$pass passed, $fail failed"
	exit 1
fi

# strace shows the monitor never opens /dev/kvm for a refused file. It is
# used only if it works here and sees the open for a valid file, so a
# missing or broken strace cannot make the check pass vacuously.
trace=no
if command -v strace >/dev/null 2>&1; then
	# ok.bin exits with its own status: only the trace matters here.
	timeout 10 strace -f -qq -e trace=open,openat -o "$tmp/trace" \
	    "$svm" "$dir/ok.bin" </dev/null >/dev/null 2>&1
	grep -q '"/dev/kvm"' "$tmp/trace" 2>/dev/null && trace=yes
fi

# check NAME FILE STATUS REGEX: REGEX is "-" when stderr must be empty.
check() {
	name=$1 file=$2 want=$3 werr=$4
	timeout 10 "$svm" "$file" </dev/null >"$tmp/out" 2>"$tmp/err"
	st=$?
	why=
	[ "$st" = "$want" ] || why="status $st, want $want"
	[ -s "$tmp/out" ] &&
		why="$why${why:+; }stdout: $(head -c 200 "$tmp/out")"
	if [ "$werr" = - ]; then
		[ -s "$tmp/err" ] &&
			why="$why${why:+; }stderr: $(head -c 300 "$tmp/err")"
	elif [ "$(wc -l <"$tmp/err")" != 1 ] ||
		! grep -Eqx -- "$werr" "$tmp/err"; then
		why="$why${why:+; }stderr: $(head -c 300 "$tmp/err")"
	fi
	if [ -z "$why" ] && [ "$want" = 1 ] && [ "$trace" = yes ]; then
		timeout 10 strace -f -qq -e trace=open,openat -o "$tmp/trace" \
		    "$svm" "$file" </dev/null >/dev/null 2>&1
		grep -q '"/dev/kvm"' "$tmp/trace" &&
			why="refused only after opening /dev/kvm"
	fi
	if [ -z "$why" ]; then ok "$name"; else nok "$name" "$why"; fi
}

# The committed files, in expected.txt order.
while read -r name want werr; do
	case $name in
	'#'* | '') continue ;;
	esac
	if [ ! -e "$dir/$name" ]; then
		nok "$name" "listed in expected.txt but missing from $dir"
		continue
	fi
	check "$name" "$dir/$name" "$want" "$werr"
done <"$expected"

# A file nobody wrote an expectation for would never be tested.
for f in "$dir"/*; do
	name=${f##*/}
	grep -q "^$name " "$expected" ||
		nok "$name" "no line in expected.txt"
done

# Special files, made here rather than committed. Each must be refused
# without blocking: a FIFO with no writer, /dev/zero's endless data.
mkdir "$tmp/dir"
mkfifo "$tmp/fifo"
# Sparse: one byte more than the default 32 MiB of guest memory, on no disk.
: >"$tmp/big.bin"
truncate -s 33554433 "$tmp/big.bin"
ln -s /dev/zero "$tmp/zero-link.bin"
pre='svm-sandbox: [^ ]*'
check "special: directory" "$tmp/dir" 1 "$pre/dir: is a directory"
check "special: /dev/zero" /dev/zero 1 "svm-sandbox: /dev/zero: not a regular file"
check "special: symlink to /dev/zero" "$tmp/zero-link.bin" 1 \
    "$pre/zero-link\.bin: not a regular file"
check "special: FIFO" "$tmp/fifo" 1 "$pre/fifo: not a regular file"
check "special: missing file" "$tmp/missing.bin" 1 \
    "$pre/missing\.bin: No such file or directory"
check "special: larger than guest memory" "$tmp/big.bin" 1 \
    "$pre/big\.bin: file larger than guest memory"

[ "$trace" = yes ] || printf 'note: strace unusable here: /dev/kvm not traced\n'
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
