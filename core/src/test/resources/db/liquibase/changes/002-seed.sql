--liquibase formatted sql

--changeset pgisolated:2
insert into planet (name, moons) values ('Mercury', 0), ('Earth', 1), ('Mars', 2);
