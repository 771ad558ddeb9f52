-- The second release: customers review products, one review per customer and product.
create table review (
  id          bigserial primary key,
  product_id  bigint not null references product (id),
  customer_id bigint not null references customer (id),
  stars       integer not null check (stars between 1 and 5),
  body        text not null default '',
  unique (product_id, customer_id)
);

-- Grace's review of SICP, which every test starts with.
insert into review (product_id, customer_id, stars, body) values (1, 2, 5, 'Still the best book on programming.');
