create table public.places (id bigint primary key);
create extension if not exists postgis with schema extensions;
