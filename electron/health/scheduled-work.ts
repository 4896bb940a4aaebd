// The scheduler's work (scheduler.ts) done for real: token renewals through AuthService (its
// refresh holds the account's cross-process lock, shared with `mail-oauth token` and `check`),
// connection tests through the probe engine, each result written to health.json (refresh record
// and the account's history) under its lock, then the health of every account recomputed for the
// banner (`health:changed`) and the new alerts announced once per cause (ledger channel `app`).
import { createHash } from 'node:crypto';
import type { AccountHealth } from '../../shared/health.ts';
import type { AuthService } from '../auth/auth-service.ts';
import type { Clock } from '../core/ports.ts';
import type { AccountStore } from '../store/account-store.ts';
import { recordRefresh, testAccount } from './check.ts';
import { appendHistory, readHealthFile, updateHealthFile } from './health-file.ts';
import { newAlerts, pruneLedger, type Alert } from './ledger.ts';
import { healthOfAccounts } from './list.ts';
import type { JobKind, JobOutcome, ScheduledAccount, SchedulerWork } from './scheduler.ts';
import { lastTokenUse } from './usage.ts';

export type ScheduledWorkDeps = {
  accounts: AccountStore;
  auth: AuthService;
  clock: Clock;
  dataDir: string;
  /** Extra trusted CA for the connection test (the web host's --ca-file). */
  ca?: string;
  /** Called as a job's health computation starts (the banner after a job); the function it
   * returns takes the result (compose.ts sends it if no later computation started meanwhile). */
  onHealth?: () => (health: AccountHealth[]) => void;
  /** Problems not announced before (OS notifications in the app), once per cause. */
  onAlerts?: (alerts: Alert[]) => void;
};

/** Whether an account is in use comes from the usage marks (health/usage.ts), which every process
 * that hands out a token leaves (the CLI's `token`, the bridge), this one included. */
export type ScheduledWork = SchedulerWork;

/** The ledger channel of the app's own alerts (`mail-oauth check --notify-cmd` has its own). */
export const APP_ALERTS = 'app';

export function createScheduledWork(d: ScheduledWorkDeps): ScheduledWork {
  async function accounts(): Promise<ScheduledAccount[]> {
    const records = (await readHealthFile(d.dataDir)).refresh;
    const out: ScheduledAccount[] = [];
    for (const a of d.accounts.list()) {
      const state = await d.auth.tokenState(a.id);
      const t = state.ok ? state.value : undefined;
      const signedIn = a.status === 'ready' && t !== undefined && (t.state === 'valid' || t.state === 'expired');
      const authorizedAt = a.identity?.authorizedAt;
      const lastRefreshAt = Math.max(records[a.id]?.lastRefreshAt ?? -Infinity, authorizedAt ?? -Infinity);
      const used = lastTokenUse(d.dataDir, a.id) ?? -Infinity;
      // What makes the plans start over: a new sign-in, other servers or auth settings. Not the
      // last test (each test saves it) nor the label.
      const version = createHash('sha256')
        .update(JSON.stringify([authorizedAt ?? null, a.auth, a.servers, a.scopes]))
        .digest('base64url')
        .slice(0, 16);
      const s: ScheduledAccount = { id: a.id, signedIn, hasRefreshToken: t?.hasRefreshToken ?? false, version };
      if (t?.expiresAt !== undefined) s.accessTokenExpiresAt = t.expiresAt;
      if (Number.isFinite(lastRefreshAt)) s.lastRefreshAt = lastRefreshAt;
      if (a.lastTest !== undefined) s.lastTestAt = a.lastTest.at;
      if (Number.isFinite(used)) s.lastUsedAt = used;
      out.push(s);
    }
    return out;
  }

  async function refresh(kind: 'renew' | 'refresh', id: string): Promise<JobOutcome> {
    const r = await d.auth.getAccessToken(id, { forceRefresh: true });
    const at = d.clock.now();
    await updateHealthFile(d.dataDir, (data) => {
      recordRefresh(data.refresh, id, r.ok ? { lastRefreshAt: at } : { lastRefreshFailure: { at, code: r.error.code } });
      appendHistory(data, id, { at, kind, ok: r.ok, by: 'schedule', ...(r.ok ? {} : { code: r.error.code }) });
    });
    return r.ok ? { ok: true } : { ok: false, code: r.error.code };
  }

  async function test(id: string): Promise<JobOutcome> {
    const a = d.accounts.get(id);
    if (!a) return { ok: false, code: 'NOT_FOUND' };
    const t = await testAccount(d, a, d.ca !== undefined ? { ca: d.ca } : {});
    const code = t.codes[0];
    await updateHealthFile(d.dataDir, (data) => {
      appendHistory(data, id, { at: d.clock.now(), kind: 'test', ok: t.ok, by: 'schedule', ...(code !== undefined ? { code } : {}) });
    });
    return t.ok ? { ok: true } : { ok: false, code: code ?? 'INTERNAL' };
  }

  /** The banner and the alerts after a job. */
  async function announce(): Promise<void> {
    const send = d.onHealth?.();
    const health = await healthOfAccounts(d);
    send?.(health);
    const now = d.clock.now();
    const alerts = await updateHealthFile(d.dataDir, (data) => {
      const r = newAlerts(pruneLedger(data.alerted[APP_ALERTS] ?? {}, d.accounts.list().map((a) => a.id)), health, now);
      data.alerted[APP_ALERTS] = r.ledger;
      return r.alerts;
    });
    if (alerts.length > 0) d.onAlerts?.(alerts);
  }

  return {
    accounts,
    async run(kind: JobKind, id: string): Promise<JobOutcome> {
      const outcome = kind === 'test' ? await test(id) : await refresh(kind, id);
      await announce();
      return outcome;
    },
  };
}
