// Auth flows supamock does not model yet (OTP, recovery, invites, generated
// links) exist in GoTrue (internal/api/api.go routes /otp, /recover, /invite,
// /admin/generate_link), so supamock answers them as GoTrue answers a route
// whose feature is off: 404 with error_code feature_disabled
// (apierrors.NewNotFoundError(ErrorCodeFeatureDisabled, ...), as
// requireOAuthServerEnabled does), after requireAdminCredentials for the admin
// ones. supabase-js turns that into an AuthApiError (auth-js lib/fetch.js
// handleError reads error_code), never an AuthUnknownError from a body it
// cannot parse.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { startSupamock, ANON_KEY, SERVICE_ROLE_KEY } from './supamock.js';

let mock;

before(async () => {
  mock = await startSupamock([]);
});

after(async () => {
  await mock.stop();
});

function client(key) {
  return createClient(mock.url, key, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket },
  });
}

function assertFeatureDisabled(error, what) {
  assert.ok(error, `${what}: no error`);
  assert.equal(error.name, 'AuthApiError', `${what}: ${error.name} ${error.message}`);
  assert.equal(error.status, 404);
  assert.equal(error.code, 'feature_disabled');
  assert.match(error.message, /is disabled: supamock does not model it yet$/);
}

test('signInWithOtp is an AuthApiError feature_disabled', async () => {
  const { data, error } = await client(ANON_KEY).auth.signInWithOtp({ email: 'demo@example.com' });
  assert.deepEqual(data, { user: null, session: null });
  assertFeatureDisabled(error, 'signInWithOtp');
});

test('resetPasswordForEmail is an AuthApiError feature_disabled', async () => {
  const { error } = await client(ANON_KEY).auth.resetPasswordForEmail('demo@example.com');
  assertFeatureDisabled(error, 'resetPasswordForEmail');
});

test('verifyOtp is an AuthApiError feature_disabled', async () => {
  const { error } = await client(ANON_KEY).auth.verifyOtp({
    email: 'demo@example.com', token: '123456', type: 'email',
  });
  assertFeatureDisabled(error, 'verifyOtp');
});

test('admin.inviteUserByEmail and admin.generateLink are feature_disabled for the service role', async () => {
  const admin = client(SERVICE_ROLE_KEY).auth.admin;
  const invite = await admin.inviteUserByEmail('new@example.com');
  assertFeatureDisabled(invite.error, 'inviteUserByEmail');
  const link = await admin.generateLink({ type: 'magiclink', email: 'demo@example.com' });
  assertFeatureDisabled(link.error, 'generateLink');
});

test('with the anon key the admin routes refuse first, as requireAdminCredentials does', async () => {
  const { error } = await client(ANON_KEY).auth.admin.inviteUserByEmail('new@example.com');
  assert.equal(error.name, 'AuthApiError');
  assert.equal(error.status, 403);
  assert.equal(error.code, 'not_admin');
});
