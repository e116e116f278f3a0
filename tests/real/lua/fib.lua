-- fib.lua: recursive Fibonacci of arg[1] (default 27), checked against the loop.
local n = math.tointeger(tonumber(arg[1] or "27"))
local function fib(k)
	if k < 2 then
		return k
	end
	return fib(k - 1) + fib(k - 2)
end
local a, b = 0, 1
for _ = 1, n do
	a, b = b, a + b
end
local r = fib(n)
assert(r == a, "fib mismatch")
print("fib(" .. n .. ") = " .. r)
