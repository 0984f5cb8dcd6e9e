-- The second statement names a column the table does not have.
alter table public.notes add column title text;

update public.notes
   set titel = 'x';
