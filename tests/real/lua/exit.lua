-- exit.lua: exits with the status arg[1] after printing, through os.exit, buffered output flushed.
io.write("buffered before exit ")
io.stdout:setvbuf("full")
print(arg[1])
local v = arg[1]
if v == "true" then
	os.exit(true)
elseif v == "false" then
	os.exit(false)
elseif v == "error" then
	error({ "a table as the error object" })
end
os.exit(tonumber(v), true)
