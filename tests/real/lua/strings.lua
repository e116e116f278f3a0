-- strings.lua: string building, patterns, gsub, pack/unpack and utf8.
local parts = {}
for i = 1, 100000 do
	parts[i] = string.format("%05d:%s", i, string.char(97 + i % 26))
end
local big = table.concat(parts, ",")
print(#big, big:sub(1, 40), big:sub(-20))

-- gsub with a string, a function and a table.
local s1, n1 = big:gsub("(%d+):([aeiou])", "%2%1")
local s2, n2 = big:gsub("%d%d%d%d%d", function(d) return tostring(tonumber(d) * 2) end)
local map = { a = "A", e = "E" }
local s3, n3 = big:gsub(":(%l)", map)
print(n1, #s1, n2, #s2, n3, #s3)

-- A checksum over the results, so that any difference shows.
local function sum(s)
	local h = 0
	for i = 1, #s, 7 do
		h = (h * 33 + s:byte(i)) % 2147483647
	end
	return h
end
print(sum(s1), sum(s2), sum(s3))

-- find, match, gmatch, frontier patterns, balanced matches.
local text = "The (quick (brown)) fox jumps over the lazy dog; THE END."
print(text:find("fox"), text:find("(", 1, true), text:match("%b()"))
print(text:match("^(%u%l+)"), select(2, text:gsub("%f[%a]%a+", "")))
local words = {}
for w in text:gmatch("%a+") do
	words[#words + 1] = w:lower()
end
print(#words, table.concat(words, "|"))
print(("x"):rep(5, "-"), ("abc"):reverse(), ("MiXeD"):upper(), ("MiXeD"):lower())
print(string.format("[%10s][%-10s][%.3s][%q]", "right", "left", "truncate", "a\n\"b\"\0c"))
print(string.format("%d %5d %-5d| %x %X %o %c%c", 42, -42, 7, 255, 255, 8, 76, 117))

-- Repeated concatenation in a loop (many short-lived strings).
local acc = ""
for i = 1, 3000 do
	acc = acc .. (i % 10)
end
print(#acc, acc:sub(1, 25))

-- string.pack and unpack.
local p = string.pack("<i4 >I8 d z s1", -2, 0x0102030405060708, 1.5, "zero", "len")
print(#p, (p:gsub(".", function(c) return string.format("%02x", c:byte()) end)))
print(string.unpack("<i4 >I8 d z s1", p))

-- utf8.
local u = "h\u{e9}llo w\u{f6}rld \u{1F600}"
print(#u, utf8.len(u), utf8.char(72, 228, 8364), utf8.codepoint(u, 1, 3))
for _, c in utf8.codes("a\u{e9}\u{1F600}") do
	io.write(c, " ")
end
print()
