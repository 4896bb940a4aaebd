// Silent renewal that needs the user: the desktop app (interactiveFallback) opens the browser and
// recovers; the CLI (no fallback) fails with a reauthorize code and marks the account.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { revokeToken } from '../bench/client.ts';
import { addAccount, errorCode, harness, msalAuth, unwrap } from './helpers.ts';
import { describe as describeCode } from '../../shared/diagnostics.ts';

async function revokedAccount(interactiveFallback: boolean) {
  const h = harness({ interactiveFallback });
  const a = addAccount(h, { providerId: 'bench-ms', auth: msalAuth('native-app') });
  unwrap(await h.auth.authorize(a.id, 'browser'));
  const cache = JSON.parse((await h.secrets.get(a.id, 'msal-cache')) ?? '{}') as { RefreshToken: Record<string, { secret: string }> };
  const rt = Object.values(cache.RefreshToken)[0]?.secret;
  assert.ok(rt);
  // The user revoked the app's access (or an admin did): the refresh token is dead.
  await revokeToken(rt, 'native-app', 'refresh_token');
  return { h, a };
}

test('app: a revoked grant during silent renewal opens the browser once and recovers', async () => {
  const { h, a } = await revokedAccount(true);
  assert.equal(h.opened.length, 1);
  const t = unwrap(await h.auth.getAccessToken(a.id, { forceRefresh: true }));
  assert.ok(t.token.length > 10);
  assert.equal(h.opened.length, 2, 'the sign-in page opened again');
  assert.equal(unwrap(await h.auth.tokenState(a.id)).state, 'valid');
});

test('CLI: a revoked grant fails with a reauthorize code and the account says so', async () => {
  const { h, a } = await revokedAccount(false);
  const r = await h.auth.getAccessToken(a.id, { forceRefresh: true });
  const code = errorCode(r);
  assert.ok(code, 'renewal must fail');
  assert.equal(describeCode(code).action, 'reauthorize', `${code} should lead to Sign in again`);
  assert.equal(h.opened.length, 1, 'no browser from a headless renewal');
  assert.equal(unwrap(await h.auth.tokenState(a.id)).state, 'needs-reauth');
});
