-- io.lua: reads the files named by arg[1] (numbers) and arg[2] (lines) every way io offers.
local f = assert(io.open(arg[1], "r"))
print(io.type(f), io.type(io.stdout), io.type(42))
local a, b, c = f:read("n", "n", "l")
print(a, b, c)
local size = f:seek("end")
print("size", size)
print(f:seek("set", 10), f:read(5), f:seek("cur"))
f:seek("set", 0)
local n, s = 0, 0
for v in f:lines("n") do
	n, s = n + 1, s + v
end
print("numbers", n, s)
f:close()
print(io.type(f), pcall(f.read, f))

local g = assert(io.open(arg[2], "rb"))
local all = g:read("a")
print(#all, g:read("a") == "", g:read("l"), g:read(0))
g:seek("set")
local first, keep = g:read("l", "L")
print(first, keep)
g:close()

local chunks = 0
for chunk in io.lines(arg[2], 4096) do
	chunks = chunks + #chunk
end
print("chunks", chunks)
local cnt = 0
for l in io.lines(arg[2]) do
	if l:find("9:") then
		cnt = cnt + 1
	end
end
print("matching", cnt)
-- A missing file, by a relative path so both runs print the same message.
print(io.open("data/no-such-file"))
print(pcall(io.lines, "data/no-such-file"))
