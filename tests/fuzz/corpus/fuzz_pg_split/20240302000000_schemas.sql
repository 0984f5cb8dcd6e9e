/* An exposed schema `api` in front of a private one, as Supabase's docs
   suggest for a custom API schema. */
create schema api;
create schema private;
grant usage on schema api to anon, authenticated, service_role;

create table private.products (
  id serial primary key,
  name extensions.citext not null unique,
  price_cents integer not null check (price_cents >= 0),
  tags text[] not null default '{}'
);

create table private.orders (
  id serial primary key,
  product_id integer not null references private.products (id),
  quantity integer not null default 1
);

create view api.products with (security_invoker = true) as
  select id, name, price_cents, tags from private.products;
create view api.order_totals as
  select o.id, p.name, o.quantity * p.price_cents as total_cents
  from private.orders o join private.products p on p.id = o.product_id;

grant select on private.products, private.orders to anon, authenticated, service_role;
grant select on api.products, api.order_totals to anon, authenticated, service_role;

-- A function with a dollar-quoted body holding semicolons and a ';' in a string.
create or replace function api.search_products(q text)
returns setof api.products
language sql stable
as $fn$
  select * from api.products
  where (name operator(extensions.%) q or name::text ilike '%' || q || '%') and ';' = ';';
$fn$;

-- A SQL-standard body (BEGIN ATOMIC), which psql keeps in one statement.
create function api.price_with_tax(cents integer) returns integer
language sql immutable
begin atomic
  select case when cents > 0 then (cents * 119) / 100 else 0 end;
end;

grant execute on function api.search_products(text), api.price_with_tax(integer)
  to anon, authenticated, service_role;

-- PostgREST's in-database configuration.
alter role authenticator set pgrst.db_aggregates_enabled = 'true';
alter role authenticator set pgrst.db_max_rows = '25';
