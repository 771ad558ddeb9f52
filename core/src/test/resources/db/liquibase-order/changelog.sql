--liquibase formatted sql

--changeset pgisolated:after-flyway
insert into customer (name) values ('dave');
insert into build_step (step, customers) select 'liquibase', count(*) from customer;
