-- missing-grants: no table privileges on profiles for the API roles, as after
-- REVOKE ALL (scenarios/missing-grants.json "grants": {}).
revoke all on table public.profiles from anon, authenticated, service_role;
