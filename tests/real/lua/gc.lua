-- gc.lua: the collector: garbage, weak tables, ephemerons, finalizers, both GC modes.
local function churn(n)
	local keep = {}
	for i = 1, n do
		local t = { i, tostring(i), { i * 2 } }
		if i % 100 == 0 then
			keep[#keep + 1] = t
		end
	end
	return #keep
end

print("incremental", collectgarbage("incremental"))
print(churn(200000))
collectgarbage()
local k1 = collectgarbage("count")
print(math.type(k1), k1 > 0)

-- Weak values and keys: entries go once their objects are unreachable.
local wv = setmetatable({}, { __mode = "v" })
local wk = setmetatable({}, { __mode = "k" })
local strong = {}
for i = 1, 1000 do
	local o = { i }
	wv[i] = o
	wk[o] = i
	if i % 10 == 0 then
		strong[#strong + 1] = o
	end
end
collectgarbage()
collectgarbage()
local nv, nk = 0, 0
for _ in pairs(wv) do
	nv = nv + 1
end
for _ in pairs(wk) do
	nk = nk + 1
end
print("weak", nv, nk)

-- An ephemeron: a value that refers to its own key does not keep it.
local eph = setmetatable({}, { __mode = "k" })
do
	local key = {}
	eph[key] = { ref = key }
end
collectgarbage()
print("ephemeron", next(eph) == nil)

-- Finalizers run once each, on collection and at close.
local order = {}
for i = 1, 5 do
	setmetatable({}, { __gc = function() order[#order + 1] = i end })
end
collectgarbage()
table.sort(order)
print("finalized", #order, table.concat(order, ","))
local resurrect
do
	setmetatable({ name = "phoenix" }, { __gc = function(o) resurrect = o end })
end
collectgarbage()
print("resurrected", resurrect and resurrect.name)

print("generational", collectgarbage("generational"))
print(churn(200000))
collectgarbage("step", 0)
print("back to", collectgarbage("incremental"))
print("running", collectgarbage("isrunning"))
collectgarbage("stop")
print("stopped", collectgarbage("isrunning"))
collectgarbage("restart")
setmetatable({}, { __gc = function() print("finalizer at exit") end })
