// std_subtests.js: runs QuickJS's tests/test_std.js (scriptArgs[1]) subtest by subtest: those that apply in a read-only, single-process guest.
//
// test_std.js ends by calling each of its test_* functions. This loads the
// file's text, drops its two imports and those calls, evaluates the rest
// (the functions and its assert) as a script, and calls the applicable
// subtests one at a time. Every call the file makes is either run here or
// listed below with the reason it cannot run in the guest; a subtest the
// file gains or loses stops the run.
import * as std from "std";
import * as os from "os";

const applicable = ["test_printf", "test_ext_json", "test_timer"];
const notApplicable = {
	test_file1: "std.tmpfile() creates a file (open O_RDWR|O_CREAT|O_EXCL in /tmp, unlink)",
	test_file2: "std.tmpfile() creates a file",
	test_getline: "std.tmpfile() creates a file",
	test_popen: "writes tmp_file.txt, runs cat through std.popen (fork or vfork, exec /bin/sh, wait4), removes the file",
	test_os: "asserts that stdin is a terminal (os.isatty(0)), then mkdir, creates, writes, utimes, symlinks and removes files",
	test_os_exec: "runs true, /bin/sh and cat as child processes (fork, execve, pipe, dup2, waitpid, kill)",
};

const file = scriptArgs[1];
let src = std.loadFile(file);
if (src === null)
	throw Error("cannot read " + file);
const calls = [];
src = src.split("\n").filter((line) => {
	if (/^import \* as (std|os) from "(std|os)";$/.test(line))
		return false;
	const m = /^(test_\w+)\(\);$/.exec(line);
	if (m) {
		calls.push(m[1]);
		return false;
	}
	return true;
}).join("\n");
for (const c of calls)
	if (!applicable.includes(c) && !(c in notApplicable))
		throw Error(file + " calls " + c + ", neither run nor listed as not applicable");
for (const c of applicable.concat(Object.keys(notApplicable)))
	if (!calls.includes(c))
		throw Error(file + " no longer calls " + c);

globalThis.std = std;
globalThis.os = os;
std.evalScript(src);
for (const c of applicable) {
	globalThis[c]();
	print("ok   " + c);
}
for (const c of calls)
	if (c in notApplicable)
		print("n/a  " + c + ": " + notApplicable[c]);
