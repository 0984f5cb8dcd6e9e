-- anon-key-as-service-key: profiles readable by everyone, the Supabase
-- starter template's policy (scenarios/anon-key-as-service-key.json).
create policy "Public profiles are viewable by everyone." on public.profiles
  for select using (true);
