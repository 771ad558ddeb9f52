create table shelf (id bigserial primary key, label text not null);
