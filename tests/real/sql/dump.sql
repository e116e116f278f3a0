-- dump.sql: the whole of data/shop.db's schema, and a part of its rows, as SQL text.
.schema
.dump product
