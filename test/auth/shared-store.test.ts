// Two AuthServices on one data dir with one key, each with its own AccountStore and SecretStore
// (what two processes have), refreshing the same account at once, for both adapters. Before the
// store re-read its files, the second one refreshed with the refresh token it had cached, which
// the first had already rotated away, and the provider revoked the grant. (Separate processes:
// test/cli/cli-refresh-race-*.test.ts; this covers MSAL's cache plugin, which the CLI tests do not.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { benchControl, introspect } from '../bench/client.ts';
import { addAccount, harness, msalAuth, oidcAuth, unwrap } from './helpers.ts';

for (const [name, providerId, auth] of [
  ['MSAL', 'bench-ms', msalAuth('native-app')],
  ['openid-client', 'bench-oidc', oidcAuth('native-app')],
] as const) {
  test(`${name}: two stores on one data dir refresh one account 5 times at once; the grant survives`, async () => {
    const a = harness();
    const acc = addAccount(a, { providerId, auth });
    unwrap(await a.auth.authorize(acc.id, 'browser'));
    const b = harness({}, a);
    assert.equal(b.accounts.get(acc.id)?.id, acc.id, 'the second store sees the account');
    let last = '';
    for (let i = 0; i < 5; i++) {
      const [ta, tb] = await Promise.all([
        a.auth.getAccessToken(acc.id, { forceRefresh: true }),
        b.auth.getAccessToken(acc.id, { forceRefresh: true }),
      ]);
      assert.equal(ta.ok, true, JSON.stringify(ta));
      assert.equal(tb.ok, true, JSON.stringify(tb));
      last = unwrap(tb).token;
    }
    const intro = await introspect(last);
    assert.equal(intro.active, true);
    const g = (await benchControl('idp-grant', { accessToken: last })) as { revoked: boolean } | null;
    assert.equal(g?.revoked, false);
  });
}

test('remove in memory-only mode revokes the grant an earlier persisting run stored, and deletes its file', async () => {
  const { existsSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { randomBytes } = await import('node:crypto');
  const { createAesSecretBox } = await import('../../electron/store/aes-secret-box.ts');
  const { createSecretStore } = await import('../../electron/store/secret-store.ts');
  const { refreshTokens } = await import('../bench/client.ts');
  // Run 1 kept secrets on disk (key file, "--insecure-store"); run 2 has no such choice: memory only.
  const weak = createAesSecretBox(randomBytes(32), { available: false, backend: 'key-file' });
  const first = harness();
  const persisting = harness({ secrets: createSecretStore({ box: weak, dir: join(first.dir, 'secrets'), allowInsecure: true }) }, { ...first, box: weak });
  const acc = addAccount(persisting, { providerId: 'bench-oidc', auth: oidcAuth('native-app') });
  unwrap(await persisting.auth.authorize(acc.id, 'browser'));
  const grant = JSON.parse((await persisting.secrets.get(acc.id, 'oauth-grant')) ?? '{}') as { refreshToken?: string };
  const file = join(first.dir, 'secrets', `${acc.id}.secrets`);
  assert.ok(existsSync(file));

  const memoryOnly = harness({ secrets: createSecretStore({ box: weak, dir: join(first.dir, 'secrets') }) }, { ...first, box: weak });
  assert.equal(memoryOnly.secrets.status.persistent, false);
  const removed = unwrap(await memoryOnly.auth.removeAccount(acc.id));
  assert.equal(removed.revocation, 'revoked');
  assert.equal(existsSync(file), false, 'the secrets file is gone');
  await assert.rejects(refreshTokens(grant.refreshToken ?? '', 'native-app'), /invalid_grant/);
});
