-- wordfreq.lua: counts the words on stdin and prints the most frequent (ties by word).
local count, total, lines = {}, 0, 0
for line in io.lines() do
	lines = lines + 1
	for w in line:gmatch("[%a']+") do
		w = w:lower()
		count[w] = (count[w] or 0) + 1
		total = total + 1
	end
end
local list = {}
for w, n in pairs(count) do
	list[#list + 1] = { w, n }
end
table.sort(list, function(a, b)
	if a[2] ~= b[2] then
		return a[2] > b[2]
	end
	return a[1] < b[1]
end)
print(lines, total, #list)
for i = 1, 20 do
	print(string.format("%-12s %6d", list[i][1], list[i][2]))
end
