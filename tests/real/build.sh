#!/bin/sh
# build.sh: builds the real programs (lua, sqlite3, minigzip, qjs) as static musl binaries, cached.
#
# build.sh [PROGRAM...]: builds the named programs (default: all) into
# build/real/bin from sources under build/deps/real, each once per machine:
# a program is rebuilt only when its source version or its recipe below
# changes. build/real/MANIFEST records what was built, from what, and how
# long it took. Sources come from Debian 12 (apt-get source) and, for
# QuickJS, from the npm registry (npm pack, checked against a pinned hash).
#
# Every program is built unmodified: Debian's .orig tarballs are unpacked
# with --skip-patches, so the trees are upstream's own releases. Debian's
# patches adapt the build to Debian's packaging (libtool, shared libraries,
# multiarch module paths) or fix CVEs that matter to programs fed untrusted
# input; these are test workloads fed our own input, and upstream's own
# makefiles build them as they are.
set -eu

top=$(CDPATH='' cd -- "$(dirname -- "$0")/../.." && pwd -P)
deps=$top/build/deps/real
dl=$deps/dl
work=$deps/work
out=$top/build/real
bin=$out/bin
stamps=$out/stamp
log=$out/build.log
jobs=2

# QuickJS: Debian 12 has no package. On npm, qjsc@0.3.0 (a Node addon by
# the Kraken team) carries Bellard's QuickJS 2021-03-27 release tree,
# complete and unmodified, under deps/quickjs_2021_03_27: the engine,
# libregexp, libunicode, libbf, cutils, quickjs-libc, qjs.c, qjsc.c,
# repl.js and qjscalc.js (repl.c and qjscalc.c are made from them by qjsc,
# as the release Makefile does) and tests/ with test_language, test_builtin,
# test_closure, test_loop, test_bignum, test_std and the rest. It is the most
# recent complete Bellard release found on npm: the other npm packages
# named after QuickJS carry WebAssembly builds (quickjs-emscripten,
# quickjs-wasi: QuickJS-NG, no C sources), unrelated code (quickjs) or
# nothing (quickjs-src, quickjs-ng, @bellard/quickjs are not on npm); a
# 2024-01-13 release tree is not on npm. The hash below is the tarball's;
# npm's dist.integrity for it is
# sha512-a7+cU6/IVcZbIejffdt/wZVMX6LL2MDL3HQ9Zb5Gm23G9DvBMS/z9GHFxz39bAvp2PvMOM+ypSOAyokt2DdZ2w==
QJS_NPM=qjsc@0.3.0
QJS_NPM_TGZ=qjsc-0.3.0.tgz
QJS_NPM_SHA256=4a9ed1852b334d842d5dac42d1782817ae26310b448de39532451fd45c9ba0ee
QJS_TREE=package/deps/quickjs_2021_03_27

# The recipes: flags are part of the cache key, so changing one rebuilds.
# -g everywhere: symbols let a guest fault be mapped back to a line.
#
# Lua: upstream's "posix" target. "linux" would add LUA_USE_DLOPEN and
# -Wl,-E, which only serve loading C modules; a static musl binary cannot
# dlopen (musl's static dlopen always fails), so require() of C modules is
# out either way. No readline: the harness never gives Lua a terminal.
LUA_MAKE='posix CC=musl-gcc\ -std=gnu99 MYCFLAGS=-g MYLDFLAGS=-static'
# sqlite3: the shell from the amalgamation (shell.c + sqlite3.c, which the
# release's own makefile generates with tclsh), configured for musl and
# compiled with that makefile's flags (TCC, TEMP_STORE and the shell's
# SHELL_OPT: FTS4, RTREE, the dbstat/dbpage/bytecode/stmt virtual tables;
# JSON and math functions, threadsafe) on both files, as the release's
# main.mk builds its shell in one compile. Choices: --disable-load-extension
# (-DSQLITE_OMIT_LOAD_EXTENSION=1: no dlopen in a static binary, and no
# .load); no readline/editline (input is never a terminal here);
# --enable-tempstore (-DSQLITE_TEMP_STORE=2: temporary tables, indices and
# sorter spills in memory unless PRAGMA temp_store=file asks for files),
# because the guest has no writable directory: with the default (files),
# a GROUP BY over a large recursive CTE fails with "disk I/O error" when
# it cannot create its temporary file in /var/tmp, /usr/tmp, /tmp or ".".
SQLITE_CONF='--disable-shared --disable-tcl --disable-readline --disable-editline --disable-load-extension --enable-tempstore=yes'
# zlib: its own configure and makefile, static; minigzip is test/minigzip.c.
ZLIB_CONF='--static'
ZLIB_CFLAGS='-O2 -g'
# QuickJS: the release Makefile with musl-gcc and without LTO (LTO only
# makes the build slower); qjsc is built from the same objects and run on
# the host to make repl.c and qjscalc.c, so quickjs.c is compiled once.
QJS_MAKE='CC=musl-gcc CONFIG_LTO= LDFLAGS=-g\ -static'

progs_all="lua sqlite3 minigzip qjs"

say() { echo "build.sh: $*"; }
die() {
	echo "build.sh: $*" >&2
	exit 1
}

# fail WHAT: one line naming what failed, then the log's tail.
fail() {
	echo "build.sh: $1 failed; tail of build/real/build.log:" >&2
	tail -n 15 "$log" | sed 's/^/  | /' >&2
	exit 1
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# deb_source NAME: the newest Debian source of NAME, unpacked without
# Debian's patches into a fresh $work/NAME; sets src and ver.
deb_source() {
	uris=$(apt-get source --print-uris -qq "$1" 2>>"$log") ||
		die "apt-get source finds no source package $1 (deb-src entry missing? run ./configure)"
	dsc=$(printf '%s\n' "$uris" | awk '$2 ~ /\.dsc$/ { print $2 }')
	[ -n "$dsc" ] || die "apt-get source $1 lists no .dsc"
	ver=${dsc#"$1"_}
	ver=${ver%.dsc}
	mkdir -p "$dl"
	# apt-get checks every file against the signed Sources index, and skips
	# files already downloaded intact.
	(cd "$dl" && apt-get source -q --download-only "$1") </dev/null >>"$log" 2>&1 ||
		fail "$1: apt-get source (stale package lists? apt-get update)"
	src=$work/$1
	rm -rf "$src"
	mkdir -p "$work"
	dpkg-source --skip-patches -x "$dl/$dsc" "$src" >>"$log" 2>&1 ||
		fail "$1: dpkg-source -x"
}

# npm_source: the pinned QuickJS tarball, verified, unpacked into a fresh
# $work/qjs; sets src and ver.
npm_source() {
	tgz=$dl/$QJS_NPM_TGZ
	mkdir -p "$dl"
	if [ ! -f "$tgz" ]; then
		command -v npm >/dev/null 2>&1 || die "npm is not installed: run ./configure"
		(cd "$dl" && npm pack --silent --cache "$deps/npm-cache" "$QJS_NPM") \
			</dev/null >>"$log" 2>&1 || fail "qjs: npm pack $QJS_NPM"
	fi
	sum=$(sha256sum "$tgz" | cut -d' ' -f1)
	if [ "$sum" != "$QJS_NPM_SHA256" ]; then
		rm -f "$tgz"
		die "$QJS_NPM_TGZ: sha256 $sum, pinned $QJS_NPM_SHA256; refusing it"
	fi
	src=$work/qjs
	rm -rf "$src"
	mkdir -p "$src"
	tar -xzf "$tgz" -C "$src" "$QJS_TREE" >>"$log" 2>&1 || fail "qjs: unpacking $QJS_NPM_TGZ"
	src=$src/$QJS_TREE
	ver=$(cat "$src/VERSION")
}

# static_ok FILE: FILE is a static x86-64 executable.
static_ok() {
	case $(file -b "$1") in
	*ELF\ 64-bit*x86-64*statically\ linked*) return 0 ;;
	*) return 1 ;;
	esac
}

# fresh NAME KEY: NAME is built, static and was built from KEY.
fresh() {
	[ -x "$bin/$1" ] && [ -f "$stamps/$1" ] && [ "$(cat "$stamps/$1")" = "$2" ] &&
		static_ok "$bin/$1"
}

# install_prog NAME FILE KEY VERSION T0: checks FILE, installs it as NAME and
# records it in the manifest.
install_prog() {
	static_ok "$2" || die "$1: $(file -b "$2"): not a static x86-64 executable"
	mkdir -p "$bin" "$stamps"
	cp "$2" "$bin/$1.tmp"
	mv -f "$bin/$1.tmp" "$bin/$1"
	printf '%s\n' "$3" >"$stamps/$1"
	secs=$(elapsed "$5")
	printf '%s\t%s\t%s\t%s s\t%s\n' "$1" "$4" \
		"$(sha256sum "$bin/$1" | cut -c1-16)" "$secs" "$3" >"$stamps/$1.manifest"
	say "$1 $4 built in $secs s"
}

# key NAME: the cache key: source version and recipe.
key_of() {
	case $1 in
	lua) echo "lua5.4 $(deb_version lua5.4) make $LUA_MAKE" ;;
	sqlite3) echo "sqlite3 $(deb_version sqlite3) configure $SQLITE_CONF cflags TCC TEMP_STORE SHELL_OPT" ;;
	minigzip) echo "zlib $(deb_version zlib) configure $ZLIB_CONF cflags $ZLIB_CFLAGS" ;;
	qjs) echo "npm $QJS_NPM sha256 $QJS_NPM_SHA256 make $QJS_MAKE" ;;
	esac
}

# deb_version NAME: the version apt-get source would fetch, cached for this
# run (each apt-get call takes about a second).
deb_version() {
	f=$out/.ver.$1
	if [ ! -s "$f" ]; then
		apt-cache showsrc --only-source "$1" 2>>"$log" |
			awk '/^Version:/ { print $2 }' | sort -V | tail -n 1 >"$f"
		[ -s "$f" ] || die "apt-cache knows no source package $1 (deb-src entry missing? run ./configure)"
	fi
	cat "$f"
}

build_lua() {
	t0=$(now)
	deb_source lua5.4
	say "building lua ($ver)"
	(cd "$src" && eval "make -C src -j$jobs $LUA_MAKE") >>"$log" 2>&1 || fail "lua: make"
	"$src/src/lua" -e 'assert(_VERSION == "Lua 5.4")
		local s = 0; for i = 1, 100 do s = s + i end; assert(s == 5050)' \
		>>"$log" 2>&1 || fail "lua: smoke test"
	install_prog lua "$src/src/lua" "$1" "$ver" "$t0"
}

build_sqlite3() {
	t0=$(now)
	deb_source sqlite3
	say "building sqlite3 ($ver)"
	b=$src/bld
	mkdir -p "$b"
	# shellcheck disable=SC2086 # one word per option
	(cd "$b" && ../configure CC=musl-gcc $SQLITE_CONF) </dev/null >>"$log" 2>&1 ||
		fail "sqlite3: configure"
	(cd "$b" && make -j"$jobs" sqlite3.c shell.c) >>"$log" 2>&1 ||
		fail "sqlite3: making the amalgamation (needs tclsh)"
	# The makefile's own flags, read from it, minus libtool.
	# shellcheck disable=SC2016 # make variables, for make
	printf 'flags:\n\t@echo $(TCC) $(TEMP_STORE) $(SHELL_OPT)\nlibs:\n\t@echo $(TLIBS)\n' >"$b/flags.mk"
	cflags=$(make -s -C "$b" -f Makefile -f flags.mk flags) || fail "sqlite3: reading flags"
	libs=$(make -s -C "$b" -f Makefile -f flags.mk libs) || fail "sqlite3: reading flags"
	echo "sqlite3 flags: $cflags; libs: $libs" >>"$log"
	# The two compiles in parallel: sqlite3.c is most of the build time.
	(
		cd "$b"
		eval "$cflags -c -o shell.o shell.c" &
		p=$!
		eval "$cflags -c -o sqlite3.o sqlite3.c"
		wait $p
		eval "$cflags -static -o sqlite3 shell.o sqlite3.o $libs"
	) >>"$log" 2>&1 || fail "sqlite3: compile"
	[ "$(echo 'select 6*7;' | "$b/sqlite3")" = 42 ] || fail "sqlite3: smoke test"
	install_prog sqlite3 "$b/sqlite3" "$1" "$ver" "$t0"
}

build_minigzip() {
	t0=$(now)
	deb_source zlib
	say "building minigzip (zlib $ver)"
	# shellcheck disable=SC2086 # one word per option
	(cd "$src" && CC=musl-gcc CFLAGS="$ZLIB_CFLAGS" ./configure $ZLIB_CONF) \
		</dev/null >>"$log" 2>&1 || fail "minigzip: configure"
	# zlib's own test target: example and a minigzip round trip.
	(cd "$src" && make -j"$jobs" LDFLAGS=-static minigzip example &&
		make LDFLAGS=-static teststatic) >>"$log" 2>&1 || fail "minigzip: make"
	install_prog minigzip "$src/minigzip" "$1" "$ver" "$t0"
}

build_qjs() {
	t0=$(now)
	npm_source
	say "building qjs (QuickJS $ver from $QJS_NPM)"
	(cd "$src" && eval "make -j$jobs $QJS_MAKE qjs") >>"$log" 2>&1 || fail "qjs: make"
	# The release's own tests that run natively on a static binary with no
	# terminal: test_std.js needs a terminal on stdin (test_os) and
	# test_bjson.js a shared module, so tests/real/run.sh runs test_std's
	# subtests one by one and leaves test_bjson out.
	(
		cd "$src"
		for t in test_closure test_language test_builtin test_loop test_worker; do
			echo "qjs tests/$t.js"
			./qjs "tests/$t.js" || exit 1
		done
		./qjs --bignum tests/test_op_overloading.js || exit 1
		./qjs --bignum tests/test_bignum.js || exit 1
		./qjs --qjscalc tests/test_qjscalc.js || exit 1
	) </dev/null >>"$log" 2>&1 || fail "qjs: its own tests"
	install_prog qjs "$src/qjs" "$1" "$ver" "$t0"
	# The harness runs QuickJS's own test files.
	rm -rf "$out/qjs-tests"
	cp -R "$src/tests" "$out/qjs-tests"
}

mkdir -p "$out"
: >"$log"
rm -f "$out"/.ver.*
# shellcheck disable=SC2086 # one word per program
[ $# -gt 0 ] || set -- $progs_all
for p in "$@"; do
	case " $progs_all " in
	*" $p "*) ;;
	*) die "unknown program $p (one of: $progs_all)" ;;
	esac
done
command -v musl-gcc >/dev/null 2>&1 || die "musl-gcc is not installed: run ./configure"

for p in "$@"; do
	k=$(key_of "$p")
	if fresh "$p" "$k" && { [ "$p" != qjs ] || [ -f "$out/qjs-tests/test_std.js" ]; }; then
		continue
	fi
	"build_$p" "$k"
done

# The manifest: one line per program, plus Debian's busybox, used as it is.
{
	printf '# program\tversion\tsha256 (16)\tbuild time\tsource and recipe\n'
	for p in $progs_all; do
		[ ! -f "$stamps/$p.manifest" ] || cat "$stamps/$p.manifest"
	done
	if [ -x /bin/busybox ]; then
		printf 'busybox\t%s\t%s\t-\tDebian busybox-static, /bin/busybox as installed\n' \
			"$(dpkg-query -W -f='${Version}' busybox-static 2>/dev/null || echo '?')" \
			"$(sha256sum /bin/busybox | cut -c1-16)"
	fi
} >"$out/MANIFEST.tmp"
mv -f "$out/MANIFEST.tmp" "$out/MANIFEST"
rm -f "$out"/.ver.*
