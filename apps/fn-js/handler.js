// handler.js: a function in JavaScript for an unmodified QuickJS (qjs):
//   svm-sandbox --serve --root apps/fn-js qjs -- --std /handler.js
// Everything above the read of stdin runs once, before the snapshot; each
// call starts at that read with its request as the whole of stdin. The
// request is an order as JSON ({"items": [{"name", "price", "qty"}]}); the
// answer its totals as JSON ("repeat": N computes them N times, as a
// function with real work would). A request that is not an order is an
// error: a line on stderr and exit status 1.
import * as std from "std";

const currency = "EUR";

function total(order) {
	if (!order || !Array.isArray(order.items))
		throw new TypeError("an order needs an items array");
	let sum = 0, count = 0;
	const names = [];
	for (const it of order.items) {
		if (typeof it.price !== "number" || typeof it.qty !== "number")
			throw new TypeError("item " + JSON.stringify(it.name) +
			    ": price and qty must be numbers");
		sum += it.price * it.qty;
		count += it.qty;
		names.push(String(it.name));
	}
	names.sort();
	return { count, total: Math.round(sum * 100) / 100, currency, names };
}

const input = std.in.readAsString(); // each call starts here
try {
	const order = JSON.parse(input);
	let t;
	for (let i = 0; i < (order.repeat || 1); i++)
		t = total(order);
	std.out.puts(JSON.stringify(t) + "\n");
	std.out.flush();
	// The VM is reset after the call: skip the interpreter's teardown.
	std.exit(0);
} catch (e) {
	std.err.puts("handler.js: " + e.message + "\n");
	std.exit(1);
}
