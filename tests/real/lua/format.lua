-- format.lua: number formatting and conversion: %a, %g, %e, %f, integers and floats.
local vals = { 1.0, 0.1, -0.0, 1 / 3, math.pi, 1e300, 2 ^ -1074, 2 ^ -1022, 123456789.125, -2.5e-7 }
for _, v in ipairs(vals) do
	print(string.format("%a | %.3a | %g | %.17g | %e | %.4f | %s", v, v, v, v, v, v, tostring(v)))
end
print(string.format("%a %a %a", math.huge, -math.huge, 2 ^ 63))
print(string.format("%5.1f|%-8.3e|%+d|% d|%08.2f", 3.14159, 31415.9, 5, 5, -3.5))
print(math.maxinteger, math.mininteger, math.maxinteger + 1 == math.mininteger)
print(7 // 2, -7 // 2, 7 % -3, -7 % 3, 7.5 // 2, -7.5 % 2, 1 / 0 > 0, math.fmod(-7, 3))
print(3 / 2, 4 / 2, 2 ^ 53, 2 ^ 53 + 1, 1e15, 1e16, 123e-7, 0.1 + 0.2)
print(math.type(1), math.type(1.0), math.type("1"), math.tointeger(3.0), math.tointeger(3.5))
print(tonumber("0x1p4"), tonumber("0x.8"), tonumber("  10  "), tonumber("1e2"), tonumber("z", 36), tonumber("777", 8))
print(tonumber("0x7fffffffffffffff"), tonumber("9223372036854775808"), tonumber("1e"), tonumber(""))
print(math.floor(-3.5), math.ceil(-3.5), math.abs(math.mininteger), math.ult(1, -1), math.max(3, 7.5, -1))
print(string.format("%.14g", 2 ^ 0.5), math.sqrt(2), math.exp(1), math.log(8, 2), math.log(100, 10))
print(math.sin(1), math.cos(1), math.tan(1), math.asin(0.5), math.atan(1, 2))
print(8 | 1, 6 & 3, 5 ~ 1, ~0, 1 << 62, 1 << 64, -1 >> 60, "10" + 5, "3" * "4", 10 .. 20)
print(string.format("%q", 0.1), string.format("%q", math.mininteger), string.format("%q", 1 / 0))
math.randomseed(42)
local r = {}
for i = 1, 5 do
	r[i] = math.random(1, 1000)
end
print(table.concat(r, " "), math.random(0) ~= nil)
