insert into shelf (id) values (1);
insert into shelf (idd) values (2);
