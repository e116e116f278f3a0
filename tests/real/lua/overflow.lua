-- overflow.lua: unbounded recursion; must end with Lua's "stack overflow" error and status 1.
local function f(n)
	return 1 + f(n + 1)
end
print("start")
io.stdout:flush()
print(f(1))
