// The health rules (issue 13): the facts known about an account and their dates -> ok /
// attention (with the date it breaks) / broken (with the diagnosis code and its fix).
// Pure: the clock is a parameter, so the unit tests walk each rule through time.
import { describe } from '../../shared/diagnostics.ts';
import type { AccountHealth, HealthLevel, HealthReason } from '../../shared/health.ts';
import { worstLevel } from '../../shared/health.ts';
import type { ProviderEntry } from '../../shared/providers.ts';

const DAY = 86_400_000;

/** How early each rule turns to attention: early enough to act, late enough not to nag. */
export const WARN_BEFORE = {
  /** A Google Testing app's token lives 7 days: warn for the last 2. */
  testingExpiry: 2 * DAY,
  unusedExpiry: 14 * DAY,
  clientSecret: 30 * DAY,
  /** An access token without a refresh token: a day before it ends. */
  accessToken: DAY,
} as const;

/** What can be known about an account without asking the network. */
export type HealthFacts = {
  accountId: string;
  /** Draft accounts (wizard not finished) are not judged. */
  ready: boolean;
  /** App-only accounts get tokens by client credentials: no refresh token to age. */
  appOnly: boolean;
  consentStatus?: 'testing' | 'production';
  clientSecretExpiresAt?: number;
  /** When the current grant (refresh token) was issued: the last sign-in. Undefined: never signed in. */
  grantIssuedAt?: number;
  hasRefreshToken: boolean;
  accessTokenExpiresAt?: number;
  lastTest?: { at: number; ok: boolean; codes: readonly string[] };
  lastRefreshAt?: number;
  lastRefreshFailure?: { at: number; code: string };
};

export function evaluateHealth(facts: HealthFacts, provider: ProviderEntry | undefined, now: number): AccountHealth {
  const reasons: HealthReason[] = facts.ready ? collect(facts, provider, now) : [];
  reasons.sort((a, b) => rank(b.level) - rank(a.level));
  return { accountId: facts.accountId, level: worstLevel(reasons.map((r) => r.level)), reasons, at: now };
}

const rank = (l: HealthLevel): number => (l === 'broken' ? 2 : l === 'attention' ? 1 : 0);

function reason(cause: HealthReason['cause'], level: HealthReason['level'], code: string, message: string, date?: number): HealthReason {
  const d = describe(code);
  return { cause, level, code: d.code, message, action: d.action, fix: d.fix, ...(date !== undefined ? { date } : {}) };
}

const inDays = (ms: number): string => {
  const days = Math.ceil(ms / DAY);
  return days <= 1 ? 'within a day' : `in ${days} days`;
};

function collect(f: HealthFacts, provider: ProviderEntry | undefined, now: number): HealthReason[] {
  const out: HealthReason[] = [];
  if (f.grantIssuedAt === undefined && !f.appOnly) {
    out.push(reason('not-signed-in', 'broken', 'AUTH_NOT_SIGNED_IN', 'Not signed in: authorize the account.'));
  }

  // A refresh failure counts until a later refresh succeeded or the user signed in again.
  const failure = f.lastRefreshFailure;
  if (failure !== undefined && failure.at > (f.lastRefreshAt ?? -Infinity) && failure.at >= (f.grantIssuedAt ?? -Infinity)) {
    const d = describe(failure.code);
    const level = d.temporary === true ? 'attention' : 'broken';
    const msg = level === 'attention' ? `The last token renewal failed for now (${d.title}); it will be tried again.` : `${d.title}.`;
    out.push(reason('refresh-failed', level, failure.code, msg, failure.at));
  }

  const secretEnd = f.clientSecretExpiresAt;
  if (secretEnd !== undefined) {
    if (now >= secretEnd) out.push(reason('client-secret-expiry', 'broken', 'AUTH_CLIENT_SECRET_EXPIRED', 'The client secret has expired: store a new one.', secretEnd));
    else if (now >= secretEnd - WARN_BEFORE.clientSecret) {
      out.push(reason('client-secret-expiry', 'attention', 'AUTH_CLIENT_SECRET_EXPIRED', `The client secret expires ${inDays(secretEnd - now)}: create a new one before then.`, secretEnd));
    }
  }

  const limits = provider?.refreshTokenLimits;
  if (!f.appOnly && f.hasRefreshToken && f.grantIssuedAt !== undefined && limits !== undefined) {
    if (f.consentStatus === 'testing' && limits.testingDays !== undefined) {
      const end = f.grantIssuedAt + limits.testingDays * DAY;
      if (now >= end) out.push(reason('google-testing-expiry', 'broken', 'GOOGLE_TESTING_APP_EXPIRED', `The refresh token expired after ${limits.testingDays} days: Google Testing app.`, end));
      else if (now >= end - WARN_BEFORE.testingExpiry) {
        out.push(reason('google-testing-expiry', 'attention', 'GOOGLE_TESTING_APP_EXPIRED', `Refresh token expires ${inDays(end - now)}: Google Testing app.`, end));
      }
    }
    if (limits.unusedDays !== undefined) {
      const lastUse = Math.max(f.grantIssuedAt, f.lastRefreshAt ?? -Infinity);
      const end = lastUse + limits.unusedDays * DAY;
      if (now >= end) out.push(reason('refresh-token-unused', 'broken', 'AUTH_REFRESH_EXPIRED', `The refresh token was not used for ${limits.unusedDays} days and has expired.`, end));
      else if (now >= end - WARN_BEFORE.unusedExpiry) {
        out.push(reason('refresh-token-unused', 'attention', 'AUTH_REFRESH_EXPIRED', `Refresh token expires ${inDays(end - now)} unless it is used (${limits.unusedDays} days unused).`, end));
      }
    }
  }

  // No refresh token: the sign-in ends with the access token.
  if (!f.appOnly && f.grantIssuedAt !== undefined && !f.hasRefreshToken && f.accessTokenExpiresAt !== undefined) {
    const end = f.accessTokenExpiresAt;
    if (now >= end) out.push(reason('no-refresh-token', 'broken', 'AUTH_NO_REFRESH_TOKEN', 'The access token expired and there is no refresh token.', end));
    else if (now >= end - WARN_BEFORE.accessToken) {
      out.push(reason('no-refresh-token', 'attention', 'AUTH_NO_REFRESH_TOKEN', `The access token ends ${inDays(end - now)} and there is no refresh token.`, end));
    }
  }

  // The last connection test: a failure is broken (temporary causes: attention) until one passes.
  const t = f.lastTest;
  if (t !== undefined && !t.ok) {
    const code = t.codes[0] ?? 'INTERNAL';
    const d = describe(code);
    const level = t.codes.length > 0 && t.codes.every((c) => describe(c).temporary === true) ? 'attention' : 'broken';
    out.push(reason('test-failed', level, code, `The last connection test failed: ${d.title}.`, t.at));
  }
  return out;
}
