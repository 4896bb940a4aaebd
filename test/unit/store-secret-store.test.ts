// SecretStore on disk. The SecretBox here is createEphemeralSecretBox(): real AES-256-GCM with a
// random in-process key, a legitimate implementation of the SecretBox port (not a mock); the
// app's, the web host's and the CLI's is NodeSecretBox (the keyring-kept master key).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecretStore } from '../../electron/store/secret-store.ts';
import { createAesSecretBox, createEphemeralSecretBox } from '../../electron/store/aes-secret-box.ts';
import { randomBytes } from 'node:crypto';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'moa-secrets-'));
const SECRET = 'rt-' + randomBytes(24).toString('base64url');

describe('SecretStore', () => {
  test('round trip, encrypted file with mode 0600, no plaintext on disk', async () => {
    const dir = tmp();
    const box = createEphemeralSecretBox();
    const s = createSecretStore({ box, dir });
    assert.equal(s.status.persistent, true);
    await s.set('acc1', 'oauth-grant', JSON.stringify({ refreshToken: SECRET }));
    await s.set('acc1', 'client-secret', 'client-secret-value-123');
    const files = readdirSync(dir);
    assert.deepEqual(files, ['acc1.secrets']);
    const bytes = readFileSync(join(dir, 'acc1.secrets'));
    for (const needle of [SECRET, 'client-secret-value-123', 'refreshToken', 'oauth-grant']) {
      assert.equal(bytes.includes(Buffer.from(needle)), false, needle);
      assert.equal(bytes.toString('latin1').includes(Buffer.from(needle).toString('base64')), false);
    }
    assert.equal(statSync(join(dir, 'acc1.secrets')).mode & 0o777, 0o600);
    // A new store over the same directory and box reads it back.
    const again = createSecretStore({ box, dir });
    assert.equal(JSON.parse((await again.get('acc1', 'oauth-grant'))!).refreshToken, SECRET);
    await again.delete('acc1');
    assert.deepEqual(readdirSync(dir), []);
  });

  test('concurrent writes of one account keep every entry (serialized read-modify-write)', async () => {
    const dir = tmp();
    const box = createEphemeralSecretBox();
    const s = createSecretStore({ box, dir });
    await Promise.all([s.set('a', 'msal-cache', 'one'), s.set('a', 'oauth-grant', 'two'), s.set('a', 'client-secret', 'three')]);
    const fresh = createSecretStore({ box, dir });
    assert.deepEqual([await fresh.get('a', 'msal-cache'), await fresh.get('a', 'oauth-grant'), await fresh.get('a', 'client-secret')], ['one', 'two', 'three']);
  });

  test('SecretBox unavailable: memory only, SECRET_STORAGE_UNAVAILABLE, nothing written', async () => {
    const dir = tmp();
    const weak = createAesSecretBox(randomBytes(32), { available: false, backend: 'basic_text' });
    const s = createSecretStore({ box: weak, dir });
    assert.equal(s.status.persistent, false);
    assert.equal(s.status.problem?.code, 'SECRET_STORAGE_UNAVAILABLE');
    await s.set('a', 'oauth-grant', SECRET);
    assert.equal(await s.get('a', 'oauth-grant'), SECRET);
    assert.deepEqual(readdirSync(dir), []);
  });

  test('explicit insecure persistence writes, and says it is not secure', async () => {
    const dir = tmp();
    const weak = createAesSecretBox(randomBytes(32), { available: false, backend: 'basic_text' });
    const s = createSecretStore({ box: weak, dir, allowInsecure: true });
    assert.equal(s.status.persistent, true);
    assert.equal(s.status.secure, false);
    await s.set('a', 'oauth-grant', SECRET);
    assert.deepEqual(readdirSync(dir), ['a.secrets']);
  });

  test('a file encrypted with another key is kept aside, not deleted, and reads as empty', async () => {
    const dir = tmp();
    await createSecretStore({ box: createEphemeralSecretBox(), dir }).set('a', 'oauth-grant', SECRET);
    const other = createSecretStore({ box: createEphemeralSecretBox(), dir });
    assert.equal(await other.get('a', 'oauth-grant'), undefined);
    assert.ok(readdirSync(dir).some((f) => f.startsWith('a.secrets.undecryptable-')));
  });

  test('tampered ciphertext fails authentication (GCM tag)', () => {
    const box = createEphemeralSecretBox();
    const enc = box.encrypt('hello');
    enc[enc.length - 1] = (enc[enc.length - 1] ?? 0) ^ 1;
    assert.throws(() => box.decrypt(enc));
  });
});
