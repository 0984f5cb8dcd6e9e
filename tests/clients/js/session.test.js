// supabase-js's session handling against the default scenario. auth-js compares
// a session's expires_at and a JWT's exp with the machine's own clock
// (GoTrueClient#__loadSession refreshes when expires_at is less than
// EXPIRY_MARGIN_MS ahead; getClaims calls validateExp, which throws
// "JWT has expired" when exp <= Date.now()/1000), so the sessions supamock
// mints must expire in the real future: the default scenario runs on real time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { startSupamock, ANON_KEY } from './supamock.js';

const DEMO_USER = '13ab4cf1-8587-4685-874b-c2d37beeab38';

let mock;

before(async () => {
  mock = await startSupamock([]);
});

after(async () => {
  await mock.stop();
});

function client(url) {
  return createClient(url, ANON_KEY, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket },
  });
}

async function signIn(supabase) {
  const { data, error } = await supabase.auth.signInWithPassword({
    email: 'demo@example.com',
    password: 'demo-password',
  });
  assert.equal(error, null);
  return data.session;
}

// The grants of POST /auth/v1/token the journal holds (admin API).
async function tokenGrants(url) {
  const res = await fetch(`${url}/__mock/requests?method=POST&path=/auth/v1/token`);
  assert.equal(res.status, 200);
  const { requests } = await res.json();
  return requests.map((r) => r.query.grant_type); // oldest first
}

test('on the default scenario getClaims() verifies the session and returns its claims', async () => {
  const supabase = client(mock.url);
  const session = await signIn(supabase);
  const now = Math.floor(Date.now() / 1000);
  assert.ok(session.expires_at > now + 3000, `expires_at ${session.expires_at} is not an hour ahead of ${now}`);
  const { data, error } = await supabase.auth.getClaims();
  assert.equal(error, null);
  assert.equal(data.claims.sub, DEMO_USER);
  assert.equal(data.claims.role, 'authenticated');
  assert.equal(data.claims.exp, session.expires_at);
  assert.equal(data.header.alg, 'HS256');
});

test('on the default scenario getSession() returns the session without refreshing it', async () => {
  await fetch(`${mock.url}/__mock/requests`, { method: 'DELETE' });
  const supabase = client(mock.url);
  const session = await signIn(supabase);
  for (let i = 0; i < 4; i++) {
    const { data, error } = await supabase.auth.getSession();
    assert.equal(error, null);
    assert.equal(data.session.access_token, session.access_token);
    assert.equal(data.session.refresh_token, session.refresh_token);
  }
  assert.deepEqual(await tokenGrants(mock.url), ['password']);
});

test('a fixed clock in the past gives sessions supabase-js holds expired (why default is real time)', async () => {
  const past = await startSupamock(['--clock', '2026-01-01T00:00:00Z']);
  try {
    const supabase = client(past.url);
    const session = await signIn(supabase);
    assert.equal(session.expires_at, 1767229200); // 2026-01-01T01:00:00Z
    // getSession() finds the session expired and refreshes it (refresh tokens
    // rotate; the new access token is minted on the same clock, so it is
    // expired too).
    const { data } = await supabase.auth.getSession();
    assert.notEqual(data.session.refresh_token, session.refresh_token);
    assert.equal(data.session.expires_at, 1767229200);
    assert.deepEqual(await tokenGrants(past.url), ['password', 'refresh_token']);
    const { data: claims, error } = await supabase.auth.getClaims();
    assert.equal(claims, null);
    assert.equal(error.name, 'AuthInvalidJwtError');
    assert.equal(error.message, 'JWT has expired');
  } finally {
    await past.stop();
  }
});
