// supabase-js pointed at a session's base URL (`${url}/s/${id}`): an
// unmodified client reaches the session's rows, and the root's stay apart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { startSupamock, SERVICE_ROLE_KEY } from './supamock.js';

let mock;

before(async () => {
  mock = await startSupamock();
});

after(async () => {
  await mock.stop();
});

const client = (base) =>
  createClient(base, SERVICE_ROLE_KEY, {
    auth: { persistSession: false },
    realtime: { transport: WebSocket },
  });

test('a client on /s/ID sees its session alone', async () => {
  const res = await fetch(`${mock.url}/__mock/sessions`, { method: 'POST' });
  assert.equal(res.status, 201);
  const { id, url } = await res.json();
  assert.equal(url, `${mock.url}/s/${id}`);

  const inSession = client(url);
  const root = client(mock.url);
  const { error } = await inSession.from('profiles').delete().neq('email', '');
  assert.equal(error, null);
  const { data: mine } = await inSession.from('profiles').select('email');
  assert.deepEqual(mine, []);
  const { data: theirs } = await root.from('profiles').select('email');
  assert.deepEqual(theirs, [{ email: 'demo@example.com' }]);

  const { data: signIn, error: authError } = await inSession.auth.signInWithPassword({
    email: 'demo@example.com',
    password: 'demo-password',
  });
  assert.equal(authError, null);
  assert.equal(signIn.user.email, 'demo@example.com');
  const journal = await (await fetch(`${url}/__mock/requests?path=/auth/v1/*`)).json();
  assert.equal(journal.requests.length, 1);
  const rootJournal = await (await fetch(`${mock.url}/__mock/requests?path=/auth/v1/*`)).json();
  assert.equal(rootJournal.requests.length, 0);

  assert.equal((await fetch(`${mock.url}/__mock/sessions/${id}`, { method: 'DELETE' })).status, 200);
  const gone = await inSession.from('profiles').select('email');
  assert.equal(gone.status, 404);
});
