#!/bin/sh
# run.sh: svm-sandbox-oci on its own and under the real engines: podman,
# containerd's ctr, and containerd's CRI plugin through crictl (the path a
# Kubernetes RuntimeClass takes). Ends with "N passed, N failed".
#
# Installs Debian's podman, conmon, runc and containerd when they are
# missing (about 20 s and 290 MB). The engines' state and the images live
# under build/oci-test, made afresh each run; the containerd it starts is
# stopped by pid. Needs /dev/kvm and crictl (../shared/tools/crictl, or
# $CRICTL).
#
# shellcheck disable=SC2086 # $R, $A, $C, $K, $run are command lines
# shellcheck disable=SC2016 # sh -c scripts expand their own arguments
# shellcheck disable=SC2009 # ps lists the processes to look at
set -u
# Nothing here reads our stdin; CI may start us without one.
exec </dev/null
top=$(cd "$(dirname "$0")/../.." && pwd)
b=$top/build
rt=$b/bin/svm-sandbox-oci
w=$b/oci-test
crictl=${CRICTL:-$(cd "$top/.." && pwd)/shared/tools/crictl}
. "$top/tests/lib.sh"

# t NAME STATUS STDOUT STDERR [INPUT] -- CMD...: CMD (at most 60 s) with
# INPUT (default /dev/null) on stdin. STDOUT must match exactly, or "*"
# for anything; STDERR is "-" for nothing, "*" for anything, else an
# extended regex that one whole line of stderr must match.
t() {
	name=$1 want=$2 wout=$3 werr=$4
	shift 4
	input=/dev/null
	if [ "$1" != -- ]; then
		input=$1
		shift
	fi
	shift
	timeout 60 "$@" <"$input" >"$w/out" 2>"$w/err"
	st=$?
	why=
	[ "$st" = "$want" ] || why="status $st, want $want"
	if [ "$wout" != "*" ] && [ "$(cat "$w/out")" != "$wout" ]; then
		why="$why${why:+; }stdout: $(head -c 300 "$w/out")"
	fi
	case $werr in
	"*") ;;
	-) [ ! -s "$w/err" ] || why="$why${why:+; }stderr: $(head -c 300 "$w/err")" ;;
	*) grep -Eqx -- "$werr" "$w/err" || why="$why${why:+; }stderr: $(head -c 300 "$w/err")" ;;
	esac
	if [ -z "$why" ]; then ok "$name"; else nok "$name" "$why"; fi
}

# check NAME CONDITION-COMMAND... [-- DETAIL]: ok if the command succeeds.
check() {
	name=$1
	shift
	if "$@"; then ok "$name"; else nok "$name" "$(cat "$w/why" 2>/dev/null)"; fi
}

# Our processes: the runtime and the monitors of this tree.
ours() {
	ps -eo pid=,args= | grep -F -e "$b/bin/svm-sandbox" | grep -v -e grep || :
}

# wait_for SECONDS COMMAND...: until COMMAND succeeds; 1 if it never does.
wait_for() {
	n=$(($1 * 20))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.05
		n=$((n - 1))
	done
	return 1
}

# --- setup and teardown -----------------------------------------------------

. "$top/tests/oci/engines.sh"
trap 'teardown' EXIT
trap 'teardown; exit 1' INT TERM

if [ ! -x "$rt" ] || [ ! -x "$b/bin/svm-sandbox" ]; then
	nok "svm-sandbox-oci is built" "run bmake first"
	echo "$pass passed, $fail failed"
	exit 1
fi
teardown
mkdir -p "$w/logs"
mkpodman
if ! install_engines; then
	nok "the engines are installed" "$(tail -n 3 "$w/apt.log")"
	echo "$pass passed, $fail failed"
	exit 1
fi
ok "the engines are installed (podman $(podman --version | cut -d' ' -f3), containerd $(containerd --version | cut -d' ' -f3), runc $(runc --version | head -n 1 | cut -d' ' -f3))"
make_images
check "images: OCI archives of our static programs and busybox (tests/oci/mkimage.py)" \
	test -s "$img/pause.tar"

# --- the runtime on its own ---------------------------------------------------

# Its JSON reader, under ASan and UBSan: one line here for all its cases.
"$b/tests/oci/json_test" >"$w/json" 2>&1
st=$?
line=$(tail -n 1 "$w/json")
if [ $st = 0 ] && expr "$line" : '[0-9]* passed, 0 failed$' >/dev/null; then
	ok "json_test (oci/json.c under ASan and UBSan): $line"
else
	nok "json_test (oci/json.c under ASan and UBSan), status $st" "$(grep -m 10 -A1 FAIL "$w/json")" "$line"
fi

r=$w/direct
mkdir -p "$r/root" "$r/rootfs/bin"
cp /bin/busybox "$r/rootfs/bin/"
for l in sh cat echo; do ln -s busybox "$r/rootfs/bin/$l"; done
cp "$b/apps/hello/hello" "$r/rootfs/hello"
# bundle NAME ARGS-JSON [EXTRA-JSON-MEMBERS]: a bundle dir with config.json.
bundle() {
	mkdir -p "$r/$1"
	ln -sfn ../rootfs "$r/$1/rootfs"
	printf '{"ociVersion":"1.0.2","process":{"args":%s,"env":["PATH=/bin"],"cwd":"/"},"root":{"path":"rootfs"}%s}\n' \
		"$2" "${3-}" >"$r/$1/config.json"
}
R="$rt --root $r/root"

t "--version" 0 "svm-sandbox-oci version 0.1.0
spec: 1.0.2" - -- "$rt" --version
t "--help starts with the usage line" 0 "*" - -- "$rt" --help
"$rt" features >"$w/features" 2>&1
check "features: valid JSON with ociVersionMax 1.0.2" \
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(d["ociVersionMax"] != "1.0.2" or d["hooks"] != [])' "$w/features"

bundle b42 '["sh","-c","echo out; echo err >&2; exit 42"]'
python3 "$top/tests/oci/reaper.py" "$rt" "$r/root" "$r/b42" c42 >"$w/reap" 2>"$w/reap.err"
check "create: the pid file's pid is the caller's child; its exit status (42) is the container's" \
	[ "$(cat "$w/reap")" = "ppid ok
out
exit 42" ]
check "create: stdout and stderr stay apart" [ "$(cat "$w/reap.err")" = err ]
t "delete of a stopped container" 0 "" - -- $R delete c42
t "state of a deleted container: one line" 1 "" "container c42 does not exist" -- $R state c42

# One container through every state, its stdin a FIFO held open.
bundle bcat '["cat"]'
mkfifo "$r/in"
python3 "$top/tests/oci/reaper.py" --no-start "$rt" "$r/root" "$r/bcat" ccat \
	<"$r/in" >"$w/reap" 2>&1 &
reaper=$!
exec 9>"$r/in"
state_is() { $R state ccat 2>/dev/null | grep -q "\"status\":\"$1\""; }
wait_for 10 state_is created
pid=$($R state ccat | sed -n 's/.*"pid":\([0-9]*\).*/\1/p')
check "state: created, with the pid and bundle" \
	sh -c '$1 state ccat | grep -q "\"id\":\"ccat\",\"status\":\"created\",\"pid\":$2,\"bundle\":\"$3\""' \
	sh "$R" "$pid" "$r/bcat"
ls "/proc/$pid/fd" >"$w/fds" 2>&1
check "created: the container's process has fds 0, 1 and 2 only" \
	[ "$(tr '\n' ' ' <"$w/fds")" = "0 1 2 " ]
check "created: nothing of the guest runs before start (the process is still ours)" \
	[ "$(cat "/proc/$pid/comm")" = svm-sandbox-oci ]
t "ps --format json before start" 0 "[$pid]" - -- $R ps --format json ccat
t "start" 0 "" - -- $R start ccat
wait_for 10 state_is running
check "state: running after start" state_is running
t "start again: one line" 1 "" "cannot start container ccat: it is already running" -- $R start ccat
# start returns once the process has left the FIFO: the exec and the
# monitor's setup follow.
locked() { [ "$(cat "/proc/$1/comm")" = svm-sandbox ] && grep -q "^Seccomp:[[:space:]]*2" "/proc/$1/status"; }
wait_for 10 locked "$pid"
check "running: the monitor is the pid, locked down by its seccomp filter" locked "$pid"
echo line >&9
t "delete of a running container without --force: one line" 1 "" \
	"cannot delete container ccat that is not stopped: running" -- $R delete ccat
t "kill with a name (SIGTERM)" 0 "" - -- $R kill ccat SIGTERM
wait "$reaper"
exec 9>&-
check "a stop signal ends the run with 128+15, after the output" \
	[ "$(cat "$w/reap")" = "ppid ok
line
svm-sandbox: stopped by signal 15 (SIGTERM)
exit 143" ]
t "state: stopped" 0 "*" - -- $R state ccat
check "state: stopped is reported with pid 0" grep -q '"status":"stopped","pid":0' "$w/out"
t "ps --format json when stopped" 0 "[]" - -- $R ps --format json ccat
t "kill of a stopped container: one line" 1 "" "container ccat: container not running" -- $R kill ccat 9
t "kill --all of a stopped container is no error (the shim's cleanup)" 0 "" - -- $R kill --all ccat 9
t "delete --force" 0 "" - -- $R delete --force ccat
t "delete --force again: idempotent" 0 "" - -- $R delete --force ccat
t "delete without --force of a missing container: one line" 1 "" "container ccat does not exist" -- $R delete ccat

python3 "$top/tests/oci/reaper.py" --kill KILL "$rt" "$r/root" "$r/bcat" ckill >"$w/reap" 2>&1
check "kill before start: SIGKILL ends the waiting process" [ "$(cat "$w/reap")" = "ppid ok
signal 9" ]
python3 "$top/tests/oci/reaper.py" --kill 15 "$rt" "$r/root" "$r/bcat" ckill2 >"$w/reap" 2>&1
check "kill before start: SIGTERM too" [ "$(cat "$w/reap")" = "ppid ok
signal 15" ]
$R delete ckill >/dev/null 2>&1
$R delete ckill2 >/dev/null 2>&1
bundle bhello '["/hello"]' ',"annotations":{"org.svm-sandbox.timeout":"5s","x.other":"kept"}'
$R create --bundle "$r/bhello" --pid-file "$r/p" chello >/dev/null 2>&1
t "state of a created container" 0 "*" - -- $R state chello
check "state: annotations as given" grep -q '"annotations":{"org.svm-sandbox.timeout":"5s","x.other":"kept"}' "$w/out"
big=$(head -c 300000 /dev/zero | tr '\0' x)
bundle bbig '["/hello"]' ",\"annotations\":{\"x.big\":\"$big\"}"
$R create --bundle "$r/bbig" cbig >/dev/null 2>&1
check "state: 300 KB of annotations are kept and shown" \
	sh -c '[ "$($1 state cbig | wc -c)" -gt 300000 ]' sh "$R"
$R delete cbig >/dev/null 2>&1
t "create: an id in use: one line" 1 "" "container chello already exists" -- \
	$R create --bundle "$r/bhello" chello
t "delete of a created container kills it" 0 "" - -- $R delete chello
gone() { [ ! -e "/proc/$1" ] || grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat"; }
check "nothing of it is left (gone, or a zombie for its reaper)" gone "$(cat "$r/p")"

# Bad input: one line on stderr (and in --log, as JSON), documented status.
bad() {
	name=$1 want=$2 line=$3
	shift 3
	t "refused: $name" "$want" "" "$line" -- "$@"
}
mkdir -p "$r/bbad"
ln -sfn ../rootfs "$r/bbad/rootfs"
printf '{"ociVersion": "1.0.2",\n "process": {"args": ["sh",]}}\n' >"$r/bbad/config.json"
bad "malformed config.json" 1 "$r/bbad/config.json: line 2 column 28: unexpected '\]'" \
	$R create --bundle "$r/bbad" x1
rm "$r/bbad/config.json"
bad "no config.json" 1 "$r/bbad/config.json: No such file or directory" \
	$R create --bundle "$r/bbad" x1
bundle bnoroot '["/hello"]'
rm "$r/bnoroot/rootfs"
bad "a missing rootfs" 1 "root.path $r/bnoroot/rootfs: No such file or directory" \
	$R create --bundle "$r/bnoroot" x1
bundle bargs '[]'
bad "empty process.args" 1 "config.json: process.args is empty" $R create --bundle "$r/bargs" x1
bundle bargs2 '["/hello",7]'
bad "a number in process.args" 1 "config.json: process.args\[1\] must be a string without NUL" \
	$R create --bundle "$r/bargs2" x1
bundle bnul '["/hello\u0000x"]'
bad "a NUL in process.args" 1 "config.json: process.args\[0\] must be a string without NUL" \
	$R create --bundle "$r/bnul" x1
bundle bver '["/hello"]'
sed -i 's/"1.0.2"/"2.0.0"/' "$r/bver/config.json"
bad "ociVersion 2.0.0" 1 "config.json: ociVersion 2.0.0: this runtime implements the OCI runtime spec 1.0.2" \
	$R create --bundle "$r/bver" x1
bundle buser '["/hello"]' ',"x":{}'
sed -i 's/"cwd":"\/"/"cwd":"\/","user":{"uid":1000,"gid":0}/' "$r/buser/config.json"
bad "a non-root user" 1 "process.user.uid 1000: the program runs as uid and gid 0 in its VM; other users are not supported" \
	$R create --bundle "$r/buser" x1
bundle bhook '["/hello"]' ',"hooks":{"prestart":[{"path":"/bin/true"}]}'
bad "hooks" 1 "hooks.prestart: hooks are not supported \(there is no container namespace to run them in\)" \
	$R create --bundle "$r/bhook" x1
bundle bdir '["/hello"]' ",\"mounts\":[{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"$r\",\"options\":[\"rbind\"]}]"
bad "a bind mount of a directory" 1 "mounts: /data: bind mounts of directories are not supported \(only regular files are copied into the guest's read-only tree\)" \
	$R create --bundle "$r/bdir" x1
bundle bnfs '["/hello"]' ',"mounts":[{"destination":"/data","type":"nfs","source":"srv:/x"}]'
bad "an nfs mount" 1 "mounts: /data \(nfs\): the guest mounts no file system; only bind mounts of regular files are copied into its read-only tree" \
	$R create --bundle "$r/bnfs" x1
bundle bdev '["/hello"]' ',"linux":{"devices":[{"path":"/dev/fuse","type":"c","major":10,"minor":229}]}'
bad "a device" 1 "linux.devices: /dev/fuse: the guest has only its own /dev \(null, zero, random, urandom\)" \
	$R create --bundle "$r/bdev" x1
bundle bmem '["/hello"]' ',"linux":{"resources":{"memory":{"limit":1048576}}}'
bad "a memory limit under 2 MiB" 1 "linux.resources.memory.limit 1048576: the guest needs at least 2 MiB" \
	$R create --bundle "$r/bmem" x1
bundle bann '["/hello"]' ',"annotations":{"org.svm-sandbox.color":"red"}'
bad "an unknown annotation of ours" 1 "annotation org.svm-sandbox.color: unknown \(svm-sandbox takes org.svm-sandbox.timeout, max-output, mem, serve, warm, trace\)" \
	$R create --bundle "$r/bann" x1
bundle btime '["/hello"]' ',"annotations":{"org.svm-sandbox.timeout":"soon"}'
bad "a bad timeout" 1 "annotation org.svm-sandbox.timeout: bad timeout \"soon\" \(1ms to 86400s, as svm-sandbox --timeout\)" \
	$R create --bundle "$r/btime" x1
bundle btty '["/hello"]'
sed -i 's/"cwd":"\/"/"cwd":"\/","terminal":true/' "$r/btty/config.json"
bad "a terminal without --console-socket" 1 "process.terminal needs --console-socket to send the pty to" \
	$R create --bundle "$r/btty" x1
bundle bcwd '["/hello"]'
sed -i 's/"cwd":"\/"/"cwd":"\/nowhere"/' "$r/bcwd/config.json"
bad "a missing process.cwd" 1 "process.cwd /nowhere: /nowhere: No such file or directory" \
	$R create --bundle "$r/bcwd" x1
bundle bnope '["nope"]'
bad "a program not in PATH" 1 "exec: \"nope\": executable file not found in \\\$PATH" \
	$R create --bundle "$r/bnope" x1
bundle bnope2 '["/bin/nope"]'
bad "a missing program" 1 "exec: \"/bin/nope\": no such file or directory" \
	$R create --bundle "$r/bnope2" x1
bundle bdirp '["/bin"]'
bad "a directory as the program" 1 "exec: \"/bin\": Permission denied \(not an executable file\)" \
	$R create --bundle "$r/bdirp" x1
# A program larger than the guest: its own tree, to keep the shared one small.
mkdir -p "$r/bhuge/rootfs"
head -c 3000000 /dev/zero >"$r/bhuge/rootfs/big"
chmod +x "$r/bhuge/rootfs/big"
printf '{"ociVersion":"1.0.2","process":{"args":["/big"],"cwd":"/"},"root":{"path":"rootfs"},"linux":{"resources":{"memory":{"limit":2097152}}}}\n' \
	>"$r/bhuge/config.json"
bad "a program larger than the guest's memory" 1 "exec: \"/big\": /big: larger than guest memory \(2 MiB\)" \
	$R create --bundle "$r/bhuge" x1
bad "an unknown command" 2 "unknown command \"frob\" \(--help for usage\)" $R frob x
bad "exec" 1 "exec is not supported: a container is one program in one VM" $R exec x
bad "an unknown global option" 2 "unknown option --frob \(--help for usage\)" "$rt" --frob state x
bad "an unknown create option" 2 "create: unknown option --frob" $R create --frob x
bad "a bad signal name" 2 "kill: unknown signal \"SIGFOO\"" $R kill x SIGFOO
bad "SIGALRM, the monitor's timer" 2 "kill: SIGALRM is svm-sandbox's timer signal and cannot be sent" $R kill x ALRM
bad "an id with a slash" 2 "invalid container id \"../x\" \(letters, digits and _\+-. only\)" $R state ../x
bad "a relative --root" 2 "--root rel: an absolute path" "$rt" --root rel state x
rm -f "$w/log.json"
"$rt" --root "$r/root" --log "$w/log.json" --log-format json create --bundle "$r/bnope" x1 \
	>/dev/null 2>&1
check "--log-format json: the error as one JSON line (level, msg, time)" \
	python3 -c 'import json,sys; l=open(sys.argv[1]).read().splitlines(); d=json.loads(l[0]); sys.exit(len(l)!=1 or d["level"]!="error" or d["msg"]!="exec: \"nope\": executable file not found in $PATH" or "time" not in d)' "$w/log.json"
check "the runtime's root holds nothing afterwards" [ -z "$(ls "$r/root")" ]

# bmake install puts the runtime beside the monitor, where it finds it.
(cd "$top" && bmake -s install DESTDIR="$w/dest" PREFIX=/opt/svm) >"$w/inst" 2>&1
I="$w/dest/opt/svm/bin/svm-sandbox-oci --root $r/root --debug --log $w/inst.log"
$I create --bundle "$r/bhello" cinst >"$w/inst.out" 2>&1 && $I start cinst
wait_for 10 sh -c '$1 state cinst | grep -q "\"status\":\"stopped\""' sh "$I"
$I delete cinst
check "bmake install: the installed runtime runs a container with the monitor beside it" \
	sh -c '[ "$(cat "$1")" = "Hello from svm-sandbox!" ] && grep -q "monitor $2/svm-sandbox," "$3"' \
	sh "$w/inst.out" "$w/dest/opt/svm/bin" "$w/inst.log"

# --- podman --------------------------------------------------------------------

# podman 4.3 leaves --runtime-flag out of its cleanup's delete: the state
# lives in the runtime's default root, /run/svm-sandbox-oci.
before=$(ls /run/svm-sandbox-oci 2>/dev/null)
for i in hello bb; do $P load -q -i "$img/$i.tar" >>"$w/load.log" 2>&1; done
check "podman load of the OCI archives" "$P" image exists localhost/svm-busybox:1
run="$P run --rm --network none"
t "podman: hello: the output, status 0" 0 "Hello from svm-sandbox!" - -- $run localhost/svm-hello:1
t "podman: exit 42, stdout and stderr apart" 42 "out" "err" -- \
	$run localhost/svm-busybox:1 sh -c 'echo out; echo err >&2; exit 42'
t "podman: args[0] through PATH and busybox's symlink, argv[0] as given" 0 "hi there" - -- \
	$run localhost/svm-busybox:1 echo hi there
t "podman: -e and -w" 0 "zero bar
/lib" - -- $run -e FOO=bar -w /lib localhost/svm-busybox:1 sh -c 'echo "$0" "$FOO"; pwd' zero
t "podman: bind-mounted files are copied in (/etc/hostname of --hostname)" 0 "svmhost" - -- \
	$run --hostname svmhost localhost/svm-busybox:1 cat /etc/hostname
t "podman: a guest fault: 250 and the monitor's line" 250 "" \
	"svm-sandbox: guest fault: #PF page fault \(vector 14\) .*" -- $run localhost/svm-busybox:1 /fault
t "podman: --annotation org.svm-sandbox.timeout: 124" 124 "" "svm-sandbox: timeout after 300 ms" -- \
	$run --annotation org.svm-sandbox.timeout=300ms localhost/svm-busybox:1 /spin
printf 'one\ntwo\n' >"$w/in2"
t "podman: stdin with -i, to its end" 0 "one
two" - "$w/in2" -- $run -i localhost/svm-busybox:1 cat
# Function mode by annotation: requests on stdin, frames on stdout.
python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); import svm_client as c; sys.stdout.buffer.write(c.request(b"abc") + c.request(b"hello"))' \
	"$top/tests" >"$w/req"
$run -i --annotation org.svm-sandbox.serve=true localhost/svm-busybox:1 cat \
	<"$w/req" >"$w/ans" 2>"$w/err"
st=$?
check "podman: --annotation org.svm-sandbox.serve=true: function mode over stdin (READY, two ANSWERs)" \
	python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); import svm_client as c; f = c.parse(open(sys.argv[2], "rb").read()); sys.exit(sys.argv[3] != "0" or [x[:4] for x in f[1:]] != [(2, 0, 0, b"abc"), (2, 0, 0, b"hello")] or f[0][0] != 1)' \
	"$top/tests" "$w/ans" "$st"
script -qec "$run -t localhost/svm-busybox:1 sh -c 'echo tty; exit 3'" /dev/null >"$w/tty" 2>&1
st=$?
check "podman: a terminal with -t (status 3)" sh -c '[ $1 = 3 ] && grep -q "^tty" "$2"' sh "$st" "$w/tty"
t "podman: a missing entrypoint: 127, our line" 127 "" \
	"Error: $rt: exec: \"/nope\": no such file or directory: OCI runtime attempted to invoke a command that was not found" -- \
	$run localhost/svm-busybox:1 /nope
t "podman: not an executable file: 126, our line" 126 "" \
	"Error: OCI runtime error: $rt: exec: \"/script\": /script: not an ELF file \(bad magic\)" -- \
	$run localhost/svm-busybox:1 /script
t "podman: a dynamic binary: 126, our line" 126 "" \
	"Error: OCI runtime error: $rt: exec: \"/dyn\": /dyn: dynamically linked \(interpreter /lib64/ld-linux-x86-64.so.2\): svm-sandbox runs static executables" -- \
	$run localhost/svm-busybox:1 /dyn
$run localhost/svm-busybox:1 echo first >"$w/o1" 2>&1 &
p1=$!
$run localhost/svm-hello:1 >"$w/o2" 2>&1 &
p2=$!
wait "$p1"
s1=$?
wait "$p2"
s2=$?
check "podman: two containers at once" sh -c '[ $1$2 = 00 ] && [ "$(cat "$3")" = first ] && [ "$(cat "$4")" = "Hello from svm-sandbox!" ]' \
	sh "$s1" "$s2" "$w/o1" "$w/o2"
# Containers that never end by themselves: cat on the stdin conmon holds.
$P run -d -i --name pstop --network none --memory 64m localhost/svm-busybox:1 cat >/dev/null 2>&1
pid=$($P inspect --format '{{.State.Pid}}' pstop 2>/dev/null)
wait_for 10 locked "${pid:-0}"
check "podman: --memory 64m is the guest's memory; the monitor is locked down" \
	sh -c 'tr "\0" " " </proc/$1/cmdline | grep -q -- "--mem 64M " && grep -q "^Seccomp:[[:space:]]*2" /proc/$1/status' sh "${pid:-0}"
start=$(date +%s)
$P stop -t 10 pstop >/dev/null 2>&1
t "podman: stop (SIGTERM): 143 at once" 0 "143 exited" - -- \
	$P inspect --format '{{.State.ExitCode}} {{.State.Status}}' pstop
check "podman: stop took no escalation to SIGKILL" [ $(($(date +%s) - start)) -lt 5 ]
$P rm pstop >/dev/null 2>&1
$P run -d -i --name pkill --network none localhost/svm-busybox:1 cat >/dev/null 2>&1
$P kill pkill >/dev/null 2>&1
$P wait pkill >/dev/null 2>&1
t "podman: kill (SIGKILL): 137" 0 "137" - -- $P inspect --format '{{.State.ExitCode}}' pkill
$P rm pkill >/dev/null 2>&1
t "podman: no container left" 0 "" - -- $P ps -a -q
check "podman: no process of ours left" [ -z "$(ours)" ]
check "podman: the runtime's state is gone with the containers" \
	[ "$(ls /run/svm-sandbox-oci 2>/dev/null)" = "$before" ]

# --- containerd: ctr -------------------------------------------------------

containerd_start
check "containerd: our own, its root, state and socket under build/" \
	sh -c '"$@" version >/dev/null 2>&1' sh $A
for i in hello bb; do $A image import "$img/$i.tar" >>"$w/load.log" 2>&1; done
for i in bb pause; do $A -n k8s.io image import "$img/$i.tar" >>"$w/load.log" 2>&1; done
check "ctr image import of the OCI archives" \
	sh -c '"$@" -n k8s.io image ls -q | grep -q svm-pause' sh $A
C="$A run --rm --runc-binary $rt --runc-root $cd/oci --fifo-dir $cd/fifo"
t "ctr: hello: the output, status 0" 0 "Hello from svm-sandbox!" - -- $C localhost/svm-hello:1 c1
t "ctr: exit 9, stdout and stderr apart" 9 "out" "err" -- \
	$C localhost/svm-busybox:1 c2 sh -c 'echo out; echo err >&2; exit 9'
t "ctr: --env and --cwd" 0 "zero bar
/lib" - -- $C --env FOO=bar --cwd /lib localhost/svm-busybox:1 c3 sh -c 'echo "$0" "$FOO"; pwd' zero
t "ctr: a guest fault: 250 and the monitor's line" 250 "" \
	"svm-sandbox: guest fault: #PF page fault \(vector 14\) .*" -- $C localhost/svm-busybox:1 c4 /fault
t "ctr: --annotation org.svm-sandbox.timeout: 124" 124 "" "svm-sandbox: timeout after 300 ms" -- \
	$C --annotation org.svm-sandbox.timeout=300ms localhost/svm-busybox:1 c5 /spin
# ctr never closes a container's stdin (with runc neither): read one line.
printf 'line\n' >"$w/in1"
t "ctr: stdin" 0 "got line" - "$w/in1" -- \
	$C localhost/svm-busybox:1 c6 sh -c 'read x; echo got $x'
script -qec "$C -t localhost/svm-busybox:1 c7 sh -c 'echo tty; exit 4'" /dev/null >"$w/tty" 2>&1
st=$?
check "ctr: a terminal with -t (status 4)" sh -c '[ $1 = 4 ] && grep -q "tty" "$2"' sh "$st" "$w/tty"
t "ctr: a missing entrypoint: our line" 1 "" \
	"ctr: failed to create shim task: OCI runtime create failed: exec: \"/nope\": no such file or directory: unknown" -- \
	$C localhost/svm-busybox:1 c8 /nope
t "ctr: not an executable file: our line" 1 "" \
	"ctr: failed to create shim task: OCI runtime create failed: exec: \"/script\": /script: not an ELF file \(bad magic\): unknown" -- \
	$C localhost/svm-busybox:1 c9 /script
t "ctr: a dynamic binary: our line" 1 "" \
	"ctr: failed to create shim task: OCI runtime create failed: exec: \"/dyn\": /dyn: dynamically linked \(interpreter /lib64/ld-linux-x86-64.so.2\): svm-sandbox runs static executables: unknown" -- \
	$C localhost/svm-busybox:1 c10 /dyn
$C localhost/svm-busybox:1 c11 echo first >"$w/o1" 2>&1 &
p1=$!
$C localhost/svm-hello:1 c12 >"$w/o2" 2>&1 &
p2=$!
wait "$p1"
s1=$?
wait "$p2"
s2=$?
check "ctr: two containers at once" sh -c '[ $1$2 = 00 ] && [ "$(cat "$3")" = first ] && [ "$(cat "$4")" = "Hello from svm-sandbox!" ]' \
	sh "$s1" "$s2" "$w/o1" "$w/o2"
# A container that never ends: cat on a stdin we hold open.
task_running() { $A task ls 2>/dev/null | grep -q "^$1 .*RUNNING"; }
for sig in TERM:143 KILL:137; do
	want=${sig#*:}
	sig=${sig%:*}
	rm -f "$w/hold"
	mkfifo "$w/hold"
	$C localhost/svm-busybox:1 "cs$sig" cat <"$w/hold" >/dev/null 2>&1 &
	hold_pid=$!
	exec 8>"$w/hold"
	wait_for 20 task_running "cs$sig"
	$A task kill -s "SIG$sig" "cs$sig" >/dev/null 2>&1
	wait "$hold_pid"
	st=$?
	hold_pid=
	exec 8>&-
	check "ctr: task kill -s SIG$sig of a container that never ends: $want" [ "$st" = "$want" ]
done
t "ctr: no task left" 0 "" - -- sh -c '"$@" task ls -q' sh $A
t "ctr: no container left" 0 "" - -- sh -c '"$@" containers ls -q' sh $A
check "ctr: no process of ours left" [ -z "$(ours)" ]
check "ctr: the runtime's root holds nothing" [ -z "$(ls "$cd/oci/default" 2>/dev/null)" ]

# --- containerd's CRI plugin: crictl, as a Kubernetes RuntimeClass --------------

K="$crictl --runtime-endpoint unix://$cd/containerd.sock --image-endpoint unix://$cd/containerd.sock --timeout 30s"
if [ ! -x "$crictl" ]; then
	nok "CRI: crictl" "$crictl is missing (see ../shared/tools/README.md)"
else
	# Host network: there is no CNI here, and the guest has no network.
	printf '{"metadata":{"name":"svm","namespace":"default","uid":"u1","attempt":1},"log_directory":"%s","linux":{"security_context":{"namespace_options":{"network":2}}}}\n' \
		"$w/logs" >"$w/pod.json"
	# ctrjson NAME IMAGE ARGS-JSON [EXTRA-JSON-MEMBERS]
	ctrjson() {
		printf '{"metadata":{"name":"%s"},"image":{"image":"%s"},"command":%s,"log_path":"%s.log","linux":{}%s}\n' \
			"$1" "$2" "$3" "$1" "${4-}" >"$w/$1.json"
	}
	pod=$($K runp --runtime svm "$w/pod.json" 2>"$w/err")
fi
if [ -z "${pod-}" ]; then
	nok "CRI: runp --runtime svm" "$(tail -n 3 "$w/err" 2>/dev/null)" "$(grep -m 3 -i error "$cd/log")"
else
	check "CRI: runp --runtime svm: the pod's sandbox (our pause image) runs" \
		sh -c '"$@" pods --id "$0" 2>/dev/null | grep -q Ready' "$pod" $K
	spid=$($K inspectp "$pod" 2>/dev/null | sed -n 's/^ *"pid": \([0-9]*\),*$/\1/p' | head -n 1)
	check "CRI: the pod's sandbox holds no VM (its process waits on the host)" \
		sh -c '[ -n "$1" ] && [ "$(cat /proc/$1/comm)" = svm-sandbox-oci ]' sh "$spid"
	# cri NAME ARGS-JSON [EXTRA]: create and start; the id in $cid.
	cri() {
		ctrjson "$1" "${3:-localhost/svm-busybox:1}" "$2" "${4-}"
		cid=$($K create "$pod" "$w/$1.json" "$w/pod.json" 2>"$w/err") &&
			$K start "$cid" >/dev/null 2>>"$w/err" || cid=none
	}
	exited() { $K inspect "$1" 2>/dev/null | grep -q '"state": "CONTAINER_EXITED"'; }
	code() { $K inspect "$1" 2>/dev/null | sed -n 's/^ *"exitCode": \([0-9-]*\),*$/\1/p' | head -n 1; }
	cri k1 '["/hello"]'
	wait_for 20 exited "$cid"
	check "CRI: hello: status 0" [ "$(code "$cid")" = 0 ]
	t "CRI: hello: logs" 0 "Hello from svm-sandbox!" - -- $K logs "$cid"
	cri k2 '["sh","-c","echo out; echo err >&2; exit 42"]'
	wait_for 20 exited "$cid"
	check "CRI: exit 42" [ "$(code "$cid")" = 42 ]
	t "CRI: stdout and stderr apart in the logs" 0 "out" "err" -- $K logs "$cid"
	cri k3 '["/fault"]'
	wait_for 20 exited "$cid"
	check "CRI: a guest fault: 250" [ "$(code "$cid")" = 250 ]
	t "CRI: a guest fault: the monitor's line in the logs" 0 "" \
		"svm-sandbox: guest fault: #PF page fault \(vector 14\) .*" -- $K logs "$cid"
	cri k4 '["/spin"]' "" ',"annotations":{"org.svm-sandbox.timeout":"300ms"}'
	wait_for 20 exited "$cid"
	check "CRI: the timeout annotation (container_annotations): 124" [ "$(code "$cid")" = 124 ]
	cri k5 '["cat"]' "" ',"stdin":true'
	wait_for 10 sh -c '"$@" inspect "$0" 2>/dev/null | grep -q CONTAINER_RUNNING' "$cid" $K
	$K stop --timeout 10 "$cid" >/dev/null 2>&1
	check "CRI: stop of a container that never ends: 143" [ "$(code "$cid")" = 143 ]
	ctrjson k6 localhost/svm-busybox:1 '["/nope"]'
	cid=$($K create "$pod" "$w/k6.json" "$w/pod.json" 2>/dev/null)
	t "CRI: a missing entrypoint: start fails with our line" 1 "" \
		".*OCI runtime create failed: exec: \\\\?\"/nope\\\\?\": no such file or directory: unknown.*" -- \
		$K start "$cid"
	for bad in script:"not an ELF file \\(bad magic\\)" \
		dyn:"dynamically linked \\(interpreter /lib64/ld-linux-x86-64.so.2\\): svm-sandbox runs static executables"; do
		f=${bad%%:*}
		ctrjson "k6$f" localhost/svm-busybox:1 "[\"/$f\"]"
		cid=$($K create "$pod" "$w/k6$f.json" "$w/pod.json" 2>/dev/null)
		t "CRI: /$f as the entrypoint: start fails with our line" 1 "" \
			".*OCI runtime create failed: exec: \\\\?\"/$f\\\\?\": /$f: ${bad#*:}: unknown.*" -- \
			$K start "$cid"
	done
	cri k9 '["sh","-c","echo tty; exit 3"]' "" ',"tty":true'
	wait_for 20 exited "$cid"
	check "CRI: a terminal (tty: true): status 3" [ "$(code "$cid")" = 3 ]
	$K logs "$cid" >"$w/out" 2>&1
	check "CRI: a terminal: its output in the logs" grep -q '^tty' "$w/out"
	cri k7 '["echo","one"]'
	c7=$cid
	cri k8 '["echo","two"]'
	c8=$cid
	wait_for 20 exited "$c7"
	wait_for 20 exited "$c8"
	check "CRI: two containers at once in the pod" sh -c '[ "$1$2" = 00 ] && [ "$($3 logs $4)$($3 logs $5)" = onetwo ]' \
		sh "$(code "$c7")" "$(code "$c8")" "$K" "$c7" "$c8"
	$K stopp "$pod" >/dev/null 2>&1
	$K rmp "$pod" >/dev/null 2>&1
	t "CRI: stopp and rmp: no pod left" 0 "" - -- $K pods -q
	check "CRI: no process of ours left" [ -z "$(ours)" ]
	check "CRI: the runtime's root holds nothing" [ -z "$(ls "$cd/svm/k8s.io" 2>/dev/null)" ]
fi

containerd_stop
check "containerd stopped; nothing of ours runs" [ -z "$(ours)" ]
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
