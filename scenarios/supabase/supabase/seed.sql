-- The demo user's profile (scenarios/default.json "rows"); the user itself is
-- in supamock.json's auth.users, which both engines create before this runs.
insert into public.profiles (id, user_id, email, full_name, free_image_quota) values
  ('5f0c6a4e-7a43-4c1b-9d55-2d4bce1f0a11', '13ab4cf1-8587-4685-874b-c2d37beeab38',
   'demo@example.com', 'Demo User', 5);
