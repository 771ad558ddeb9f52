-- For the entity whose ids come from a sequence through Hibernate's pooled optimizer.
create sequence counter_seq increment by 50;
create table counter (
  id bigint primary key,
  label text not null
);
