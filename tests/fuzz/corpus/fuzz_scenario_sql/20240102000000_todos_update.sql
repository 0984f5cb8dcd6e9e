-- A second migration, applied after the first (file name order).
alter table todos add column priority smallint not null default 1;
create policy "Individuals can update their own todos." on todos for
    update using (auth.uid() = user_id);
