create policy p on t as restrictive for all to anon, public using (a = $x$)$x$) with check ((b));
grant select, insert (a) on all tables in schema public to anon;
insert into t (a, b) values (1, default), (E'x\'', null::text);
create unique index on t (a);
drop policy p on public.t;
