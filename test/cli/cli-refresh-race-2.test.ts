// Concurrent `mail-oauth token` (issue 10): 10 real processes per round, all forcing a refresh of
// one account whose provider rotates refresh tokens and revokes the grant on reuse. Rounds 11-20
// (rounds 1-10 in cli-refresh-race-1.test.ts, split so each file stays within the runner's
// per-file time limit). See store-helpers.ts tokenRound for how "started together" is made certain.
import { test } from 'node:test';
import { forcedRefreshRounds } from './store-helpers.ts';

test('10 token processes x 10 rounds forcing a refresh: one refresh per round at the IdP, 0 lost sign-ins', async () => {
  await forcedRefreshRounds('bob@example.test', 10);
});
