// supabase-js's auth client against the account features of supamock's
// GoTrue: signInAnonymously then updateUser to link an email, an admin ban
// refusing signInWithPassword, a soft deleteUser, listUsers paging,
// signOut scopes, and MFA (enroll, challenge, verify with a TOTP computed here
// with node's crypto HMAC, getAuthenticatorAssuranceLevel). Expected values
// follow supabase/auth (internal/api/anonymous.go, admin.go, pagination.go,
// logout.go, mfa.go, auth.go, token.go) and supabase-js (GoTrueClient.ts,
// GoTrueAdminApi.ts). The fixture enables anonymous sign-ins; the clock is
// real so that supabase-js accepts the sessions' exp.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { startSupamock, ANON_KEY, SERVICE_ROLE_KEY } from './supamock.js';

let mock;

before(async () => {
  mock = await startSupamock(['--scenario', 'tests/fixtures/auth-account.json', '--clock', 'real']);
});

after(async () => {
  await mock.stop();
});

const client = (key = ANON_KEY) =>
  createClient(mock.url, key, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket },
  });

const admin = () => client(SERVICE_ROLE_KEY).auth.admin;

function claims(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());
}

// RFC 6238 as pquerna/otp validates it: HMAC-SHA1, 30 s steps, 6 digits.
function totp(secret, unixSeconds) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of secret) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const key = Buffer.alloc(Math.floor(bits.length / 8));
  for (let i = 0; i < key.length; i++) key[i] = parseInt(bits.slice(i * 8, i * 8 + 8), 2);
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(unixSeconds / 30)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const off = mac[mac.length - 1] & 15;
  return String((mac.readUInt32BE(off) & 0x7fffffff) % 1000000).padStart(6, '0');
}

async function makeUser(email, password = 'account-password') {
  const { data, error } = await admin().createUser({ email, password, email_confirm: true });
  assert.equal(error, null);
  return data.user;
}

test('signInAnonymously, then updateUser links an email and a password', async () => {
  const supabase = client();
  const { data, error } = await supabase.auth.signInAnonymously();
  assert.equal(error, null);
  assert.equal(data.user.is_anonymous, true);
  assert.deepEqual(data.user.identities, []);
  assert.equal(claims(data.session.access_token).is_anonymous, true);
  assert.equal(claims(data.session.access_token).amr[0].method, 'anonymous');
  // user.go UserUpdate on an autoconfirm project: emailChangeVerify at once.
  const linked = await supabase.auth.updateUser({ email: 'js-linked@example.com', password: 'linked-password' });
  assert.equal(linked.error, null);
  assert.equal(linked.data.user.is_anonymous, false);
  assert.equal(linked.data.user.email, 'js-linked@example.com');
  const again = await client().auth.signInWithPassword({ email: 'js-linked@example.com', password: 'linked-password' });
  assert.equal(again.error, null);
  assert.equal(again.data.user.id, data.user.id);
});

test('a banned user cannot sign in (user_banned)', async () => {
  const user = await makeUser('js-banned@example.com');
  const { data, error } = await admin().updateUserById(user.id, { ban_duration: '24h' });
  assert.equal(error, null);
  assert.ok(Date.parse(data.user.banned_until) > Date.now() + 23 * 3600 * 1000);
  const res = await client().auth.signInWithPassword({ email: 'js-banned@example.com', password: 'account-password' });
  assert.equal(res.data.session, null);
  assert.equal(res.error.status, 400);
  assert.equal(res.error.code, 'user_banned');
  assert.equal(res.error.message, 'User is banned');
});

test('deleteUser with shouldSoftDelete keeps an obfuscated user', async () => {
  const user = await makeUser('js-soft@example.com');
  const { error } = await admin().deleteUser(user.id, true);
  assert.equal(error, null);
  const { data } = await admin().getUserById(user.id);
  assert.ok(data.user.deleted_at);
  assert.notEqual(data.user.email, 'js-soft@example.com');
  assert.deepEqual(data.user.user_metadata, {});
  const res = await client().auth.signInWithPassword({ email: 'js-soft@example.com', password: 'account-password' });
  assert.equal(res.error.code, 'invalid_credentials');
});

test('listUsers pages with the Link and X-Total-Count headers', async () => {
  await makeUser('js-page-a@example.com');
  await makeUser('js-page-b@example.com');
  const all = await admin().listUsers();
  assert.equal(all.error, null);
  const total = all.data.total;
  assert.equal(all.data.users.length, total);
  assert.equal(all.data.aud, 'authenticated');
  const first = await admin().listUsers({ page: 1, perPage: 1 });
  assert.equal(first.error, null);
  assert.equal(first.data.users.length, 1);
  assert.equal(first.data.total, total);
  assert.equal(first.data.nextPage, 2);
  // supabase-js reads one digit of the page number from each link.
  assert.equal(first.data.lastPage, Number(String(total)[0]));
  const second = await admin().listUsers({ page: 2, perPage: 1 });
  assert.notEqual(second.data.users[0].id, first.data.users[0].id);
});

test('signOut scopes: others, local, global', async () => {
  await makeUser('js-scopes@example.com');
  const sign = async () => {
    const c = client();
    const { error } = await c.auth.signInWithPassword({ email: 'js-scopes@example.com', password: 'account-password' });
    assert.equal(error, null);
    return c;
  };
  const a = await sign();
  const b = await sign();
  const { data: bs } = await b.auth.getSession();
  assert.equal((await a.auth.signOut({ scope: 'others' })).error, null);
  const refreshed = await client().auth.refreshSession({ refresh_token: bs.session.refresh_token });
  assert.equal(refreshed.error.code, 'refresh_token_not_found');
  assert.equal((await a.auth.getUser()).error, null);
  const c = await sign();
  assert.equal((await a.auth.signOut({ scope: 'local' })).error, null);
  assert.equal((await c.auth.getUser()).error, null);
  assert.equal((await c.auth.signOut()).error, null);
});

test('MFA: enroll, challenge, verify to aal2', async () => {
  await makeUser('js-mfa@example.com');
  const supabase = client();
  assert.equal((await supabase.auth.signInWithPassword({ email: 'js-mfa@example.com', password: 'account-password' })).error, null);
  let aal = await supabase.auth.mfa.getAuthenticatorAssuranceLevel();
  assert.deepEqual([aal.data.currentLevel, aal.data.nextLevel], ['aal1', 'aal1']);
  const enrolled = await supabase.auth.mfa.enroll({ factorType: 'totp', friendlyName: 'js phone' });
  assert.equal(enrolled.error, null);
  assert.equal(enrolled.data.type, 'totp');
  assert.match(enrolled.data.totp.qr_code, /^data:image\/svg\+xml;utf-8,<\?xml version="1.0"\?>/);
  assert.match(enrolled.data.totp.uri, /^otpauth:\/\/totp\/127\.0\.0\.1:3000:js-mfa@example\.com\?/);
  const factorId = enrolled.data.id;
  const challenge = await supabase.auth.mfa.challenge({ factorId });
  assert.equal(challenge.error, null);
  const wrong = await supabase.auth.mfa.verify({ factorId, challengeId: challenge.data.id, code: '12345' });
  assert.equal(wrong.error.code, 'mfa_verification_failed');
  const code = totp(enrolled.data.totp.secret, Math.floor(Date.now() / 1000));
  const verified = await supabase.auth.mfa.verify({ factorId, challengeId: challenge.data.id, code });
  assert.equal(verified.error, null);
  assert.equal(claims(verified.data.access_token).aal, 'aal2');
  assert.deepEqual(claims(verified.data.access_token).amr.map((a) => a.method), ['totp', 'password']);
  aal = await supabase.auth.mfa.getAuthenticatorAssuranceLevel();
  assert.deepEqual([aal.data.currentLevel, aal.data.nextLevel], ['aal2', 'aal2']);
  // RLS policies read auth.jwt()->>'aal'.
  const { data: rows, error } = await supabase.from('vault').select('secret');
  assert.equal(error, null);
  assert.deepEqual(rows, [{ secret: 'behind mfa' }]);
  const factors = await supabase.auth.mfa.listFactors();
  assert.deepEqual(factors.data.totp.map((f) => f.id), [factorId]);
  assert.equal((await supabase.auth.mfa.unenroll({ factorId })).error, null);
});
