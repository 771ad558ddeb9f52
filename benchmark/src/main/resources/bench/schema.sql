-- The benchmark's application schema: a small shop, as in measurements.md's workload.
create table customer (
  id         bigserial primary key,
  email      text not null unique,
  name       text not null,
  created_at timestamptz not null default now()
);

create table product (
  id          bigserial primary key,
  sku         text not null unique,
  name        text not null,
  price_cents int not null check (price_cents >= 0),
  stock       int not null default 0 check (stock >= 0)
);

create table orders (
  id          bigserial primary key,
  customer_id bigint not null references customer (id),
  status      text not null default 'NEW',
  created_at  timestamptz not null default now()
);

create table order_line (
  order_id   bigint not null references orders (id) on delete cascade,
  product_id bigint not null references product (id),
  quantity   int not null check (quantity > 0),
  primary key (order_id, product_id)
);

create index orders_customer on orders (customer_id);
create index order_line_product on order_line (product_id);
