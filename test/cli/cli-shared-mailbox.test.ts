// `mail-oauth add --shared-mailbox <box> --sign-in-as <delegate>` as a user runs it, in child
// processes against the bench IdP and the scripted Exchange Online (test/bench/exchange-delegates.ts):
// the first shared mailbox is authorized once in the browser as the delegate, the second reuses
// that sign-in (no new browser sign-in, no copy of the secrets), tokens and tests work for both
// with each mailbox as its own SASL user, and bad combinations exit 2 with a line that says what is wrong.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchInfo, introspect, startExchangeDelegates } from '../bench/client.ts';
import type { ExchangeDelegatesServer } from '../bench/exchange-delegates.ts';
import { authorize, run, storeFlags } from './store-helpers.ts';

const ALICE = 'alice@example.test';
const SHARED = 'shared@example.test';
const INFO = 'info@example.test';

let exchange: ExchangeDelegatesServer;
const dataDir = mkdtempSync(join(tmpdir(), 'moa-cli-shared-'));
const store = storeFlags(dataDir);

before(async () => {
  exchange = await startExchangeDelegates({ [SHARED]: { fullAccess: [ALICE], sendAs: [ALICE] }, [INFO]: { fullAccess: [ALICE] } });
});
after(() => exchange.close());

describe('CLI shared mailboxes', () => {
  let sharedId = '';

  test('add --shared-mailbox --sign-in-as, authorize as the delegate, then a second mailbox reuses the sign-in', async () => {
    const info = benchInfo();
    assert.ok(exchange.imap && exchange.smtp);
    const add = await run([
      'add', ...store,
      '--shared-mailbox', SHARED,
      '--sign-in-as', ALICE,
      '--provider', 'generic',
      '--issuer', info.issuer,
      '--client-id', 'native-app',
      '--scopes', `openid email offline_access ${info.scopes.imap} ${info.scopes.smtp}`,
      '--imap', `127.0.0.1:${exchange.imap.port}:tls`,
      '--smtp', `127.0.0.1:${exchange.smtp.port}:starttls`,
    ]);
    assert.equal(add.code, 0, add.stderr);
    sharedId = add.stdout.trim();
    assert.match(add.stderr, /Saved shared mailbox shared@example\.test .*opened by alice@example\.test signing in/);
    assert.match(add.stderr, /Next: mail-oauth authorize shared@example\.test \(sign in as alice@example\.test\)/);

    await authorize(dataDir, sharedId, ALICE);

    // No --client-id, issuer or servers: taken from the delegate's saved account.
    const second = await run(['add', ...store, '--shared-mailbox', INFO, '--sign-in-as', ALICE]);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout.trim(), /^[\w-]{8,}$/);
    assert.match(second.stderr, /uses the sign-in of shared@example\.test: no new sign-in needed/);

    const list = await run(['accounts', ...store]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /info@example\.test .*token: valid.*shared, signs in as alice@example\.test \(sign-in of shared@example\.test\)/);
    assert.match(list.stdout, /shared@example\.test .*shared, signs in as alice@example\.test\n/);
    // One secret file: the owner's. The second mailbox holds no copy.
    assert.equal(readdirSync(join(dataDir, 'secrets')).filter((n) => n.endsWith('.secrets')).length, 1);
  });

  test('token: both mailboxes print the delegate\'s token (fast path and forced refresh alike)', async () => {
    const a = await run(['token', INFO, ...store]);
    assert.equal(a.code, 0, a.stderr);
    const b = await run(['token', SHARED, ...store]);
    assert.equal(a.stdout, b.stdout);
    assert.equal((await introspect(a.stdout.trim())).username, ALICE);
    const forced = await run(['token', INFO, '--force-refresh', ...store]);
    assert.equal(forced.code, 0, forced.stderr);
    assert.notEqual(forced.stdout, a.stdout);
    const after = await run(['token', SHARED, ...store]);
    assert.equal(after.stdout, forced.stdout, 'the owner did not see the refresh made through the other mailbox');
  });

  test('test --account: the shared mailbox passes; the one without Send As says so', async () => {
    const ok = await run(['test', '--account', SHARED, ...store]);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    const noSendAs = await run(['test', '--account', INFO, ...store]);
    assert.notEqual(noSendAs.code, 0);
    assert.match(noSendAs.stdout + noSendAs.stderr, /MS_SHARED_SEND_AS_DENIED/);
    assert.match(noSendAs.stdout + noSendAs.stderr, /Add-RecipientPermission/);
    assert.ok(exchange.sessions.some((s) => s.mailbox === INFO && s.protocol === 'imap' && s.tokenUser === ALICE && s.result === 'connected'));
  });

  test('remove: the owner only after the mailboxes that use its sign-in', async () => {
    const refused = await run(['remove', SHARED, ...store]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /GRANT_IN_USE/);
    assert.match(refused.stderr, /info@example\.test/);
    const gone = await run(['remove', INFO, ...store]);
    assert.equal(gone.code, 0, gone.stderr);
    const still = await run(['token', SHARED, '--force-refresh', ...store]);
    assert.equal(still.code, 0, still.stderr);
    assert.equal((await introspect(still.stdout.trim())).active, true);
  });

  test('bad combinations exit 2 with a line that says what is wrong', async () => {
    const cases: Array<{ args: string[]; says: RegExp }> = [
      { args: ['--sign-in-as', ALICE, '--address', INFO, '--client-id', 'x'], says: /--sign-in-as is for shared mailboxes/ },
      { args: ['--shared-mailbox', INFO], says: /needs --sign-in-as/ },
      { args: ['--shared-mailbox', ALICE, '--sign-in-as', ALICE], says: /both alice@example\.test: the shared mailbox has its own address/ },
      { args: ['--shared-mailbox', INFO, '--sign-in-as', ALICE, '--address', INFO], says: /leave out --address/ },
      { args: ['--shared-mailbox', INFO, '--sign-in-as', ALICE, '--app-only', '--client-id', 'x'], says: /--app-only/ },
      { args: ['--shared-mailbox', 'support@example.test', '--sign-in-as', 'bob@example.test'], says: /No saved account signs in as bob@example\.test/ },
      { args: ['--shared-mailbox', 'not an address', '--sign-in-as', ALICE], says: /--shared-mailbox: enter/ },
    ];
    for (const c of cases) {
      const r = await run(['add', ...store, ...c.args]);
      assert.equal(r.code, 2, `${c.args.join(' ')}: ${r.stderr}`);
      // One line says what is wrong (the usage text may follow); never a stack or a zod dump.
      assert.match(r.stderr, c.says);
      assert.doesNotMatch(r.stderr, /ZodError|\n\s+at /);
    }
  });
});
