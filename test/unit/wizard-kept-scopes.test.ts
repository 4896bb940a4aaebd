// The wizard never undoes scopes changed elsewhere (`mail-oauth edit --scopes`): an account opened
// in the wizard keeps its saved scopes while the provider, flow, protocols and typed mail scopes
// stay as they were, and saves them unchanged; changing one of those chooses them again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Account } from '../../shared/account.ts';
import { providerById } from '../../shared/providers.ts';
import { fromAccount, keptScopesNote, newDraft, scopesKept, scopesOf, toAccountInput, withProvider, type Draft } from '../../renderer/src/wizard/draft.ts';

const google = providerById('google');
assert.ok(google);

/** A Google account as the wizard saves it, then with `scopes` when given (as `edit --scopes` leaves it). */
function saved(scopes?: string[]): Account {
  const d: Draft = withProvider({ ...newDraft(), address: 'alice@example.test', clientId: 'client-1.apps.googleusercontent.com' }, google!, true);
  const input = toAccountInput(d);
  assert.ok(input, 'the draft is complete enough to save');
  return Account.parse({ ...input, id: 'acc-1', createdAt: 1, updatedAt: 2, ...(scopes ? { scopes } : {}) });
}

test('scopes the wizard would choose itself: nothing kept, the catalog decides', () => {
  const a = saved();
  const d = fromAccount(a);
  assert.equal(d.keptScopes, undefined);
  assert.deepEqual(toAccountInput(d)?.scopes, a.scopes);
});

test('scopes changed elsewhere: shown and saved as they are, until the protocols change', () => {
  const catalog = saved().scopes;
  const custom = ['https://mail.google.com/', 'openid', 'email', 'profile'];
  assert.notDeepEqual([...custom].sort(), [...catalog].sort());
  const d = fromAccount(saved(custom));
  assert.equal(scopesKept(d), true);
  assert.match(keptScopesNote(d), /as saved with the account/);
  assert.deepEqual(scopesOf(d), custom);
  assert.deepEqual(toAccountInput({ ...d, clientId: 'client-2.apps.googleusercontent.com' })?.scopes, custom, 'another field changed: the scopes stay');

  // Turning a protocol off is a choice of what the account is for: the wizard chooses the scopes again.
  const changed: Draft = { ...d, servers: { ...d.servers, pop: { ...d.servers.pop, enabled: !d.servers.pop.enabled } } };
  assert.equal(scopesKept(changed), false);
  assert.equal(keptScopesNote(changed), '');
  assert.ok(!scopesOf(changed).includes('profile'), 'the catalog’s scopes, not the kept ones');
  assert.deepEqual(scopesOf(changed).filter((s) => !google!.baseScopes.includes(s)).every((s) => Object.values(google!.protocolScopes).flat().includes(s)), true);
});
