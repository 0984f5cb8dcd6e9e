// @supabase/supabase-js's .explain() against the database engine, on the
// db-config project folder (tests/fixtures/projects/db-config: authenticator's
// pgrst.db_plan_enabled = 'true', as Supabase's "Debugging performance" guide
// has a project turn it on). postgrest-js (PostgrestTransformBuilder.ts
// explain) sends `Accept: application/vnd.pgrst.plan+<format>;
// for="<the Accept it had>"; options=<a|b>;` and hands a text plan back as a
// string, a JSON plan parsed. The plans are PostgreSQL 15's EXPLAIN of the
// statement PostgREST builds (its top node aggregates the rows into the
// body: Statements.hs mainRead), the pre-request function of the folder runs
// first as it does for every request.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { startSupamock, SERVICE_ROLE_KEY, SOURCE_DIR } from './supamock.js';

const PG_BIN = '/usr/lib/postgresql/15/bin/postgres';
const skip = fs.existsSync(PG_BIN) ? false : 'PostgreSQL 15 (postgresql-15) is not installed';

let mock;
let supabase;

before(async () => {
  if (skip) return;
  mock = await startSupamock(
    ['--db', 'postgres', '--project', path.join(SOURCE_DIR, 'tests/fixtures/projects/db-config')],
    { readyTimeoutMs: 120000 },
  );
  supabase = createClient(mock.url, SERVICE_ROLE_KEY, {
    auth: { persistSession: false },
    realtime: { transport: WebSocket },
  });
});

after(async () => {
  if (mock) await mock.stop();
});

test('explain() gives the text plan of a read', { skip }, async () => {
  const { data, error, status } = await supabase.from('projects').select('*').eq('id', 1).explain();
  assert.equal(error, null);
  assert.equal(status, 200);
  assert.equal(typeof data, 'string');
  assert.match(data, /^Aggregate {2}\(cost=/);
  assert.match(data, /on projects/);
});

test('explain({ format: "json", analyze: true, verbose: true }) of single()', { skip }, async () => {
  const { data, error } = await supabase
    .from('projects')
    .select('id, name')
    .eq('id', 1)
    .single()
    .explain({ format: 'json', analyze: true, verbose: true });
  assert.equal(error, null);
  const plan = data[0].Plan;
  assert.equal(plan['Node Type'], 'Aggregate');
  assert.equal(plan['Actual Loops'], 1);
  // The body of a singular response: the first element of the json_agg.
  assert.equal(plan.Output[2],
    "COALESCE((json_agg(ROW(projects.id, projects.name)) -> 0), 'null'::json)");
});
