-- template.lua: a function in Lua for an unmodified lua 5.4:
--   svm-sandbox --serve --root apps/fn-lua lua -- /template.lua
-- Loads and compiles its template once, before the snapshot; each call's
-- request (NAME=VALUE lines) fills it in (repeat=N renders it N times).
-- A {{name}} the request does not give is an error: a line on stderr and
-- exit status 1.
local f = assert(io.open("/letter.txt"))
local template = f:read("a")
f:close()
local names = {}
for name in template:gmatch("{{(%w+)}}") do names[#names + 1] = name end

local input = io.read("a") -- each call starts here
local values = {}
for name, value in input:gmatch("(%w+)=([^\n]*)") do values[name] = value end
local out
for _ = 1, tonumber(values["repeat"] or 1) do
	out = template:gsub("{{(%w+)}}", function(name)
		return values[name] or error("no value for {{" .. name .. "}}", 0)
	end)
end
io.write(out)
io.stdout:flush()
os.exit(0, false) -- the VM is reset after the call: skip the teardown
