-- The Supabase baseline: what a fresh Supabase project's database holds
-- before the project's own migrations run. supamock applies it once, as the
-- bootstrap superuser `supabase_admin` (initdb -U supabase_admin), into the
-- cached template cluster; every run starts from a copy of that template.
--
-- Sources (each block below names the file it follows):
--   https://github.com/supabase/postgres/tree/develop/migrations/db
--     init-scripts/00000000000000-initial-schema.sql (roles, extensions schema,
--       default privileges), 00000000000001-auth-schema.sql,
--       00000000000002-storage-schema.sql, 00000000000003-post-setup.sql, and
--     migrations/ (demote-postgres, revoke_admin, alter_api_roles_for_inherit,
--       grant_auth_roles_to_postgres, set_authenticator_timeout, ...).
--   https://github.com/supabase/auth/tree/master/migrations (auth.users as
--     GoTrue's migrations leave it; auth.uid/role/email/jwt).
--   https://github.com/supabase/storage/tree/master/migrations/tenant
--     (storage.buckets and storage.objects; the path helper functions).
--
-- Supabase's migrate.sh runs the init scripts as `postgres` while it is still
-- a superuser and demotes it afterwards; this file does the same with
-- SET ROLE, so `postgres` owns what it owns on Supabase (the database, the
-- extensions schema, the extensions) and its default privileges are the ones
-- that make a table a migration creates in `public` readable by the API roles.
--
-- Left out, because Debian's postgresql-15 does not ship them or because they
-- are services supamock does not run: pgjwt, pg_graphql, pgsodium/vault,
-- pg_net, pg_cron, realtime, the supabase_realtime publication, and the
-- auth tables other than auth.users (sessions, identities, refresh tokens,
-- MFA, SSO). Every other contrib extension Debian ships can be created by a
-- migration (`create extension pg_trgm with schema extensions`), as on
-- Supabase where they are available but not installed.

-- Roles --------------------------------------------------------------------

-- initial-schema.sql: the super admin; post-setup.sql: its search_path.
alter role supabase_admin with superuser createdb createrole replication bypassrls;
alter role supabase_admin set search_path to "$user", public, auth, extensions;

-- migrate.sh creates `postgres` as a superuser owning the database; the
-- demote-postgres migration takes superuser away at the end of this file.
create role postgres superuser login;
alter database postgres owner to postgres;

-- initial-schema.sql: the API roles and the role PostgREST logs in as.
-- alter_api_roles_for_inherit.sql makes the three API roles INHERIT;
-- revoke_admin.sql takes supabase_admin away from authenticator again.
create role anon nologin inherit;
create role authenticated nologin inherit;
create role service_role nologin inherit bypassrls;
create role authenticator login noinherit;
grant anon to authenticator;
grant authenticated to authenticator;
grant service_role to authenticator;
-- grant_auth_roles_to_postgres.sql, grant_predefined_roles_to_postgres.sql
grant anon, authenticated, service_role to postgres;
grant pg_read_all_data, pg_signal_backend to postgres;

-- initial-schema.sql, set_authenticator_timeout.sql,
-- set_lock_timeout_to_authenticator_role.sql
alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';
alter role authenticator set statement_timeout = '8s';
alter role authenticator set lock_timeout = '8s';

-- auth-schema.sql and storage-schema.sql: the services' owner roles.
-- Without CREATEROLE here (Supabase gives it): `postgres` is a member and
-- could SET ROLE to it, and on PostgreSQL 15 CREATEROLE grants any predefined
-- role, pg_execute_server_program included (see pg_gate.h).
create role supabase_auth_admin noinherit nocreaterole login noreplication;
create role supabase_storage_admin noinherit nocreaterole login noreplication;
alter role supabase_storage_admin set search_path = storage;
-- grant-supabase-auth-admin-and-supabase-storage-admin-to-postgres.sql
grant supabase_auth_admin, supabase_storage_admin to postgres;
-- grant_auth_roles_to_supabase_storage_admin.sql,
-- grant_authenticator_to_supabase_storage_admin.sql
grant anon, authenticated, service_role to supabase_storage_admin;
grant authenticator to supabase_storage_admin;

-- What `postgres` ran on Supabase (initial-schema.sql) --------------------

set role postgres;

-- Extension namespacing: the extensions a new Supabase project has installed
-- and Debian ships (pgjwt is not packaged for Debian).
create schema if not exists extensions;
create extension if not exists "uuid-ossp" with schema extensions;
create extension if not exists pgcrypto with schema extensions;
create extension if not exists pg_stat_statements with schema extensions;

grant usage on schema public to postgres, anon, authenticated, service_role;
grant usage on schema extensions to postgres, anon, authenticated, service_role;

-- Whatever `postgres` creates in public (a migration's tables, functions and
-- sequences) is granted to the API roles; row-level security decides the rest.
alter default privileges for role postgres in schema public
    grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema public
    grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema public
    grant all on sequences to postgres, anon, authenticated, service_role;

reset role;

-- The same for objects supabase_admin creates (initial-schema.sql).
alter default privileges for role supabase_admin in schema public
    grant all on sequences to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema public
    grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema public
    grant all on functions to postgres, anon, authenticated, service_role;

-- auth ----------------------------------------------------------------------

create schema if not exists auth authorization supabase_admin;

-- auth.users with the columns, in the order, GoTrue's migrations leave it:
-- 00_init_auth_schema, then alter_users (phone*, confirmed_at renamed to
-- email_confirmed_at), adds_confirmed_at (generated), add_email_change_confirmed
-- (email_change_token renamed to email_change_token_new), add_banned_until,
-- add_user_reauthentication, modify_users_email_unique_index (is_sso_user,
-- users_email_partial_key instead of users_email_key), alter_phone_type,
-- add_deleted_at, add_is_anonymous_column.
create table auth.users (
    instance_id uuid null,
    id uuid not null unique,
    aud varchar(255) null,
    "role" varchar(255) null,
    email varchar(255) null,
    encrypted_password varchar(255) null,
    email_confirmed_at timestamptz null,
    invited_at timestamptz null,
    confirmation_token varchar(255) null,
    confirmation_sent_at timestamptz null,
    recovery_token varchar(255) null,
    recovery_sent_at timestamptz null,
    email_change_token_new varchar(255) null,
    email_change varchar(255) null,
    email_change_sent_at timestamptz null,
    last_sign_in_at timestamptz null,
    raw_app_meta_data jsonb null,
    raw_user_meta_data jsonb null,
    is_super_admin bool null,
    created_at timestamptz null,
    updated_at timestamptz null,
    phone text null unique default null,
    phone_confirmed_at timestamptz null default null,
    phone_change text null default '',
    phone_change_token varchar(255) null default '',
    phone_change_sent_at timestamptz null default null,
    confirmed_at timestamptz generated always as (least(email_confirmed_at, phone_confirmed_at)) stored,
    email_change_token_current varchar(255) null default '',
    email_change_confirm_status smallint default 0
        check (email_change_confirm_status >= 0 and email_change_confirm_status <= 2),
    banned_until timestamptz null,
    reauthentication_token varchar(255) null default '',
    reauthentication_sent_at timestamptz null default null,
    is_sso_user boolean not null default false,
    deleted_at timestamptz null,
    is_anonymous boolean not null default false,
    constraint users_pkey primary key (id)
);
comment on table auth.users is 'Auth: Stores user login data within a secure schema.';
comment on column auth.users.is_sso_user is 'Auth: Set this column to true when the account comes from SSO. These accounts can have duplicate emails.';
create index users_instance_id_email_idx on auth.users using btree (instance_id, lower(email));
create index users_instance_id_idx on auth.users using btree (instance_id);
create unique index confirmation_token_idx on auth.users using btree (confirmation_token) where confirmation_token !~ '^[0-9 ]*$';
create unique index recovery_token_idx on auth.users using btree (recovery_token) where recovery_token !~ '^[0-9 ]*$';
create unique index email_change_token_current_idx on auth.users using btree (email_change_token_current) where email_change_token_current !~ '^[0-9 ]*$';
create unique index email_change_token_new_idx on auth.users using btree (email_change_token_new) where email_change_token_new !~ '^[0-9 ]*$';
create unique index reauthentication_token_idx on auth.users using btree (reauthentication_token) where reauthentication_token !~ '^[0-9 ]*$';
create unique index users_email_partial_key on auth.users (email) where (is_sso_user = false);
comment on index auth.users_email_partial_key is 'Auth: A partial unique index that applies only when is_sso_user is false';
create index users_is_anonymous_idx on auth.users using btree (is_anonymous);

-- GoTrue's helpers, as update_auth_functions (20220224000811) and
-- add_auth_jwt_function (20220531120530) define them: PostgREST sets
-- request.jwt.claims (the whole claims object) for every request; the
-- request.jwt.claim.* settings are what PostgREST before v9 set.
create or replace function auth.uid()
returns uuid
language sql stable
as $$
  select
  coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
$$;

create or replace function auth.role()
returns text
language sql stable
as $$
  select
  coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text
$$;

create or replace function auth.email()
returns text
language sql stable
as $$
  select
  coalesce(
    nullif(current_setting('request.jwt.claim.email', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
  )::text
$$;

create or replace function auth.jwt()
returns jsonb
language sql stable
as $$
  select
    coalesce(
        nullif(current_setting('request.jwt.claim', true), ''),
        nullif(current_setting('request.jwt.claims', true), '')
    )::jsonb
$$;

comment on function auth.uid() is 'Deprecated. Use auth.jwt() -> ''sub'' instead.';
comment on function auth.role() is 'Deprecated. Use auth.jwt() -> ''role'' instead.';
comment on function auth.email() is 'Deprecated. Use auth.jwt() -> ''email'' instead.';

-- auth-schema.sql, update-auth-owner.sql, update-auth-permissions.sql and
-- GoTrue's enable_rls_update_grants: the API roles may use the schema (so
-- policies can call auth.uid()) but get no privilege on auth.users.
grant usage on schema auth to anon, authenticated, service_role;
grant all privileges on schema auth to supabase_auth_admin;
alter table auth.users owner to supabase_auth_admin;
alter function auth.uid() owner to supabase_auth_admin;
alter function auth.role() owner to supabase_auth_admin;
alter function auth.email() owner to supabase_auth_admin;
alter function auth.jwt() owner to supabase_auth_admin;
alter table auth.users enable row level security;
grant usage on schema auth to postgres;
grant all on schema auth to postgres;
grant all on all tables in schema auth to postgres;
grant all on all routines in schema auth to postgres;
grant select on auth.users to postgres with grant option;
alter default privileges for role supabase_auth_admin in schema auth grant all on tables to postgres;
alter default privileges for role supabase_auth_admin in schema auth grant all on sequences to postgres;
alter default privileges for role supabase_auth_admin in schema auth grant all on routines to postgres;

-- storage -------------------------------------------------------------------

create schema if not exists storage authorization supabase_admin;
grant usage on schema storage to postgres, anon, authenticated, service_role;
grant all privileges on schema storage to supabase_storage_admin;
grant all on schema storage to postgres;

-- The tables only (no storage API runs here), with the columns storage's
-- tenant migrations have added over time (public, avif_autodetection,
-- file_size_limit, allowed_mime_types, owner_id; path_tokens, version,
-- user_metadata), so that storage policies in a project's migrations load.
create table storage.buckets (
    id text not null,
    name text not null,
    owner uuid,
    created_at timestamptz default now(),
    updated_at timestamptz default now(),
    public boolean default false,
    avif_autodetection boolean default false,
    file_size_limit bigint,
    allowed_mime_types text[],
    owner_id text,
    primary key (id)
);
create unique index bname on storage.buckets using btree (name);
comment on column storage.buckets.owner is 'Field is deprecated, use owner_id instead';

create table storage.objects (
    id uuid not null default gen_random_uuid(),
    bucket_id text,
    name text,
    owner uuid,
    created_at timestamptz default now(),
    updated_at timestamptz default now(),
    last_accessed_at timestamptz default now(),
    metadata jsonb,
    path_tokens text[] generated always as (string_to_array(name, '/')) stored,
    version text,
    owner_id text,
    user_metadata jsonb,
    constraint "objects_bucketId_fkey" foreign key (bucket_id) references storage.buckets (id),
    primary key (id)
);
create unique index bucketid_objname on storage.objects using btree (bucket_id, name);
create index name_prefix_search on storage.objects (name text_pattern_ops);
comment on column storage.objects.owner is 'Field is deprecated, use owner_id instead';

alter table storage.buckets enable row level security;
alter table storage.objects enable row level security;

-- The path helpers storage policies call, e.g.
-- (storage.foldername(name))[1] = auth.uid()::text.
create or replace function storage.foldername(name text)
returns text[]
language plpgsql
immutable
as $function$
declare
    _parts text[];
begin
    select string_to_array(name, '/') into _parts;
    return _parts[1 : array_length(_parts, 1) - 1];
end
$function$;

create or replace function storage.filename(name text)
returns text
language plpgsql
immutable
as $function$
declare
    _parts text[];
begin
    select string_to_array(name, '/') into _parts;
    return _parts[array_length(_parts, 1)];
end
$function$;

create or replace function storage.extension(name text)
returns text
language plpgsql
immutable
as $function$
declare
    _parts text[];
    _filename text;
begin
    select string_to_array(name, '/') into _parts;
    select _parts[array_length(_parts, 1)] into _filename;
    return reverse(split_part(reverse(_filename), '.', 1));
end
$function$;

alter table storage.buckets owner to supabase_storage_admin;
alter table storage.objects owner to supabase_storage_admin;
alter function storage.foldername(text) owner to supabase_storage_admin;
alter function storage.filename(text) owner to supabase_storage_admin;
alter function storage.extension(text) owner to supabase_storage_admin;
-- storage's buckets-objects-grants migrations.
grant all on storage.buckets, storage.objects to postgres with grant option;
grant all on storage.buckets, storage.objects to service_role, authenticated, anon;
alter default privileges for role supabase_admin in schema storage
    grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema storage
    grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema storage
    grant all on sequences to postgres, anon, authenticated, service_role;

-- supamock: the scenario clock and --seed inside the database ----------------
-- Not Supabase's. now(), transaction_timestamp() and gen_random_uuid()
-- written without a schema resolve here rather than in pg_catalog (or
-- pgcrypto's gen_random_uuid in extensions) for every search_path that names
-- this schema before those: postgres's (so the
-- defaults a migration declares bind to these functions) and the one the
-- engine sets for each request and for GoTrue's writes. supamock.now is set
-- per transaction to the scenario clock (unset: Postgres's own now());
-- supamock.seed per database from --seed. Postgres's own functions stay
-- reachable as pg_catalog.now() and pg_catalog.gen_random_uuid();
-- current_timestamp and the other SQL-standard keywords cannot be redirected.
create schema supamock;
grant usage on schema supamock to public;
create function supamock.now() returns timestamptz language sql stable parallel safe as $$
  select coalesce(nullif(current_setting('supamock.now', true), '')::timestamptz, pg_catalog.now())
$$;
create function supamock.transaction_timestamp() returns timestamptz language sql stable
  parallel safe as $$ select supamock.now() $$;
-- Version 4 UUIDs from md5(seed ':' counter): the counter is a sequence, so
-- a database cloned from the template replays the template's next values.
-- In a read-only transaction (nextval is refused there) Postgres's random
-- UUID is the answer.
create sequence supamock.uuid_counter;
grant usage on sequence supamock.uuid_counter to public;
create function supamock.gen_random_uuid() returns uuid language plpgsql volatile as $$
declare
  h text;
begin
  begin
    h := md5(coalesce(current_setting('supamock.seed', true), '') || ':'
             || nextval('supamock.uuid_counter')::text);
  exception when read_only_sql_transaction then
    return pg_catalog.gen_random_uuid();
  end;
  return (substr(h, 1, 12) || '4' || substr(h, 14, 3)
          || substr('89ab', (('x' || substr(h, 17, 1))::bit(4)::int & 3) + 1, 1)
          || substr(h, 18, 15))::uuid;
end
$$;

-- demote-postgres.sql ---------------------------------------------------------

grant all on database postgres to postgres;
grant all on all tables in schema extensions to postgres;
grant all on all sequences in schema extensions to postgres;
grant all on all routines in schema extensions to postgres;
-- Supabase leaves `postgres` CREATEROLE and guards it with supautils; here the
-- statements supautils would allow go through pg_gate (pg_gate.h) instead.
alter role postgres nosuperuser createdb nocreaterole login replication bypassrls;

-- The search paths that find the supamock schema above (server-wide, so not
-- applied to an existing server: there requests still find it).
alter role postgres set search_path to "$user", public, supamock, extensions, pg_catalog;
alter role supabase_auth_admin set search_path = auth, supamock, pg_catalog;
