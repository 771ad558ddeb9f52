-- The reference rows every test starts from (the same as db/seed.sql).

insert into customer (email, name) values
  ('ada@example.com',   'Ada Lovelace'),
  ('grace@example.com', 'Grace Hopper'),
  ('linus@example.com', 'Linus Torvalds');

insert into product (sku, name, price_cents, stock) values
  ('BOOK-SICP', 'Structure and Interpretation of Computer Programs', 4500, 10),
  ('BOOK-TAOCP', 'The Art of Computer Programming', 19900, 2),
  ('MUG-LAMBDA', 'Lambda mug', 1200, 0),
  ('PEN-RED', 'Red pen', 150, 100);

-- One order already placed by Ada: order 1000, two lines.
insert into orders (customer_id) values (1);
insert into order_line (order_id, product_id, quantity, unit_price_cents) values
  (1000, 1, 1, 4500),
  (1000, 4, 3, 150);
