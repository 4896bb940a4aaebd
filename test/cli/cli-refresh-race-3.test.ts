// Concurrent `mail-oauth token` (issue 10): 10 real processes per round, all forcing a refresh of
// one account whose provider rotates refresh tokens and revokes the grant on reuse. Rounds 11-15 of
// 20: cli-refresh-race-1..4.test.ts hold 5 rounds each so every file stays well within the test
// runner's per-file time limit on a loaded machine. How "started together" is made certain:
// store-helpers.ts tokenRound.
import { test } from 'node:test';
import { forcedRefreshRounds } from './store-helpers.ts';

test('10 token processes x 5 rounds (rounds 11-15 of 20) forcing a refresh: one refresh per round at the IdP, 0 lost sign-ins', async () => {
  await forcedRefreshRounds('alice@example.test', 5);
});
