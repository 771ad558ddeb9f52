insert into project (name) select 'seed project ' || i from generate_series(1, 20) i;
insert into task (project_id, title, done)
  select p.id, p.name || ' task ' || t, t % 3 = 0 from project p, generate_series(1, 10) t;
