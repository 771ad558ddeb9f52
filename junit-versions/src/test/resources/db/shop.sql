-- A small schema with a sequence, a view and seed rows: what a clone must start from.
create table customer (
  id bigserial primary key,
  name text not null unique
);

create table orders (
  id bigserial primary key,
  customer_id bigint not null references customer (id),
  total_cents integer not null check (total_cents >= 0)
);

create view customer_totals as
  select c.name, coalesce(sum(o.total_cents), 0) as total_cents
  from customer c left join orders o on o.customer_id = c.id
  group by c.name;

insert into customer (name) values ('ada'), ('grace');
