insert into author (name) values ('Ursula K. Le Guin'), ('Terry Pratchett');
insert into book (author_id, title) values (1, 'A Wizard of Earthsea'), (2, 'Small Gods'), (2, 'Mort');
