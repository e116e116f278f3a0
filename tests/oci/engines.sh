# engines.sh: the container engines for tests/oci/run.sh and bench.sh,
# sourced with $top, $b (build/), $rt (the runtime) and $w (their folder
# under build/) set. Everything of the engines lives under $w; the
# containerd it starts is stopped by pid; teardown removes it all.
# shellcheck shell=sh disable=SC2154 # $top, $b, $rt and $w are the caller's

ctd_pid=
hold_pid=

# podman with its state under $w, and our runtime (a script, for timeout(1)
# to run). Without CAP_SYS_RESOURCE podman cannot raise RLIMIT_NOFILE:
# containers.conf sets limits it can.
export CONTAINERS_CONF="$w/containers.conf"
pm=$w/podman
P=$w/podman.sh
mkpodman() {
	printf '[containers]\ndefault_ulimits = ["nofile=1024:1024","nproc=4096:4096"]\n' >"$CONTAINERS_CONF"
	printf '#!/bin/sh\nexec podman --root "%s/root" --runroot "%s/run" --tmpdir "%s/tmp" --cgroup-manager cgroupfs --events-backend file "$@"\n' \
		"$pm" "$pm" "$pm" >"$w/podman-any.sh"
	printf '#!/bin/sh\nexec "%s" --runtime "%s" "$@"\n' "$w/podman-any.sh" "$rt" >"$P"
	chmod +x "$P" "$w/podman-any.sh"
}

# A containerd of our own: root, state and sockets under $w/containerd, the
# CRI plugin with a RuntimeClass handler "svm" (the runc shim, our runtime
# as its BinaryName) beside the default runc, and our pause image.
cd=$w/containerd
A="ctr -a $cd/containerd.sock"
containerd_start() {
	mkdir -p "$cd/cni"
	cat >"$cd/config.toml" <<EOF
version = 2
root = "$cd/root"
state = "$cd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.internal.v1.tracing", "io.containerd.tracing.processor.v1.otlp"]
[grpc]
  address = "$cd/containerd.sock"
[ttrpc]
  address = "$cd/containerd.sock.ttrpc"
[debug]
  address = "$cd/debug.sock"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "localhost/svm-pause:1"
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.svm]
      runtime_type = "io.containerd.runc.v2"
      container_annotations = ["org.svm-sandbox.*"]
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.svm.options]
        BinaryName = "$rt"
        Root = "$cd/svm"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$cd/cni"
    conf_dir = "$cd/cni"
EOF
	containerd --config "$cd/config.toml" >"$cd/log" 2>&1 &
	ctd_pid=$!
	tries=400
	while [ "$tries" -gt 0 ]; do
		$A version >/dev/null 2>&1 && return 0
		sleep 0.05
		tries=$((tries - 1))
	done
	return 1
}

containerd_stop() {
	[ -n "$ctd_pid" ] || return 0
	kill "$ctd_pid" 2>/dev/null
	wait "$ctd_pid" 2>/dev/null
	ctd_pid=
}

teardown() {
	if [ -n "$hold_pid" ]; then
		kill "$hold_pid" 2>/dev/null
		wait "$hold_pid" 2>/dev/null
		hold_pid=
	fi
	if [ -x "$w/podman-any.sh" ]; then
		"$w/podman-any.sh" rm -a -f -t 0 >/dev/null 2>&1
	fi
	containerd_stop
	# Shims of our containerd outlive it only while their task runs.
	# shellcheck disable=SC2009 # ps lists what to look at
	ps -eo pid=,args= | grep -F -e "-address $w/containerd/" | grep -v grep |
		while read -r pid _; do kill -9 "$pid"; done
	# Engines mount image layers under $w (overlay, shm): deepest first.
	grep -F " $w/" /proc/self/mountinfo | awk '{ print $5 }' | sort -r |
		while read -r m; do umount -l "$m" 2>/dev/null; done
	rm -rf "$w"
}

# install_engines: Debian's podman, conmon, runc and containerd, installed
# here rather than by ./configure: large, and needed by these scripts alone.
# Returns 1 with the reason in $w/apt.log.
install_engines() {
	missing=
	for p in podman conmon runc containerd; do
		case $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || :) in
		*" ok installed") ;;
		*) missing="$missing $p" ;;
		esac
	done
	if [ -n "$missing" ]; then
		# shellcheck disable=SC2086 # one word per package
		if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get -q -y install \
			--no-install-recommends $missing </dev/null >"$w/apt.log" 2>&1; then
			as_root apt-get -q update </dev/null >>"$w/apt.log" 2>&1
			# shellcheck disable=SC2086
			as_root env DEBIAN_FRONTEND=noninteractive apt-get -q -y install \
				--no-install-recommends $missing </dev/null >>"$w/apt.log" 2>&1
		fi
	fi
	for c in podman conmon runc containerd ctr; do
		if ! command -v "$c" >/dev/null; then
			echo "$c missing after apt-get install$missing" >>"$w/apt.log"
			return 1
		fi
	done
}

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi
}

# make_images: OCI archives in $img, without a registry (mkimage.py):
# svm-hello (our hello), svm-busybox (Debian's static busybox and our test
# programs), svm-pause (the pod sandbox's program).
img=$w/images
make_images() {
	mkdir -p "$img"
	printf '#!/bin/sh\n# A shell script: no ELF file, whatever its execute bit says.\necho hi\n' >"$img/script"
	chmod 755 "$img/script"
	cp /usr/bin/true "$img/dyn"
	mk "$img/hello.tar" localhost/svm-hello:1 --cmd '["/hello"]' \
		hello="$b/apps/hello/hello" &&
		mk "$img/bb.tar" localhost/svm-busybox:1 --cmd '["/hello"]' \
			bin/busybox=/bin/busybox 'bin/sh->busybox' 'bin/cat->busybox' \
			'bin/echo->busybox' 'bin/sleep->busybox' hello="$b/apps/hello/hello" \
			fault="$b/tests/guests/null" spin="$b/tests/guests/spin" \
			script="$img/script" dyn="$img/dyn" 'lib/' &&
		mk "$img/pause.tar" localhost/svm-pause:1 --entrypoint '["/pause"]' \
			pause="$b/tests/oci/pause"
}

mk() {
	python3 "$top/tests/oci/mkimage.py" "$@" >>"$w/mkimage.log" 2>&1
}
