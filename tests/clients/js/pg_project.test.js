// @supabase/supabase-js against a project folder on the database engine
// (--db postgres --project tests/fixtures/projects/profiles): Supabase Auth
// inserts each new user into auth.users, the project's handle_new_user
// trigger makes the profile, and row-level security (the project's policies,
// decided by PostgreSQL itself) lets users change their own profile only.
// A trigger that fails makes GoTrue answer 500 unexpected_failure "Database
// error saving new user" (supabase/auth internal/api/signup.go
// signupNewUser; supabase-js sends X-Supabase-Api-Version 2024-01-01, so
// errors.go answers {code, message}), which auth-js (lib/fetch.js handleError:
// 500 is one of NETWORK_ERROR_CODES) surfaces as an AuthRetryableFetchError
// with the body's message and the status.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { createClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { startSupamock, ANON_KEY, SOURCE_DIR } from './supamock.js';

const PG_BIN = '/usr/lib/postgresql/15/bin/postgres';
const PROJECT = path.join(SOURCE_DIR, 'tests', 'fixtures', 'projects', 'profiles');
const ADA = 'c0ffee00-0000-4000-8000-000000000001';
let mock;
let skip = false;

before(async () => {
  try {
    await import('node:fs').then((fs) => fs.promises.access(PG_BIN));
  } catch {
    skip = 'PostgreSQL 15 is not installed';
    return;
  }
  mock = await startSupamock(['--db', 'postgres', '--project', PROJECT], { readyTimeoutMs: 120000 });
});
after(async () => { if (mock) await mock.stop(); });

function client() {
  return createClient(mock.url, ANON_KEY, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket },
  });
}

async function sql(text) {
  const res = await fetch(`${mock.url}/__mock/sql`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ sql: text }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  return res.json();
}

test('signUp makes the profile; users update only their own', async (t) => {
  if (skip) return t.skip(skip);
  const grace = client();
  const { data, error } = await grace.auth.signUp({
    email: 'grace@example.com', password: 'cobol-1959', options: { data: { full_name: 'Grace Hopper' } },
  });
  assert.equal(error, null);
  const uid = data.user.id;
  assert.ok(data.session, 'autoconfirm (enable_confirmations = false) signs the user in');
  // "Public profiles are viewable by everyone.": the trigger's row is there.
  const mine = await grace.from('profiles').select('full_name, username').eq('id', uid).single();
  assert.deepEqual(mine.data, { full_name: 'Grace Hopper', username: null });
  // "Users can update own profile."
  const upd = await grace.from('profiles').update({ username: 'grace' }).eq('id', uid).select('username');
  assert.equal(upd.error, null);
  assert.deepEqual(upd.data, [{ username: 'grace' }]);

  // Ada, seeded by seed.sql with a crypt() password, signs in and cannot
  // touch Grace's row: the policy filters it out, PostgREST answers [].
  const ada = client();
  const signIn = await ada.auth.signInWithPassword({ email: 'ada@example.com', password: 'analytical-engine' });
  assert.equal(signIn.error, null);
  assert.equal(signIn.data.user.id, ADA);
  const theirs = await ada.from('profiles').update({ username: 'not-grace' }).eq('id', uid).select();
  assert.equal(theirs.error, null);
  assert.deepEqual(theirs.data, []);
  const after = await ada.from('profiles').select('username').eq('id', uid).single();
  assert.deepEqual(after.data, { username: 'grace' });
});

test('a failing signup trigger is GoTrue\'s 500', async (t) => {
  if (skip) return t.skip(skip);
  await sql(`create or replace function public.handle_new_user() returns trigger set search_path = ''
             as $$ begin raise exception 'closed'; end; $$ language plpgsql security definer`);
  const { data, error } = await client().auth.signUp({ email: 'late@example.com', password: 'secret-123' });
  assert.equal(data.user, null);
  assert.equal(error.name, 'AuthRetryableFetchError');
  assert.equal(error.status, 500);
  assert.equal(error.message, 'Database error saving new user');
  const rows = await sql("select count(*)::int as n from auth.users where email = 'late@example.com'");
  assert.deepEqual(rows.results[0].rows, [{ n: 0 }]);
});
