// stdos.js: the read-only parts of QuickJS's std and os modules: files, stat, readdir, environment, time.
import * as std from "std";
import * as os from "os";

// A file by a relative path, then by the absolute path in scriptArgs[1].
let f = std.open("data/lines.txt", "r");
let n = 0, line;
while ((line = f.getline()) !== null)
	n++;
print("lines", n, f.eof(), f.tell());
f.seek(11, std.SEEK_SET);
print("at 11:", JSON.stringify(f.getline()), f.tell());
f.seek(-6, std.SEEK_END);
print("tail:", JSON.stringify(f.readAsString()));
f.close();
const abs = std.loadFile(scriptArgs[1]);
print("loadFile", abs.length, abs.split("\n").length);
const buf = new Uint8Array(16);
const fd = os.open(scriptArgs[1], os.O_RDONLY);
print("os.read", fd >= 0, os.read(fd, buf.buffer, 0, 16), String.fromCharCode(...buf));
print("os.seek", os.seek(fd, 0, std.SEEK_END), os.close(fd));

// Errors: missing files by relative paths.
const err = {};
print("std.open missing", std.open("data/missing", "r", err), err.errno, std.strerror(err.errno));
print("os.open missing", os.open("data/missing", os.O_RDONLY));
print("os.stat missing", JSON.stringify(os.stat("data/missing")));

// stat and readdir.
let [st, e] = os.stat("data/lines.txt");
print("stat", e, st.size, (st.mode & os.S_IFMT) === os.S_IFREG, st.nlink >= 1);
[st, e] = os.stat("data");
print("stat dir", e, (st.mode & os.S_IFMT) === os.S_IFDIR);
const [names, e2] = os.readdir("data");
print("readdir", e2, names.filter((x) => x[0] !== ".").sort().join(" "));
const [cwd] = os.getcwd();
const [real] = os.realpath("data/../data/lines.txt");
print("realpath", real === (cwd === "/" ? "" : cwd) + "/data/lines.txt");

// Environment, terminal, time.
print("env", std.getenv("TZ"), std.getenv("LC_ALL"), std.getenv("SVM_NO_SUCH_VARIABLE"));
print("environ", Object.keys(std.getenviron()).sort().join(" "));
print("isatty", os.isatty(0), os.isatty(1), os.ttyGetWinSize(1));
const t0 = Date.now();
os.sleep(20);
const t1 = Date.now();
print("time", t1 - t0 >= 19, t0 > 1.6e12);
print("date", new Date(1700000000000).toString(), new Date(2024, 1, 29, 12).getTime());
print("platform", os.platform, typeof std.evalScript);
std.out.printf("printf %d %s %.3f %x\n", 42, "str", Math.PI, 255);
std.out.flush();
std.err.puts("to stderr\n");
