# common.sh: what run.sh, bench.sh and trace.sh share: paths, the tree, and running a program natively or through RUNNER (bash, sourced).
#
# The tree (build/real/tree) is the directory every program sees as its
# files: natively it is the working directory, through a sandbox runner
# it is the guest's read-only / (--root, --cwd /). Workloads name files by
# relative paths, which resolve the same in both, or by "@ROOT@/path",
# which becomes TREE/path natively and /path in the guest, so that
# absolute paths are exercised too (used only where the program does not
# print the path). Both runs get the same environment and nothing else:
# LC_ALL=C, TZ=UTC0 (a POSIX TZ string, so musl reads no zoneinfo file)
# and HOME=/.

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
real=$top/build/real
bin=$real/bin
tree=$real/tree
busybox=/bin/busybox
renv=(LC_ALL=C TZ=UTC0 HOME=/)

# runner_kind RUNNER...: "sandbox" for svm-sandbox (it gets --root, --cwd
# and --env, and the program's arguments after --), "native" for anything
# else: nothing, env, strace, a wrapper that runs a host program.
# REAL_RUNNER_KIND overrides the guess.
runner_kind() {
	if [ -n "${REAL_RUNNER_KIND-}" ]; then
		echo "$REAL_RUNNER_KIND"
	elif [ $# -gt 0 ] && [[ $(basename -- "$1") == svm-sandbox* ]]; then
		echo sandbox
	else
		echo native
	fi
}

# exe_of PROG: the host path of a program's binary.
exe_of() {
	case $1 in
	busybox) echo "$busybox" ;;
	*) echo "$bin/$1" ;;
	esac
}

# prepare_tree: builds a fresh tree: generated data (and shop.db, made by
# the sqlite3 under test), our workloads, QuickJS's own test files.
prepare_tree() {
	local new=$tree.new
	rm -rf "$new"
	mkdir -p "$new"
	python3 "$top/tests/real/gen_data.py" "$new/data" || return 1
	cp -R "$top/tests/real/lua" "$top/tests/real/sql" "$top/tests/real/js" "$new/" || return 1
	cp -R "$real/qjs-tests" "$new/qjs-tests" || return 1
	(cd "$new" && "$bin/sqlite3" -init sql/init.sql data/shop.db <data/shop.sql) || return 1
	rm -rf "$tree"
	mv "$new" "$tree"
}

# tree_state: a listing that changes when anything in the tree is created,
# removed or written (names, sizes, mtimes, including directories').
tree_state() {
	find "$tree" -printf '%P %s %T@\n' | sort
}

# invoke HOW OUT ERR IN PROG ARG...: runs PROG natively (HOW=native) or
# through ${runner[@]}, the caller's array (HOW=runner) with stdin IN, stdout OUT, stderr ERR;
# returns its status. REAL_TIMEOUT (seconds, default 300) bounds each run
# (status 124). With REAL_TRACE set to a file, the run is traced there
# with strace -f; with REAL_VDSO, its vDSO calls are counted there by gdb
# (vdso.py). Neither changes the program's stdout or status.
invoke() {
	local how=$1 out=$2 err=$3 in=$4 prog=$5
	shift 5
	local exe args=() a pre=() tmo=${REAL_TIMEOUT:-300}
	exe=$(exe_of "$prog")
	local kind=native
	# shellcheck disable=SC2154 # runner is the caller's
	[ "$how" = native ] || kind=$(runner_kind "${runner[@]}")
	for a in "$@"; do
		if [ "$kind" = sandbox ]; then
			args+=("${a//@ROOT@/}")
		else
			args+=("${a//@ROOT@/$tree}")
		fi
	done
	[ -z "${REAL_TRACE-}" ] || pre=(strace -f -qq -s 80 -o "$REAL_TRACE")
	if [ "$kind" = sandbox ]; then
		local envf=() e
		for e in "${renv[@]}"; do
			envf+=(--env "$e")
		done
		timeout -k 5 "$tmo" "${runner[@]}" --root "$tree" --cwd / "${envf[@]}" \
			"$exe" -- "${args[@]}" <"$in" >"$out" 2>"$err"
	elif [ -n "${REAL_VDSO-}" ]; then
		(cd "$tree" && exec env -i "VDSO_ENV=${renv[*]}" "VDSO_OUT=$REAL_VDSO" timeout -k 5 "$tmo" \
			gdb -q -nx -batch -return-child-result -x "$top/tests/real/vdso.py" \
			--args "$exe" "${args[@]}" 3>&1 4>&2 >/dev/null 2>/dev/null) \
			<"$in" >"$out" 2>"$err"
	elif [ "$how" = native ]; then
		(cd "$tree" && exec env -i "${renv[@]}" timeout -k 5 "$tmo" \
			"${pre[@]}" "$exe" "${args[@]}") <"$in" >"$out" 2>"$err"
	else
		(cd "$tree" && exec env -i "${renv[@]}" timeout -k 5 "$tmo" \
			"${pre[@]}" "${runner[@]}" "$exe" "${args[@]}") <"$in" >"$out" 2>"$err"
	fi
}
