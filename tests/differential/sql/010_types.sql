-- The differential suite's schema, part 1: every column type the memory
-- engine models (time, timetz and interval are not among them yet: add them
-- here when they are), in one table, with the edge values of each in seed.sql.
-- Both engines load this file: the memory engine through Postgres's parser
-- (scenario_sql.c), the database engine in a real PostgreSQL 15.
create type mood as enum ('sad', 'ok', 'happy');
create domain positive_int as integer check (value > 0);

create table kinds (
  id integer primary key,
  i2 smallint,
  i4 integer,
  i8 bigint,
  num numeric(12, 3),
  f4 real,
  f8 double precision,
  txt text,
  vc varchar(8),
  ch char(4),
  flag boolean,
  uid uuid,
  d date,
  ts timestamp,
  tstz timestamp with time zone,
  js json,
  jb jsonb,
  tags text[],
  nums integer[],
  m mood,
  pos positive_int,
  doc tsvector,
  r4 int4range,
  rn numrange,
  rd daterange,
  rts tstzrange
);
