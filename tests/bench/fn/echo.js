// echo.js: the trivial handler of the function benchmark: its input back.
import * as std from "std";
const s = std.in.readAsString();
std.out.puts(s);
std.out.flush();
std.exit(0);
