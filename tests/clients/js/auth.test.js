// supabase-js auth against supamock: signInWithPassword, getUser, a signup
// that creates a profile through on_signup, then the Data API as the signed-in
// user. Expected values follow GoTrue (supabase/auth internal/api) and supabase-js
// and the seed data of scenarios/default.json. With the scenario's own-row RLS
// policies the demo user sees exactly its own profile row.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { startSupamock, ANON_KEY } from './supamock.js';

const DEMO_USER = '13ab4cf1-8587-4685-874b-c2d37beeab38';
const DEMO_PROFILE = {
  id: '5f0c6a4e-7a43-4c1b-9d55-2d4bce1f0a11',
  user_id: DEMO_USER,
  email: 'demo@example.com',
  full_name: 'Demo User',
  free_image_quota: 5,
};
// row_to_json's timestamptz: microseconds when not zero, always +00:00.
const TIMESTAMPTZ = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?\+00:00$/;

let mock;
let started;

function client() {
  return createClient(mock.url, ANON_KEY, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket },
  });
}

before(async () => {
  started = Date.now();
  mock = await startSupamock([]);
});

after(async () => {
  await mock.stop();
});

test('signInWithPassword returns a session for the demo user', async () => {
  const supabase = client();
  const { data, error } = await supabase.auth.signInWithPassword({
    email: 'demo@example.com',
    password: 'demo-password',
  });
  assert.equal(error, null);
  assert.equal(data.user.id, DEMO_USER);
  assert.equal(data.user.email, 'demo@example.com');
  assert.equal(data.session.token_type, 'bearer');
  assert.equal(data.session.expires_in, 3600);
  const { data: got, error: getErr } = await supabase.auth.getUser();
  assert.equal(getErr, null);
  assert.equal(got.user.id, DEMO_USER);
  assert.deepEqual(got.user.app_metadata, { provider: 'email', providers: ['email'] });
});

test('a wrong password is an AuthApiError with GoTrue\'s code', async () => {
  const { data, error } = await client().auth.signInWithPassword({
    email: 'demo@example.com',
    password: 'wrong-password',
  });
  assert.equal(data.session, null);
  assert.equal(error.name, 'AuthApiError');
  assert.equal(error.status, 400);
  assert.equal(error.code, 'invalid_credentials');
  assert.equal(error.message, 'Invalid login credentials');
});

test('signUp creates a profile; the demo user then reads only its own row', async () => {
  const other = client();
  const { data: up, error: upErr } = await other.auth.signUp({
    email: 'another@example.com',
    password: 'another-password',
  });
  assert.equal(upErr, null);
  assert.ok(up.session, 'autoconfirm answers with a session');
  const mine = await other.from('profiles').select('user_id, email');
  assert.equal(mine.error, null);
  assert.ok(mine.data.some((r) => r.user_id === up.user.id && r.email === 'another@example.com'));

  const supabase = client();
  const { error } = await supabase.auth.signInWithPassword({
    email: 'demo@example.com',
    password: 'demo-password',
  });
  assert.equal(error, null);
  const res = await supabase.from('profiles').select('*');
  assert.equal(res.error, null);
  assert.equal(res.status, 200);
  // "Users can view own profile": auth.uid() = user_id.
  assert.equal(res.data.length, 1);
  const { created_at: created, updated_at: updated, ...row } = res.data[0];
  assert.deepEqual(row, DEMO_PROFILE);
  // The default scenario runs on real time: the seed row got now() when the
  // server loaded it (tests/fixtures/two-users.json pins the clock, and
  // profiles.test.js checks the exact value there).
  assert.match(created, TIMESTAMPTZ);
  assert.equal(updated, created);
  const at = Date.parse(created);
  assert.ok(at >= started - 1 && at <= Date.now(), `${created} is not between the start and now`);
});
