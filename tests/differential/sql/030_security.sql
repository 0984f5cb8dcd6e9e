-- Part 3: row-level security with auth.uid(), auth.jwt() and EXISTS
-- subqueries, and grants that differ between anon and authenticated.
alter table teams enable row level security;
alter table members enable row level security;
alter table projects enable row level security;
alter table notes enable row level security;

create policy "members read their teams" on teams for select to authenticated
  using (exists (select 1 from members m where m.team_id = teams.id and m.user_id = auth.uid()));
create policy "read own memberships" on members for select to authenticated
  using (user_id = (select auth.uid()));
create policy "public projects" on projects for select to anon, authenticated
  using (is_public);
create policy "team projects" on projects for select to authenticated
  using (exists (select 1 from members m where m.team_id = projects.team_id and m.user_id = auth.uid()));
create policy "owners insert" on projects for insert to authenticated
  with check (owner_id = auth.uid());
create policy "owners update" on projects for update to authenticated
  using (owner_id = auth.uid()) with check (owner_id = auth.uid());
create policy "owners delete" on projects for delete to authenticated
  using (owner_id = auth.uid());
create policy "public notes" on notes for select to anon, authenticated
  using (not private);
create policy "own notes" on notes for all to authenticated
  using (author_email = auth.jwt() ->> 'email')
  with check (author_email = auth.jwt() ->> 'email');

-- anon reads kinds, tags and project_tags but writes nothing there.
revoke insert, update, delete on kinds, tags, project_tags, versions, releases from anon;
revoke all on members from anon;
