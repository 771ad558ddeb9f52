create table shelf (id bigint primary key);
