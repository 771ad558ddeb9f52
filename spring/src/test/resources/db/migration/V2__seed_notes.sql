insert into note (text) values ('first seed note'), ('second seed note');
