-- aggregates.sql: queries over table t, filled by data/inserts.sql (20,000 rows) just before.
.headers on
.mode list
SELECT count(*), sum(k), min(v), max(v), round(avg(v), 4), total(id) FROM t;
SELECT k, count(*) AS n, round(sum(v), 2) AS s, min(name) AS first FROM t
  GROUP BY k HAVING n > 215 ORDER BY n DESC, k LIMIT 10;
SELECT name, count(*) AS n FROM t GROUP BY name ORDER BY n DESC, name LIMIT 5;
SELECT id, name, v FROM t WHERE v BETWEEN 5000 AND 5001 ORDER BY v, id;
CREATE INDEX t_k ON t(k, v);
SELECT k, max(v), count(DISTINCT name) FROM t WHERE k IN (3, 33, 77) GROUP BY k;
EXPLAIN QUERY PLAN SELECT k, max(v) FROM t WHERE k = 3;
-- Window functions and a running total.
SELECT id, k, v, rank() OVER w, round(sum(v) OVER (ORDER BY id ROWS 2 PRECEDING), 2)
  FROM t WHERE id <= 12 WINDOW w AS (PARTITION BY k % 3 ORDER BY v DESC) ORDER BY id;
-- A recursive CTE: Collatz chain lengths for 1..2000, the longest ten.
WITH RECURSIVE c(start, x, steps) AS (
  SELECT value, value, 0 FROM generate_series(1, 2000)
  UNION ALL
  SELECT start, CASE WHEN x % 2 THEN 3 * x + 1 ELSE x / 2 END, steps + 1 FROM c WHERE x > 1
) SELECT start, max(steps) AS len FROM c GROUP BY start ORDER BY len DESC, start LIMIT 10;
-- Updates and deletes inside a transaction, then a rollback to a savepoint.
BEGIN;
UPDATE t SET v = v * 2 WHERE k < 10;
SAVEPOINT sp;
DELETE FROM t WHERE k >= 50;
SELECT count(*), round(sum(v), 2) FROM t;
ROLLBACK TO sp;
COMMIT;
SELECT count(*), round(sum(v), 2) FROM t;
-- Strings, dates, JSON and math functions on fixed values.
SELECT printf('%08.3f|%-6s|%x|%,d', 3.14159, 'ab', 255, 1234567), upper('straße'), length(x'00ff'),
  hex(zeroblob(3)), substr('sqlite', -3), replace('a-b-c', '-', '+'), instr('hello', 'll'), trim('  x  ');
SELECT date('2024-01-31', '+1 month'), datetime(1700000000, 'unixepoch'), julianday('2000-01-01'),
  strftime('%Y %j %W %w', '2024-12-31'), date('2024-03-10', 'weekday 0', '-7 days');
SELECT json_object('a', 1, 'b', json_array(1, 2.5, 'x', NULL)), json_extract('{"x":{"y":[10,20]}}', '$.x.y[1]'),
  json_group_array(k) FROM (SELECT k FROM t WHERE id <= 5);
SELECT sqrt(2), pow(2, 10), ln(exp(1)), floor(-2.5), ceil(-2.5), round(2.675, 2), 7 / 2, 7 % 3, 7.0 / 2;
SELECT typeof(1), typeof(1.0), typeof('1'), typeof(x'01'), typeof(NULL), CAST('12abc' AS INTEGER), 1 = 1.0;
.mode box
SELECT k, count(*) AS n, round(avg(v), 3) AS mean FROM t GROUP BY k ORDER BY k LIMIT 4;
.mode json
SELECT id, name, v FROM t ORDER BY id LIMIT 3;
.mode csv
SELECT id, name, v FROM t ORDER BY v DESC LIMIT 3;
.mode markdown
SELECT k, name FROM t ORDER BY id DESC LIMIT 3;
SELECT total_changes() > 20000;
