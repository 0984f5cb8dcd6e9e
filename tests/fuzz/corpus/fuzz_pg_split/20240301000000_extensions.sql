create extension if not exists citext with schema extensions;
create extension if not exists pg_trgm with schema extensions;
