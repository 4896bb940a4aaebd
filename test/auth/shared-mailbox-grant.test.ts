// Shared mailboxes through the real AuthService, stores and bench IdP (issue 19): who signs in is
// the delegate (the wrong-user check compares with signInAs, not the mailbox), and a second shared
// mailbox of the same delegate reuses the first one's sign-in (grantFrom): one browser sign-in,
// one grant on disk (the owner's file), refreshed under the owner's lock even when two processes
// refresh through different mailboxes at once, and the probe of both against the Exchange-like
// server passes with each mailbox as its SASL user.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { benchCa, benchControl, introspect, startExchangeDelegates } from '../bench/client.ts';
import type { ExchangeDelegatesServer } from '../bench/exchange-delegates.ts';
import { probeInputForAccount, runProbe } from '../../electron/probe/run-probe.ts';
import { fileName } from '../../electron/store/secret-file.ts';
import type { Account } from '../../shared/account.ts';
import { errorCode, harness, oidcAuth, unwrap, type Harness } from './helpers.ts';

const ALICE = 'alice@example.test';
const SHARED = 'shared@example.test';
const INFO = 'info@example.test';

let exchange: ExchangeDelegatesServer;
before(async () => {
  exchange = await startExchangeDelegates({ [SHARED]: { fullAccess: [ALICE], sendAs: [ALICE] }, [INFO]: { fullAccess: [ALICE], sendAs: [ALICE] } });
});
after(() => exchange.close());

function addShared(h: Harness, address: string, extra: Partial<Account> = {}): Account {
  assert.ok(exchange.imap && exchange.smtp);
  const on = (l: { host: string; port: number; security: 'tls' | 'starttls' }) => ({ enabled: true, host: l.host, port: l.port, security: l.security });
  return h.accounts.put({
    id: `acc-${address.split('@')[0]}-${Math.random().toString(16).slice(2, 8)}`,
    label: address,
    address,
    signInAs: ALICE,
    providerId: 'bench-oidc',
    auth: oidcAuth('native-app'),
    scopes: [],
    servers: { imap: on(exchange.imap), smtp: on(exchange.smtp) },
    status: 'ready',
    createdAt: Date.now(),
    updatedAt: Date.now(),
    ...extra,
  });
}

describe('shared mailboxes and one delegate sign-in', () => {
  test('the delegate signs in: no wrong-user flag although the mailbox is another address; someone else is flagged', async () => {
    const h = harness();
    const a = addShared(h, SHARED);
    h.browser.user = ALICE;
    const outcome = unwrap(await h.auth.authorize(a.id, 'browser'));
    assert.equal(outcome.signedInAs, ALICE);
    assert.equal(outcome.expectedUser, ALICE);
    assert.deepEqual(outcome.flags.filter((f) => /WRONG/.test(f.code)), []);
    // The browser was asked to sign in the delegate (login_hint), not the shared mailbox.
    assert.equal(new URL(h.opened[0] ?? '').searchParams.get('login_hint'), ALICE);

    h.browser.user = 'bob@example.test';
    const wrong = unwrap(await h.auth.authorize(a.id, 'browser'));
    const flag = wrong.flags.find((f) => f.code === 'AUTH_WRONG_DELEGATE');
    assert.ok(flag, JSON.stringify(wrong.flags));
    assert.match(flag.message, /bob@example\.test.*shared@example\.test.*alice@example\.test/);
  });

  test('two shared mailboxes, one browser sign-in: both work, one grant on disk, refresh shared safely across processes', async () => {
    const h = harness();
    const first = addShared(h, SHARED);
    const second = addShared(h, INFO, { grantFrom: first.id });
    h.browser.user = ALICE;
    unwrap(await h.auth.authorize(first.id, 'browser'));
    assert.equal(h.opened.length, 1);

    // The second mailbox has a token without any sign-in of its own; it is the delegate's.
    const t1 = unwrap(await h.auth.getAccessToken(first.id));
    const t2 = unwrap(await h.auth.getAccessToken(second.id));
    assert.equal(t2.token, t1.token);
    assert.equal((await introspect(t2.token)).username, ALICE);
    assert.equal(unwrap(await h.auth.tokenState(second.id)).state, 'valid');
    assert.equal(h.opened.length, 1, 'a second browser sign-in was started');

    // Secrets were never copied: only the owner has a file.
    const files = readdirSync(join(h.dir, 'secrets'));
    assert.ok(files.includes(fileName(first.id)));
    assert.ok(!existsSync(join(h.dir, 'secrets', fileName(second.id))), files.join(','));

    // Both mailboxes pass the one-click test, each as its own SASL user with the delegate's token.
    for (const a of [first, second]) {
      const r = await runProbe(probeInputForAccount(a, h.auth.tokenProvider(a.id)), { ca: benchCa(), timeouts: { step: 10_000, overall: 30_000 } });
      assert.equal(r.ok, true, `${a.address}: ${JSON.stringify(r.protocols.map((p) => [p.protocol, p.code]))}`);
      assert.ok(exchange.sessions.some((s) => s.mailbox === a.address && s.protocol === 'imap' && s.tokenUser === ALICE && s.result === 'connected'));
    }

    // Another process on the same store refreshes through the other mailbox at the same time:
    // one rotating refresh token, refreshed under the owner's lock, never reused (reuse would make
    // the IdP revoke the whole grant).
    const other = harness({}, h);
    for (let round = 0; round < 3; round++) {
      const results = await Promise.all([
        h.auth.getAccessToken(first.id, { forceRefresh: true }),
        other.auth.getAccessToken(second.id, { forceRefresh: true }),
        h.auth.getAccessToken(second.id, { forceRefresh: true }),
        other.auth.getAccessToken(first.id, { forceRefresh: true }),
      ]);
      for (const r of results) assert.equal(errorCode(r), 'ok');
    }
    const last = unwrap(await other.auth.getAccessToken(second.id));
    assert.equal((await introspect(last.token)).active, true);
    const g = (await benchControl('idp-grant', { accessToken: last.token })) as { revoked: boolean; refreshes: number } | null;
    assert.equal(g?.revoked, false);
    // At least one refresh per round reached the IdP (forced refreshes that meet under the owner's
    // lock share the one that just happened).
    assert.ok((g?.refreshes ?? 0) >= 3, `refreshes ${String(g?.refreshes)}`);
  });

  test('removing: a borrowing mailbox goes alone (the delegate stays signed in); the owner only after its borrowers', async () => {
    const h = harness();
    const first = addShared(h, SHARED);
    const second = addShared(h, INFO, { grantFrom: first.id });
    h.browser.user = ALICE;
    unwrap(await h.auth.authorize(second.id, 'browser')); // authorizing a borrower signs the owner in
    assert.equal(h.accounts.get(first.id)?.identity?.username, ALICE);
    assert.equal(h.accounts.get(second.id)?.identity?.username, ALICE);

    const refused = await h.auth.removeAccount(first.id);
    assert.equal(errorCode(refused), 'GRANT_IN_USE');
    assert.match(refused.ok ? '' : (refused.error.detail ?? ''), /info@example\.test/);
    assert.ok(h.accounts.get(first.id));

    const removed = unwrap(await h.auth.removeAccount(second.id));
    assert.equal(removed.revocation, 'nothing-to-revoke');
    const token = unwrap(await h.auth.getAccessToken(first.id, { forceRefresh: true }));
    assert.equal((await introspect(token.token)).active, true);
    assert.equal(unwrap(await h.auth.removeAccount(first.id)).revocation, 'revoked');
  });

  test('a borrower whose owner is gone or signs in as someone else gets a clear error, not a token', async () => {
    const h = harness();
    const orphan = addShared(h, INFO, { grantFrom: 'acc-gone' });
    assert.equal(errorCode(await h.auth.getAccessToken(orphan.id)), 'GRANT_OWNER_MISSING');
    const bobs = addShared(h, 'support@example.test', { signInAs: 'bob@example.test' });
    const mismatched = addShared(h, SHARED, { grantFrom: bobs.id });
    const r = await h.auth.getAccessToken(mismatched.id);
    assert.equal(errorCode(r), 'VALIDATION_FAILED');
    assert.match(r.ok ? '' : (r.error.detail ?? ''), /signs in as bob@example\.test, not as alice@example\.test/);
  });
});
