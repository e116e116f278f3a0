-- readonly.sql: queries over data/shop.db, opened read-only.
.headers on
SELECT count(*) FROM customer;
SELECT count(*), sum(qty) FROM orders;
SELECT c.city, count(DISTINCT c.id) AS customers, count(o.id) AS orders, round(sum(o.qty * p.price), 2) AS revenue
  FROM customer c JOIN orders o ON o.customer = c.id JOIN product p ON p.id = o.product
  GROUP BY c.city ORDER BY revenue DESC, c.city;
SELECT c.name, round(r.total, 2) FROM revenue r JOIN customer c ON c.id = r.customer
  ORDER BY r.total DESC, c.id LIMIT 8;
SELECT substr(day, 1, 7) AS month, count(*), sum(qty) FROM orders GROUP BY month ORDER BY month;
SELECT p.title, p.price FROM product p WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.product = p.id)
  ORDER BY p.id;
EXPLAIN QUERY PLAN SELECT * FROM orders WHERE customer = 42;
SELECT name, type FROM sqlite_schema ORDER BY name;
PRAGMA integrity_check;
PRAGMA page_size;
PRAGMA page_count;
-- The database is read-only: this must fail and the shell goes on.
INSERT INTO customer VALUES (1000, 'Nobody', 'Nowhere');
SELECT count(*) FROM customer;
