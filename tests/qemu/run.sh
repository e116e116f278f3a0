#!/bin/bash
# tests/qemu/run.sh: build the svmk module and its tests, boot Debian's kernel
# under QEMU full emulation (TCG with SVM and NPT, which this host lacks), run
# the tests in the emulated machine and judge the serial console.
#
# Usage: tests/qemu/run.sh [-t LIST]... [-T SECONDS] [-k]
#   -t LIST     test list file (repeatable); default tests/qemu/tests.list.
#               Lines:  file HOSTPATH [DEST]   copy HOSTPATH (relative to the
#                                              repository) into the initramfs
#                                              at DEST (default /bin/NAME)
#                       tree DEST PATH...      copy repository PATHs (globs
#                                              allowed) under DEST, keeping
#                                              their relative paths
#                       need COMMAND...        fail unless each COMMAND is a
#                                              busybox applet or in /bin
#                       timeout SECONDS        bound each following test
#                       test NAME COMMAND...   run COMMAND with sh in the
#                                              guest; exit status 0 = pass
#               '#' starts a comment. Tests run in list order. Copied
#               dynamically linked programs get their libraries too. What a
#               test writes to /out/FILE in the guest is saved to
#               build/qemu/FILE.
#   -T SECONDS  hard timeout for the whole boot (default: 60 s plus every
#               test's timeout)
#   -k          keep going without kvm: do not load kvm/kvm-amd in the guest
# Environment: KVER (Debian kernel ABI, e.g. 6.1.0-56-amd64) overrides the
# version picked from linux-image-amd64; TEST_TIMEOUT (default 120) bounds
# each test inside the guest unless a timeout line says otherwise;
# QEMU_MEM (default 3G) is the machine's memory (svmk pins guest memory, and
# the monitor tests run a 1 GiB guest); QEMU_ACCEL (default tcg,thread=single)
# and QEMU_APPEND (default tsc=reliable) are passed to -accel and appended to
# the kernel command line (see boot() for why).
#
# Exit status: 0 only if the module loaded, every test passed, the guest
# printed its result line before the timeout, and the console holds no
# kernel BUG/WARNING/Oops/general protection/kmemleak report.
set -eu

repo=$(cd "$(dirname "$0")/../.." && pwd)
build=$repo/build
deps=$build/deps/kernel
lists=()
timeout_s=
with_kvm=1

while getopts "t:T:kh" opt; do
	case $opt in
	t) lists+=("$OPTARG") ;;
	T) timeout_s=$OPTARG ;;
	k) with_kvm=0 ;;
	*) sed -n '2,/^set -eu$/{/^set -eu$/!p}' "$0"; exit 2 ;;
	esac
done
[ ${#lists[@]} -gt 0 ] || lists=("$repo/tests/qemu/tests.list")

log() { echo "run.sh: $*" >&2; }
die() { log "$*"; exit 1; }

# --- kernel packages (cached) ---------------------------------------------
fetch_kernel() {
	mkdir -p "$deps"
	if [ -z "${KVER:-}" ]; then
		if [ -s "$deps/VERSION" ]; then
			KVER=$(cat "$deps/VERSION")
		else
			if ! apt-cache show linux-image-amd64 >/dev/null 2>&1; then
				apt-get update -qq
			fi
			KVER=$(apt-cache depends linux-image-amd64 |
				sed -n 's/.*Depends: linux-image-\(.*\)$/\1/p' | head -n1)
			[ -n "$KVER" ] || die "cannot find linux-image-amd64's kernel"
		fi
	fi
	root=$deps/root-$KVER
	if [ ! -e "$root/.done" ]; then
		local abi=${KVER%-*}            # 6.1.0-56-amd64 -> 6.1.0-56
		local series=${abi%%.0-*}       # 6.1.0-56 -> 6.1
		local pkgs="linux-image-$KVER linux-headers-$KVER
			linux-headers-$abi-common linux-kbuild-$series"
		log "fetching $pkgs"
		(cd "$deps" && for p in $pkgs; do
			ls "$p"_*.deb >/dev/null 2>&1 || apt-get download -q "$p"
		done)
		rm -rf "$root"
		mkdir -p "$root"
		for p in $pkgs; do
			dpkg -x "$(ls "$deps/$p"_*.deb | head -n1)" "$root"
		done
		# The flavour Makefile includes the common tree by absolute path.
		sed -i "s|/usr/src/|$root/usr/src/|" \
			"$root/usr/src/linux-headers-$KVER/Makefile"
		touch "$root/.done"
	fi
	echo "$KVER" >"$deps/VERSION"
	kdir=$root/usr/src/linux-headers-$KVER
	kimage=$root/boot/vmlinuz-$KVER
	kmods=$root/lib/modules/$KVER/kernel
}

# --- module and tests -------------------------------------------------------
# check_alternatives OBJ NAME...: OBJ has an alternative (struct alt_instr,
# 12 bytes, the feature in the u16 at offset 8, bit 15 meaning "not") for
# each X86_FEATURE_NAME of the kernel's cpufeatures.h.
check_alternatives() {
	local obj=$1 name def num have missing=
	local h=$root/usr/src/linux-headers-${KVER%-*}-common/arch/x86/include/asm/cpufeatures.h
	shift
	have=" $(objcopy -O binary -j .altinstructions "$obj" /dev/stdout |
		od -An -v -tu2 -w12 | awk '{ printf "%d ", $5 % 32768 }')"
	for name in "$@"; do
		def=$(sed -n "s/^#define X86_FEATURE_$name[[:space:]]*(\([0-9*+ ]*\)).*/\1/p" "$h")
		[ -n "$def" ] || die "no X86_FEATURE_$name in $h"
		num=$((def))
		case $have in
		*" $num "*) ;;
		*) missing="$missing $name" ;;
		esac
	done
	[ -z "$missing" ] ||
		die "$(basename "$obj"): no alternative for$missing"
	log "$(basename "$obj"): alternatives for $*"
}

build_kmod() {
	# Build in a copy so kbuild's output does not litter kmod/.
	local src=$build/kmod/src
	mkdir -p "$src"
	cp -a "$repo/kmod/." "$src/"
	make -s -C "$kdir" M="$src" -j"$(nproc)" modules >&2 ||
		die "module build failed"
	cp "$src/svmk.ko" "$build/kmod/svmk.ko"
	# The speculation mitigations on the world switch are the kernel's
	# alternatives, patched in at load time only where the host needs
	# them; TCG has none of those features, so the machine cannot show
	# they work. At least the sites must be there.
	check_alternatives "$src/svmk_entry.o" RETPOLINE MSR_SPEC_CTRL \
		V_SPEC_CTRL UNRET SRSO_ALIAS ENTRY_IBPB IBPB_ON_VMEXIT \
		CLEAR_CPU_BUF_VM
	check_alternatives "$src/svmk_vcpu.o" USE_IBPB IBPB_ON_VMEXIT \
		V_SPEC_CTRL IBPB_EXIT_TO_USER
	if [ -f "$repo/kmod/tests/svmk_test.c" ]; then
		gcc -static -O2 -g -Wall -Wextra -Werror -I"$repo/kmod/uapi" \
			-o "$build/kmod/svmk_test" "$repo/kmod/tests/svmk_test.c" ||
			die "svmk_test build failed"
	fi
	mkdir -p "$build/qemu"
	gcc -static -O2 -g -Wall -Wextra -Werror -I"$repo/kmod/uapi" \
		-o "$build/qemu/pagebench" "$repo/tests/qemu/pagebench.c" ||
		die "pagebench build failed"
}

# --- initramfs --------------------------------------------------------------
# copy_in SRC DEST: copy a file or tree into the initramfs directory $dir, and
# for every dynamically linked program in it the libraries it needs (the
# machine has no libc of its own), at the paths ldd names.
copy_in() {
	local src=$1 dest=$dir/$2 f lib
	mkdir -p "$(dirname "$dest")"
	cp -a "$src" "$dest"
	find "$dest" -type f -perm -u+x | while read -r f; do
		file -b "$f" | grep -q 'dynamically linked' || continue
		ldd "$f" | grep -o '/[^ ]*' | while read -r lib; do
			[ -e "$dir$lib" ] && continue
			mkdir -p "$dir$(dirname "$lib")"
			cp -L "$lib" "$dir$lib"
		done
	done
}

make_initramfs() {
	dir=$build/qemu/initramfs
	rm -rf "$dir"
	mkdir -p "$dir"/{bin,dev,proc,sys,tmp,out,lib/modules}
	cp /bin/busybox "$dir/bin/busybox"
	cp "$build/kmod/svmk.ko" "$dir/lib/modules/"
	if [ "$with_kvm" = 1 ]; then
		# kvm-amd depends on kvm and ccp, kvm on irqbypass (modinfo).
		for m in virt/lib/irqbypass.ko arch/x86/kvm/kvm.ko \
			drivers/crypto/ccp/ccp.ko arch/x86/kvm/kvm-amd.ko; do
			cp "$kmods/$m" "$dir/lib/modules/"
		done
	fi
	: >"$dir/tests.list"
	local list kw a b p f per=${TEST_TIMEOUT:-120} total=60 applets
	applets=$(busybox --list)
	for list in "${lists[@]}"; do
		[ -f "$list" ] || die "no test list $list"
		while read -r kw a b; do
			case $kw in
			''|'#'*) ;;
			file)
				[ -e "$repo/$a" ] || [ -e "$a" ] || die "$list: no file $a"
				[ -e "$repo/$a" ] && a=$repo/$a
				copy_in "$a" "${b:-/bin/$(basename "$a")}" ;;
			tree)
				for p in $b; do
					for f in "$repo"/$p; do
						[ -e "$f" ] || die "$list: nothing at $p" \
							"(build the monitor: ./configure && bmake)"
						copy_in "$f" "$a/${f#"$repo"/}"
					done
				done ;;
			need)
				for p in $a $b; do
					printf '%s\n' "$applets" | grep -qx -- "$p" ||
						[ -e "$dir/bin/$p" ] ||
						die "$list: $p is not a busybox applet"
				done ;;
			timeout) per=$a ;;
			test)
				printf '%s %s %s\n' "$per" "$a" "$b" >>"$dir/tests.list"
				total=$((total + per)) ;;
			*) die "$list: bad line: $kw $a $b" ;;
			esac
		done <"$list"
	done
	timeout_s=${timeout_s:-$total}
	cat >"$dir/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
# Show kernel warnings on the console (boot used 'quiet').
echo 7 >/proc/sys/kernel/printk
pass=0
fail=0
if insmod /lib/modules/svmk.ko && [ -c /dev/svmk ]; then
	echo "@@ MODULE svmk loaded"
else
	echo "@@ MODULE svmk FAILED"
	fail=\$((fail + 1))
fi
if [ $with_kvm = 1 ]; then
	for m in irqbypass kvm ccp kvm-amd; do
		insmod /lib/modules/\$m.ko || echo "@@ insmod \$m failed"
	done
fi
while read -r secs name cmd; do
	echo "@@ RUN \$name"
	if timeout \$secs sh -c "\$cmd" </dev/null; then
		echo "@@ PASS \$name"
		pass=\$((pass + 1))
	else
		echo "@@ FAIL \$name (status \$?)"
		fail=\$((fail + 1))
	fi
done </tests.list
if rmmod svmk; then
	echo "@@ PASS svmk-unload"
	pass=\$((pass + 1))
else
	echo "@@ FAIL svmk-unload"
	fail=\$((fail + 1))
fi
# Files the tests left for the host (see boot()).
for f in /out/*; do
	[ -f "\$f" ] || continue
	echo "@@ FILE \${f#/out/}"
	cat "\$f"
	echo "@@ END FILE"
done
echo "@@ RESULT: \$pass passed, \$fail failed"
poweroff -f
EOF
	chmod +x "$dir/init"
	(cd "$dir" && find . | cpio -o -H newc --quiet | gzip -1) \
		>"$build/qemu/initramfs.cpio.gz"
}

# --- boot -------------------------------------------------------------------
boot() {
	local logf=$build/qemu/console.log status=0 t0 t1
	t0=$(date +%s%N)
	# One TCG thread for both vCPUs: with multi-threaded TCG (QEMU 7.2)
	# the machine sometimes locks up for good when the kernel live-patches
	# code another vCPU runs (every KVM VM created or destroyed flips the
	# preempt-notifier static key in finish_task_switch(); both vCPUs end
	# up looping on the int3 of the patch), which the KVM runs do 2000
	# times. tsc=reliable: TCG's TSC is the host's, constant, but the guest
	# kernel cannot know (no invtsc) and would fall back to HPET, and
	# without a TSC clocksource every clock_gettime() is a real system
	# call instead of a vDSO call, which the monitor's seccomp filter does
	# not expect.
	timeout -k 5 "$timeout_s" qemu-system-x86_64 \
		-accel "${QEMU_ACCEL:-tcg,thread=single}" \
		-cpu EPYC,+svm,+npt -smp 2 -m "${QEMU_MEM:-3G}" \
		-nographic -no-reboot \
		-kernel "$kimage" -initrd "$build/qemu/initramfs.cpio.gz" \
		-append "console=ttyS0 quiet panic=-1 ${QEMU_APPEND-tsc=reliable}" \
		</dev/null >"$logf" 2>&1 || status=$?
	t1=$(date +%s%N)
	tr -d '\r' <"$logf" >"$logf.tmp" && mv "$logf.tmp" "$logf"
	cat "$logf"
	# Each "@@ FILE NAME" ... "@@ END FILE" block becomes build/qemu/NAME.
	awk -v d="$build/qemu" '
		/^@@ END FILE$/ { if (out) close(out); out = ""; next }
		/^@@ FILE [A-Za-z0-9._-]+$/ { out = d "/" $3; printf "" > out; next }
		out { print > out }' "$logf"
	log "boot took $(((t1 - t0) / 1000000)) ms" \
		"(qemu status $status), console log: $logf"

	local bad=0 result
	if [ "$status" = 124 ] || [ "$status" = 137 ]; then
		log "FAIL: timeout after $timeout_s s"
		bad=1
	fi
	grep -q '^@@ MODULE svmk loaded' "$logf" ||
		{ log "FAIL: module did not load"; bad=1; }
	# Kernel lines only (timestamped): the tests' own output may say e.g.
	# "#GP general protection" about a guest.
	if grep -nE '^\[ *[0-9]+\.[0-9]+\] .*(BUG:|WARNING:|Oops|general protection|kmemleak)' \
		"$logf" >&2
	then
		log "FAIL: kernel reported problems (above)"
		bad=1
	fi
	result=$(grep -a '^@@ RESULT: ' "$logf" | tail -n1 | sed 's/^@@ RESULT: //')
	if [ -z "$result" ]; then
		log "FAIL: no result line"
		bad=1
	else
		grep -a '^@@ FAIL' "$logf" >&2 || true
		case $result in
		*" 0 failed") ;;
		*) bad=1 ;;
		esac
	fi
	echo "${result:-0 passed, 1 failed}"
	return $bad
}

fetch_kernel
build_kmod
make_initramfs
boot
