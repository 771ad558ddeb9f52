insert into project (name) values ('garden'), ('kitchen');
insert into task (project_id, title, done) values
  (1, 'plant tomatoes', false),
  (1, 'water the roses', true),
  (2, 'fix the tap', false);
