// `mail-oauth client-config` as a script uses it: the block alone on stdout (so `> ~/.msmtprc`
// works), where it goes on stderr, --list, and exit 2 with the client list for an unknown client.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLIENT_IDS, clientById, clientConfig, inputForAccount } from '../../shared/client-settings/index.ts';
import { providerById } from '../../shared/providers.ts';
import { benchInfo } from '../bench/client.ts';

const root = join(import.meta.dirname, '..', '..');
const cli = join(root, 'electron', 'cli.ts');
const dataDir = mkdtempSync(join(tmpdir(), 'moa-cli-clients-'));
const env = { MAIL_OAUTH_DATA_DIR: dataDir, MAIL_OAUTH_INSECURE_STORE: '1' };

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

before(async () => {
  const add = await run([
    'add', '--address', 'carol@contoso.com', '--provider', 'microsoft-365', '--client-id', '00000000-0000-0000-0000-000000000001', '--tenant', 'contoso.com',
  ]);
  assert.equal(add.code, 0, add.stderr);
});

test('the block alone on stdout, the same text the generator makes; where it goes on stderr', async () => {
  const r = await run(['client-config', 'carol@contoso.com', '--client', 'msmtp']);
  assert.equal(r.code, 0, r.stderr);
  const p = providerById('microsoft-365');
  const msmtp = clientById('msmtp');
  assert.ok(p && msmtp);
  const servers = Object.fromEntries(Object.entries(p.servers).map(([k, v]) => [k, { enabled: true, ...v }]));
  const expected = clientConfig(msmtp, inputForAccount({ address: 'carol@contoso.com', servers, providerId: p.id }, p, ['mail-oauth', 'token', 'carol@contoso.com']));
  assert.equal(r.stdout, expected.text);
  assert.match(r.stdout, /^passwordeval "mail-oauth token carol@contoso\.com"$/m);
  assert.match(r.stderr, /~\/\.msmtprc/);
  assert.match(r.stderr, /SMTP: XOAUTH2/);
});

test('--list names every client, one per line', async () => {
  const r = await run(['client-config', '--list']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), [...CLIENT_IDS]);
});

test('an unknown client or account exits 2 with the list, and nothing on stdout', async () => {
  const unknown = await run(['client-config', 'carol@contoso.com', '--client', 'pine']);
  assert.equal(unknown.code, 2);
  assert.equal(unknown.stdout, '');
  assert.match(unknown.stderr, /Unknown client "pine"/);
  for (const id of CLIENT_IDS) assert.match(unknown.stderr, new RegExp(`^  ${id} `, 'm'));
  const noAccount = await run(['client-config', 'nobody@contoso.com', '--client', 'msmtp']);
  assert.equal(noAccount.code, 2);
  assert.match(noAccount.stderr, /No saved account/);
  const noClient = await run(['client-config', 'carol@contoso.com']);
  assert.equal(noClient.code, 2);
  assert.match(noClient.stderr, /--client is required/);
});

test("the account's own CA becomes a file the client's CA setting names", async () => {
  const ca = benchInfo().ca;
  const add = await run(['add', '--address', 'dave@example.test', '--provider', 'generic', '--issuer', benchInfo().issuer, '--client-id', 'native-app',
    '--scopes', 'openid email offline_access imap', '--imap', 'localhost:993:tls', '--ca-file', ca.path]);
  assert.equal(add.code, 0, add.stderr);
  const id = add.stdout.trim();
  const r = await run(['client-config', 'dave@example.test', '--client', 'mbsync']);
  assert.equal(r.code, 0, r.stderr);
  const path = /^CertificateFile (.+)$/m.exec(r.stdout)?.[1];
  assert.equal(path, join(dataDir, 'ca', `${id}.pem`));
  assert.equal(readFileSync(path, 'utf8').trim(), readFileSync(ca.path, 'utf8').trim());
  const bad = await run(['client-config', 'dave@example.test', '--client', 'mbsync', '--ca-file', cli]);
  assert.equal(bad.code, 2, 'a --ca-file that is not PEM certificates is refused');
  assert.equal(bad.stdout, '');
});
