-- Runs after db/shop.sql (scripts come first), so its customers are there.
create table build_step (id serial primary key, step text not null, customers int not null);
insert into customer (name) values ('carol');
insert into build_step (step, customers) select 'flyway', count(*) from customer;
