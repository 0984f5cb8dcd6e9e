// @supabase/supabase-js's select strings with resource embedding against
// supamock: .select('*, rel(*)'), !inner and spreads, as a backend writes
// them. Expected rows are those of PostgREST's spec tests over the same
// fixture tables (test/spec/Feature/Query/QuerySpec.hs, EmbedInnerJoinSpec.hs,
// SpreadQueriesSpec.hs; tests/fixtures/embed.json holds their data).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { createClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { startSupamock, SERVICE_ROLE_KEY, SOURCE_DIR } from './supamock.js';

let mock;
let supabase;

before(async () => {
  mock = await startSupamock(['--scenario', path.join(SOURCE_DIR, 'tests/fixtures/embed.json')]);
  supabase = createClient(mock.url, SERVICE_ROLE_KEY, {
    auth: { persistSession: false },
    realtime: { transport: WebSocket },
  });
});

after(async () => {
  await mock.stop();
});

test("select('*, clients(*)') embeds the parent (QuerySpec.hs:629)", async () => {
  const res = await supabase.from('projects').select('id, name, clients(*), tasks(id, name)').eq('id', 1);
  assert.equal(res.error, null);
  assert.deepEqual(res.data, [{
    id: 1, name: 'Windows 7', clients: { id: 1, name: 'Microsoft' },
    tasks: [{ id: 1, name: 'Design w7' }, { id: 2, name: 'Code w7' }],
  }]);
});

test('!inner with a filter on the embed (EmbedInnerJoinSpec.hs:36)', async () => {
  const res = await supabase.from('projects').select('id, clients!inner(id)').eq('clients.id', 1);
  assert.equal(res.error, null);
  assert.deepEqual(res.data, [{ id: 1, clients: { id: 1 } }, { id: 2, clients: { id: 1 } }]);
});

test('a spread and an embedded order and limit (SpreadQueriesSpec.hs:14)', async () => {
  const res = await supabase.from('projects').select('id, ...clients(client_name:name)').order('id');
  assert.equal(res.error, null);
  assert.deepEqual(res.data, [
    { id: 1, client_name: 'Microsoft' }, { id: 2, client_name: 'Microsoft' },
    { id: 3, client_name: 'Apple' }, { id: 4, client_name: 'Apple' }, { id: 5, client_name: null },
  ]);
  // supabase-js's foreignTable/referencedTable options write tasks.order and tasks.limit.
  const top = await supabase.from('projects').select('id, tasks(id, name)').eq('id', 1)
    .order('name', { referencedTable: 'tasks' }).limit(1, { referencedTable: 'tasks' });
  assert.equal(top.error, null);
  assert.deepEqual(top.data, [{ id: 1, tasks: [{ id: 2, name: 'Code w7' }] }]);
});

test('an unknown relationship is PGRST200 with the fuzzy hint (Error.hs noRelBetweenHint)', async () => {
  const res = await supabase.from('projects').select('id, cliente(*)');
  assert.equal(res.status, 400);
  assert.equal(res.error.code, 'PGRST200');
  assert.equal(res.error.hint, "Perhaps you meant 'clients' instead of 'cliente'.");
});

test(".in(col, []) is in.(): no row, and .not(col, 'in', '()') every row (QuerySpec.hs:1362)", async () => {
  // postgrest-js writes .in('id', []) as id=in.() (PostgrestFilterBuilder.ts
  // in()); PostgREST v14 answers [] for it (QuerySpec.hs:1362) and builds
  // "id" = ANY('{}'), so not.in.() is NOT (... = ANY('{}')): every row.
  const none = await supabase.from('projects').select('id').in('id', []);
  assert.equal(none.error, null);
  assert.deepEqual(none.data, []);
  const all = await supabase.from('projects').select('id').not('id', 'in', '()').order('id');
  assert.equal(all.error, null);
  assert.deepEqual(all.data.map((r) => r.id), [1, 2, 3, 4, 5]);
  // Aggregates are off in this scenario (db_aggregates_enabled false): PGRST123.
  const counted = await supabase.from('projects').select('client_id, count()').order('client_id');
  assert.equal(counted.status, 400);
  assert.equal(counted.error.code, 'PGRST123');
});
