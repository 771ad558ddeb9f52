insert into shelf (label) values ('A');

-- line 4 names a column that does not exist
insert into shelf (colour) values ('red');
