-- Part 2: relationships (one-to-many, many-to-many through a junction,
-- self-reference, a composite foreign key), CHECK constraints, defaults.
create table teams (
  id integer primary key,
  name text not null unique,
  slug varchar(16) not null default 'team',
  created_at timestamp with time zone not null default '2026-01-01 00:00:00+00'
);

create table members (
  team_id integer not null references teams (id) on delete cascade,
  user_id uuid not null,
  role text not null default 'member' check (role in ('owner', 'member')),
  primary key (team_id, user_id)
);

create table projects (
  id integer primary key,
  team_id integer references teams (id),
  parent_id integer references projects (id),
  owner_id uuid,
  title text not null check (title <> ''),
  budget numeric(12, 2) default 0,
  is_public boolean not null default false,
  state mood not null default 'ok'
);

create table tags (
  id integer primary key,
  label text not null unique
);

create table project_tags (
  project_id integer not null references projects (id) on delete cascade,
  tag_id integer not null references tags (id) on delete cascade,
  primary key (project_id, tag_id)
);

create table versions (
  project_id integer not null references projects (id),
  version integer not null,
  notes text,
  primary key (project_id, version)
);

create table releases (
  id integer primary key,
  project_id integer not null,
  version integer not null,
  channel text not null default 'stable',
  foreign key (project_id, version) references versions (project_id, version)
);

create table notes (
  id integer primary key,
  author_email text,
  body text not null,
  private boolean not null default true
);
