-- shop.sql: the small database the SQL function queries (built into
-- data/shop.db by the tests with the same sqlite3 they serve).
CREATE TABLE product(id INTEGER PRIMARY KEY, name TEXT, category TEXT,
    price REAL);
INSERT INTO product(name, category, price) VALUES
    ('kettle', 'kitchen', 24.5), ('toaster', 'kitchen', 31.0),
    ('lamp', 'living', 18.25), ('sofa', 'living', 640.0),
    ('pan', 'kitchen', 12.75), ('rug', 'living', 89.0);
CREATE TABLE sale(product INTEGER REFERENCES product(id), qty INTEGER,
    day TEXT);
INSERT INTO sale VALUES (1, 2, '2026-11-01'), (2, 1, '2026-11-01'),
    (3, 4, '2026-11-02'), (5, 7, '2026-11-02'), (1, 1, '2026-11-03'),
    (6, 1, '2026-11-03');
