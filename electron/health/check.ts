// One health check of saved accounts (what `mail-oauth check` and the app's schedule run): a
// light token renewal that keeps the grant alive and finds a revoked one early, optionally a
// connection test, then the rules. Results are remembered in health.json (under its lock).
import { describe } from '../../shared/diagnostics.ts';
import type { Account } from '../../shared/account.ts';
import type { AccountHealth } from '../../shared/health.ts';
import { providerById } from '../../shared/providers.ts';
import type { CoreStores } from '../core/services.ts';
import { healthFacts, type RefreshRecord } from './facts.ts';
import { appendHistory, readHealthFile, updateHealthFile } from './health-file.ts';
import type { HistoryEntry } from '../../shared/health.ts';
import { evaluateHealth } from './rules.ts';

export type CheckOptions = {
  /** Renew each signed-in account's token first (default true): the only way to learn that the
   * provider revoked a grant before a mail client does. */
  refresh?: boolean;
  /** Run the connection test too (IMAP/POP/SMTP), saved as the account's last test. */
  test?: boolean;
  signal?: AbortSignal;
  ca?: string;
};

type Stores = Pick<CoreStores, 'accounts' | 'auth' | 'clock'>;

export async function checkAccounts(core: Stores, dataDir: string, accounts: readonly Account[], o: CheckOptions = {}): Promise<AccountHealth[]> {
  const refreshed: Record<string, RefreshRecord> = {};
  const history: Array<[string, HistoryEntry]> = [];
  for (const a of accounts) {
    if (a.status !== 'ready' || o.refresh === false) continue;
    const state = await core.auth.tokenState(a.id);
    if (!state.ok || state.value.state === 'none') continue;
    const r = await core.auth.getAccessToken(a.id, { forceRefresh: true, ...(o.signal ? { signal: o.signal } : {}) });
    const at = core.clock.now();
    refreshed[a.id] = r.ok ? { lastRefreshAt: at } : { lastRefreshFailure: { at, code: r.error.code } };
    history.push([a.id, { at, kind: 'refresh', ok: r.ok, by: 'check', ...(r.ok ? {} : { code: r.error.code }) }]);
    if (o.test === true && r.ok) {
      const t = await testAccount(core, a, o);
      history.push([a.id, { at: core.clock.now(), kind: 'test', ok: t.ok, by: 'check', ...(t.codes[0] !== undefined ? { code: t.codes[0] } : {}) }]);
    }
  }
  const records =
    Object.keys(refreshed).length === 0
      ? (await readHealthFile(dataDir)).refresh
      : await updateHealthFile(dataDir, (data) => {
          for (const [id, rec] of Object.entries(refreshed)) recordRefresh(data.refresh, id, rec);
          for (const [id, entry] of history) appendHistory(data, id, entry);
          return data.refresh;
        });
  const out: AccountHealth[] = [];
  for (const a0 of accounts) {
    const a = core.accounts.get(a0.id) ?? a0;
    const state = await core.auth.tokenState(a.id);
    const token = state.ok ? state.value : { state: 'none' as const, hasRefreshToken: false };
    out.push(evaluateHealth(healthFacts(a, token, records[a.id]), providerById(a.providerId), core.clock.now()));
  }
  return out;
}

/** A success keeps nothing of an older failure; a failure keeps the last success's date. */
export function recordRefresh(records: Record<string, RefreshRecord>, id: string, rec: RefreshRecord): void {
  records[id] = rec.lastRefreshAt !== undefined ? rec : { ...records[id], ...rec };
}

/** The connection test, saved as the account's last test (as the app's Test button does). */
export async function testAccount(core: Stores, a: Account, o: Pick<CheckOptions, 'signal' | 'ca'>): Promise<{ ok: boolean; codes: string[] }> {
  const { probeInputForAccount, runProbe } = await import('../probe/run-probe.ts');
  const report = await runProbe(probeInputForAccount(a, core.auth.tokenProvider(a.id)), {
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.ca ? { ca: o.ca } : {}),
  });
  const codes = [report.token.code, ...report.protocols.map((p) => p.code)].filter((c): c is string => !!c);
  const summary = report.ok ? 'passed' : `Failed: ${[...new Set(codes)].map((c) => describe(c).title).join('; ')}`;
  // A result, not a settings change: updatedAt stays (see AccountStore.update).
  core.accounts.update(a.id, (x) => ({ ...x, lastTest: { at: core.clock.now(), ok: report.ok, summary, codes } }));
  return { ok: report.ok, codes };
}
