-- The seed state every test starts from (and asserts first): 3 customers, 20 products, 4 orders, 8 lines.
insert into customer (email, name) values
  ('ada@example.com', 'Ada Lovelace'),
  ('grace@example.com', 'Grace Hopper'),
  ('edsger@example.com', 'Edsger Dijkstra');

insert into product (sku, name, price_cents, stock)
select 'SEED-' || lpad(g::text, 2, '0'), 'Seed product ' || g, 100 * g, 10 + g
from generate_series(1, 20) g;

insert into orders (customer_id, status)
select c.id, v.status
from (values ('ada@example.com', 'NEW', 1), ('ada@example.com', 'PAID', 2),
             ('grace@example.com', 'NEW', 3), ('edsger@example.com', 'SHIPPED', 4)) v (email, status, n)
join customer c on c.email = v.email
order by v.n;

insert into order_line (order_id, product_id, quantity)
select o.id, p.id, 1 + (o.id + p.id) % 3
from orders o join product p on p.sku in ('SEED-01', 'SEED-02')
order by o.id, p.id;
