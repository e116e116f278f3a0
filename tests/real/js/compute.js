// compute.js: a mix of JavaScript work: regexps, BigInt, typed arrays, classes, generators, promises, Proxy.
function lcg(seed) {
	let x = seed;
	return () => (x = (x * 16807) % 2147483647);
}
const rnd = lcg(42);

// Typed arrays and sorting.
const a = new Float64Array(100000).map(() => rnd() / 2147483647);
a.sort();
const ints = Int32Array.from({ length: 50000 }, () => rnd() % 100000 - 50000).sort();
print("typed", a[0].toFixed(8), a[50000].toFixed(8), a[99999].toFixed(8), ints[0], ints[49999]);

// BigInt.
let fact = 1n;
for (let i = 1n; i <= 200n; i++)
	fact *= i;
print("bigint", fact.toString().length, fact % 1000000007n, (2n ** 127n - 1n).toString(16), BigInt.asIntN(8, 255n));

// Regular expressions.
const words = [];
for (let i = 0; i < 20000; i++)
	words.push(String.fromCharCode(97 + (rnd() % 26), 97 + (rnd() % 26), 97 + (rnd() % 26)));
const text = words.join(" ");
const m = text.match(/\b([aeiou])\w\1\b/g);
print("regexp", m.length, m.slice(0, 5).join(","), text.replace(/(\w)(\w)(\w)/g, "$3$2$1").slice(0, 23));
print("named", JSON.stringify("2024-02-29".match(/(?<y>\d{4})-(?<m>\d\d)-(?<d>\d\d)/).groups), /\p{L}+/u.test("été"));
print("sticky", [..."a1b22c333".matchAll(/[a-z](\d+)/g)].map((x) => x[1]).join("|"), "x".padStart(4, "ab"));

// Classes, getters, symbols, generators.
class Vec {
	#x; #y;
	constructor(x, y) { this.#x = x; this.#y = y; }
	get len() { return Math.hypot(this.#x, this.#y); }
	add(o) { return new Vec(this.#x + o.#x, this.#y + o.#y); }
	*[Symbol.iterator]() { yield this.#x; yield this.#y; }
}
let v = new Vec(0, 0);
for (let i = 0; i < 1000; i++)
	v = v.add(new Vec(i % 7, i % 11));
print("class", [...v].join(","), v.len.toFixed(6));
function* primes() {
	const found = [];
	for (let n = 2; ; n++)
		if (found.every((p) => n % p)) {
			found.push(n);
			yield n;
		}
}
const ps = [];
for (const p of primes()) {
	if (ps.length === 500)
		break;
	ps.push(p);
}
print("primes", ps[499], ps.reduce((s, p) => s + p, 0));

// Maps, Sets, JSON, Proxy and Reflect.
const freq = new Map();
for (const w of words)
	freq.set(w[0], (freq.get(w[0]) || 0) + 1);
print("map", [...freq].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)).slice(0, 3).join(";"),
	new Set(words).size);
const log = [];
const p = new Proxy({ a: 1 }, {
	get(t, k, r) { log.push("get " + String(k)); return Reflect.get(t, k, r); },
	set(t, k, val, r) { log.push("set " + String(k)); return Reflect.set(t, k, val, r); },
});
p.b = p.a + 1;
print("proxy", JSON.stringify(p), log.join(","));

// Number formatting.
print("num", (0.1 + 0.2).toString(), (1234.5678).toFixed(2), (0.000123).toExponential(3), (255).toString(2),
	(123.456).toPrecision(4), (-0).toString(), 1 / 3, 2 ** 53 + 1, Number.MAX_VALUE, Number.MIN_VALUE, parseFloat("1e-7"));
print("math", Math.fround(5.5), Math.clz32(1), Math.imul(3, -4), Math.trunc(-4.7), Math.sign(-3), Math.cbrt(27),
	Math.sin(1), Math.atan2(1, 2), Math.log10(1000), Math.expm1(1e-10));
print("date", new Date(0).toISOString(), new Date(1e12).toUTCString(), new Date(Date.UTC(2024, 1, 29)).getUTCDay(),
	Date.parse("2000-01-01T00:00:00Z"));

// Promises and async functions: the order of the job queue.
const order = [];
(async () => {
	order.push("async start");
	await null;
	order.push("after await");
	for await (const x of (async function* () { yield 1; yield 2; })())
		order.push("for await " + x);
	print("jobs", order.join(", "));
})();
Promise.resolve().then(() => order.push("then 1")).then(() => order.push("then 2"));
order.push("sync end");

// Exceptions and stack depth.
function deep(n) { return n === 0 ? 0 : 1 + deep(n - 1); }
print("deep", deep(200));
try {
	null.x;
} catch (e) {
	print("error", e instanceof TypeError, e.message);
}
try {
	(function f() { f(); })();
} catch (e) {
	print("overflow", e.name, e.message);
}
