-- Every holder writes its pid here: a database in two tests at once would show two rows.
create table holder (pid bigint not null, leased_at timestamptz not null default clock_timestamp());
