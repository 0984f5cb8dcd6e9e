// @supabase/supabase-js's .textSearch(column, query, { type, config }): what
// postgrest-js writes (PostgrestFilterBuilder textSearch: `fts`, `plfts`,
// `phfts`, `wfts`, with `(config)`), against a tsvector column and a text
// column, on the memory engine and, when PostgreSQL 15 is installed, on the
// database engine. Rows and their vectors are those PostgREST's spec expects
// over the same sentences (test/spec/Feature/Query/QuerySpec.hs, the cases
// cited per test; tests/fixtures/text-search holds them).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { startSupamock, SERVICE_ROLE_KEY, SOURCE_DIR } from './supamock.js';

const SCENARIO = path.join(SOURCE_DIR, 'tests', 'fixtures', 'text-search', 'scenario.json');
const PG_BIN = '/usr/lib/postgresql/15/bin/postgres';
const engines = { memory: [] };
if (fs.existsSync(PG_BIN)) engines.postgres = ['--db', 'postgres'];
const running = {};

before(async () => {
  for (const [name, args] of Object.entries(engines)) {
    const mock = await startSupamock(['--scenario', SCENARIO, ...args], { readyTimeoutMs: 120000 });
    running[name] = {
      mock,
      client: createClient(mock.url, SERVICE_ROLE_KEY, {
        auth: { persistSession: false, autoRefreshToken: false },
        realtime: { transport: WebSocket },
      }),
    };
  }
});

after(async () => {
  for (const { mock } of Object.values(running)) await mock.stop();
});

const FUN = "'fun':5 'imposs':9 'kind':3";
const POSSIBLE = "'also':2 'fun':3 'possibl':8";
const FAT = "'ate':3 'cat':2 'fat':1 'rat':4";
const AMUSANT = "'amus':5 'fair':7 'impossibl':9 'peu':4";
const SPASS = "'art':4 'spass':5 'unmog':7";

async function vectors(supabase, build) {
  const res = await build(supabase.from('sentences').select('body_tsv')).order('id');
  assert.equal(res.error, null);
  assert.equal(res.status, 200);
  return res.data.map((r) => r.body_tsv);
}

async function ids(supabase, build) {
  const res = await build(supabase.from('sentences').select('id')).order('id');
  assert.equal(res.error, null);
  return res.data.map((r) => r.id);
}

for (const name of Object.keys(engines)) {
  const db = () => running[name].client;

  test(`${name}: textSearch(col, query) is fts: to_tsquery (QuerySpec.hs:185, :190, :193, :198)`, async () => {
    assert.deepEqual(await vectors(db(), (q) => q.textSearch('body_tsv', 'impossible')), [FUN]);
    assert.deepEqual(await vectors(db(), (q) => q.textSearch('body_tsv', 'fun&possible')), [POSSIBLE]);
    assert.deepEqual(await vectors(db(), (q) => q.textSearch('body_tsv', 'impossible|possible')), [FUN, POSSIBLE]);
    assert.deepEqual(await vectors(db(), (q) => q.textSearch('body_tsv', 'fun&!possible')), [FUN]);
  });

  test(`${name}: type plain, phrase and websearch (QuerySpec.hs:203, :269, :213, :217, :224)`, async () => {
    assert.deepEqual(await vectors(db(), (q) => q.textSearch('body_tsv', 'The Fat Rats', { type: 'plain' })), [FAT]);
    assert.deepEqual(await vectors(db(), (q) => q.textSearch('body_tsv', 'The Fat Cats', { type: 'phrase' })), [FAT]);
    assert.deepEqual(await vectors(db(), (q) => q.textSearch('body_tsv', 'fun and possible', { type: 'websearch' })), [POSSIBLE]);
    assert.deepEqual(await vectors(db(), (q) => q.textSearch('body_tsv', 'impossible or possible', { type: 'websearch' })), [FUN, POSSIBLE]);
    assert.deepEqual(await vectors(db(), (q) => q.textSearch('body_tsv', 'fun and -possible', { type: 'websearch' })), [FUN]);
  });

  test(`${name}: a config beside the type (QuerySpec.hs:230, :233, :237, :274)`, async () => {
    assert.deepEqual(await vectors(db(), (q) => q.textSearch('body_tsv', 'amusant', { config: 'french' })), [AMUSANT]);
    assert.deepEqual(await vectors(db(), (q) => q.textSearch('body_tsv', 'amusant impossible', { type: 'plain', config: 'french' })), [AMUSANT]);
    assert.deepEqual(await vectors(db(), (q) => q.textSearch('body_tsv', 'amusant impossible', { type: 'websearch', config: 'french' })), [AMUSANT]);
    assert.deepEqual(await vectors(db(), (q) => q.textSearch('body_tsv', 'Art Spass', { type: 'phrase', config: 'german' })), [SPASS]);
  });

  test(`${name}: on a text column the vector is to_tsvector(config, col) (QuerySpec.hs:318, :360, :382, :404, :469)`, async () => {
    assert.deepEqual(await ids(db(), (q) => q.textSearch('body', 'impossible')), [1, 4]);
    assert.deepEqual(await ids(db(), (q) => q.textSearch('body', 'The Fat Rats', { type: 'plain' })), [3]);
    assert.deepEqual(await ids(db(), (q) => q.textSearch('body', 'impossible or possible', { type: 'websearch', config: 'english' })), [1, 2, 4]);
    assert.deepEqual(await ids(db(), (q) => q.textSearch('body', 'amusant', { config: 'french' })), [4]);
    assert.deepEqual(await ids(db(), (q) => q.textSearch('body', 'Art Spass', { type: 'phrase', config: 'german' })), [5]);
  });

  test(`${name}: negated with .not() (QuerySpec.hs:248, :452)`, async () => {
    assert.deepEqual(await vectors(db(), (q) => q.not('body_tsv', 'fts(english)', 'impossible|fat|fun')), [AMUSANT, SPASS]);
    assert.deepEqual(await ids(db(), (q) => q.not('body', 'wfts(english)', 'impossible or fat or fun')), [5]);
  });

  test(`${name}: a configuration that does not exist is 42704 (to_tsquery's regconfig input)`, async () => {
    const res = await db().from('sentences').select('id').textSearch('body_tsv', 'fun', { config: 'klingon' });
    assert.equal(res.status, 400);
    assert.equal(res.error.code, '42704');
    assert.equal(res.error.message, 'text search configuration "klingon" does not exist');
  });
}
