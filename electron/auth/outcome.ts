// After an authorization: who signed in, what was granted, and what looks wrong (DESIGN.md
// "Authorize" step 4). Built from non-secret facts only; the result is validated with the shared
// zod schema the UI renders.
import { AuthOutcome, type AuthFlag, type AuthFlow } from '../../shared/auth-outcome.ts';
import { describe } from '../../shared/diagnostics.ts';
import type { ProviderEntry } from '../../shared/providers.ts';
import type { Servers } from '../../shared/account.ts';
import { excessScopes, missingProtocolScopes } from './scopes.ts';

export type OutcomeFacts = {
  accountId: string;
  flow: AuthFlow;
  /** Who should have signed in: the mailbox, or its delegate (signInAs) for a shared mailbox. */
  expectedUser: string;
  /** The mailbox address, when it is not expectedUser (a shared mailbox). */
  mailbox?: string;
  provider: ProviderEntry;
  servers: Servers;
  requestedScopes: string[];
  grantedScopes: string[];
  signedInAs?: string;
  expiresAt?: number;
  hasRefreshToken: boolean;
  authorizedAt: number;
  persisted: boolean;
};

/** The user an ID token names: `email` first (Google, most OIDC), then `preferred_username`
 * (Entra ID's UPN), then `upn` / `unique_name` (older Entra tokens). */
export function userFromClaims(claims: Record<string, unknown> | undefined): string | undefined {
  if (!claims) return undefined;
  for (const k of ['email', 'preferred_username', 'upn', 'unique_name']) {
    const v = claims[k];
    if (typeof v === 'string' && v.length > 0) return v;
  }
  return undefined;
}

export function buildOutcome(f: OutcomeFacts): AuthOutcome {
  const flags: AuthFlag[] = [];
  const appOnly = f.flow === 'client-credentials';
  if (!appOnly && f.signedInAs !== undefined && f.signedInAs.toLowerCase() !== f.expectedUser.toLowerCase()) {
    const shared = f.mailbox !== undefined && f.mailbox.toLowerCase() !== f.expectedUser.toLowerCase();
    flags.push(
      shared
        ? {
            code: 'AUTH_WRONG_DELEGATE',
            severity: 'warning',
            message: `Signed in as ${f.signedInAs}, but the shared mailbox ${f.mailbox} is opened by signing in as ${f.expectedUser}.`,
          }
        : { code: 'AUTH_WRONG_USER', severity: 'warning', message: `Signed in as ${f.signedInAs}, but the mailbox is ${f.expectedUser}.` },
    );
  }
  // App-only tokens carry roles of `.default`, not the per-protocol delegated scopes.
  if (!appOnly) {
    for (const m of missingProtocolScopes(f.provider, f.servers, f.grantedScopes, f.requestedScopes)) {
      flags.push({
        code: 'AUTH_SCOPE_MISSING',
        severity: 'warning',
        message:
          m.scopes.length === 0
            ? `${m.protocol.toUpperCase()}: no mail scope was requested (only ${f.requestedScopes.join(' ') || 'none'}), so the mail server will refuse the token. Add the scope(s) your provider documents for its mail servers and authorize again.`
            : `${m.protocol.toUpperCase()} needs ${m.scopes.join(' ')}, which was not granted.`,
        protocol: m.protocol,
        scopes: m.scopes,
      });
    }
    if (!f.hasRefreshToken) {
      flags.push({ code: 'AUTH_NO_REFRESH_TOKEN', severity: 'warning', message: describe('AUTH_NO_REFRESH_TOKEN').title });
    }
  }
  const excess = excessScopes(f.requestedScopes, f.grantedScopes);
  if (excess.length > 0) {
    flags.push({
      code: 'AUTH_EXCESS_SCOPES',
      severity: 'info',
      message: `Granted beyond what mail needs: ${excess.join(' ')}.`,
      scopes: excess,
    });
  }
  return AuthOutcome.parse({
    accountId: f.accountId,
    flow: f.flow,
    signedInAs: f.signedInAs,
    expectedUser: f.expectedUser,
    requestedScopes: f.requestedScopes,
    grantedScopes: f.grantedScopes,
    expiresAt: f.expiresAt,
    hasRefreshToken: f.hasRefreshToken,
    authorizedAt: f.authorizedAt,
    persisted: f.persisted,
    flags,
  });
}
