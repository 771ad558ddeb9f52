--liquibase formatted sql

--changeset pgisolated:good
create table moon (id serial primary key, name text not null);

--changeset pgisolated:bad-moon
insert into moon (name, planet) values ('Phobos', 'Mars');
