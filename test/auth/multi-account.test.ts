// Several accounts at once in one AuthService: two Microsoft-style (MSAL) and two OpenID accounts
// for different users. Each keeps its own cache and grant; removing one leaves the others working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { introspect } from '../bench/client.ts';
import { addAccount, harness, msalAuth, oidcAuth, unwrap } from './helpers.ts';

test('four accounts, two users, two adapters: tokens never cross accounts', async () => {
  const h = harness();
  const specs = [
    { providerId: 'bench-ms', auth: msalAuth('native-app'), address: 'alice@example.test' },
    { providerId: 'bench-ms', auth: msalAuth('native-short'), address: 'bob@example.test' },
    { providerId: 'bench-oidc', auth: oidcAuth('native-app'), address: 'bob@example.test' },
    { providerId: 'bench-oidc', auth: oidcAuth('native-app'), address: 'alice@example.test' },
  ];
  const accounts = specs.map((s) => addAccount(h, s));
  // Sign each in as its own user (one browser at a time, as a person would).
  for (const a of accounts) {
    h.browser.user = a.address;
    const outcome = unwrap(await h.auth.authorize(a.id, 'browser'));
    assert.equal(outcome.signedInAs, a.address);
    assert.deepEqual(outcome.flags.filter((f) => f.code === 'AUTH_WRONG_USER'), []);
  }
  // All at once: each token belongs to its account's user.
  const tokens = await Promise.all(accounts.map((a) => h.auth.getAccessToken(a.id, { forceRefresh: true })));
  for (const [i, r] of tokens.entries()) {
    const who = (await introspect(unwrap(r).token)).username;
    assert.equal(who, accounts[i]?.address, `account ${i} got a token for ${String(who)}`);
  }
  assert.equal(new Set(tokens.map((r) => unwrap(r).token)).size, 4);
  // Removing one (revocation at the provider) leaves the others usable.
  const [first, , third, fourth] = accounts;
  assert.ok(first && third && fourth);
  unwrap(await h.auth.removeAccount(third.id));
  assert.equal(h.accounts.get(third.id), undefined);
  assert.ok(unwrap(await h.auth.getAccessToken(fourth.id, { forceRefresh: true })).token);
  assert.ok(unwrap(await h.auth.getAccessToken(first.id, { forceRefresh: true })).token);
});
