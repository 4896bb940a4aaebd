// The CLI, as a user runs it, against an identity provider whose certificate this machine does
// not trust (the bench IdP without its CA): `authorize` must name the certificate problem and the
// CA fix, not "cannot be reached, check your network". Child processes, real bench.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchInfo } from '../bench/client.ts';
import { cliEntry } from './cli-helpers.ts';

const root = join(import.meta.dirname, '..', '..');
// The bundle when it is fresh, else the sources (cli-helpers.ts): starts several times faster on a
// loaded machine, and it is what users and mail clients run.
const cli = cliEntry;

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // No NODE_EXTRA_CA_CERTS: only the system roots, like a fresh machine behind a company proxy.
    const env = { ...process.env };
    delete env.NODE_EXTRA_CA_CERTS;
    const child = spawn(process.execPath, [cli, ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

test('authorize against an IdP with an untrusted certificate: IDP_TLS_UNTRUSTED_CERT with the CA fix', async () => {
  const info = benchInfo();
  const dataDir = mkdtempSync(join(tmpdir(), 'moa-cli-tls-'));
  const store = ['--data-dir', dataDir, '--insecure-store'];
  const m = info.mail.main;
  const add = await run([
    'add', ...store,
    '--address', 'alice@example.test',
    '--provider', 'generic',
    '--issuer', info.issuer,
    '--client-id', 'native-app',
    '--scopes', `openid email offline_access ${info.scopes.imap}`,
    '--imap', `localhost:${m.imap.tls.port}:tls`,
  ]);
  assert.equal(add.code, 0, add.stderr);
  const id = add.stdout.trim();
  const r = await run(['authorize', id, ...store]);
  const out = r.stdout + r.stderr;
  assert.notEqual(r.code, 0);
  assert.notEqual(r.code, 4, 'an untrusted certificate is not temporary');
  assert.match(out, /IDP_TLS_UNTRUSTED_CERT/);
  assert.match(out, /certificate is not trusted/i);
  assert.match(out, /--ca-file/);
  assert.doesNotMatch(out, /IDP_UNAVAILABLE|check your network/i);
});
