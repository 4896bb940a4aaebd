// Concurrent `mail-oauth token` for a Microsoft account (issue 10): the same race as
// cli-refresh-race-1..4.test.ts, through MSAL instead of openid-client. The account's authority is
// the bench's IdP (MSAL in OIDC mode, `add --provider microsoft-365 --authority <issuer>`), which
// rotates refresh tokens and revokes the grant when an old one is reused, as the bench does for
// every client. 10 real processes per round, all forcing a refresh, started together behind the
// account's lock (store-helpers.ts tokenRound): every process prints the one new token, the IdP
// sees exactly one refresh per round, and the grant stays alive. MSAL keeps its own token cache
// (the `msal-cache` secret), so this checks that cache's cross-process handling, not the OIDC grant's.
import { test } from 'node:test';
import { forcedRefreshRounds } from './store-helpers.ts';

test('MSAL: 10 token processes x 3 rounds forcing a refresh: one refresh per round at the IdP, 0 lost sign-ins', async () => {
  await forcedRefreshRounds('alice@example.test', 3, { msal: true });
});
