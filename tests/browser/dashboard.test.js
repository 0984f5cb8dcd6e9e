// The dashboard (GET /__mock/) in Debian's headless chromium, driven by
// puppeteer-core: load the page, send requests with curl, see them appear
// live (server-sent events), read a request's response and explanation,
// press "Reload schema", send the write again and see the stale-cache error
// stop. Screenshots go to $SUPAMOCK_SCREENSHOT_DIR (ctest: the build tree;
// README's are refreshed with SUPAMOCK_SCREENSHOT_DIR=docs).
//
// The scenario is scenarios/stale-schema-cache.json: its rule answers writes
// to /rest/v1/profiles with PGRST205 until schema_reload. PGRST205's status
// and message are PostgREST's (src/PostgREST/Error.hs, TableNotFound: 404,
// "Could not find the table 'public.profiles' in the schema cache").
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { once } from 'node:events';
import { promisify } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import puppeteer from 'puppeteer-core';

const run = promisify(execFile);
const SOURCE_DIR = process.env.SUPAMOCK_SOURCE_DIR ?? path.resolve(import.meta.dirname, '../..');
const BIN = path.resolve(process.env.SUPAMOCK_BIN ?? path.join(SOURCE_DIR, 'build/dev/supamock'));
const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
const SHOTS = process.env.SUPAMOCK_SCREENSHOT_DIR ?? path.join(SOURCE_DIR, 'build/screenshots');
const TOKEN = 'dashboard-test-token-0123456789';
// The Supabase CLI's demo service_role key (supabase/cli apps/cli-go/pkg/config/apikeys.go),
// which scenarios/default.json (extended by stale-schema-cache) uses.
const SERVICE_ROLE_KEY =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU';
const USER = '13ab4cf1-8587-4685-874b-c2d37beeab38'; // the default scenario's demo user

let child, url, stderr = '', browser, page;
const pageErrors = [];

before(async () => {
  child = spawn(BIN, ['--port', '0', '--log-format', 'json', '--scenario', 'stale-schema-cache',
    '--admin-token', TOKEN], { cwd: SOURCE_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr.on('data', (d) => { stderr += d; });
  url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no ready line; stderr:\n${stderr}`)), 20000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /^supamock listening on (http:\/\/\S+)\n/.exec(out);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`exited ${code}; stderr:\n${stderr}`)); });
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
  });
  fs.mkdirSync(SHOTS, { recursive: true });
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Root in a container has no user namespaces for chromium's sandbox.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 820 });
  page.on('pageerror', (e) => { pageErrors.push(String(e)); });
  page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });
});

after(async () => {
  await browser?.close();
  if (child) {
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    assert.equal(code, 0, `supamock exited with ${code}; stderr:\n${stderr}`);
    assert.doesNotMatch(stderr, /AddressSanitizer|LeakSanitizer|runtime error:/);
  }
});

async function curl(method, target, body) {
  const args = ['-s', '-o', '/dev/null', '-w', '%{http_code}', '-X', method, url + target,
    '-H', `apikey: ${SERVICE_ROLE_KEY}`, '-H', `Authorization: Bearer ${SERVICE_ROLE_KEY}`];
  if (body !== undefined) args.push('-H', 'Content-Type: application/json', '-d', JSON.stringify(body));
  const { stdout } = await run('curl', args);
  return Number(stdout);
}

// The journal rows as the page shows them: [id, time, method, path, status, code, rule].
async function rows() {
  return page.$$eval('#journal tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
}

async function waitForRow(pred, what) {
  const deadline = Date.now() + 10000;
  for (;;) {
    const r = (await rows()).find(pred);
    if (r) return r;
    if (Date.now() > deadline) throw new Error(`no journal row ${what}; rows: ${JSON.stringify(await rows())}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

test('without the admin token the page loads and asks for it', async () => {
  await page.goto(`${url}/__mock/`);
  await page.waitForFunction(() => document.getElementById('conn').textContent === 'admin token needed');
  assert.equal(await page.$eval('#token-row', (e) => e.offsetParent !== null), true);
});

test('live journal, explanation, reload schema ends the stale-cache error', async () => {
  // The token travels in the fragment: the browser never sends it to the
  // server. (about:blank first: a change of fragment alone loads nothing.)
  await page.goto('about:blank');
  pageErrors.length = 0; // the 401s of the page without a token
  await page.goto(`${url}/__mock/#token=${TOKEN}`);
  await page.waitForFunction(() => document.getElementById('conn').textContent === 'live');
  assert.equal(await page.$eval('#sc-name', (e) => e.textContent), 'stale-schema-cache');
  assert.equal(await page.$eval('#token-row', (e) => e.offsetParent !== null), false);

  // A read works; a write hits the stale schema cache (404 PGRST205).
  assert.equal(await curl('GET', `/rest/v1/profiles?select=user_id,free_image_quota&user_id=eq.${USER}`), 200);
  assert.equal(await curl('PATCH', `/rest/v1/profiles?user_id=eq.${USER}`, { free_image_quota: 4 }), 404);
  const read = await waitForRow((r) => r[2] === 'GET' && r[3] === '/rest/v1/profiles', 'for the read');
  assert.equal(read[4], '200');
  const stale = await waitForRow((r) => r[2] === 'PATCH' && r[5] === 'PGRST205', 'for the stale write');
  assert.equal(stale[4], '404');
  assert.equal(stale[6], 'writes hit a stale schema cache');

  // The rule's counters in the scenario panel.
  await page.waitForFunction(() => /matched 1 · answered 1/.test(document.getElementById('rules').textContent));

  // The request's full response and its explanation.
  await page.click(`#journal tr[data-id="${stale[0]}"]`);
  await page.waitForFunction(() => document.getElementById('explain-text').textContent.length > 1 &&
    document.getElementById('explain-text').textContent !== '…');
  assert.deepEqual(pageErrors, []); // no script error, nothing the CSP blocked
  const respBody = JSON.parse(await page.$eval('#resp-body', (e) => e.textContent));
  assert.equal(respBody.code, 'PGRST205');
  assert.equal(respBody.message, "Could not find the table 'public.profiles' in the schema cache");
  const explain = await page.$eval('#explain-text', (e) => e.textContent);
  assert.match(explain, /writes hit a stale schema cache/);
  await page.screenshot({ path: path.join(SHOTS, 'dashboard-stale-cache.png') });

  // Reload the schema from the page: the rule expires.
  await page.click('#btn-reload');
  await page.waitForFunction(() => /expired/.test(document.getElementById('rules').textContent));
  assert.match(await page.$eval('#status', (e) => e.textContent), /reload schema: .*"status":"ok"/);

  // The same write now reaches the table (PostgREST answers a PATCH without
  // Prefer: return=representation with 204).
  assert.equal(await curl('PATCH', `/rest/v1/profiles?user_id=eq.${USER}`, { free_image_quota: 4 }), 204);
  const fixed = await waitForRow((r) => r[2] === 'PATCH' && Number(r[0]) > Number(stale[0]), 'for the second write');
  assert.equal(fixed[4], '204');
  assert.equal(fixed[5], '');
  await page.click(`#journal tr[data-id="${fixed[0]}"]`);
  await page.waitForFunction(() => !/^…$/.test(document.getElementById('explain-text').textContent));
  await page.screenshot({ path: path.join(SHOTS, 'dashboard-reloaded.png') });
});

test('reset from the page clears the live journal and the rule comes back', async () => {
  await page.click('#btn-reset');
  await page.waitForFunction(() => document.getElementById('journal').rows.length === 0);
  await page.waitForFunction(() => /matched 0 · answered 0/.test(document.getElementById('rules').textContent) &&
    !/expired/.test(document.getElementById('rules').textContent));
  assert.equal(await curl('PATCH', `/rest/v1/profiles?user_id=eq.${USER}`, { free_image_quota: 3 }), 404);
  await waitForRow((r) => r[2] === 'PATCH' && r[5] === 'PGRST205', 'after the reset');
});

test('clock advance and scenario switch from the page', async () => {
  const before = await page.$eval('#sc-clock', (e) => e.textContent);
  const at = Date.parse(/clock (\S+)/.exec(before)[1]);
  await page.$eval('#clock-ms', (e) => { e.value = '86400000'; });
  await page.click('#btn-clock');
  await page.waitForFunction((t) => {
    const m = /clock (\S+)/.exec(document.getElementById('sc-clock').textContent);
    return m && Date.parse(m[1]) >= t + 86400000;
  }, {}, at);
  // A switch loads the named scenario and clears the journal (event: clear).
  await page.type('#scenario-name', 'default');
  await page.click('#btn-switch');
  await page.waitForFunction(() => document.getElementById('sc-name').textContent === 'default');
  await page.waitForFunction(() => document.getElementById('journal').rows.length === 0);
  assert.match(await page.$eval('#rules', (e) => e.textContent), /none/);
  // The stale-cache rule is gone with its scenario: the write goes through.
  assert.equal(await curl('PATCH', `/rest/v1/profiles?user_id=eq.${USER}`, { free_image_quota: 2 }), 204);
  await waitForRow((r) => r[2] === 'PATCH' && r[4] === '204', 'after the switch');
  assert.deepEqual(pageErrors, []);
});

test("a session's page at /s/ID/__mock/ shows that session alone", async () => {
  const { stdout } = await run('curl', ['-s', '-X', 'POST', `${url}/__mock/sessions`,
    '-H', `Authorization: Bearer ${TOKEN}`, '-H', 'Content-Type: application/json',
    '-d', '{"scenario":"stale-schema-cache"}']);
  const session = JSON.parse(stdout);
  await page.goto('about:blank');
  // Without the trailing slash too: the page's calls are relative to its own path.
  await page.goto(`${url}/s/${session.id}/__mock#token=${TOKEN}`);
  await page.waitForFunction(() => document.getElementById('conn').textContent === 'live');
  assert.equal(await page.$eval('#sc-name', (e) => e.textContent), 'stale-schema-cache');
  assert.equal(await curl('GET', '/rest/v1/profiles?select=user_id'), 200); // the root's
  assert.equal(await curl('PATCH', `/s/${session.id}/rest/v1/profiles?user_id=eq.${USER}`, { free_image_quota: 1 }), 404);
  await waitForRow((r) => r[2] === 'PATCH' && r[5] === 'PGRST205', 'in the session');
  assert.equal((await rows()).length, 1);
  // Its reload button reloads the session's schema, not the root's.
  await page.click('#btn-reload');
  await page.waitForFunction(() => /expired/.test(document.getElementById('rules').textContent));
  assert.equal(await curl('PATCH', `/s/${session.id}/rest/v1/profiles?user_id=eq.${USER}`, { free_image_quota: 1 }), 204);
  assert.deepEqual(pageErrors, []);
});
