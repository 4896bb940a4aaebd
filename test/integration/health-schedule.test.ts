// The background schedule with the real work against the bench (issue 13): the core as the app
// and the web host compose it (real AuthService, the probe against Dovecot, health.json on disk),
// with timings shortened. A scheduled test passes; the grant is revoked at the identity provider;
// the next scheduled test fails, the account turns broken, its timeline shows it, the alert is
// announced once while the retries go on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchCa, benchInfo, loginWithHttp, revokeToken } from '../bench/client.ts';
import { createCore } from '../../electron/core/compose.ts';
import { noEncryptionBox } from '../../electron/core/memory-secret-box.ts';
import { dispatch } from '../../electron/core/ipc-dispatch.ts';
import type { Alert } from '../../electron/health/ledger.ts';
import type { HealthList, HistoryEntry } from '../../shared/health.ts';

/** Polls until `check` returns a value (the schedule runs on its own time), failing with the last
 * state seen after `ms` (a hang guard, not a speed check). */
async function waitFor<T>(what: string, check: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    const v = await check().catch((e: unknown) => ((last = e), undefined));
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`${what}: not within ${ms / 1000} s (last: ${String(last)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('a scheduled test after the grant was revoked at the IdP turns the account broken, with its timeline and one alert', async () => {
  const info = benchInfo();
  const main = info.mail.main;
  const dataDir = mkdtempSync(join(tmpdir(), 'moa-schedule-'));
  const core = createCore({
    shell: 'web-host',
    version: '0',
    dataDir,
    secretBox: noEncryptionBox,
    ca: benchCa(),
    browser: { open: async (url) => void loginWithHttp(url, { user: 'alice@example.test', deliver: true }) },
    schedule: { config: { tickMs: 100, spreadMs: 300, testEveryMs: { hourly: 1500, daily: 86_400_000 }, backoffBaseMs: 400, backoffMaxMs: 1500 } },
  });
  const events: HealthList[] = [];
  const h = core.handlers((event, payload) => {
    if (event === 'health:changed') events.push(payload as HealthList);
  });
  const alerts: Alert[] = [];
  core.onHealthAlerts((a) => alerts.push(...a));
  const call = async <T>(channel: string, input: unknown): Promise<T> => {
    const r = await dispatch(h, channel, input);
    if (!r.ok) throw new Error(`${channel}: ${JSON.stringify(r.error)}`);
    return r.value as T;
  };
  try {
    const saved = await call<{ id: string }>('accounts:save', {
      account: {
        label: 'alice@example.test',
        address: 'alice@example.test',
        providerId: 'generic',
        auth: { adapter: 'oidc', issuer: info.issuer, clientId: 'native-app', flow: 'delegated', authParams: {} },
        scopes: ['imap', 'openid', 'email', 'offline_access'],
        servers: { imap: { enabled: true, host: main.imap.tls.host, port: main.imap.tls.port, security: 'tls' } },
        status: 'ready',
        wizardStep: 'done',
      },
    });
    const id = saved.id;
    await call('auth:start', { id, flow: 'browser' });
    assert.deepEqual(await call('health:schedule', {}), { test: 'off' });
    assert.deepEqual(await call('health:set-schedule', { test: 'hourly' }), { test: 'hourly' });

    const history = async () => (await call<{ entries: HistoryEntry[] }>('health:history', { id })).entries;
    await waitFor('a passing scheduled test', async () => ((await history()).some((e) => e.by === 'schedule' && e.kind === 'test' && e.ok) ? true : undefined));
    assert.equal((await call<HealthList>('health:list', {})).accounts[0]?.level, 'ok');

    // The provider revokes the grant (a password change, "sign out everywhere").
    const token = await core.auth.getAccessToken(id);
    assert.ok(token.ok);
    await revokeToken(token.value.token, 'native-app', 'access_token');

    const broken = await waitFor('broken after a scheduled test', async () => {
      const list = await call<HealthList>('health:list', {});
      return list.accounts[0]?.level === 'broken' ? list : undefined;
    });
    assert.equal(broken.accounts[0]?.reasons[0]?.cause, 'test-failed');
    // The account's last test is saved first, its history entry right after (same job).
    const failed = await waitFor('the failed scheduled test in the history', async () => {
      const f = (await history()).filter((e) => e.by === 'schedule' && e.kind === 'test' && !e.ok);
      return f.length >= 1 ? f : undefined;
    });
    assert.match(failed[0]?.code ?? '', /^AUTH_/, `a sign-in failure at the server: ${failed[0]?.code}`);
    await waitFor('the banner told (health:changed)', async () => (events.some((e) => e.accounts[0]?.level === 'broken') ? true : undefined));

    // The schedule retries (backoff): more failed tests, still one alert for the cause.
    await waitFor('two more failed scheduled tests', async () => ((await history()).filter((e) => e.by === 'schedule' && e.kind === 'test' && !e.ok).length >= 3 ? true : undefined));
    assert.deepEqual(
      alerts.map((a) => `${a.reason.cause}:${a.reason.level}`),
      ['test-failed:broken'],
      'announced once, not at each retry',
    );

    // Nothing secret in the timeline or the health file.
    const kept = JSON.stringify(await history());
    assert.ok(!kept.includes(token.value.token));
  } finally {
    await core.scheduler?.stop();
  }
});
