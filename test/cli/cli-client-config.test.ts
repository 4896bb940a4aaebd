// `mail-oauth client-config` as a script uses it: the block alone on stdout (so `> ~/.msmtprc`
// works), where it goes on stderr, --list, and exit 2 with the client list for an unknown client.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BRIDGE_CLIENTS, BRIDGE_PASSWORD, CLIENT_IDS, clientById, clientConfig, inputForAccount } from '../../shared/client-settings/index.ts';
import { providerById } from '../../shared/providers.ts';
import { benchInfo } from '../bench/client.ts';
import { cliEntry } from './cli-helpers.ts';

const root = join(import.meta.dirname, '..', '..');
// The bundle when it is fresh, else the sources (cli-helpers.ts): starts several times faster on a
// loaded machine, and it is what users and mail clients run.
const cli = cliEntry;
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

test('--bridge: the settings to log in to the local bridge, with the app\'s saved ports and TLS unless given', async () => {
  const def = await run(['client-config', 'carol@contoso.com', '--bridge', '--client', 'msmtp']);
  assert.equal(def.code, 0, def.stderr);
  assert.match(def.stdout, /^host 127\.0\.0\.1$/m);
  assert.match(def.stdout, /^port 1025$/m, 'the default SMTP port of the bridge');
  assert.match(def.stdout, /^tls off$/m);
  assert.match(def.stdout, /^user carol@contoso\.com$/m);
  assert.ok(def.stdout.includes(`password ${BRIDGE_PASSWORD}`), 'a placeholder, never a password');
  assert.doesNotMatch(def.stdout, /passwordeval|mail-oauth token/);
  assert.match(def.stderr, /SMTP through the bridge on 127\.0\.0\.1/);

  // What the app saved (preferences.json, key "bridge": electron/core/bridge-settings.ts).
  writeFileSync(join(dataDir, 'preferences.json'), JSON.stringify({ bridge: { enabled: true, ports: { imap: 2143, pop: null, smtp: 2025 }, tls: true, startWithApp: true } }));
  const saved = await run(['client-config', 'carol@contoso.com', '--bridge', '--client', 'fetchmail']);
  assert.equal(saved.code, 0, saved.stderr);
  assert.match(saved.stdout, /^poll carol-contoso-com-imap via 127\.0\.0\.1 service 2143 protocol IMAP auth password$/m);
  assert.doesNotMatch(saved.stdout, /protocol POP3/, 'POP is off in the saved settings');
  assert.match(saved.stdout, /sslproto 'TLS1\.2\+'/);
  const flags = await run(['client-config', 'carol@contoso.com', '--bridge', '--client', 'msmtp', '--smtp', '3025']);
  assert.match(flags.stdout, /^port 3025$/m, 'a flag wins over the saved port');
  assert.match(flags.stdout, /^tls_starttls on$/m, 'the saved TLS stays');

  const list = await run(['client-config', '--list', '--bridge']);
  assert.deepEqual(list.stdout.trim().split('\n'), BRIDGE_CLIENTS.map((c) => c.id));
  const noBridge = await run(['client-config', 'carol@contoso.com', '--client', 'msmtp', '--tls']);
  assert.equal(noBridge.code, 2);
  assert.match(noBridge.stderr, /use them with --bridge/);
  const badPort = await run(['client-config', 'carol@contoso.com', '--bridge', '--client', 'msmtp', '--smtp', '70000']);
  assert.equal(badPort.code, 2);
  assert.match(badPort.stderr, /--smtp: a port from 1 to 65535/);
  const unusable = await run(['client-config', 'carol@contoso.com', '--bridge', '--client', 'mbsync', '--imap', '2143']);
  assert.equal(unusable.code, 0, 'IMAP given: usable');
  writeFileSync(join(dataDir, 'preferences.json'), JSON.stringify({ bridge: { enabled: true, ports: { imap: null, pop: null, smtp: 2025 }, tls: false, startWithApp: true } }));
  const none = await run(['client-config', 'carol@contoso.com', '--bridge', '--client', 'mbsync']);
  assert.equal(none.code, 1, 'a client that can use none of the listeners that are on');
  assert.match(none.stdout, /cannot be used: turn on IMAP/);
});
