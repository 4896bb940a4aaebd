// NodeSecretBox: with a key backend that keeps the key (here a file-backed MasterKeyBackend, a
// real implementation of that small interface standing in for the OS keyring, which this test
// machine has no D-Bus session for), and with none (available=false, no silent persistence).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNodeSecretBox, secretToolBackend, type MasterKeyBackend } from '../../electron/store/node-secret-box.ts';
import { AppFailure } from '../../shared/result.ts';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'moa-box-'));

const fileBackend = (path: string): MasterKeyBackend => ({
  name: 'test-file',
  load: async () => (existsSync(path) ? Buffer.from(readFileSync(path, 'utf8'), 'base64') : undefined),
  save: async (key) => writeFileSync(path, key.toString('base64')),
});

describe('NodeSecretBox', () => {
  test('a kept master key: available, round trip, same key next time', async () => {
    const keyFile = join(tmp(), 'k');
    const box = await createNodeSecretBox({ backend: fileBackend(keyFile) });
    assert.equal(box.available, true);
    const enc = box.encrypt('top secret');
    assert.ok(!enc.includes(Buffer.from('top secret')));
    const box2 = await createNodeSecretBox({ backend: fileBackend(keyFile) });
    assert.equal(box2.decrypt(enc), 'top secret');
  });

  test('a backend that accepts but does not keep the key is reported unavailable', async () => {
    const box = await createNodeSecretBox({ backend: { name: 'lossy', load: async () => undefined, save: async () => undefined } });
    assert.equal(box.available, false);
    assert.match(box.unavailableReason ?? '', /did not keep/);
  });

  test('no backend and no --insecure-store: encrypt refuses with SECRET_STORAGE_UNAVAILABLE', async () => {
    const box = await createNodeSecretBox({ backend: null });
    assert.equal(box.available, false);
    assert.throws(() => box.encrypt('x'), (e: unknown) => e instanceof AppFailure && e.appError.code === 'SECRET_STORAGE_UNAVAILABLE');
  });

  test('--insecure-store: a 0600 key file, still available=false', async () => {
    const keyFile = join(tmp(), 'insecure.key');
    const box = await createNodeSecretBox({ backend: null, insecureKeyFile: keyFile });
    assert.equal(box.available, false);
    assert.equal(box.decrypt(box.encrypt('x')), 'x');
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
  });

  test('secret-tool missing or failing: unavailable, not a crash', async () => {
    const box = await createNodeSecretBox({
      backend: secretToolBackend(async () => { throw Object.assign(new Error('spawn secret-tool ENOENT'), { code: 'ENOENT' }); }),
    });
    assert.equal(box.available, false);
    assert.match(box.unavailableReason ?? '', /ENOENT/);
  });

  test('secret-tool backend passes the key on stdin, never in argv', async () => {
    const calls: { args: readonly string[]; stdin?: string }[] = [];
    let stored: string | undefined;
    const box = await createNodeSecretBox({
      backend: secretToolBackend(async (_file, args, stdin) => {
        calls.push({ args, ...(stdin !== undefined ? { stdin } : {}) });
        if (args[0] === 'store') { stored = stdin; return { code: 0, stdout: '' }; }
        return stored === undefined ? { code: 1, stdout: '' } : { code: 0, stdout: stored };
      }),
    });
    assert.equal(box.available, true);
    assert.ok(stored && Buffer.from(stored, 'base64').length === 32);
    assert.ok(calls.every((c) => !c.args.includes(stored!)));
  });
});
