// supabase-js completes every email and phone flow using only supamock's test
// inbox (GET /__mock/inbox): sign-up with confirmation, magic link, email OTP,
// phone OTP, recovery, PKCE (flowType 'pkce' and exchangeCodeForSession),
// invite, generateLink, email change and reauthentication. What a message
// holds follows GoTrue (supabase/auth internal/api/mail.go, verify.go,
// internal/mailer/templatemailer: the link /verify?token=&type=&redirect_to=,
// the six-digit code, the token hash); what the client sends and expects
// follows auth-js (GoTrueClient.ts: signInWithOtp, verifyOtp,
// exchangeCodeForSession, resend, reauthenticate, updateUser, admin.*).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { startSupamock, ANON_KEY, SERVICE_ROLE_KEY, SOURCE_DIR } from './supamock.js';

let auto; // the default project: confirmations off
let confirm; // auth.confirm_email and auth.secure_password_change on
let scenarioFile;

before(async () => {
  auto = await startSupamock([]);
  const text = fs.readFileSync(path.join(SOURCE_DIR, 'tests/fixtures/auth-basic.json'), 'utf8');
  const sc = JSON.parse(text.replace(/^\s*\/\/.*$/gm, ''));
  sc.clock = 'real';
  sc.auth.confirm_email = true;
  sc.auth.secure_password_change = true;
  scenarioFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'supamock-inbox-')), 'confirm.json');
  fs.writeFileSync(scenarioFile, JSON.stringify(sc));
  confirm = await startSupamock(['--scenario', scenarioFile]);
});

after(async () => {
  await auto.stop();
  await confirm.stop();
  fs.rmSync(path.dirname(scenarioFile), { recursive: true, force: true });
});

function client(mock, key = ANON_KEY, flowType = 'implicit') {
  return createClient(mock.url, key, {
    auth: { persistSession: false, autoRefreshToken: false, flowType },
    realtime: { transport: WebSocket },
  });
}

async function inbox(mock, query) {
  const r = await fetch(`${mock.url}/__mock/inbox?${new URLSearchParams(query)}`);
  assert.equal(r.status, 200);
  return r.json();
}

async function lastMessage(mock, query) {
  const msgs = await inbox(mock, query);
  assert.ok(msgs.length > 0, `no message for ${JSON.stringify(query)}`);
  return msgs[msgs.length - 1];
}

// Follows a mailed link as a browser would: GoTrue answers 303 to redirect_to.
async function follow(link) {
  const r = await fetch(link, { redirect: 'manual' });
  assert.equal(r.status, 303);
  return new URL(r.headers.get('location'));
}

test('magic link: signInWithOtp, then the mailed link carries the session', async () => {
  const supabase = client(auto);
  const { error } = await supabase.auth.signInWithOtp({
    email: 'magic@example.com',
    options: { emailRedirectTo: 'http://127.0.0.1:3000/welcome' },
  });
  assert.equal(error, null);
  const m = await lastMessage(auto, { email: 'magic@example.com', kind: 'magiclink' });
  assert.equal(m.subject, 'Your sign-in link');
  const loc = await follow(m.link);
  assert.equal(`${loc.origin}${loc.pathname}`, 'http://127.0.0.1:3000/welcome');
  const frag = new URLSearchParams(loc.hash.slice(1));
  assert.equal(frag.get('type'), 'magiclink');
  const { data, error: setErr } = await supabase.auth.setSession({
    access_token: frag.get('access_token'),
    refresh_token: frag.get('refresh_token'),
  });
  assert.equal(setErr, null);
  assert.equal(data.user.email, 'magic@example.com');
});

test('email OTP: verifyOtp with the mailed code', async () => {
  const supabase = client(auto);
  assert.equal((await supabase.auth.signInWithOtp({ email: 'code@example.com' })).error, null);
  const m = await lastMessage(auto, { email: 'code@example.com' });
  assert.match(m.otp, /^\d{6}$/);
  const { data, error } = await supabase.auth.verifyOtp({
    email: 'code@example.com', token: m.otp, type: 'email',
  });
  assert.equal(error, null);
  assert.equal(data.session.user.email, 'code@example.com');
  // The code is spent: GoTrue's otp_expired.
  const again = await supabase.auth.verifyOtp({ email: 'code@example.com', token: m.otp, type: 'email' });
  assert.equal(again.error.code, 'otp_expired');
  assert.equal(again.error.status, 403);
  assert.equal(again.error.message, 'Token has expired or is invalid');
});

test('phone OTP: signInWithOtp({ phone }), then verifyOtp type sms', async () => {
  const supabase = client(auto);
  const { data: sent, error } = await supabase.auth.signInWithOtp({ phone: '+15550009999' });
  assert.equal(error, null);
  const m = await lastMessage(auto, { phone: '+15550009999' });
  assert.equal(sent.messageId, String(m.id));
  assert.equal(m.body, `Your code is ${m.otp}`);
  const { data, error: vErr } = await supabase.auth.verifyOtp({
    phone: '+15550009999', token: m.otp, type: 'sms',
  });
  assert.equal(vErr, null);
  assert.equal(data.user.phone, '15550009999');
});

test('recovery: resetPasswordForEmail, verifyOtp type recovery, updateUser', async () => {
  const supabase = client(auto);
  assert.equal((await supabase.auth.resetPasswordForEmail('demo@example.com')).error, null);
  const m = await lastMessage(auto, { email: 'demo@example.com', kind: 'recovery' });
  assert.equal(m.subject, 'Reset your password');
  const { error } = await supabase.auth.verifyOtp({ token_hash: m.token_hash, type: 'recovery' });
  assert.equal(error, null);
  assert.equal((await supabase.auth.updateUser({ password: 'recovered-password' })).error, null);
  const { error: signInErr } = await client(auto).auth.signInWithPassword({
    email: 'demo@example.com', password: 'recovered-password',
  });
  assert.equal(signInErr, null);
});

test('PKCE: the link redirects with ?code=, exchangeCodeForSession signs in', async () => {
  const supabase = client(auto, ANON_KEY, 'pkce');
  const { error } = await supabase.auth.signInWithOtp({
    email: 'pkce@example.com',
    options: { emailRedirectTo: 'http://127.0.0.1:3000/callback' },
  });
  assert.equal(error, null);
  const m = await lastMessage(auto, { email: 'pkce@example.com' });
  assert.match(m.token_hash, /^pkce_[0-9a-f]{56}$/);
  const loc = await follow(m.link);
  const code = loc.searchParams.get('code');
  assert.match(code, /^[0-9a-f-]{36}$/);
  const { data, error: xErr } = await supabase.auth.exchangeCodeForSession(code, {
    flowId: loc.searchParams.get('sb_flow_id'),
  });
  assert.equal(xErr, null);
  assert.equal(data.user.email, 'pkce@example.com');
  assert.equal(data.redirectType, null);
});

test('PKCE recovery: exchangeCodeForSession reports the recovery', async () => {
  const created = await client(auto, SERVICE_ROLE_KEY).auth.admin.createUser({
    email: 'pkce-recovery@example.com', password: 'some-password', email_confirm: true,
  });
  assert.equal(created.error, null);
  const supabase = client(auto, ANON_KEY, 'pkce');
  const { error } = await supabase.auth.resetPasswordForEmail('pkce-recovery@example.com', {
    redirectTo: 'http://127.0.0.1:3000/reset',
  });
  assert.equal(error, null);
  const m = await lastMessage(auto, { email: 'pkce-recovery@example.com', kind: 'recovery' });
  const loc = await follow(m.link);
  const { data, error: xErr } = await supabase.auth.exchangeCodeForSession(
    loc.searchParams.get('code'), { flowId: loc.searchParams.get('sb_flow_id') });
  assert.equal(xErr, null);
  assert.equal(data.redirectType, 'recovery');
  assert.equal(data.user.email, 'pkce-recovery@example.com');
});

test('invite: admin.inviteUserByEmail, then verifyOtp type invite', async () => {
  const admin = client(auto, SERVICE_ROLE_KEY).auth.admin;
  const { data: invited, error } = await admin.inviteUserByEmail('guest@example.com', {
    data: { team: 'blue' },
  });
  assert.equal(error, null);
  assert.equal(invited.user.email, 'guest@example.com');
  const m = await lastMessage(auto, { email: 'guest@example.com', kind: 'invite' });
  assert.equal(m.subject, "You've been invited");
  const supabase = client(auto);
  const { data, error: vErr } = await supabase.auth.verifyOtp({ token_hash: m.token_hash, type: 'invite' });
  assert.equal(vErr, null);
  assert.equal(data.user.user_metadata.team, 'blue');
  // With an anon key the admin route refuses first (requireAdminCredentials).
  const refused = await client(auto).auth.admin.inviteUserByEmail('x@example.com');
  assert.equal(refused.error.status, 403);
  assert.equal(refused.error.code, 'not_admin');
});

test('generateLink: the hashed token signs in, nothing is mailed', async () => {
  const admin = client(auto, SERVICE_ROLE_KEY).auth.admin;
  const before = (await inbox(auto, {})).length;
  const { data, error } = await admin.generateLink({ type: 'magiclink', email: 'demo@example.com' });
  assert.equal(error, null);
  assert.equal(data.properties.verification_type, 'magiclink');
  assert.match(data.properties.email_otp, /^\d{6}$/);
  assert.ok(data.properties.action_link.includes(`token=${data.properties.hashed_token}&type=magiclink`));
  assert.equal((await inbox(auto, {})).length, before);
  const { data: s, error: vErr } = await client(auto).auth.verifyOtp({
    token_hash: data.properties.hashed_token, type: 'magiclink',
  });
  assert.equal(vErr, null);
  assert.equal(s.user.email, 'demo@example.com');
});

test('sign-up with confirmation: the mailed link confirms, then the password works', async () => {
  const supabase = client(confirm);
  const { data, error } = await supabase.auth.signUp({ email: 'new@example.com', password: 'new-password' });
  assert.equal(error, null);
  assert.equal(data.session, null);
  const refused = await supabase.auth.signInWithPassword({ email: 'new@example.com', password: 'new-password' });
  assert.equal(refused.error.code, 'email_not_confirmed');
  const m = await lastMessage(confirm, { email: 'new@example.com', kind: 'signup' });
  assert.equal(m.subject, 'Confirm your email address');
  // resend within the minute: GoTrue's window, with its words.
  const early = await supabase.auth.resend({ type: 'signup', email: 'new@example.com' });
  assert.equal(early.error.status, 429);
  assert.equal(early.error.code, 'over_email_send_rate_limit');
  assert.match(early.error.message, /^For security purposes, you can only request this after \d+ seconds\.$/);
  const loc = await follow(m.link);
  assert.equal(new URLSearchParams(loc.hash.slice(1)).get('type'), 'signup');
  const { error: inErr } = await supabase.auth.signInWithPassword({ email: 'new@example.com', password: 'new-password' });
  assert.equal(inErr, null);
});

test('email change: both addresses confirm (secure email change)', async () => {
  const supabase = client(confirm);
  const { error } = await supabase.auth.signInWithPassword({ email: 'demo@example.com', password: 'demo-password' });
  assert.equal(error, null);
  const { error: upErr } = await supabase.auth.updateUser({ email: 'renamed@example.com' });
  assert.equal(upErr, null);
  const toNew = await lastMessage(confirm, { email: 'renamed@example.com', kind: 'email_change_new' });
  const toCur = await lastMessage(confirm, { email: 'demo@example.com', kind: 'email_change_current' });
  const first = await supabase.auth.verifyOtp({ email: 'demo@example.com', token: toCur.otp, type: 'email_change' });
  assert.equal(first.error, null);
  assert.equal(first.data.session, null); // "Confirmation link accepted..." (verify.go)
  const second = await supabase.auth.verifyOtp({ email: 'renamed@example.com', token: toNew.otp, type: 'email_change' });
  assert.equal(second.error, null);
  assert.equal(second.data.user.email, 'renamed@example.com');
});

test('reauthenticate: the nonce from the inbox lets an old session change its password', async () => {
  const supabase = client(confirm);
  // A confirmed user of this project: sign up through the inbox first.
  await supabase.auth.signUp({ email: 'reauth@example.com', password: 'first-password' });
  const confirmMail = await lastMessage(confirm, { email: 'reauth@example.com', kind: 'signup' });
  const { error: vErr } = await supabase.auth.verifyOtp({ token_hash: confirmMail.token_hash, type: 'signup' });
  assert.equal(vErr, null);
  // Sessions older than 24 hours need the nonce (user.go UserUpdate).
  const r = await fetch(`${confirm.url}/__mock/clock`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ advance_ms: 24 * 3600 * 1000 + 1000 }),
  });
  assert.equal(r.status, 200);
  assert.equal((await supabase.auth.refreshSession()).error, null);
  const needed = await supabase.auth.updateUser({ password: 'second-password' });
  assert.equal(needed.error.code, 'reauthentication_needed');
  assert.equal((await supabase.auth.reauthenticate()).error, null);
  const m = await lastMessage(confirm, { email: 'reauth@example.com', kind: 'reauthentication' });
  assert.equal(m.subject, `${m.otp} is your verification code`);
  const { error: upErr } = await supabase.auth.updateUser({ password: 'second-password', nonce: m.otp });
  assert.equal(upErr, null);
  const { error: inErr } = await client(confirm).auth.signInWithPassword({
    email: 'reauth@example.com', password: 'second-password',
  });
  assert.equal(inErr, null);
});
