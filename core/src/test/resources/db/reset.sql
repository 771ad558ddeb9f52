-- A template with what resets in place must get right: foreign keys (one deferrable, one cascading),
-- a trigger that writes elsewhere, an identity column, a generated column, a sequence of its own,
-- a partitioned table, long (TOASTed) values, a view and a materialized view.
create table customer (
  id bigserial primary key,
  email text not null unique,
  name text not null
);

create table orders (
  id bigint generated always as identity primary key,
  customer_id bigint not null references customer (id) deferrable initially immediate,
  status text not null default 'NEW',
  total_cents integer not null check (total_cents >= 0),
  total_with_tax integer generated always as (total_cents * 12 / 10) stored
);

create table order_line (
  order_id bigint not null references orders (id) on delete cascade,
  line integer not null,
  sku text not null,
  primary key (order_id, line)
);

create table audit (
  id bigserial primary key,
  what text not null,
  order_id bigint not null
);

create function audit_orders() returns trigger language plpgsql as $$
begin
  insert into audit (what, order_id) values (lower(tg_op), coalesce(new.id, old.id));
  return coalesce(new, old);
end $$;

create trigger orders_audit after insert or update or delete on orders for each row execute function audit_orders();

create sequence invoice_no start 1000;

create table document (
  id integer primary key,
  body text not null
);

-- Wide values: ANALYZE keeps their statistics in pg_statistic's TOAST table.
create table note (
  id integer primary key,
  body text not null
);

create table event (
  at date not null,
  what text not null
) partition by range (at);
create table event_2025 partition of event for values from ('2025-01-01') to ('2026-01-01');
create table event_2026 partition of event for values from ('2026-01-01') to ('2027-01-01');

create view customer_orders as
  select c.email, count(o.id) as orders from customer c left join orders o on o.customer_id = c.id group by c.email;

insert into customer (email, name) values ('ada@example.com', 'Ada'), ('grace@example.com', 'Grace'),
  ('edsger@example.com', 'Edsger');
insert into orders (customer_id, total_cents) values (1, 1000), (1, 2500), (2, 400);
insert into order_line (order_id, line, sku) values (1, 1, 'A'), (1, 2, 'B'), (2, 1, 'C'), (3, 1, 'A');
insert into document (id, body) select 1, string_agg(md5(g::text), '') from generate_series(1, 400) g;
insert into document (id, body) values (2, 'short');
insert into note (id, body) select g, repeat(md5(g::text), 20) from generate_series(1, 300) g;
insert into event (at, what) values ('2025-06-01', 'launch'), ('2026-03-01', 'relaunch');
select nextval('invoice_no');

create materialized view order_count as select count(*) as n from orders;
