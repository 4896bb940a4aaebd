// Two stores over one directory behave like two processes sharing a data dir (the CLI next to
// the web host): each sees the other's writes, neither writes back a stale copy, leftover temp
// files of a killed writer are recovered, and a file that cannot be read is an error with its
// path that changes nothing. (Real separate processes: test/cli/*, test/unit/store-lock.test.ts.)
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { z } from 'zod';
import { createSecretStore } from '../../electron/store/secret-store.ts';
import { createAesSecretBox, createEphemeralSecretBox } from '../../electron/store/aes-secret-box.ts';
import { openNodeAccountStore } from '../../electron/store/account-store.ts';
import type { Account } from '../../shared/account.ts';
import { AppFailure } from '../../shared/result.ts';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'moa-shared-'));
const account = (id: string, address: string): z.input<typeof Account> => ({
  id, label: id, address, providerId: 'generic',
  auth: { adapter: 'oidc', issuer: 'https://id.example.test', clientId: 'cid', flow: 'delegated', authParams: {} },
  scopes: [], servers: { imap: { enabled: true, host: 'imap.example.test', port: 993, security: 'tls' } },
  createdAt: 1, updatedAt: 1,
});
const code = (e: unknown): string => (e instanceof AppFailure ? e.appError.code : String(e));

describe('secrets shared by two stores', () => {
  test('each sees the other’s writes; a write keeps the other’s entries', async () => {
    const dir = tmp();
    const box = createEphemeralSecretBox();
    const a = createSecretStore({ box, dir });
    const b = createSecretStore({ box, dir });
    await a.set('acc', 'oauth-grant', 'grant-1');
    assert.equal(await b.get('acc', 'oauth-grant'), 'grant-1');
    await a.set('acc', 'oauth-grant', 'grant-2'); // b's cached copy is now stale
    await b.set('acc', 'client-secret', 's');
    assert.equal(await a.get('acc', 'oauth-grant'), 'grant-2');
    assert.equal(await createSecretStore({ box, dir }).get('acc', 'oauth-grant'), 'grant-2');
    assert.equal(await a.get('acc', 'client-secret'), 's');
  });

  test('a finished temp file left by a killed writer is recovered; an unfinished one is deleted', async () => {
    const dir = tmp();
    const box = createEphemeralSecretBox();
    const s = createSecretStore({ box, dir });
    await s.set('acc', 'oauth-grant', 'old');
    const main = join(dir, 'acc.secrets');
    // What a writer killed between fsync and rename leaves: the newer grant, complete.
    writeFileSync(join(dir, 'acc.secrets.aaaaaaaaaaaa.tmp'), box.encrypt(JSON.stringify({ 'oauth-grant': 'rotated' })));
    // And one killed mid-write, older.
    writeFileSync(join(dir, 'acc.secrets.bbbbbbbbbbbb.tmp'), Buffer.from([1, 2, 3]));
    const past = new Date(Date.now() - 60_000);
    utimesSync(main, past, past);
    assert.equal(await createSecretStore({ box, dir }).get('acc', 'oauth-grant'), 'rotated');
    assert.deepEqual(readdirSync(dir).sort(), ['acc.secrets']);
    // An old complete leftover (the file was written again after it) does not win.
    writeFileSync(join(dir, 'acc.secrets.cccccccccccc.tmp'), box.encrypt(JSON.stringify({ 'oauth-grant': 'stale' })));
    utimesSync(join(dir, 'acc.secrets.cccccccccccc.tmp'), past, past);
    assert.equal(await createSecretStore({ box, dir }).get('acc', 'oauth-grant'), 'rotated');
    assert.deepEqual(readdirSync(dir).sort(), ['acc.secrets']);
  });

  test('a folder in place of the secrets file: LOCAL_FILE_WRONG_TYPE with the path, nothing moved', async () => {
    const dir = tmp();
    const s = createSecretStore({ box: createEphemeralSecretBox(), dir });
    mkdirSync(join(dir, 'acc.secrets'));
    await assert.rejects(s.get('acc', 'oauth-grant'), (e) => code(e) === 'LOCAL_FILE_WRONG_TYPE' && (e as AppFailure).appError.message.includes(join(dir, 'acc.secrets')));
    await assert.rejects(s.set('acc', 'oauth-grant', 'x'), (e) => code(e) === 'LOCAL_FILE_WRONG_TYPE');
    assert.deepEqual(readdirSync(dir), ['acc.secrets']);
  });

  test('memory-only mode: delete(account) still deletes the file an earlier run stored; adoptFromDisk reads it first', async () => {
    const dir = tmp();
    const weak = createAesSecretBox(randomBytes(32), { available: false, backend: 'key-file' });
    await createSecretStore({ box: weak, dir, allowInsecure: true }).set('acc', 'oauth-grant', 'on-disk');
    const memory = createSecretStore({ box: weak, dir });
    assert.equal(memory.status.persistent, false);
    assert.equal(await memory.get('acc', 'oauth-grant'), undefined);
    assert.equal(await memory.adoptFromDisk('acc'), true);
    assert.equal(await memory.get('acc', 'oauth-grant'), 'on-disk');
    await memory.delete('acc');
    assert.equal(existsSync(join(dir, 'acc.secrets')), false);
  });
});

describe('accounts shared by two stores', () => {
  test('both writers keep their accounts; each list sees the other’s; onChange reports a foreign write', async () => {
    const dir = tmp();
    const a = openNodeAccountStore({ cwd: dir });
    const b = openNodeAccountStore({ cwd: dir });
    a.put(account('a1', 'a1@example.test'));
    b.put(account('b1', 'b1@example.test')); // b was opened before a's write
    assert.deepEqual(a.list().map((x) => x.id), ['a1', 'b1']);
    const changed = new Promise<void>((resolve) => {
      const stop = a.onChange(() => {
        stop();
        resolve();
      });
    });
    b.remove('a1');
    // The watch does not keep a process alive by itself (the app and the web host are anyway).
    const alive = setInterval(() => undefined, 1000);
    await changed;
    clearInterval(alive);
    assert.deepEqual(a.list().map((x) => x.id), ['b1']);
    a.put({ ...account('b1', 'b1@example.test'), label: 'renamed' });
    assert.equal(b.get('b1')?.label, 'renamed');
    assert.deepEqual(Object.keys((JSON.parse(readFileSync(join(dir, 'accounts.json'), 'utf8')) as { accounts: object }).accounts), ['b1']);
  });

  test('update() changes the record as the file holds it now, keeping updatedAt; put(ifUpdatedAt) refuses an older copy', () => {
    const dir = tmp();
    const app = openNodeAccountStore({ cwd: dir });
    const cli = openNodeAccountStore({ cwd: dir });
    app.put(account('acc', 'alice@example.test'));
    const loaded = app.get('acc');
    assert.ok(loaded);
    // The other process edits the settings after this one loaded the record.
    cli.put({ ...account('acc', 'alice@example.test'), label: 'work', updatedAt: 2 });
    // A test result recorded from the copy loaded earlier would have undone the rename; update()
    // works on the record as it is now, and a result is no settings change.
    const tested = app.update('acc', (a) => ({ ...a, lastTest: { at: 5, ok: true, summary: 'passed', codes: [] } }));
    assert.deepEqual([tested?.label, tested?.updatedAt, tested?.lastTest?.ok], ['work', 2, true]);
    assert.deepEqual([cli.get('acc')?.label, cli.get('acc')?.lastTest?.ok], ['work', true]);
    assert.equal(app.update('nobody', (a) => a), undefined);
    // A settings save from the copy of version 1: refused, nothing written; from version 2: saved.
    assert.throws(() => app.put({ ...loaded, servers: {}, updatedAt: 3 }, { ifUpdatedAt: 1 }), (e) => code(e) === 'ACCOUNT_CHANGED_ELSEWHERE');
    assert.equal(cli.get('acc')?.servers.imap?.host, 'imap.example.test');
    app.put({ ...loaded, label: 'work', servers: {}, updatedAt: 3 }, { ifUpdatedAt: 2 });
    assert.deepEqual([cli.get('acc')?.servers, cli.get('acc')?.updatedAt], [{}, 3]);
    // Removed by the other: a save naming a version does not bring it back.
    cli.remove('acc');
    assert.throws(() => app.put({ ...loaded, updatedAt: 4 }, { ifUpdatedAt: 3 }), (e) => code(e) === 'NOT_FOUND');
    assert.deepEqual(cli.list(), []);
  });

  test('a folder in place of accounts.json: LOCAL_FILE_WRONG_TYPE with the path, not SETTINGS_CORRUPT, nothing moved', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'accounts.json'));
    assert.throws(() => openNodeAccountStore({ cwd: dir }), (e) => code(e) === 'LOCAL_FILE_WRONG_TYPE' && (e as AppFailure).appError.message.includes(join(dir, 'accounts.json')));
    assert.deepEqual(readdirSync(dir), ['accounts.json']);
  });
});
