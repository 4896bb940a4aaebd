// The alert ledger: which problems were already announced, so that an alert (OS notification,
// --notify-cmd, banner pop) fires once per cause, not on every check. A cause that goes away is
// forgotten, so the same problem coming back later is announced again.
import type { AccountHealth, HealthReason } from '../../shared/health.ts';

/** accountId -> alert key -> when it was announced (ms). */
export type AlertLedger = Record<string, Record<string, number>>;

export type Alert = { accountId: string; key: string; reason: HealthReason };

/** Attention and broken are separate alerts: "expires in 2 days" then "expired" both matter. */
export const alertKey = (r: HealthReason): string => `${r.cause}:${r.level}:${r.code}`;

/** The alerts that are new in `states`, and the ledger after announcing them. Accounts not in
 * `states` keep their entries (a `check <one account>` must not forget the others). */
export function newAlerts(ledger: AlertLedger, states: readonly AccountHealth[], now: number): { alerts: Alert[]; ledger: AlertLedger } {
  const next: AlertLedger = { ...ledger };
  const alerts: Alert[] = [];
  for (const s of states) {
    const before = ledger[s.accountId] ?? {};
    const after: Record<string, number> = {};
    for (const r of s.reasons) {
      const key = alertKey(r);
      if (key in after) continue;
      const seen = before[key];
      if (seen === undefined) alerts.push({ accountId: s.accountId, key, reason: r });
      after[key] = seen ?? now;
    }
    if (Object.keys(after).length === 0) delete next[s.accountId];
    else next[s.accountId] = after;
  }
  return { alerts, ledger: next };
}

/** Drop entries of accounts that no longer exist. */
export function pruneLedger(ledger: AlertLedger, accountIds: readonly string[]): AlertLedger {
  const keep = new Set(accountIds);
  return Object.fromEntries(Object.entries(ledger).filter(([id]) => keep.has(id)));
}
