-- trees.lua: the collector under load: many short-lived binary trees beside one long-lived tree of depth arg[1].
local maxd = math.tointeger(tonumber(arg[1] or "14"))
local function tree(d)
	if d == 0 then
		return {}
	end
	return { tree(d - 1), tree(d - 1) }
end
local function check(t)
	if t[1] then
		return 1 + check(t[1]) + check(t[2])
	end
	return 1
end
local long = tree(maxd)
for d = 4, maxd, 2 do
	local iters, c = 1 << (maxd - d + 4), 0
	for _ = 1, iters do
		c = c + check(tree(d))
	end
	print(d, iters, c)
end
print("long-lived", check(long))
