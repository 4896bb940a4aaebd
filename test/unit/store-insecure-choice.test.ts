// Without OS encryption secrets stay in memory, until the user explicitly chooses to keep them on
// disk: then what is held is written at once (encrypted with the non-OS key, never plaintext),
// and the choice is remembered across restarts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAesSecretBox } from '../../electron/store/aes-secret-box.ts';
import { dispatch } from '../../electron/core/ipc-dispatch.ts';
import { testCore } from './core-fixture.ts';
import type { AppInfo } from '../../shared/ipc.ts';

// A box like Electron's basic_text backend: it can encrypt, but with no OS-protected key, so it
// reports itself unavailable. (An AES-GCM box with an in-process key: a real SecretBox, not a mock.)
const key = randomBytes(32);
const basicText = () => createAesSecretBox(key, { available: false, backend: 'basic_text' });
const refreshToken = `rt-${randomBytes(24).toString('hex')}`;

test('memory only by default; the explicit choice writes the secrets encrypted and is remembered', async () => {
  const core = testCore({ secretBox: basicText() });
  const handlers = core.handlers(() => {});
  const before = await dispatch(handlers, 'app:info', {});
  assert.deepEqual(before.ok && (before.value as AppInfo).secretStorage, { available: false, backend: 'basic_text', persisted: false });

  await core.secrets.set('acc-1', 'oauth-grant', JSON.stringify({ refreshToken }));
  const secretsDir = join(core.dataDir, 'secrets');
  assert.ok(!existsSync(secretsDir) || readdirSync(secretsDir).length === 0, 'nothing on disk before the choice');

  const refused = await dispatch(handlers, 'app:keep-secrets-without-os-encryption', { confirm: false });
  assert.equal(!refused.ok && refused.error.code, 'VALIDATION_FAILED', 'the choice must be explicit');

  const after = await dispatch(handlers, 'app:keep-secrets-without-os-encryption', { confirm: true });
  assert.deepEqual(after.ok && (after.value as AppInfo).secretStorage, { available: false, backend: 'basic_text', persisted: true });
  const files = readdirSync(secretsDir);
  assert.equal(files.length, 1, 'the secret held in memory was written at once');
  const bytes = readFileSync(join(secretsDir, files[0] ?? '')).toString('latin1');
  assert.ok(!bytes.includes(refreshToken), 'never plaintext on disk');

  // A restart on the same data directory: the choice holds and the secret is still there.
  const again = testCore({ secretBox: basicText(), dataDir: core.dataDir });
  const info = await dispatch(again.handlers(() => {}), 'app:info', {});
  assert.equal(info.ok && (info.value as AppInfo).secretStorage.persisted, true);
  assert.equal(await again.secrets.get('acc-1', 'oauth-grant'), JSON.stringify({ refreshToken }));
});
