// The leak test: a full run (openid-client authorize with a client secret + refresh, MSAL
// authorize + silent renewal, a connection test through runProbe using our TokenProvider), then
// every token and secret seen anywhere is searched for, raw and base64-encoded, in every file of
// the store directory, in all captured console output and log lines, and in everything returned
// (outcomes, errors, the probe report with its transcripts). None may appear.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import { benchCa, benchClient, benchInfo, loginWithHttpDetailed } from '../bench/client.ts';
import { addAccount, harness, msalAuth, oidcAuth, unwrap } from './helpers.ts';
import { OidcGrant } from '../../electron/auth/oidc-token-provider.ts';
import { runProbe } from '../../electron/probe/run-probe.ts';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

test('no token or secret in files, logs, console output or results', async () => {
  const captured: string[] = [];
  const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  const originals = methods.map((m) => console[m]);
  for (const m of methods) console[m] = (...args: unknown[]) => void captured.push(format(...args));
  const secrets = new Set<string>();
  const results: unknown[] = [];
  try {
    const h = harness({
      browser: {
        open: async (url) => {
          // The browser sees the authorization code: it is a secret too.
          const r = await loginWithHttpDetailed(url, { deliver: true });
          const code = r.params.get('code');
          if (code) secrets.add(code);
        },
      },
    });
    const clientSecret = benchClient('desktop-secret').secret ?? '';
    secrets.add(clientSecret);

    // openid-client: Google-like client with secret, authorize, refresh (rotation).
    const g = addAccount(h, { providerId: 'google', auth: oidcAuth('desktop-secret') });
    results.push(await h.auth.setClientSecret(g.id, clientSecret));
    results.push(await h.auth.authorize(g.id, 'browser'));
    const grant1 = OidcGrant.parse(JSON.parse((await h.secrets.get(g.id, 'oauth-grant')) ?? '{}'));
    const t1 = unwrap(await h.auth.getAccessToken(g.id, { forceRefresh: true }));
    const grant2 = OidcGrant.parse(JSON.parse((await h.secrets.get(g.id, 'oauth-grant')) ?? '{}'));
    for (const s of [grant1.accessToken, grant1.refreshToken, grant2.accessToken, grant2.refreshToken, t1.token]) if (s) secrets.add(s);

    // MSAL: authorize and renew (native-short: 3 s tokens).
    const m = addAccount(h, { providerId: 'bench-ms', auth: msalAuth('native-short') });
    results.push(await h.auth.authorize(m.id, 'browser'));
    const t2 = unwrap(await h.auth.getAccessToken(m.id));
    secrets.add(t2.token);
    const cache = JSON.parse((await h.secrets.get(m.id, 'msal-cache')) ?? '{}') as Record<string, Record<string, { secret?: string }>>;
    for (const kind of ['AccessToken', 'RefreshToken', 'IdToken']) for (const e of Object.values(cache[kind] ?? {})) if (e.secret) secrets.add(e.secret);
    results.push(await h.auth.tokenState(m.id));

    // A connection test through runProbe with our TokenProvider as its TokenSource.
    const account = h.accounts.get(g.id);
    assert.ok(account);
    const report = await runProbe(
      { address: account.address, servers: account.servers, mechanisms: ['OAUTHBEARER', 'XOAUTH2'], token: h.auth.tokenProvider(g.id), providerId: 'generic', accountId: g.id },
      { ca: benchCa() },
    );
    results.push(report);
    assert.equal(report.ok, true, JSON.stringify(report.protocols.map((p) => [p.protocol, p.code])));
    const probeToken = unwrap(await h.auth.getAccessToken(g.id));
    secrets.add(probeToken.token);

    // One more rotation after the probe: the newest refresh token must not show up either.
    // (getAccessToken's value IS the token by design: only its ok flag goes into `results`.)
    results.push((await h.auth.getAccessToken(g.id, { forceRefresh: true })).ok);
    const grant3 = OidcGrant.parse(JSON.parse((await h.secrets.get(g.id, 'oauth-grant')) ?? '{}'));
    for (const s of [grant3.accessToken, grant3.refreshToken]) if (s) secrets.add(s);

    assert.ok(secrets.size >= 8, `collected ${secrets.size} secrets`);
    const haystacks: [string, Buffer][] = [
      ...filesUnder(h.dir).map((f): [string, Buffer] => [f, readFileSync(f)]),
      ['console', Buffer.from(captured.join('\n'))],
      ['logs', Buffer.from(h.logs.join('\n'))],
      ['results', Buffer.from(JSON.stringify(results))],
      ['accounts', Buffer.from(JSON.stringify(h.accounts.list()))],
    ];
    assert.ok(haystacks.some(([n]) => n.endsWith('.secrets')), 'the secret files were scanned');
    for (const s of secrets) {
      assert.ok(s.length >= 8);
      const needles = [s, Buffer.from(s).toString('base64'), Buffer.from(s).toString('base64url')];
      for (const [name, bytes] of haystacks) {
        for (const n of needles) assert.equal(bytes.includes(Buffer.from(n)), false, `a secret appears in ${name}`);
      }
    }
    assert.ok(benchInfo().issuer);
  } finally {
    methods.forEach((m, i) => (console[m] = originals[i] as (typeof console)[typeof m]));
  }
});
