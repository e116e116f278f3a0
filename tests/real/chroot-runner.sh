#!/bin/sh
# chroot-runner.sh: stands in for svm-sandbox's file-tree CLI with a read-only chroot, to check run.sh's sandbox mode (root only).
#
# chroot-runner.sh --root DIR [--cwd /] [--env N=V]... [--file HOST:GUEST]...
#     [--mem SIZE] PROGRAM [-- ARGS...]
#
# In a private mount namespace it copies DIR (and each --file) into a
# tmpfs, puts PROGRAM there as /.runner/NAME (NAME its base name, so that
# busybox still finds its applet in argv[0]), makes the tmpfs read-only and
# runs PROGRAM chrooted into it with only the --env variables. So a
# workload that reads a host file outside the tree, or writes one, fails
# here as it would in the guest. It is not a sandbox: the program is
# still a host process with the host's system calls. --mem is ignored;
# --cwd must be /. With CHROOT_TRACE=FILE in its environment, the program
# runs under strace -f into FILE (the trace starts with chroot's own calls,
# up to the execve of /.runner/NAME).
#   REAL_RUNNER_KIND=sandbox tests/real/run.sh tests/real/chroot-runner.sh
set -eu

die() {
	echo "chroot-runner.sh: $*" >&2
	exit 2
}

root='' files='' envs=''
while [ $# -gt 0 ]; do
	case $1 in
	--root) root=$2; shift 2 ;;
	--cwd) [ "$2" = / ] || die "--cwd must be /"; shift 2 ;;
	--env) envs="$envs $2"; shift 2 ;;
	--file) files="$files $2"; shift 2 ;;
	--mem) shift 2 ;;
	--) die "no PROGRAM before --" ;;
	-*) die "unknown option $1" ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || die "usage: chroot-runner.sh --root DIR [options] PROGRAM [-- ARGS...]"
prog=$1
shift
[ $# -eq 0 ] || { [ "$1" = -- ] && shift; }
{ [ -n "$root" ] && [ -d "$root" ]; } || die "--root DIR is needed"
[ "$(id -u)" -eq 0 ] || die "needs root (mount namespace, chroot)"
# The inner shell splits $files, $envs and $tracer at spaces.
case "$root$files$envs${CHROOT_TRACE-}" in *"'"*) die "no quotes in paths or variables" ;; esac
case "$root${CHROOT_TRACE-}" in *" "*) die "no spaces in --root or CHROOT_TRACE" ;; esac

chroot=$(command -v chroot) || die "no chroot command"
tracer=
if [ -n "${CHROOT_TRACE-}" ]; then
	tracer="$(command -v strace) -f -qq -s 80 -o $CHROOT_TRACE" || die "no strace"
fi
mnt=$(mktemp -d)
trap 'rmdir "$mnt"' EXIT
name=$(basename "$prog")
# shellcheck disable=SC2016 # expanded by the inner shell
unshare -m sh -c '
	set -eu
	mnt=$1 root=$2 prog=$3 name=$4 files=$5 envs=$6 chroot=$7 tracer=$8
	shift 8
	mount -t tmpfs -o size=1g tmpfs "$mnt"
	cp -a "$root/." "$mnt/"
	for f in $files; do
		mkdir -p "$mnt$(dirname "${f#*:}")"
		cp "${f%%:*}" "$mnt${f#*:}"
	done
	mkdir "$mnt/.runner"
	cp "$prog" "$mnt/.runner/$name"
	mount -o remount,ro "$mnt"
	# shellcheck disable=SC2086 # one word per variable, per tracer option
	exec env -i $envs $tracer "$chroot" "$mnt" "/.runner/$name" "$@"
' chroot-runner "$mnt" "$root" "$prog" "$name" "$files" "$envs" "$chroot" "$tracer" "$@"
