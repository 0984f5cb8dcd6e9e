// @supabase/supabase-js against supamock: what a backend's data layer sees for
// the profiles table. Expected results follow PostgREST's error
// catalogue (Error.hs), its per-verb statuses and headers, supabase-js's
// result objects, and the seed data in
// scenarios/default.json and tests/fixtures/two-users.json.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { createClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { startSupamock, SERVICE_ROLE_KEY, SOURCE_DIR } from './supamock.js';

const DEMO_USER = '13ab4cf1-8587-4685-874b-c2d37beeab38';
const SECOND_USER = '8d0fd2b3-9ca7-4b6e-a4b9-0a7c4b1d2e3f';
// The seeded profile; created_at/updated_at come from now() on the scenario
// clock (2026-01-01T00:00:00Z), written as row_to_json writes timestamptz.
const DEMO_PROFILE = {
  id: '5f0c6a4e-7a43-4c1b-9d55-2d4bce1f0a11',
  user_id: DEMO_USER,
  email: 'demo@example.com',
  full_name: 'Demo User',
  free_image_quota: 5,
  created_at: '2026-01-01T00:00:00+00:00',
  updated_at: '2026-01-01T00:00:00+00:00',
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let mock;
let supabase;

before(async () => {
  mock = await startSupamock(['--scenario', path.join(SOURCE_DIR, 'tests/fixtures/two-users.json')]);
  // Node 20 has no global WebSocket; realtime-js needs a transport even when
  // no channel is opened (supabase-js's documented fix is the ws package).
  supabase = createClient(mock.url, SERVICE_ROLE_KEY, {
    auth: { persistSession: false },
    realtime: { transport: WebSocket },
  });
});

after(async () => {
  await mock.stop();
});

test('select by user_id returns the seeded profile', async () => {
  const res = await supabase.from('profiles').select('*').eq('user_id', DEMO_USER);
  assert.equal(res.error, null);
  assert.equal(res.status, 200);
  assert.equal(res.statusText, 'OK');
  assert.deepEqual(res.data, [DEMO_PROFILE]);
  assert.equal(res.count, null);
});

test('a misspelt table is PGRST205 with the fuzzy hint', async () => {
  const res = await supabase.from('profile').select('*');
  assert.equal(res.data, null);
  assert.equal(res.status, 404);
  assert.equal(res.statusText, 'Not Found');
  assert.deepEqual(res.error, {
    code: 'PGRST205',
    details: null,
    hint: "Perhaps you meant the table 'public.profiles'",
    message: "Could not find the table 'public.profile' in the schema cache",
  });
});

test('insert().select() returns the new row with defaults applied', async () => {
  const res = await supabase
    .from('profiles')
    .insert({ user_id: SECOND_USER, email: 'second@example.com' })
    .select();
  assert.equal(res.error, null);
  assert.equal(res.status, 201);
  assert.equal(res.statusText, 'Created');
  assert.equal(res.data.length, 1);
  const row = res.data[0];
  assert.match(row.id, UUID); // gen_random_uuid(): a version 4 UUID
  assert.deepEqual({ ...row, id: undefined }, {
    id: undefined,
    user_id: SECOND_USER,
    email: 'second@example.com',
    full_name: null,
    free_image_quota: 5,
    created_at: '2026-01-01T00:00:00+00:00',
    updated_at: '2026-01-01T00:00:00+00:00',
  });
});

test('a second profile for the same user violates profiles_user_id_key', async () => {
  const res = await supabase.from('profiles').insert({ user_id: DEMO_USER });
  assert.equal(res.data, null);
  assert.equal(res.status, 409);
  assert.equal(res.statusText, 'Conflict');
  assert.deepEqual(res.error, {
    code: '23505',
    details: `Key (user_id)=(${DEMO_USER}) already exists.`,
    hint: null,
    message: 'duplicate key value violates unique constraint "profiles_user_id_key"',
  });
});

test('a profile for an unknown user violates profiles_user_id_fkey', async () => {
  const stranger = '00000000-0000-4000-8000-000000000000';
  const res = await supabase.from('profiles').insert({ user_id: stranger });
  assert.equal(res.status, 409);
  assert.deepEqual(res.error, {
    code: '23503',
    details: `Key (user_id)=(${stranger}) is not present in table "users".`,
    hint: null,
    message: 'insert or update on table "profiles" violates foreign key constraint "profiles_user_id_fkey"',
  });
});

test('a bad uuid in a filter is 22P02', async () => {
  const res = await supabase.from('profiles').select('*').eq('user_id', 'not-a-uuid');
  assert.equal(res.status, 400);
  assert.deepEqual(res.error, {
    code: '22P02',
    details: null,
    hint: null,
    message: 'invalid input syntax for type uuid: "not-a-uuid"',
  });
});

test('update().eq().select() changes the row; an unfiltered update is refused', async () => {
  const res = await supabase
    .from('profiles')
    .update({ free_image_quota: 4 })
    .eq('user_id', DEMO_USER)
    .select('user_id, free_image_quota');
  assert.equal(res.error, null);
  assert.equal(res.status, 200);
  assert.deepEqual(res.data, [{ user_id: DEMO_USER, free_image_quota: 4 }]);

  const unfiltered = await supabase.from('profiles').update({ free_image_quota: 0 });
  assert.equal(unfiltered.status, 400);
  // pg-safeupdate, which Supabase loads for the Data API.
  assert.deepEqual(unfiltered.error, {
    code: '21000',
    details: null,
    hint: null,
    message: 'UPDATE requires a WHERE clause',
  });
});

test('upsert on user_id merges into the existing row (200, nothing inserted)', async () => {
  const res = await supabase
    .from('profiles')
    .upsert({ user_id: DEMO_USER, full_name: 'Renamed' }, { onConflict: 'user_id' })
    .select('user_id, full_name, free_image_quota');
  assert.equal(res.error, null);
  assert.equal(res.status, 200);
  assert.deepEqual(res.data, [{ user_id: DEMO_USER, full_name: 'Renamed', free_image_quota: 4 }]);
});

test('single() on no rows is PGRST116; maybeSingle() is data null', async () => {
  const none = '00000000-0000-4000-8000-000000000000';
  const single = await supabase.from('profiles').select('*').eq('user_id', none).single();
  assert.equal(single.status, 406);
  assert.deepEqual(single.error, {
    code: 'PGRST116',
    details: 'The result contains 0 rows',
    hint: null,
    message: 'Cannot coerce the result to a single JSON object',
  });
  const maybe = await supabase.from('profiles').select('*').eq('user_id', none).maybeSingle();
  assert.equal(maybe.error, null);
  assert.equal(maybe.data, null);
});

test('count=exact with head, then delete().eq().select()', async () => {
  const before = await supabase.from('profiles').select('*', { count: 'exact', head: true });
  assert.equal(before.error, null);
  assert.equal(before.count, 2);
  const del = await supabase.from('profiles').delete().eq('user_id', SECOND_USER).select('user_id');
  assert.equal(del.error, null);
  assert.equal(del.status, 200);
  assert.deepEqual(del.data, [{ user_id: SECOND_USER }]);
  const afterDel = await supabase.from('profiles').select('*', { count: 'exact', head: true });
  assert.equal(afterDel.count, 1);
});

test('an unknown column in the payload is PGRST204', async () => {
  const res = await supabase.from('profiles').insert({ user_id: SECOND_USER, avatar_url: 'x' });
  assert.equal(res.status, 400);
  assert.deepEqual(res.error, {
    code: 'PGRST204',
    details: null,
    hint: null,
    message: "Could not find the 'avatar_url' column of 'profiles' in the schema cache",
  });
});
