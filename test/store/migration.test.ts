// Stores written by the layout before the shared store move into it on first start, and the
// sign-in keeps working (a forced refresh against the bench's IdP, which rotates refresh tokens).
// - The old CLI store, for real: accounts.json + secrets encrypted with a key that the old code
//   kept with `secret-tool store application mail-oauth-assistant kind master-key`, in a real
//   Secret Service (secret-service.ts); the new CLI finds it under HOME and moves it.
// - The old desktop app store: accounts.json (electron-store's format) + secrets encrypted with
//   Electron safeStorage, which only runs inside Electron. Here an AES-GCM box with its own key
//   STANDS IN for safeStorage behind the one port the app provides (`decryptor`); everything
//   else (the migration, the shared store, the keyring, the refresh) is the real code.
// A failed move (the old key not readable) changes nothing in the old files and says what to do.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchInfo, benchUser, introspect, loginWithHttp } from '../bench/client.ts';
import { aesGcmDecrypt, aesGcmEncrypt } from '../../electron/store/aes-secret-box.ts';
import { fileName } from '../../electron/store/secret-store.ts';
import { startSecretService, type SecretService } from './secret-service.ts';
import { cliEntry } from '../cli/cli-helpers.ts';

const root = join(import.meta.dirname, '..', '..');
// The bundle when it is fresh, else the sources (cli-helpers.ts): starts several times faster on a
// loaded machine, and it is what users and mail clients run.
const cli = cliEntry;
const info = benchInfo();
let ss: SecretService;

before(async () => {
  ss = await startSecretService();
});
after(async () => {
  await ss?.stop();
});

type Run = { code: number; stdout: string; stderr: string };
function mailOauth(args: string[], env: NodeJS.ProcessEnv, onStderr?: (s: string) => void, stdin?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: root, env, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.end(stdin ?? '');
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      onStderr?.(stderr);
    });
    child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv, stdin = ''): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { env, stdio: ['pipe', 'ignore', 'ignore'] });
    child.stdin.end(stdin);
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(p, readFileSync(p).toString('base64'));
    }
  };
  walk(dir);
  return out;
}

/** A real sign-in for `address`, made with the CLI in a keyring-less scratch dir (key file), and
 * returned as what any store holds: the account record and its plaintext secret entries. */
async function signedInAccount(address: string): Promise<{ id: string; record: unknown; secretsJson: string }> {
  const scratch = mkdtempSync(join(tmpdir(), 'moa-scratch-'));
  const env: NodeJS.ProcessEnv = { ...process.env, MAIL_OAUTH_DATA_DIR: scratch, MAIL_OAUTH_INSECURE_STORE: '1' };
  delete env.DBUS_SESSION_BUS_ADDRESS; // no keyring: the key stays in a file this test can read
  const m = info.mail.main;
  const add = await mailOauth(
    ['add', '--address', address, '--provider', 'generic', '--issuer', info.issuer, '--client-id', 'native-app', '--ca-file', info.ca.path,
      '--scopes', `openid email offline_access ${info.scopes.imap}`, '--imap', `localhost:${m.imap.tls.port}:tls`],
    env,
  );
  assert.equal(add.code, 0, add.stderr);
  const id = add.stdout.trim();
  const user = benchUser(address);
  let completing: Promise<void> | undefined;
  const auth = await mailOauth(['authorize', id, '--ca-file', info.ca.path], env, (stderr) => {
    const url = /Open this URL in your browser to sign in:\n\s+(\S+)/.exec(stderr)?.[1];
    if (url && !completing) completing = loginWithHttp(url, { user: user.address, password: user.password }).then(async (r) => void (await fetch(r)));
  });
  await completing;
  assert.equal(auth.code, 0, auth.stderr);
  const key = Buffer.from(readFileSync(join(scratch, 'insecure-key'), 'utf8'), 'base64');
  const accounts = JSON.parse(readFileSync(join(scratch, 'accounts.json'), 'utf8')) as { accounts: Record<string, unknown> };
  return { id, record: accounts.accounts[id], secretsJson: aesGcmDecrypt(key, readFileSync(join(scratch, 'secrets', fileName(id)))) };
}

/** Write a store in the old layout: accounts.json (conf / electron-store, schema 2) + secrets/. */
function writeOldStore(dir: string, a: { id: string; record: unknown; secretsJson: string }, encrypt: (s: string) => Buffer): void {
  mkdirSync(join(dir, 'secrets'), { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, 'accounts.json'), JSON.stringify({ accounts: { [a.id]: a.record }, schemaVersion: 2 }, null, '\t'), { mode: 0o600 });
  writeFileSync(join(dir, 'secrets', fileName(a.id)), encrypt(a.secretsJson), { mode: 0o600 });
}

test('the old CLI store (secret-tool key) moves into the shared store on first start; the token refreshes', async () => {
  const account = await signedInAccount('alice@example.test');
  const home = mkdtempSync(join(tmpdir(), 'moa-home-'));
  const legacy = join(home, '.config', 'mail-oauth-assistant', 'cli');
  const shared = join(home, '.config', 'mail-oauth-assistant');
  const oldKey = randomBytes(32);
  writeOldStore(legacy, account, (s) => aesGcmEncrypt(oldKey, s));
  const before = snapshot(legacy);
  // The user's environment: default data dir under HOME, this test's keyring.
  const env: NodeJS.ProcessEnv = { ...ss.env, HOME: home };
  delete env.MAIL_OAUTH_DATA_DIR;
  delete env.XDG_CONFIG_HOME;
  delete env.MAIL_OAUTH_INSECURE_STORE;

  // The old key is not in the keyring: the move fails, says what to do, and touches nothing.
  const failed = await mailOauth(['accounts'], env);
  assert.equal(failed.code, 0, failed.stderr);
  assert.match(failed.stderr, /STORE_MIGRATION_FAILED: .*application=mail-oauth-assistant kind=master-key.*Next: /);
  assert.match(failed.stdout, /No saved accounts/);
  assert.deepEqual(snapshot(legacy), before, 'old files untouched');
  assert.ok(!existsSync(join(shared, 'migrated.json')));

  // As the old CLI stored it (secret-tool, key on stdin).
  assert.equal(await run('secret-tool', ['store', '--label=Mail OAuth Assistant master key', 'application', 'mail-oauth-assistant', 'kind', 'master-key'], ss.env, oldKey.toString('base64')), 0);
  const tok = await mailOauth(['token', 'alice@example.test', '--force-refresh', '--ca-file', info.ca.path], env);
  assert.equal(tok.code, 0, tok.stderr);
  assert.match(tok.stderr, new RegExp(`Moved 1 account\\(s\\) from ${legacy.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  const intro = await introspect(tok.stdout.trim());
  assert.equal(intro.active, true, 'refreshed with the moved refresh token');
  assert.equal(intro.username, 'alice@example.test');
  assert.deepEqual(snapshot(legacy), before, 'the old files are left as they were');
  assert.ok(existsSync(join(shared, 'master-key.json')) && existsSync(join(shared, 'migrated.json')));

  // Once only; the next call is a plain token call.
  const again = await mailOauth(['token', 'alice@example.test', '--ca-file', info.ca.path], env);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stderr, '');
});

test('the old desktop app store (safeStorage, through a stand-in for that port) moves; the token refreshes', async () => {
  const { migrateLegacyStores } = await import('../../electron/store/migrate.ts');
  const { createCore } = await import('../../electron/core/compose.ts');
  const { createNodeSecretBox } = await import('../../electron/store/node-secret-box.ts');
  // This process opens the shared store itself, on the test's keyring.
  process.env.DBUS_SESSION_BUS_ADDRESS = ss.env.DBUS_SESSION_BUS_ADDRESS;

  const account = await signedInAccount('bob@example.test');
  const appDir = mkdtempSync(join(tmpdir(), 'moa-old-app-'));
  const safeStorageStandIn = randomBytes(32);
  writeOldStore(appDir, account, (s) => aesGcmEncrypt(safeStorageStandIn, s));
  // electron-store also keeps Chromium's own files in userData: they are not ours to move.
  writeFileSync(join(appDir, 'Preferences'), '{}');
  const before = snapshot(appDir);

  const dataDir = mkdtempSync(join(tmpdir(), 'moa-shared-'));
  const open = async () => {
    const secretBox = await createNodeSecretBox({ dataDir });
    return createCore({ shell: 'electron', version: '0', dataDir, secretBox, browser: { open: async () => {} } });
  };

  // safeStorage unable to decrypt (a locked keyring): nothing moves, nothing changes.
  let core = await open();
  const bad = await migrateLegacyStores({
    dataDir,
    sources: [{ kind: 'app', dir: appDir, decryptor: async () => { throw new Error('Electron safeStorage cannot decrypt here (is the keyring locked?)'); } }],
    accounts: core.accounts,
    secrets: core.secrets,
  });
  assert.deepEqual(bad.moved, []);
  assert.equal(bad.failed[0]?.code, 'STORE_MIGRATION_FAILED');
  assert.match(bad.failed[0]?.detail ?? '', /keyring locked/);
  assert.deepEqual(core.accounts.list(), []);
  assert.deepEqual(snapshot(appDir), before);

  const good = await migrateLegacyStores({
    dataDir,
    sources: [{ kind: 'app', dir: appDir, decryptor: async () => (data) => aesGcmDecrypt(safeStorageStandIn, data) }],
    accounts: core.accounts,
    secrets: core.secrets,
  });
  assert.deepEqual(good.failed, []);
  assert.deepEqual(good.moved.map((m) => m.moved), [['bob@example.test']]);
  assert.deepEqual(snapshot(appDir), before);
  // A second start finds it done.
  core = await open();
  const twice = await migrateLegacyStores({ dataDir, sources: [{ kind: 'app', dir: appDir, decryptor: async () => (d) => aesGcmDecrypt(safeStorageStandIn, d) }], accounts: core.accounts, secrets: core.secrets });
  assert.deepEqual(twice, { moved: [], failed: [] });

  // The CLI, on the same shared store: the moved sign-in refreshes.
  const tok = await mailOauth(['token', 'bob@example.test', '--force-refresh', '--ca-file', info.ca.path], { ...ss.env, MAIL_OAUTH_DATA_DIR: dataDir });
  assert.equal(tok.code, 0, tok.stderr);
  const intro = await introspect(tok.stdout.trim());
  assert.equal(intro.active, true);
  assert.equal(intro.username, 'bob@example.test');
  for (const [path, content] of snapshot(dataDir)) {
    assert.ok(!Buffer.from(content, 'base64').toString('latin1').includes(tok.stdout.trim()), `token in plaintext in ${path}`);
  }
});
