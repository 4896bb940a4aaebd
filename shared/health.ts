// An account's health as both processes see it (electron/health/ computes it; the dashboard
// banner and `mail-oauth check` show it). No token values here: only dates, codes and reasons.
import type { DiagnosisAction } from './diagnostics/types.ts';

/** ok: nothing to do; attention: something will break on `date` unless acted on; broken: it
 * does not work now (`code` is the diagnosis, `fix` its steps). */
export type HealthLevel = 'ok' | 'attention' | 'broken';

export type HealthReason = {
  /** Stable name of the rule that fired (the alert ledger alerts once per cause). */
  cause: HealthCause;
  level: Exclude<HealthLevel, 'ok'>;
  /** Diagnosis code (shared/diagnostics.ts) of what is or will be wrong. */
  code: string;
  /** One sentence for a person: what and when. */
  message: string;
  /** When it breaks (attention) or broke (broken), ms since epoch. */
  date?: number;
  action: DiagnosisAction;
  fix: readonly string[];
};

export type HealthCause =
  | 'not-signed-in'
  | 'refresh-failed'
  | 'google-testing-expiry'
  | 'refresh-token-unused'
  | 'client-secret-expiry'
  | 'no-refresh-token'
  | 'test-failed';

export type AccountHealth = {
  accountId: string;
  level: HealthLevel;
  /** Worst first; empty when ok. */
  reasons: HealthReason[];
  /** When the rules ran. */
  at: number;
};

const RANK: Record<HealthLevel, number> = { ok: 0, attention: 1, broken: 2 };

export const worstLevel = (levels: readonly HealthLevel[]): HealthLevel =>
  levels.reduce<HealthLevel>((w, l) => (RANK[l] > RANK[w] ? l : w), 'ok');
