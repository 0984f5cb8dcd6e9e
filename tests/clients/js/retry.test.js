// supabase-js 2.119.1 retries against the schema-cache-loading scenario
// (scenarios/schema-cache-loading.json: the first two /rest/v1 requests answer
// 503 PGRST002 with Retry-After, then everything works). What is expected: postgrest-js
// retries GET/HEAD on 503/520 at most 3 times, honouring Retry-After, and sends
// X-Retry-Count: n; other methods are not retried (supabase-js PostgrestBuilder.ts,
// supabase/supabase-js#2072); the PGRST002 body is PostgREST's (test_io.py); the
// journal's shape is journal.h's.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { startSupamock, SERVICE_ROLE_KEY } from './supamock.js';

const DEMO_USER = '13ab4cf1-8587-4685-874b-c2d37beeab38';
const PGRST002 = {
  code: 'PGRST002',
  details: null,
  hint: null,
  message: 'Could not query the database for the schema cache. Retrying.',
};

let mock;
let supabase;

async function admin(method, sub) {
  const res = await fetch(`${mock.url}/__mock${sub}`, { method });
  assert.equal(res.status, 200, `${method} /__mock${sub}`);
  return res.json();
}

before(async () => {
  mock = await startSupamock(['--scenario', 'schema-cache-loading']);
  supabase = createClient(mock.url, SERVICE_ROLE_KEY, {
    auth: { persistSession: false },
    realtime: { transport: WebSocket },
  });
});

after(async () => {
  await mock.stop();
});

beforeEach(async () => {
  // Rule counters and the journal start over (POST /__mock/reset).
  await admin('POST', '/reset');
});

test('a GET is retried through two 503 PGRST002 and succeeds', async () => {
  const res = await supabase.from('profiles').select('free_image_quota').eq('user_id', DEMO_USER);
  assert.equal(res.error, null);
  assert.equal(res.status, 200);
  assert.deepEqual(res.data, [{ free_image_quota: 5 }]);

  const { requests } = await admin('GET', '/requests?path=/rest/v1/profiles');
  assert.deepEqual(
    requests.map((e) => [e.method, e.status, e.code, e.headers['x-retry-count']]),
    [
      ['GET', 503, 'PGRST002', undefined], // the first attempt carries no X-Retry-Count
      ['GET', 503, 'PGRST002', '1'],
      ['GET', 200, null, '2'],
    ],
  );
});

test('.retry(false) turns the retries off', async () => {
  const res = await supabase.from('profiles').select('free_image_quota').retry(false);
  assert.equal(res.status, 503);
  assert.deepEqual(res.error, PGRST002);
  assert.deepEqual(await admin('GET', '/requests/count?method=GET'), { count: 1 });
});

test('a PATCH is not retried: the 503 reaches the caller', async () => {
  const res = await supabase.from('profiles').update({ free_image_quota: 4 }).eq('user_id', DEMO_USER);
  assert.equal(res.status, 503);
  assert.equal(res.statusText, 'Service Unavailable');
  assert.equal(res.data, null);
  assert.deepEqual(res.error, PGRST002);
  assert.deepEqual(await admin('GET', '/requests/count?method=PATCH'), { count: 1 });
  const { requests } = await admin('GET', '/requests');
  assert.equal(requests[0].headers['x-retry-count'], undefined);
});
