// Asymmetric signing keys as supabase-js meets them. auth-js getClaims()
// (GoTrueClient#getClaims) verifies an ES256/RS256 token itself: it looks the
// header's kid up in GET {url}/auth/v1/.well-known/jwks.json (fetchJwk) and
// checks the signature with WebCrypto; only a kid it cannot find (or an HS*
// token) falls back to GET /auth/v1/user. So: the es256-signing-keys scenario's
// sessions verify locally through supamock's JWKS, and after a rotation
// (revoked-signing-key) a token signed by the revoked key fails exactly there,
// while a fresh sign-in is signed by the current key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { startSupamock, ANON_KEY, SOURCE_DIR } from './supamock.js';

const DEMO_USER = '13ab4cf1-8587-4685-874b-c2d37beeab38';

// auth-js caches a JWKS per storage key for JWKS_TTL (GLOBAL_JWKS), and the
// default key comes from the host name, the same for both servers here: a
// client that fetched the JWKS before the rotation still trusts the revoked
// key until the cache expires. Each test gets its own storage key.
function client(url, storageKey) {
  return createClient(url, ANON_KEY, {
    auth: { persistSession: false, autoRefreshToken: false, storageKey },
    realtime: { transport: WebSocket },
  });
}

function header(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString());
}

async function journal(url, path) {
  const res = await fetch(`${url}/__mock/requests?path=${encodeURIComponent(path)}`);
  assert.equal(res.status, 200);
  return (await res.json()).requests;
}

async function signIn(supabase) {
  const { data, error } = await supabase.auth.signInWithPassword({
    email: 'demo@example.com',
    password: 'demo-password',
  });
  assert.equal(error, null);
  return data.session;
}

test('ES256 sessions verify through the published JWKS, without asking /auth/v1/user', async () => {
  const mock = await startSupamock(['--scenario', 'es256-signing-keys']);
  try {
    const supabase = client(mock.url, 'es256');
    const session = await signIn(supabase);
    assert.deepEqual(header(session.access_token),
      { alg: 'ES256', kid: 'supamock-test-es256-1', typ: 'JWT' });
    const { data, error } = await supabase.auth.getClaims();
    assert.equal(error, null);
    assert.equal(data.claims.sub, DEMO_USER);
    assert.equal(data.header.alg, 'ES256');
    assert.equal((await journal(mock.url, '/auth/v1/.well-known/jwks.json')).length, 1);
    assert.equal((await journal(mock.url, '/auth/v1/user')).length, 0);
    // The same session reads its own row through RLS.
    const { data: rows, error: e2 } = await supabase.from('profiles').select('user_id');
    assert.equal(e2, null);
    assert.deepEqual(rows, [{ user_id: DEMO_USER }]);
  } finally {
    await mock.stop();
  }
});

test('after a rotation a token of the revoked key fails; a fresh sign-in uses the current key', async () => {
  const mock = await startSupamock(['--scenario', 'revoked-signing-key']);
  try {
    const revoked = execFileSync(process.env.SUPAMOCK_BIN, ['token', '--scenario', 'revoked-signing-key',
      '--role', 'authenticated', '--sub', DEMO_USER, '--kid', 'supamock-test-es256-1'],
    { cwd: SOURCE_DIR }).toString().trim();
    const supabase = client(mock.url, 'rotation');
    // Not in the JWKS: getClaims asks the server, which refuses it (403 bad_jwt).
    const { data, error } = await supabase.auth.getClaims(revoked);
    assert.equal(data, null);
    assert.equal(error.status, 403);
    assert.equal(error.code, 'bad_jwt');
    const users = await journal(mock.url, '/auth/v1/user');
    assert.deepEqual(users.map((r) => r.status), [403]);
    // PostgREST refuses it too (401 PGRST301).
    const res = await fetch(`${mock.url}/rest/v1/profiles?select=user_id`, {
      headers: { apikey: ANON_KEY, Authorization: `Bearer ${revoked}` },
    });
    assert.equal(res.status, 401);
    assert.equal((await res.json()).code, 'PGRST301');
    // A new session: the current key, verified locally.
    const session = await signIn(supabase);
    assert.equal(header(session.access_token).kid, 'supamock-test-es256-2');
    const fresh = await supabase.auth.getClaims();
    assert.equal(fresh.error, null);
    assert.equal(fresh.data.claims.sub, DEMO_USER);
    assert.equal((await journal(mock.url, '/auth/v1/user')).length, 1);
  } finally {
    await mock.stop();
  }
});
