// What a refresh sends, counted at the product's own HTTP client (every request the auth layer
// makes goes through it; the IdP is the bench's real oidc-provider): with the issuer's endpoints
// kept from the sign-in, a refresh is the POST /token alone, in a new process (a new AuthService
// over the same stores) as in a running one; a moved or gone token endpoint is re-discovered; a
// stale kept document is re-fetched; and a refreshed ID token naming another user is still caught.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { benchCa, benchInfo, introspect } from '../bench/client.ts';
import { AuthService } from '../../electron/auth/auth-service.ts';
import { createHttpFetch, type HttpFetch } from '../../electron/auth/http.ts';
import { METADATA_MAX_AGE_MS, OidcGrant } from '../../electron/auth/oidc-token-provider.ts';
import { runProbe, probeInputForAccount } from '../../electron/probe/run-probe.ts';
import type { ProviderEntry } from '../../shared/providers.ts';
import { addAccount, BENCH_PROVIDERS, harness, oidcAuth, unwrap, type Harness } from './helpers.ts';

const benchOidc = BENCH_PROVIDERS.find((p) => p.id === 'bench-oidc') as ProviderEntry;
/** The bench provider asked for no `email` / `profile`: its ID tokens carry only `sub`, so the
 * user's name can only come from UserInfo (the case where a refresh used to call it each time). */
const subOnly: ProviderEntry = { ...benchOidc, id: 'bench-oidc-sub-only', baseScopes: ['openid', 'offline_access'] };
const PROVIDERS = [...BENCH_PROVIDERS, subOnly];

/** The product's HTTP client with the bench CA, recording `METHOD /path` of every request. */
function counting(): { fetch: HttpFetch; requests: string[] } {
  const inner = createHttpFetch({ ca: benchCa() });
  const requests: string[] = [];
  return {
    requests,
    fetch: (url, init) => {
      requests.push(`${init?.method ?? 'GET'} ${new URL(url).pathname}`);
      return inner(url, init);
    },
  };
}

/** Another process over the same stores: a new AuthService with its own (cold) HTTP client. */
function newProcess(h: Harness): { auth: AuthService; requests: string[] } {
  const c = counting();
  const auth = new AuthService({ accounts: h.accounts, secrets: h.secrets, browser: { open: async () => undefined }, providers: PROVIDERS, fetch: c.fetch });
  return { auth, requests: c.requests };
}

const grantOf = async (h: Harness, id: string): Promise<OidcGrant> => OidcGrant.parse(JSON.parse((await h.secrets.get(id, 'oauth-grant')) ?? 'null'));
const setGrant = (h: Harness, id: string, g: OidcGrant): Promise<void> => h.secrets.set(id, 'oauth-grant', JSON.stringify(g));

const paths = () => {
  const d = benchInfo().discovery;
  return {
    discovery: `GET ${new URL(benchInfo().discoveryUrl).pathname}`,
    token: `POST ${new URL(String(d.token_endpoint)).pathname}`,
    userinfo: `GET ${new URL(String(d.userinfo_endpoint)).pathname}`,
  };
};

async function signedIn(providerId: string): Promise<{ h: Harness; id: string; signInRequests: string[] }> {
  const c = counting();
  const h = harness({ providers: PROVIDERS, fetch: c.fetch });
  const a = addAccount(h, { providerId, auth: oidcAuth('native-app') });
  unwrap(await h.auth.authorize(a.id, 'browser'));
  return { h, id: a.id, signInRequests: c.requests };
}

describe('refresh: only the POST /token', () => {
  test('the sign-in discovers (and asks UserInfo for a name); a refresh in a new process and again in the same one is only POST /token', async () => {
    const p = paths();
    const { h, id, signInRequests } = await signedIn(subOnly.id);
    assert.deepEqual(signInRequests, [p.discovery, p.token, p.userinfo], 'sign-in: discovery, code exchange, UserInfo for the name');
    const kept = await grantOf(h, id);
    assert.equal(kept.metadata?.document.token_endpoint, benchInfo().discovery.token_endpoint, 'the discovery document is kept with the grant');
    assert.equal(kept.sub, 'alice@example.test');

    const next = newProcess(h);
    const t1 = unwrap(await next.auth.getAccessToken(id, { forceRefresh: true }));
    assert.deepEqual(next.requests, [p.token], 'a refresh in a new process: no discovery, no UserInfo');
    assert.equal((await introspect(t1.token)).active, true);
    const t2 = unwrap(await next.auth.getAccessToken(id, { forceRefresh: true }));
    assert.deepEqual(next.requests, [p.token, p.token], 'a second refresh in the same process: again the POST alone');
    assert.notEqual(t2.token, t1.token);
    assert.equal((await introspect(t2.token)).active, true);
  });

  test('a kept document older than a day is fetched again before the refresh, and kept anew', async () => {
    const p = paths();
    const { h, id } = await signedIn(benchOidc.id);
    const g = await grantOf(h, id);
    assert.ok(g.metadata);
    await setGrant(h, id, { ...g, metadata: { ...g.metadata, fetchedAt: Date.now() - METADATA_MAX_AGE_MS - 60_000 } });
    const next = newProcess(h);
    unwrap(await next.auth.getAccessToken(id, { forceRefresh: true }));
    assert.deepEqual(next.requests, [p.discovery, p.token]);
    assert.ok(((await grantOf(h, id)).metadata?.fetchedAt ?? 0) > Date.now() - 60_000, 'the new document is kept');
  });

  for (const [what, moved] of [
    ['the kept token endpoint is gone (the provider answers 404 there)', (u: URL) => new URL('/moved-away/token', u)],
    ['the kept token endpoint host refuses connections', (u: URL) => new URL(`https://localhost:${benchInfo().failures.closedPort.port}/token`, u)],
  ] as const) {
    test(`${what}: discovery again, the refresh goes to the new endpoint once, and the new document is kept`, async () => {
      const p = paths();
      const { h, id } = await signedIn(benchOidc.id);
      const g = await grantOf(h, id);
      assert.ok(g.metadata);
      const stale = moved(new URL(String(g.metadata.document.token_endpoint))).href;
      await setGrant(h, id, { ...g, metadata: { ...g.metadata, document: { ...g.metadata.document, token_endpoint: stale } } });
      const next = newProcess(h);
      const t = unwrap(await next.auth.getAccessToken(id, { forceRefresh: true }));
      assert.deepEqual(next.requests, [`POST ${new URL(stale).pathname}`, p.discovery, p.token]);
      assert.equal((await introspect(t.token)).active, true);
      assert.equal((await grantOf(h, id)).metadata?.document.token_endpoint, benchInfo().discovery.token_endpoint);
    });
  }

  test('an OAuth refusal at the kept endpoint is no reason to discover again (invalid_grant: sign in again)', async () => {
    const p = paths();
    const { h, id } = await signedIn(benchOidc.id);
    const g = await grantOf(h, id);
    await setGrant(h, id, { ...g, refreshToken: 'not-a-refresh-token' });
    const next = newProcess(h);
    const r = await next.auth.getAccessToken(id, { forceRefresh: true });
    assert.equal(r.ok, false);
    assert.deepEqual(next.requests, [p.token]);
  });

  for (const provider of [subOnly, benchOidc]) {
    test(`a refreshed ID token for another user is caught (${provider === subOnly ? 'ID token with only sub' : 'ID token with email'}): the token names that user, the test says AUTH_WRONG_USER`, async () => {
      const alice = await signedIn(provider.id);
      // Bob signs in with the same client; his refresh token then sits in Alice's grant, as if
      // the provider answered Alice's refresh with Bob's tokens.
      alice.h.browser.user = 'bob@example.test';
      const bob = addAccount(alice.h, { providerId: provider.id, auth: oidcAuth('native-app'), address: 'bob@example.test' });
      unwrap(await alice.h.auth.authorize(bob.id, 'browser'));
      const bobGrant = await grantOf(alice.h, bob.id);
      const aliceGrant = await grantOf(alice.h, alice.id);
      await setGrant(alice.h, alice.id, { ...aliceGrant, refreshToken: bobGrant.refreshToken });

      const next = newProcess(alice.h);
      const provider_ = next.auth.tokenProvider(alice.id);
      const token = await provider_.getAccessToken({ forceRefresh: true });
      assert.equal(token.username, 'bob@example.test', 'the refreshed identity, not the remembered one');
      assert.deepEqual(next.requests, [paths().token], 'caught without UserInfo');

      const account = alice.h.accounts.get(alice.id);
      assert.ok(account);
      const report = await runProbe(probeInputForAccount(account, provider_), { ca: benchCa() });
      assert.equal(report.ok, false);
      const imap = report.protocols.find((x) => x.protocol === 'imap');
      assert.equal(imap?.code, 'AUTH_WRONG_USER');
    });
  }
});
