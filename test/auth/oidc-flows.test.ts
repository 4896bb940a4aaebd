// openid-client flows against the bench's OpenID provider (oidc-provider over HTTPS, test CA):
// browser (loopback + PKCE), Google-like client_secret_post with offline params, refresh with
// rotation, revoked grant -> reauthorize code, device code, client credentials, provider down.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { benchClient, benchInfo, refreshTokens } from '../bench/client.ts';
import { addAccount, errorCode, harness, oidcAuth, unwrap } from './helpers.ts';
import { approveDeviceCode } from './device-login.ts';
import { OidcGrant } from '../../electron/auth/oidc-token-provider.ts';

const grantOf = async (h: ReturnType<typeof harness>, id: string): Promise<OidcGrant> =>
  OidcGrant.parse(JSON.parse((await h.secrets.get(id, 'oauth-grant')) ?? 'null'));

describe('openid-client flows', () => {
  test('browser flow: PKCE S256, fresh state, loopback 127.0.0.1, outcome without flags, identity saved', async () => {
    const h = harness();
    const a = addAccount(h, { providerId: 'bench-oidc', auth: oidcAuth('native-app') });
    const progress: string[] = [];
    const outcome = unwrap(await h.auth.authorize(a.id, 'browser', { onProgress: (p) => progress.push(p.kind) }));
    assert.equal(outcome.signedInAs, 'alice@example.test');
    assert.equal(outcome.hasRefreshToken, true);
    assert.deepEqual(outcome.flags, []);
    assert.ok(outcome.grantedScopes.includes('imap') && outcome.grantedScopes.includes('smtp'));
    assert.ok(!outcome.requestedScopes.includes('pop'), 'POP is disabled: its scope is not requested');
    assert.deepEqual(progress, ['discovering', 'browser-opened', 'exchanging-code', 'done']);
    const url = new URL(h.opened[0] ?? '');
    assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
    assert.match(url.searchParams.get('redirect_uri') ?? '', /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    assert.ok((url.searchParams.get('state') ?? '').length >= 20);
    const stored = h.accounts.get(a.id);
    assert.equal(stored?.identity?.username, 'alice@example.test');
    assert.equal(stored?.identity?.hasRefreshToken, true);
    assert.ok(!JSON.stringify(stored).includes((await grantOf(h, a.id)).refreshToken ?? 'none'));
    // A second attempt gets another state and another port.
    unwrap(await h.auth.authorize(a.id, 'browser'));
    const url2 = new URL(h.opened[1] ?? '');
    assert.notEqual(url2.searchParams.get('state'), url.searchParams.get('state'));
    assert.notEqual(url2.searchParams.get('code_challenge'), url.searchParams.get('code_challenge'));
  });

  test('signed in as another user is flagged', async () => {
    const h = harness();
    const a = addAccount(h, { providerId: 'bench-oidc', auth: oidcAuth('native-app') });
    h.browser.user = 'bob@example.test';
    const outcome = unwrap(await h.auth.authorize(a.id, 'browser'));
    assert.equal(outcome.signedInAs, 'bob@example.test');
    assert.deepEqual(outcome.flags.map((f) => f.code), ['AUTH_WRONG_USER']);
  });

  test('user presses Deny: AUTH_ACCESS_DENIED, nothing stored', async () => {
    const h = harness();
    const a = addAccount(h, { providerId: 'bench-oidc', auth: oidcAuth('native-app') });
    h.browser.options = { deny: 'consent' };
    const r = await h.auth.authorize(a.id, 'browser');
    assert.equal(errorCode(r), 'AUTH_ACCESS_DENIED');
    assert.equal(await h.secrets.get(a.id, 'oauth-grant'), undefined);
  });

  test('Google-like desktop client: secret required, sent with client_secret_post; offline params from the catalog', async () => {
    const h = harness();
    const a = addAccount(h, { providerId: 'google', auth: oidcAuth('desktop-secret') });
    assert.equal(errorCode(await h.auth.authorize(a.id, 'browser')), 'AUTH_CLIENT_SECRET_MISSING');
    unwrap(await h.auth.setClientSecret(a.id, benchClient('desktop-secret').secret ?? ''));
    const outcome = unwrap(await h.auth.authorize(a.id, 'browser'));
    assert.equal(outcome.hasRefreshToken, true);
    const url = new URL(h.opened.at(-1) ?? '');
    assert.equal(url.searchParams.get('access_type'), 'offline');
    assert.equal(url.searchParams.get('prompt'), 'consent');
    assert.equal(url.searchParams.get('client_secret'), null, 'the secret never goes into the browser URL');
    // Device flow cannot grant Gmail's scope: refused before any request.
    assert.equal(errorCode(await h.auth.authorize(a.id, 'device')), 'AUTH_DEVICE_FLOW_UNSUPPORTED');
    // A wrong secret is invalid_client.
    unwrap(await h.auth.setClientSecret(a.id, 'wrong-secret'));
    assert.equal(errorCode(await h.auth.getAccessToken(a.id, { forceRefresh: true })), 'AUTH_INVALID_CLIENT');
  });

  test('refresh: short-lived token renewed, rotated refresh token saved, old one unusable', async () => {
    const h = harness();
    const a = addAccount(h, { providerId: 'bench-oidc', auth: oidcAuth('native-short') });
    unwrap(await h.auth.authorize(a.id, 'browser'));
    const g1 = await grantOf(h, a.id);
    // native-short tokens live 3 s, less than the refresh margin: the next call refreshes.
    const t = unwrap(await h.auth.getAccessToken(a.id));
    assert.notEqual(t.token, g1.accessToken);
    assert.equal(t.username, 'alice@example.test');
    const g2 = await grantOf(h, a.id);
    assert.equal(g2.accessToken, t.token, 'the handed-out token is the stored one');
    assert.ok(g2.refreshToken && g2.refreshToken !== g1.refreshToken, 'rotated refresh token stored');
    assert.equal(g2.grantIssuedAt, g1.grantIssuedAt);
    // Concurrent callers share one refresh (parallel refreshes would burn the rotating token).
    const many = await Promise.all([1, 2, 3, 4].map(() => h.auth.getAccessToken(a.id, { forceRefresh: true })));
    const tokens = new Set(many.map((r) => unwrap(r).token));
    assert.equal(tokens.size, 1);
    const g3 = await grantOf(h, a.id);
    assert.ok(unwrap(await h.auth.getAccessToken(a.id)).token.length > 0, 'grant still alive after the burst');
    // The provider refuses the old refresh token (and revokes the grant, as rotation demands).
    await assert.rejects(refreshTokens(g1.refreshToken ?? '', 'native-short'), /invalid_grant/);
    assert.ok(g3.refreshToken);
  });

  test('revoked refresh token -> reauthorize code; dashboard says needs-reauth', async () => {
    const h = harness();
    const a = addAccount(h, { providerId: 'bench-oidc', auth: oidcAuth('native-app') });
    unwrap(await h.auth.authorize(a.id, 'browser'));
    const g = await grantOf(h, a.id);
    // Someone else used the refresh token (reuse revokes the grant at oidc-provider).
    await refreshTokens(g.refreshToken ?? '', 'native-app');
    const r = await h.auth.getAccessToken(a.id, { forceRefresh: true });
    assert.equal(errorCode(r), 'AUTH_GRANT_REVOKED');
    assert.equal(unwrap(await h.auth.tokenState(a.id)).state, 'needs-reauth');
    // The dead refresh token is forgotten, and the same code is reported without a new request.
    assert.equal((await grantOf(h, a.id)).refreshToken, undefined);
    assert.equal(errorCode(await h.auth.getAccessToken(a.id, { forceRefresh: true })), 'AUTH_GRANT_REVOKED');
    // Authorizing again heals it.
    unwrap(await h.auth.authorize(a.id, 'browser'));
    assert.equal(unwrap(await h.auth.tokenState(a.id)).state, 'valid');
  });

  test('revocation on remove: provider revokes, secrets and record deleted', async () => {
    const h = harness();
    const a = addAccount(h, { providerId: 'bench-oidc', auth: oidcAuth('native-app') });
    unwrap(await h.auth.authorize(a.id, 'browser'));
    const g = await grantOf(h, a.id);
    const removed = unwrap(await h.auth.removeAccount(a.id));
    assert.deepEqual(removed, { revoked: true, revocation: 'revoked', secretsDeleted: true });
    assert.equal(h.accounts.get(a.id), undefined);
    assert.equal(await h.secrets.get(a.id, 'oauth-grant'), undefined);
    await assert.rejects(refreshTokens(g.refreshToken ?? '', 'native-app'), /invalid_grant/);
  });

  test('device code: code reported through onProgress, completed on another device', async () => {
    const h = harness();
    const a = addAccount(h, { providerId: 'bench-oidc', auth: oidcAuth('native-app') });
    let done: Promise<unknown> | undefined;
    const outcome = unwrap(
      await h.auth.authorize(a.id, 'device', {
        onProgress: (p) => {
          if (p.kind === 'device-code') {
            assert.ok(p.userCode.length > 0);
            done = approveDeviceCode(p.verificationUriComplete ?? p.verificationUri);
          }
        },
      }),
    );
    await done;
    assert.equal(outcome.flow, 'device');
    assert.equal(outcome.signedInAs, 'alice@example.test');
    assert.equal(outcome.hasRefreshToken, true);
  });

  test('device code: cancel stops polling at once', async () => {
    const h = harness();
    const a = addAccount(h, { providerId: 'bench-oidc', auth: oidcAuth('native-app') });
    const ctl = new AbortController();
    const r = await h.auth.authorize(a.id, 'device', { signal: ctl.signal, onProgress: (p) => p.kind === 'device-code' && ctl.abort() });
    assert.equal(errorCode(r), 'CANCELLED');
  });

  test('client credentials (daemon): app-only token, no refresh token expected', async () => {
    const h = harness();
    const a = addAccount(h, { providerId: 'bench-oidc', auth: oidcAuth('daemon', 'app-only'), address: 'shared@example.test', scopes: ['imap', 'pop', 'smtp'] });
    assert.equal(errorCode(await h.auth.authorize(a.id, 'client-credentials')), 'AUTH_CLIENT_SECRET_MISSING');
    unwrap(await h.auth.setClientSecret(a.id, benchClient('daemon').secret ?? ''));
    const outcome = unwrap(await h.auth.authorize(a.id, 'client-credentials'));
    assert.equal(outcome.flow, 'client-credentials');
    assert.deepEqual(outcome.flags, []);
    const t = unwrap(await h.auth.getAccessToken(a.id, { forceRefresh: true }));
    assert.ok(t.token.length > 10);
  });

  test('provider down (nothing listening) -> IDP_UNAVAILABLE', async () => {
    const h = harness();
    const { host, port } = benchInfo().failures.closedPort;
    const a = addAccount(h, { providerId: 'bench-oidc', auth: oidcAuth('native-app', 'delegated', `https://${host}:${port}`) });
    assert.equal(errorCode(await h.auth.authorize(a.id, 'browser')), 'IDP_UNAVAILABLE');
    assert.equal(errorCode(await h.auth.checkIssuer(`https://${host}:${port}`)), 'IDP_UNAVAILABLE');
    assert.equal(h.opened.length, 0, 'no browser opened when the provider is down');
    const info = unwrap(await h.auth.checkIssuer(benchInfo().issuer));
    assert.equal(info.tokenEndpoint, benchInfo().endpoints.token);
  });
});
