-- The schema of tests/fixtures/team-policies.json for a real PostgreSQL 15
-- (psql -f, as a superuser, in an empty database). The answers quoted in
-- tests/e2e/test_rls_subquery.py are what this prints.
create role anon nologin; create role authenticated nologin;
create schema auth;
grant usage on schema auth to anon, authenticated;
create function auth.uid() returns uuid language sql stable as
  $$ select nullif(current_setting('request.jwt.claim.sub', true), '')::uuid $$;
create table teams (id int primary key, name text);
create table members (team_id int, user_id uuid, role text, primary key (team_id, user_id));
create table projects (id int primary key, team_id int references teams, title text);
create table docs (id int primary key, team_id int);
create table loops (id int primary key);
grant select, insert, update, delete on teams, members, projects, docs, loops to anon, authenticated;
alter table teams enable row level security;
alter table members enable row level security;
alter table projects enable row level security;
alter table docs enable row level security;
alter table loops enable row level security;
create policy "members read their teams" on teams for select to authenticated
  using (exists (select 1 from members m where m.team_id = teams.id and m.user_id = auth.uid()));
create policy "read own memberships" on members for select to authenticated
  using (user_id = (select auth.uid()));
create policy "team members read" on projects for select to authenticated
  using (exists (select 1 from members m join teams t on t.id = m.team_id where t.id = projects.team_id and m.user_id = auth.uid()));
create policy "owners insert" on projects for insert to authenticated
  with check (team_id in (select team_id from members where user_id = (select auth.uid()) and role = 'owner'));
create policy pitfall on docs for select to authenticated
  using (exists (select 1 from members m where m.team_id = team_id and m.user_id = auth.uid()));
create policy self on loops for select to authenticated
  using (exists (select 1 from loops l where l.id = loops.id));
insert into teams values (1, 'one'), (2, 'two'), (3, 'three');
insert into members values (1, '13ab4cf1-8587-4685-874b-c2d37beeab38', 'owner'),
  (2, '8d0fd2b3-9ca7-4b6e-a4b9-0a7c4b1d2e3f', 'member');
insert into projects values (1, 1, 'p1'), (2, 2, 'p2'), (3, 3, 'p3');
insert into docs values (1, 1), (2, 3);
select policyname, qual, with_check from pg_policies order by tablename, policyname;
-- the first user
set role authenticated;
set request.jwt.claim.sub = '13ab4cf1-8587-4685-874b-c2d37beeab38';
select 'teams', id from teams order by id;
select 'members', team_id from members order by team_id;
select 'projects', id from projects order by id;
select 'docs', id from docs order by id;
select 'embed', t.id, (select json_agg(p.id) from projects p where p.team_id = t.id) from teams t;
insert into projects values (4, 1, 'p4');
insert into projects values (5, 2, 'p5');
select 'loops', id from loops;
-- the second user
set request.jwt.claim.sub = '8d0fd2b3-9ca7-4b6e-a4b9-0a7c4b1d2e3f';
select 'projects2', id from projects order by id;
select 'docs2', id from docs order by id;
insert into projects values (6, 2, 'p6');
reset role;
set role anon;
select 'anon projects', count(*) from projects;
