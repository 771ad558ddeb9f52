-- A library: what Flyway puts into the template, version by version.
create table author (
  id   bigserial primary key,
  name text not null unique
);

create table book (
  id        bigserial primary key,
  author_id bigint not null references author (id),
  title     text not null
);
