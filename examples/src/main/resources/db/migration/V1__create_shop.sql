-- The shop's first release, as Flyway migrates it: the same tables as db/schema.sql.
-- Used by @PgIsolated(flyway = "classpath:db/migration"); every file here is part of the template's hash.

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
  price_cents integer not null check (price_cents >= 0),
  stock       integer not null check (stock >= 0)
);

-- Order numbers are customer-facing, so they come from their own sequence and start at 1000.
create sequence order_number_seq start with 1000;

create table orders (
  id          bigint primary key default nextval('order_number_seq'),
  customer_id bigint not null references customer (id),
  status      text not null default 'PLACED' check (status in ('PLACED', 'SHIPPED', 'CANCELLED')),
  placed_at   timestamptz not null default now()
);
alter sequence order_number_seq owned by orders.id;

create table order_line (
  id               bigserial primary key,
  order_id         bigint not null references orders (id) on delete cascade,
  product_id       bigint not null references product (id),
  quantity         integer not null check (quantity > 0),
  unit_price_cents integer not null check (unit_price_cents >= 0),
  unique (order_id, product_id)
);

create index order_customer_idx on orders (customer_id);
