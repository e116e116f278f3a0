-- time.lua: os.time, os.date, os.clock and os.getenv, printing only what does not depend on when it runs.
local t0 = os.time()
print(math.type(t0), t0 > 1600000000)
print(os.time({ year = 2024, month = 2, day = 29, hour = 12 }))
print(os.time({ year = 2000, month = 1, day = 1, hour = 0, min = 0, sec = 0, isdst = false }))
print(os.date("!%Y-%m-%d %H:%M:%S", 0), os.date("!%c", 86400 * 365))
print(os.date("!%A %a %B %b %j %U %W %w %y %p %I %%", 1000000000))
print(os.date("%Y-%m-%d %H:%M:%S %Z", 1700000000))
local d = os.date("*t", 1700000000)
print(d.year, d.month, d.day, d.hour, d.min, d.sec, d.wday, d.yday, d.isdst)
local u = os.date("!*t", 1234567890)
print(u.year, u.month, u.day, u.hour, os.time(u))
print(os.difftime(t0 + 90, t0), os.difftime(5, 2))
-- Normalisation of out-of-range fields.
print(os.time({ year = 2023, month = 14, day = 35, hour = 25 }))
local c0 = os.clock()
local s = 0
for i = 1, 3000000 do
	s = s + i % 7
end
local c1 = os.clock()
print(s, math.type(c0), c0 >= 0, c1 >= c0)
print(os.getenv("TZ"), os.getenv("LC_ALL"), os.getenv("SVM_NO_SUCH_VARIABLE"))
print(os.time() >= t0)
