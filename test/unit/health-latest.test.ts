// The banner's health goes to a window through one latest-only sequence (core/handlers.ts
// healthSender), shared by the handlers' changes and the schedule's jobs (core/compose.ts): two
// computations that overlap and finish in either order never leave the older one on screen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { healthSender } from '../../electron/core/handlers.ts';
import type { AccountHealth } from '../../shared/health.ts';

const state = (id: string): AccountHealth[] => [{ accountId: id } as unknown as AccountHealth];

test('only the computation started last is sent, whichever finishes last', () => {
  const sent: unknown[] = [];
  const ticket = healthSender((event, payload) => sent.push([event, payload]));
  const scheduled = ticket(); // a scheduled renewal's health, started first
  const userTest = ticket(); // the user's test finished meanwhile: started second
  userTest(state('after the test'));
  scheduled(state('before the test')); // finishes last, but is older: dropped
  assert.deepEqual(sent, [['health:changed', { accounts: state('after the test') }]]);
  // In order, both are sent.
  const a = ticket();
  a(state('a'));
  const b = ticket();
  b(state('b'));
  assert.deepEqual(sent.slice(1), [['health:changed', { accounts: state('a') }], ['health:changed', { accounts: state('b') }]]);
});
