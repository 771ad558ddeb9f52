create table fine (id int);

-- the next statement has a typo on line 4
create tabel broken (id int);
