select pg_sleep(2);

-- the next statement names a table that does not exist, on line 4
insert into no_such_table (id) values (1);
