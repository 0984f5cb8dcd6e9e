-- no-update-policy: the UPDATE policy is gone (scenarios/no-update-policy.json).
drop policy "Users can update own profile" on public.profiles;
