// Problems with the app's own files are local problems: they must not be reported as the identity
// provider's refusal (AUTH_FAILED "the identity provider refused the request").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { diagnoseAuthError } from '../../electron/auth/diagnose.ts';
import { toAppError } from '../../electron/core/errors.ts';
import { addAccount, errorCode, harness, oidcAuth } from './helpers.ts';

test('a folder where the account secrets file belongs: LOCAL_FILE_WRONG_TYPE with the system error', async () => {
  const h = harness();
  const a = addAccount(h, { providerId: 'bench-oidc', auth: oidcAuth('native-app'), scopes: ['imap'] });
  const secretsFile = join(h.dir, 'secrets', `${a.id}.secrets`);
  mkdirSync(secretsFile, { recursive: true });
  for (const r of [await h.auth.getAccessToken(a.id), await h.auth.tokenState(a.id), await h.auth.setClientSecret(a.id, 'x'.repeat(12))]) {
    assert.equal(errorCode(r), 'LOCAL_FILE_WRONG_TYPE', JSON.stringify(r));
    assert.ok(!r.ok && /EISDIR/.test(r.error.detail ?? ''), JSON.stringify(r));
  }
});

test('permission denied / read-only files: LOCAL_FILE_DENIED, in the auth layer and at the IPC edge', () => {
  // The errors exactly as node:fs throws them (the tests run as root, where chmod does not deny).
  const fsError = (code: string, syscall: string, path: string): NodeJS.ErrnoException =>
    Object.assign(new Error(`${code}: ${code === 'EACCES' ? 'permission denied' : 'read-only file system'}, ${syscall} '${path}'`), { code, errno: -13, syscall, path });
  for (const [code, expected] of [['EACCES', 'LOCAL_FILE_DENIED'], ['EPERM', 'LOCAL_FILE_DENIED'], ['EROFS', 'LOCAL_FILE_DENIED'], ['EISDIR', 'LOCAL_FILE_WRONG_TYPE'], ['ENOTDIR', 'LOCAL_FILE_WRONG_TYPE']] as const) {
    const e = fsError(code, 'open', '/home/alice/.config/mail-oauth-assistant/cli/secrets/acc-1.secrets');
    assert.equal(diagnoseAuthError(e, 'generic').code, expected, code);
    assert.equal(diagnoseAuthError(new Error('token cache write failed', { cause: e }), 'generic').code, expected, `${code} as a cause`);
    const app = toAppError(e);
    assert.equal(app.code, expected, code);
    assert.match(app.detail ?? '', /acc-1\.secrets/);
  }
});
