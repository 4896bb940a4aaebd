// The facts the health rules read, from the account record, its token state and the health
// record (last refresh, last refresh failure) that `mail-oauth check` and the app keep.
import type { Account } from '../../shared/account.ts';
import type { TokenStateInfo } from '../auth/token-provider.ts';
import type { HealthFacts } from './rules.ts';

/** What the checks remember per account beside the account record (health.json). */
export type RefreshRecord = { lastRefreshAt?: number; lastRefreshFailure?: { at: number; code: string } };

export function healthFacts(account: Account, token: TokenStateInfo, record: RefreshRecord = {}): HealthFacts {
  const signedIn = token.state !== 'none';
  const f: HealthFacts = {
    accountId: account.id,
    ready: account.status === 'ready',
    appOnly: account.auth.flow === 'app-only',
    hasRefreshToken: token.hasRefreshToken,
  };
  if (account.consentStatus !== undefined) f.consentStatus = account.consentStatus;
  if (account.clientSecretExpiresAt !== undefined) f.clientSecretExpiresAt = account.clientSecretExpiresAt;
  // A dead grant (needs-reauth) is still the grant of the last sign-in: its age and failure count.
  if (signedIn) f.grantIssuedAt = account.identity?.authorizedAt ?? account.createdAt;
  if (token.expiresAt !== undefined) f.accessTokenExpiresAt = token.expiresAt;
  if (account.lastTest !== undefined) f.lastTest = { at: account.lastTest.at, ok: account.lastTest.ok, codes: account.lastTest.codes };
  if (record.lastRefreshAt !== undefined) f.lastRefreshAt = record.lastRefreshAt;
  if (record.lastRefreshFailure !== undefined) f.lastRefreshFailure = record.lastRefreshFailure;
  return f;
}
