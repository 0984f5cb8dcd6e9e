// Starts the built supamock binary ($SUPAMOCK_BIN) on an ephemeral port and
// stops it again; shared by the node:test files in this folder.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';

export const SOURCE_DIR = process.env.SUPAMOCK_SOURCE_DIR ?? path.resolve(import.meta.dirname, '../../..');

// The Supabase CLI's public demo keys (supabase/cli apps/cli-go/pkg/config/apikeys.go),
// which scenarios/default.json uses.
export const SERVICE_ROLE_KEY =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU';
export const ANON_KEY =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0';

// readyTimeoutMs: the database engine's first start builds its template.
export async function startSupamock(args = [], { readyTimeoutMs = 20000 } = {}) {
  const bin = process.env.SUPAMOCK_BIN;
  if (!bin) throw new Error('SUPAMOCK_BIN is not set (ctest sets it to the built binary)');
  const child = spawn(bin, ['--port', '0', '--log-format', 'json', ...args], {
    cwd: SOURCE_DIR,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no ready line; stderr:\n${stderr}`)), readyTimeoutMs);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /^supamock listening on (http:\/\/\S+)\n/.exec(out);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`exited ${code}; stderr:\n${stderr}`)); });
  });
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      if (code !== 0) throw new Error(`supamock exited with ${code}; stderr:\n${stderr}`);
      if (/AddressSanitizer|LeakSanitizer|runtime error:/.test(stderr)) throw new Error(`sanitizer report:\n${stderr}`);
    },
  };
}
