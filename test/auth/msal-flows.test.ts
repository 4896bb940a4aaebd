// MSAL Node against the bench's OpenID provider (protocolMode OIDC, knownAuthorities with port,
// our network client trusting the test CA through httpsCa). The browser step is the bench's
// loginWithHttp inside the BrowserOpener: it drives login + consent and POSTs MSAL's form_post
// response to MSAL's own loopback (http://localhost:<port>).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { benchCa, benchClient, benchInfo } from '../bench/client.ts';
import { addAccount, errorCode, harness, msalAuth, unwrap } from './helpers.ts';
import { approveDeviceCode } from './device-login.ts';
import { createHttpFetch, type HttpFetch } from '../../electron/auth/http.ts';

const listening = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });

const redirectPort = (authUrl: string | undefined): number =>
  Number(new URL(new URL(authUrl ?? '').searchParams.get('redirect_uri') ?? '').port);

const until = async (cond: () => boolean): Promise<void> => {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
};

/**
 * TEST-ONLY network shim (AUTH-NOTES.md): MSAL derives the device endpoint as `<token>/devicecode`
 * and polls with `grant_type=device_code`, which Entra accepts but RFC 8628 providers do not
 * (they want `urn:ietf:params:oauth:grant-type:device_code`). This translates both for the bench.
 * Production code never does this: the real Entra endpoint takes MSAL's requests as they are.
 */
function deviceShim(base: HttpFetch): HttpFetch {
  const info = benchInfo();
  return async (url, init) => {
    let target = url;
    let body = init?.body;
    if (new URL(url).pathname.endsWith('/devicecode')) target = info.endpoints.deviceAuthorization;
    if (typeof body === 'string' && /(^|&)grant_type=device_code(&|$)/.test(body)) {
      body = body.replace(/(^|&)grant_type=device_code(?=&|$)/, `$1grant_type=${encodeURIComponent('urn:ietf:params:oauth:grant-type:device_code')}`);
    }
    return base(target, { ...init, body });
  };
}

describe('MSAL flows against the local provider', () => {
  test('interactive: system-browser login via MSAL loopback, outcome, encrypted cache', async () => {
    const h = harness();
    const a = addAccount(h, { providerId: 'bench-ms', auth: msalAuth('native-app') });
    const outcome = unwrap(await h.auth.authorize(a.id, 'browser'));
    assert.equal(outcome.signedInAs, 'alice@example.test');
    assert.equal(outcome.hasRefreshToken, true);
    assert.deepEqual(outcome.flags, []);
    const authUrl = new URL(h.opened[0] ?? '');
    assert.equal(authUrl.searchParams.get('response_mode'), 'form_post');
    assert.equal(authUrl.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(await listening(redirectPort(h.opened[0])), false, 'MSAL closed its loopback');
    const stored = h.accounts.get(a.id);
    assert.ok(stored?.identity?.homeAccountId);
    assert.ok((await h.secrets.get(a.id, 'msal-cache'))?.includes('RefreshToken'));
    const t = unwrap(await h.auth.getAccessToken(a.id));
    assert.ok(t.token.length > 10);
    assert.equal(unwrap(await h.auth.tokenState(a.id)).state, 'valid');
  });

  test('silent renewal after expiry (native-short): new token, rotated refresh token saved', async () => {
    const h = harness();
    const a = addAccount(h, { providerId: 'bench-ms', auth: msalAuth('native-short') });
    unwrap(await h.auth.authorize(a.id, 'browser'));
    const cache1 = JSON.parse((await h.secrets.get(a.id, 'msal-cache')) ?? '{}') as { RefreshToken: Record<string, { secret: string }> };
    const rt1 = Object.values(cache1.RefreshToken)[0]?.secret;
    const t1 = unwrap(await h.auth.getAccessToken(a.id));
    const t2 = unwrap(await h.auth.getAccessToken(a.id));
    assert.notEqual(t1.token, t2.token, '3 s tokens are always inside MSAL\'s 300 s window: renewed');
    const cache2 = JSON.parse((await h.secrets.get(a.id, 'msal-cache')) ?? '{}') as { RefreshToken: Record<string, { secret: string }> };
    const rt2 = Object.values(cache2.RefreshToken)[0]?.secret;
    assert.ok(rt1 && rt2 && rt1 !== rt2, 'rotated refresh token persisted');
    // Parallel callers share one renewal.
    const many = await Promise.all([1, 2, 3].map(() => h.auth.getAccessToken(a.id, { forceRefresh: true })));
    assert.equal(new Set(many.map((r) => unwrap(r).token)).size, 1);
    assert.ok(unwrap(await h.auth.getAccessToken(a.id, { forceRefresh: true })).token);
  });

  test('cancel while the browser is open: CANCELLED and no listener left', async () => {
    const h = harness();
    const a = addAccount(h, { providerId: 'bench-ms', auth: msalAuth('native-app') });
    h.browser.hang = true; // the browser opened; the user never finishes
    const ctl = new AbortController();
    const pending = h.auth.authorize(a.id, 'browser', { signal: ctl.signal });
    await until(() => h.opened.length > 0);
    const port = redirectPort(h.opened[0]);
    assert.equal(await listening(port), true, 'MSAL is waiting on its loopback');
    ctl.abort();
    assert.equal(errorCode(await pending), 'CANCELLED');
    assert.equal(await listening(port), false);
  });

  test('timeout (closed tab): TIMEOUT and no listener left', async () => {
    const h = harness();
    const a = addAccount(h, { providerId: 'bench-ms', auth: msalAuth('native-app') });
    h.browser.hang = true;
    const r = await h.auth.authorize(a.id, 'browser', { timeoutMs: 400 });
    assert.equal(errorCode(r), 'TIMEOUT');
    assert.equal(await listening(redirectPort(h.opened[0])), false);
  });

  test('cancel via the service while the opener is still running', async () => {
    const h = harness();
    const a = addAccount(h, { providerId: 'bench-ms', auth: msalAuth('native-app') });
    let release: () => void = () => undefined;
    const opened: string[] = [];
    const h2 = harness({ browser: { open: (url) => { opened.push(url); return new Promise<void>((r) => { release = r; }); } } });
    const a2 = addAccount(h2, { providerId: 'bench-ms', auth: msalAuth('native-app') });
    const pending = h2.auth.authorize(a2.id, 'browser');
    await until(() => opened.length > 0);
    assert.equal(h2.auth.cancel(a2.id), true);
    assert.equal(errorCode(await pending), 'CANCELLED');
    assert.equal(await listening(redirectPort(opened[0])), false);
    release();
    assert.ok(a);
    assert.ok(h);
  });

  test('device code (with the test-only grant-type shim)', async () => {
    const h = harness({ fetch: deviceShim(createHttpFetch({ ca: benchCa() })) });
    const a = addAccount(h, { providerId: 'bench-ms', auth: msalAuth('native-app') });
    let approval: Promise<void> | undefined;
    const outcome = unwrap(
      await h.auth.authorize(a.id, 'device', {
        onProgress: (p) => {
          if (p.kind === 'device-code') {
            const complete = new URL(p.verificationUri);
            complete.searchParams.set('user_code', p.userCode);
            approval = approveDeviceCode(complete.href);
          }
        },
      }),
    );
    await approval;
    assert.equal(outcome.flow, 'device');
    assert.equal(outcome.signedInAs, 'alice@example.test');
  });

  test('device code cancel', async () => {
    const h = harness({ fetch: deviceShim(createHttpFetch({ ca: benchCa() })) });
    const a = addAccount(h, { providerId: 'bench-ms', auth: msalAuth('native-app') });
    const ctl = new AbortController();
    const r = await h.auth.authorize(a.id, 'device', { signal: ctl.signal, onProgress: (p) => p.kind === 'device-code' && ctl.abort() });
    assert.equal(errorCode(r), 'CANCELLED');
  });

  test('client credentials (daemon) and the tenant rule', async () => {
    const h = harness();
    const a = addAccount(h, { providerId: 'bench-ms', auth: msalAuth('daemon', 'app-only'), address: 'shared@example.test', scopes: ['imap', 'pop', 'smtp'] });
    unwrap(await h.auth.setClientSecret(a.id, benchClient('daemon').secret ?? ''));
    const outcome = unwrap(await h.auth.authorize(a.id, 'client-credentials'));
    assert.equal(outcome.flow, 'client-credentials');
    assert.ok(unwrap(await h.auth.getAccessToken(a.id)).token.length > 10);
    // Entra: client credentials against common/organizations/consumers is refused before any request.
    const ms = addAccount(h, {
      providerId: 'bench-ms',
      auth: { adapter: 'msal', authority: 'https://login.microsoftonline.com/organizations', clientId: 'x', flow: 'app-only', oidcMode: false },
    });
    unwrap(await h.auth.setClientSecret(ms.id, 'secret'));
    assert.equal(errorCode(await h.auth.authorize(ms.id, 'client-credentials')), 'AUTH_TENANT_REQUIRED');
  });
});
