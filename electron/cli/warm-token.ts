// The early connection to an account's token endpoint (issue 10: a refresh's TCP and TLS round
// trips overlap the CLI's loading instead of following it).
import type { Account } from '../../shared/account.ts';
import { providerById } from '../../shared/provider-catalog.ts';
import { preconnect } from '../auth/preconnect.ts';
import { DEFAULT_REFRESH_MARGIN_MS } from '../core/ports.ts';

/**
 * Connect to the identity provider's token endpoint now, when the token will likely need a
 * refresh: the connection's round trips (TCP, TLS) then run while the store, the key and the auth
 * code load (`test --account`, and `token` once its saved token turned out too old), and the
 * refresh takes one round trip once they are ready. Same server and same trust as the refresh's
 * own client (AuthService: --ca-file's CA plus the account's), so the refresh
 * takes this connection; a guess that misses only costs an unused connection. Resolves once the
 * connection is on its way (preconnect()).
 */
export function warmTokenServer(account: Account, globalCa: string | undefined): Promise<void> {
  if (account.grantFrom !== undefined) return Promise.resolve(); // the owner's settings refresh it
  const { identity } = account;
  if (identity?.expiresAt !== undefined && identity.expiresAt - DEFAULT_REFRESH_MARGIN_MS > Date.now()) return Promise.resolve();
  const a = account.auth;
  const provider = providerById(account.providerId);
  // As the token providers choose: MSAL posts to its authority's host; openid-client to the
  // catalog's token endpoint for a catalog issuer, else to the one the issuer's discovery names,
  // which in practice is on the issuer's host.
  const url = a.adapter === 'msal' ? a.authority : provider?.endpoints && provider.issuer === a.issuer ? provider.endpoints.token : a.issuer;
  const ca = [...(globalCa === undefined ? [] : [globalCa]), ...(account.caPem === undefined || account.caPem.trim() === '' ? [] : [account.caPem])];
  return preconnect(url, ca.length === 0 ? {} : { ca });
}
