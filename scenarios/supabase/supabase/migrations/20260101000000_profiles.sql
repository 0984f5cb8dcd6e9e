-- The default scenario's schema (scenarios/default.json "tables") as a
-- migration: one profile per auth user, own-row row-level security.
create table public.profiles (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null unique references auth.users (id) on delete cascade,
  email text,
  full_name text,
  free_image_quota integer not null default 5,
  created_at timestamp with time zone not null default now(),
  updated_at timestamp with time zone not null default now()
);

alter table public.profiles enable row level security;

create policy "Users can view own profile" on public.profiles
  for select to authenticated using (auth.uid() = user_id);
create policy "Users can insert own profile" on public.profiles
  for insert to authenticated with check (auth.uid() = user_id);
create policy "Users can update own profile" on public.profiles
  for update to authenticated using (auth.uid() = user_id) with check (auth.uid() = user_id);
