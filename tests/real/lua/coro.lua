-- coro.lua: coroutines as generators, pipelines, errors, close and nested chains.
local function gen(n)
	return coroutine.wrap(function()
		for i = 1, n do
			coroutine.yield(i)
		end
	end)
end
local s = 0
for v in gen(100000) do
	s = s + v
end
print("generator sum", s)

-- A producer -> filter -> consumer pipeline.
local function producer()
	return coroutine.create(function()
		for i = 1, 1000 do
			coroutine.yield(i * i % 97)
		end
	end)
end
local function filter(src)
	return coroutine.create(function()
		while true do
			local ok, v = coroutine.resume(src)
			if not v then
				return
			end
			if v % 2 == 0 then
				coroutine.yield(v)
			end
		end
	end)
end
local f, count, total = filter(producer()), 0, 0
while true do
	local _, v = coroutine.resume(f)
	if not v then
		break
	end
	count, total = count + 1, total + v
end
print("pipeline", count, total, coroutine.status(f))

-- Values passed both ways.
local co = coroutine.create(function(a, b)
	local c = coroutine.yield(a + b)
	local d, e = coroutine.yield(c * 2)
	return d + e
end)
print(coroutine.resume(co, 1, 2))
print(coroutine.resume(co, 10))
print(coroutine.resume(co, 3, 4))
print(coroutine.resume(co))
print(coroutine.status(co))

-- Errors inside a coroutine, yield across pcall, close with a pending to-be-closed variable.
local bad = coroutine.create(function()
	coroutine.yield(1)
	error("boom", 0)
end)
print(coroutine.resume(bad))
print(coroutine.resume(bad))
print(coroutine.status(bad))
local y = coroutine.wrap(function()
	local ok, err = pcall(function()
		coroutine.yield("inside pcall")
		error({ code = 7 })
	end)
	coroutine.yield(ok, type(err), err.code)
	return "done"
end)
print(y())
print(y())
print(y())
local closed = {}
local cl = coroutine.create(function()
	local x <close> = setmetatable({}, { __close = function() closed[#closed + 1] = "closed" end })
	coroutine.yield("open")
end)
print(coroutine.resume(cl))
print(coroutine.close(cl), closed[1], coroutine.status(cl))
print(coroutine.isyieldable(), select(2, coroutine.running()))

-- A chain of 150 nested coroutines, each resuming the next (LUAI_MAXCCALLS is 200).
local function chain(n)
	if n == 0 then
		return 0
	end
	local c = coroutine.wrap(function()
		coroutine.yield(chain(n - 1) + 1)
	end)
	return c()
end
print("chain", chain(150))
