// A file that cannot be read is an error naming it (LOCAL_FILE_WRONG_TYPE / LOCAL_FILE_DENIED, the
// app's codes for its own files), never "damaged" (moved
// aside), never "no accounts" or "not signed in", and nothing on disk changes. Tests run as
// root, which reads any file whatever its mode: the unreadable cases are a directory in the
// file's place (EISDIR) and, where setpriv exists, the CLI run as an unprivileged user on a
// chmod 000 file (EACCES).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addAccount, authorize, cli, root, run, snapshot, storeFlags, type Run } from './store-helpers.ts';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'moa-cli-unreadable-'));
const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));
const NOBODY = 65534;

/** The CLI as user nobody (needs root and setpriv). */
function runAsNobody(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(setpriv ?? 'setpriv', ['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', process.execPath, cli, ...args], {
      cwd: root,
      env: { ...process.env, HOME: '/nonexistent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

function chownTree(dir: string, uid: number): void {
  chownSync(dir, uid, uid);
  for (const n of snapshotNames(dir)) chownSync(n, uid, uid);
}
const snapshotNames = (dir: string): string[] => Object.keys(snapshot(dir)).map((k) => k.replace(/\/$/, ''));

test('accounts.json with a directory in its place: LOCAL_FILE_WRONG_TYPE with the path, nothing moved', async () => {
  const dataDir = tmp();
  mkdirSync(join(dataDir, 'accounts.json'));
  const before = snapshot(dataDir);
  for (const args of [['accounts'], ['token', 'alice@example.test']]) {
    const r = await run([...args, ...storeFlags(dataDir)]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /LOCAL_FILE_WRONG_TYPE/, r.stderr);
    assert.ok(r.stderr.includes(join(dataDir, 'accounts.json')), r.stderr);
    assert.doesNotMatch(r.stderr, /damaged|SETTINGS_CORRUPT/);
  }
  // The key file may be created by the store flags; the accounts "file" and its folder are untouched.
  const after = snapshot(dataDir);
  for (const [k, v] of Object.entries(before)) assert.equal(after[k], v, k);
  assert.deepEqual(Object.keys(after).filter((k) => k.includes('corrupt')), []);
});

test('a secrets file that cannot be read: token says LOCAL_FILE_WRONG_TYPE with the path, not "not signed in"; nothing changes', async () => {
  const dataDir = tmp();
  const id = await addAccount(dataDir);
  await authorize(dataDir, id);
  const file = join(dataDir, 'secrets', `${id}.secrets`);
  renameSync(file, `${file}.kept`);
  mkdirSync(file);
  const before = snapshot(dataDir);
  const r = await run(['token', id, ...storeFlags(dataDir), '--force-refresh']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /LOCAL_FILE_WRONG_TYPE/, r.stderr);
  assert.ok(r.stderr.includes(file), r.stderr);
  assert.doesNotMatch(r.stderr, /AUTH_NOT_SIGNED_IN|AUTH_GRANT_REVOKED|refused/);
  assert.deepEqual(snapshot(dataDir), before);
  // Put right, the sign-in still works.
  const { rmdirSync } = await import('node:fs');
  rmdirSync(file);
  renameSync(`${file}.kept`, file);
  const ok = await run(['token', id, ...storeFlags(dataDir)]);
  assert.equal(ok.code, 0, ok.stderr);
});

test('chmod 000 files read by an unprivileged user: LOCAL_FILE_DENIED (EACCES) with the path, nothing changes', async (t) => {
  if (process.getuid?.() !== 0 || !setpriv) {
    t.skip('needs root and setpriv to run the CLI as another user');
    return;
  }
  const dataDir = tmp();
  const id = await addAccount(dataDir);
  await authorize(dataDir, id);
  chownTree(dataDir, NOBODY);
  const flags = ['--data-dir', dataDir, '--insecure-store'];
  // Sanity: as nobody, with readable files, the account is listed.
  const listed = await runAsNobody(['accounts', ...flags]);
  assert.equal(listed.code, 0, listed.stderr);

  const secrets = join(dataDir, 'secrets', `${id}.secrets`);
  chmodSync(secrets, 0o000);
  let before = snapshot(dataDir);
  const tok = await runAsNobody(['token', id, ...flags, '--force-refresh']);
  assert.notEqual(tok.code, 0);
  assert.match(tok.stderr, /LOCAL_FILE_DENIED/, tok.stderr);
  assert.ok(tok.stderr.includes(secrets), tok.stderr);
  assert.match(tok.stderr, /EACCES/);
  assert.deepEqual(snapshot(dataDir), before);
  chmodSync(secrets, 0o600);

  const accounts = join(dataDir, 'accounts.json');
  chmodSync(accounts, 0o000);
  before = snapshot(dataDir);
  const list = await runAsNobody(['accounts', ...flags]);
  assert.notEqual(list.code, 0);
  assert.match(list.stderr, /LOCAL_FILE_DENIED/, list.stderr);
  assert.ok(list.stderr.includes(accounts), list.stderr);
  assert.doesNotMatch(list.stderr, /damaged|SETTINGS_CORRUPT/);
  assert.deepEqual(snapshot(dataDir), before);
});
