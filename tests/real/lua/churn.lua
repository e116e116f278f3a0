-- churn.lua: allocator churn: a window of 4,096 strings and tables of random sizes (16 B to 32 KiB), one replaced per step, arg[1] steps.
local n = math.tointeger(tonumber(arg[1] or "50000"))
local x = 1
local function rnd(m)
	x = x * 16807 % 2147483647
	return x % m
end
local win, bytes, strings = {}, 0, 0
for i = 1, n do
	local size = 16 << rnd(11)
	size = size + rnd(size)
	if rnd(2) == 0 then
		win[rnd(4096) + 1] = string.rep("x", size - 8) .. string.format("%08d", i % 100000000)
		strings = strings + 1
	else
		local t = {}
		for j = 1, size // 64 do
			t[j] = j
		end
		win[rnd(4096) + 1] = t
	end
	bytes = bytes + size
end
local live = 0
for i = 1, 4096 do
	local v = win[i]
	if type(v) == "string" then
		live = live + #v
	elseif v then
		live = live + #v * 64
	end
end
print(n, strings, bytes, live)
