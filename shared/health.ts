// An account's health as both processes see it (electron/health/ computes it; the dashboard
// banner and `mail-oauth check` show it). No token values here: only dates, codes and reasons.
import { z } from 'zod';

/** ok: nothing to do; attention: something will break on `date` unless acted on; broken: it
 * does not work now (`code` is the diagnosis, `fix` its steps). */
export const HealthLevel = z.enum(['ok', 'attention', 'broken']);
export type HealthLevel = z.infer<typeof HealthLevel>;

export const HealthCause = z.enum([
  'not-signed-in',
  'refresh-failed',
  'google-testing-expiry',
  'refresh-token-unused',
  'client-secret-expiry',
  'no-refresh-token',
  'test-failed',
]);
export type HealthCause = z.infer<typeof HealthCause>;

export const HealthReason = z.object({
  /** Stable name of the rule that fired (the alert ledger alerts once per cause). */
  cause: HealthCause,
  level: z.enum(['attention', 'broken']),
  /** Diagnosis code (shared/diagnostics.ts) of what is or will be wrong. */
  code: z.string(),
  /** One sentence for a person: what and when. */
  message: z.string(),
  /** When it breaks (attention) or broke (broken), ms since epoch. */
  date: z.number().optional(),
  action: z.enum(['retry', 'reauthorize', 'edit-servers', 'edit-registration', 'none']),
  fix: z.array(z.string()).readonly(),
});
export type HealthReason = z.infer<typeof HealthReason>;

export const AccountHealth = z.object({
  accountId: z.string(),
  level: HealthLevel,
  /** Worst first; empty when ok. */
  reasons: z.array(HealthReason),
  /** When the rules ran. */
  at: z.number(),
});
export type AccountHealth = z.infer<typeof AccountHealth>;

export const HealthList = z.object({ accounts: z.array(AccountHealth) });
export type HealthList = z.infer<typeof HealthList>;

const RANK: Record<HealthLevel, number> = { ok: 0, attention: 1, broken: 2 };

export const worstLevel = (levels: readonly HealthLevel[]): HealthLevel =>
  levels.reduce<HealthLevel>((w, l) => (RANK[l] > RANK[w] ? l : w), 'ok');

/** One scheduled or manual event in an account's timeline: a connection test or a token renewal
 * (`renew`: before the access token ends, for an account in use; `refresh`: the light daily one
 * that keeps the grant alive). Only when, what, and the diagnosis code: never a token. */
export const HistoryEntry = z.object({
  at: z.number(),
  kind: z.enum(['test', 'renew', 'refresh']),
  ok: z.boolean(),
  code: z.string().optional(),
  /** Who ran it: the app's schedule, `mail-oauth check`, or the user (Test button). */
  by: z.enum(['schedule', 'check', 'user']),
});
export type HistoryEntry = z.infer<typeof HistoryEntry>;

/** How often the app runs a connection test of each account by itself (the user's choice). */
export const TestSchedule = z.enum(['off', 'daily', 'hourly']);
export type TestSchedule = z.infer<typeof TestSchedule>;

/** The one action that fixes a reason, named for what the user will do. The dashboard banner's
 * button and the desktop notification and tray entries use the same words. */
export function healthActionLabel(r: Pick<HealthReason, 'action' | 'cause'>): string | undefined {
  switch (r.action) {
    case 'reauthorize':
      return 'Re-authorize';
    case 'edit-servers':
      return 'Edit servers';
    case 'edit-registration':
      return r.cause === 'client-secret-expiry' ? 'Renew secret' : 'Open registration';
    case 'retry':
      return 'Test again';
    default:
      return undefined;
  }
}
