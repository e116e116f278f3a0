#!/bin/sh
# bench.sh: what svm-sandbox-oci costs under podman and containerd's ctr:
# `podman run --rm` and `ctr run --rm` of the same hello image with our
# runtime and with runc, alternating in one run (this machine is shared
# and noisy), and what svm-sandbox itself adds: the runtime's create,
# start, wait and delete against runc's on one bundle, and the monitor
# running hello against hello run natively. ROUNDS (default 20) each.
set -u
# Nothing here reads our stdin; CI may start us without one.
exec </dev/null
top=$(cd "$(dirname "$0")/../.." && pwd)
b=$top/build
rt=$b/bin/svm-sandbox-oci
w=$b/oci-bench
n=${ROUNDS:-20}
bench() { python3 "$top/tests/oci/bench.py" "$@"; }

. "$top/tests/oci/engines.sh"
trap 'teardown' EXIT
trap 'teardown; exit 1' INT TERM
teardown
mkdir -p "$w"
mkpodman
install_engines || {
	tail -n 3 "$w/apt.log"
	exit 1
}
make_images || exit 1
runc=$(command -v runc)

echo "machine: $(uname -sr), $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), $(nproc) cores, $(free -g | awk '/^Mem:/ { print $2 }') GiB; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "podman $(podman --version | cut -d' ' -f3), containerd $(containerd --version | cut -d' ' -f3), runc $(runc --version | head -n 1 | cut -d' ' -f3), $n rounds each, alternating"
echo

# One bundle for both runtimes: runc's own default spec, not a terminal,
# running our hello (a static musl program, the same bytes either way).
mkdir -p "$w/bundle/rootfs" "$w/oci"
cp "$b/apps/hello/hello" "$w/bundle/rootfs/hello"
(cd "$w/bundle" && runc spec)
python3 - "$w/bundle/config.json" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
c["process"]["terminal"] = False
c["process"]["args"] = ["/hello"]
json.dump(c, open(sys.argv[1], "w"))
EOF
echo "The runtime alone: create, start, wait, delete (a subreaper drives it):"
bench oci "$n" "$w/oci" "$w/bundle" "svm-sandbox-oci" "$rt" "runc" "$runc"
echo
echo "The monitor alone: hello in a VM with the image's root tree, against hello:"
bench cmds "$n" "svm-sandbox --root ROOTFS /hello" \
	"$b/bin/svm-sandbox --root $w/bundle/rootfs $w/bundle/rootfs/hello" \
	"native /hello" "$w/bundle/rootfs/hello"
echo

"$P" load -q -i "$img/hello.tar" >/dev/null 2>&1
echo "podman run --rm --network none localhost/svm-hello:1:"
bench cmds "$n" "podman --runtime svm-sandbox-oci" \
	"$P run --rm --network none localhost/svm-hello:1" \
	"podman --runtime runc" \
	"$w/podman-any.sh --runtime $runc run --rm --network none localhost/svm-hello:1"
echo

containerd_start || exit 1
$A image import "$img/hello.tar" >/dev/null 2>&1
echo "ctr run --rm localhost/svm-hello:1 (our own containerd, the runc shim):"
bench cmds "$n" "ctr --runc-binary svm-sandbox-oci" \
	"$A run --rm --runc-binary $rt --runc-root $cd/oci --fifo-dir $cd/fifo localhost/svm-hello:1 s{n}" \
	"ctr with runc" \
	"$A run --rm --runc-root $cd/runc --fifo-dir $cd/fifo localhost/svm-hello:1 r{n}"
containerd_stop
