// json_transform.js: reads records (JSON) from the file scriptArgs[1] and from stdin, and prints a report as JSON.
import * as std from "std";

const text = std.loadFile(scriptArgs[1]);
if (text === null)
	throw Error("cannot read " + scriptArgs[1]);
const fromStdin = std.in.readAsString();
if (fromStdin !== text)
	throw Error("stdin and " + scriptArgs[1] + " differ");
const recs = JSON.parse(text);

const byCity = new Map();
for (const r of recs) {
	let c = byCity.get(r.city);
	if (!c) {
		c = { city: r.city, users: 0, active: 0, score: 0, tags: new Set() };
		byCity.set(r.city, c);
	}
	c.users++;
	if (r.active)
		c.active++;
	c.score += r.score;
	r.tags.forEach((t) => c.tags.add(t));
}
const cities = [...byCity.values()]
	.map((c) => ({ city: c.city, users: c.users, active: c.active,
		mean: Number((c.score / c.users).toFixed(3)), tags: [...c.tags].sort().slice(0, 5) }))
	.sort((a, b) => b.users - a.users || a.city.localeCompare(b.city));

// Depth of each record in the parent forest, memoised.
const depth = new Array(recs.length);
function depthOf(i) {
	if (depth[i] === undefined)
		depth[i] = recs[i].parent === null ? 0 : 1 + depthOf(recs[i].parent);
	return depth[i];
}
const hist = {};
for (let i = 0; i < recs.length; i++)
	hist[depthOf(i)] = (hist[depthOf(i)] || 0) + 1;

const top = recs.filter((r) => r.active && /^[a-m]/.test(r.user))
	.sort((a, b) => b.score - a.score || a.id - b.id)
	.slice(0, 5)
	.map(({ id, user, score }) => ({ id, user, score }));

const report = {
	records: recs.length,
	cities,
	depths: hist,
	top,
	users: recs.map((r) => r.user.replace(/\d+$/, "")).filter((u, i, a) => a.indexOf(u) === i).length,
	roundTrip: JSON.stringify(JSON.parse(JSON.stringify(recs))) === JSON.stringify(recs),
};
print(JSON.stringify(report, null, 2));
print(JSON.stringify(recs.slice(0, 2), (k, v) => (k === "tags" ? undefined : v)));
