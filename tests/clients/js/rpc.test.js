// @supabase/supabase-js's .rpc() against supamock's two engines, on the rpc
// project folder (tests/fixtures/projects/rpc; the memory engine reads the
// same SQL through its memory.json). What postgrest-js sends:
// POST /rpc/fn with the arguments as a JSON body, GET /rpc/fn?arg=value with
// { get: true }, HEAD with { head: true }, and filters/order/range chained on
// the call's result. Expected values: what PostgreSQL 15 answers for the
// fixture's functions; errors as PostgREST v14 maps them (Error.hs: PGRST202,
// P0001 400, PTxyz, 25006 405) and postgrest-js surfaces them (error object
// with code, message, details, hint; status).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { startSupamock, SERVICE_ROLE_KEY, ANON_KEY, SOURCE_DIR } from './supamock.js';

const PG_BIN = '/usr/lib/postgresql/15/bin/postgres';
const RPC = path.join(SOURCE_DIR, 'tests/fixtures/projects/rpc');
const ENGINES = [
  ['database', ['--project', RPC],
   fs.existsSync(PG_BIN) ? false : 'PostgreSQL 15 (postgresql-15) is not installed'],
  ['memory', ['--scenario', path.join(RPC, 'memory.json')], false],
];

for (const [engine, args, skip] of ENGINES) describe(`on the ${engine} engine`, () => {
  let mock;
  let supabase;

  before(async () => {
    if (skip) return;
    mock = await startSupamock(args);
    supabase = createClient(mock.url, SERVICE_ROLE_KEY, {
      auth: { persistSession: false },
      realtime: { transport: WebSocket },
    });
  });

  after(async () => {
    if (mock) await mock.stop();
  });

  test('a scalar function by POST and by GET', { skip }, async () => {
    let res = await supabase.rpc('add_them', { a: 1, b: 2 });
    assert.equal(res.error, null);
    assert.equal(res.status, 200);
    assert.equal(res.data, 3);
    res = await supabase.rpc('add_them', { a: 40, b: 2 }, { get: true });
    assert.equal(res.data, 42);
  });

  test('a SETOF function with filters, order and range, and a count', { skip }, async () => {
    const res = await supabase
      .rpc('get_items', {}, { count: 'exact' })
      .select('name, qty')
      .gt('qty', 1)
      .order('qty', { ascending: false })
      .range(0, 0);
    assert.equal(res.error, null);
    assert.equal(res.status, 206);
    assert.deepEqual(res.data, [{ name: 'plum', qty: 12 }]);
    assert.equal(res.count, 2);
  });

  test('single(), a void function and HEAD', { skip }, async () => {
    let res = await supabase.rpc('first_item').single();
    assert.deepEqual(res.data, { id: 1, name: 'apple', qty: 5 });
    res = await supabase.rpc('ping');
    assert.equal(res.error, null);
    assert.equal(res.status, 204);
    assert.equal(res.data, null);
    res = await supabase.rpc('get_items', {}, { head: true, count: 'exact' });
    assert.equal(res.status, 200);
    assert.equal(res.count, 3);
  });

  test('errors: PGRST202 with the hint, RAISE, PTxyz, read-only GET, EXECUTE', { skip }, async () => {
    let res = await supabase.rpc('add_thm', { a: 1, b: 2 });
    assert.equal(res.status, 404);
    assert.equal(res.error.code, 'PGRST202');
    assert.equal(res.error.message, 'Could not find the function public.add_thm(a, b) in the schema cache');
    assert.equal(res.error.hint, 'Perhaps you meant to call the function public.add_them');
    res = await supabase.rpc('fail_custom');
    assert.equal(res.status, 400);
    assert.deepEqual(
      { code: res.error.code, message: res.error.message, details: res.error.details, hint: res.error.hint },
      { code: 'P0001', message: 'Out of stock', details: 'item 3 has none left', hint: 'Restock first' },
    );
    res = await supabase.rpc('pay_first');
    assert.equal(res.status, 402);
    assert.equal(res.error.code, 'PT402');
    res = await supabase.rpc('use_quota', { who: 'nobody' }, { get: true });
    assert.equal(res.status, 405);
    assert.equal(res.error.code, '25006');
    const anon = createClient(mock.url, ANON_KEY, {
      auth: { persistSession: false },
      realtime: { transport: WebSocket },
    });
    res = await anon.rpc('secret');
    assert.equal(res.status, 401);
    assert.equal(res.error.message, 'permission denied for function secret');
  });
});
