-- error.sql: a statement that fails; with -bail the shell stops there with status 1.
CREATE TABLE a(x);
INSERT INTO a VALUES (1), (2);
SELECT sum(x) FROM a;
SELECT * FROM no_such_table;
SELECT 'not reached';
