-- About 10 MB of rows (a database of 17 MB): a template of which only a few clones fit on the
-- small disks of the out-of-space tests. The holder table is LeaseWorker's.
create table big as select g, repeat('x', 200) as pad from generate_series(1, 40000) g;
create table holder (pid bigint not null);
