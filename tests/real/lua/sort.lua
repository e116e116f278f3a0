-- sort.lua: sorts 200,000 integers (generated, or read from the file arg[1]) and prints a digest.
local t, n = {}, 200000
if arg[1] then
	for line in io.lines(arg[1]) do
		t[#t + 1] = math.tointeger(tonumber(line))
	end
else
	local x = 12345
	for i = 1, n do
		x = x * 16807 % 2147483647
		t[i] = x
	end
end
table.sort(t)
local h = 0
for i = 1, #t do
	if i > 1 and t[i - 1] > t[i] then
		error("not sorted at " .. i)
	end
	h = (h * 31 + t[i]) % 4294967296
end
print(#t, t[1], t[#t // 2], t[#t], h)

-- Floats and a comparator: descending, then by fraction.
local f = {}
for i = 1, 20000 do
	f[i] = (t[i * 7 % #t + 1] % 1000) / 7
end
table.sort(f, function(a, b) return a > b end)
print(string.format("%.17g %.17g %.17g", f[1], f[10000], f[20000]))

-- Strings: a different comparison function in the same sort.
local s = {}
for i = 1, 5000 do
	s[i] = string.format("%x", t[i * 37 % #t + 1] % 65536)
end
table.sort(s)
print(s[1], s[2500], s[5000], #table.concat(s))
