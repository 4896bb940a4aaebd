// The shared-mailbox fields of the account model (issue 19): the SASL user is always the mailbox,
// the signer defaults to it, and a store written before these fields existed opens unchanged
// (byte for byte: no migration, no rewrite).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openNodeAccountStore, SCHEMA_VERSION } from '../../electron/store/account-store.ts';
import { Account, isSharedMailbox, saslUser, signerOf } from '../../shared/account.ts';

const record = {
  id: 'a1', label: 'Info', address: 'info@contoso.test', providerId: 'microsoft-365',
  auth: { adapter: 'msal', authority: 'https://login.microsoftonline.com/contoso.onmicrosoft.com', clientId: 'cid', flow: 'delegated', oidcMode: false },
  scopes: ['https://outlook.office.com/IMAP.AccessAsUser.All'], servers: { imap: { enabled: true, host: 'outlook.office365.com', port: 993, security: 'tls' } },
  status: 'ready', createdAt: 1, updatedAt: 1,
};

describe('shared mailbox account fields', () => {
  test('saslUser is the mailbox; signerOf is signInAs or the mailbox', () => {
    const own = Account.parse(record);
    const shared = Account.parse({ ...record, signInAs: ' Alice@Contoso.TEST ' });
    assert.equal(saslUser(own), 'info@contoso.test');
    assert.equal(saslUser(shared), 'info@contoso.test');
    assert.equal(signerOf(own), 'info@contoso.test');
    assert.equal(signerOf(shared), 'alice@contoso.test');
    assert.equal(isSharedMailbox(own), false);
    assert.equal(isSharedMailbox(shared), true);
    assert.equal(isSharedMailbox({ address: 'info@contoso.test', signInAs: 'info@contoso.test' }), false);
  });

  test('signInAs must be an address', () => {
    assert.equal(Account.safeParse({ ...record, signInAs: 'alice' }).success, false);
    assert.equal(Account.safeParse({ ...record, grantFrom: '' }).success, false);
  });

  test('a store written before issue 19 opens unchanged and is not rewritten', () => {
    const dir = mkdtempSync(join(tmpdir(), 'moa-shared-model-'));
    const file = join(dir, 'accounts.json');
    const text = JSON.stringify({ schemaVersion: SCHEMA_VERSION, accounts: { a1: record } }, null, '\t');
    writeFileSync(file, text);
    const before = statSync(file).mtimeMs;
    const s = openNodeAccountStore({ cwd: dir });
    assert.deepEqual(s.problems, []);
    const a = s.get('a1');
    assert.ok(a);
    assert.equal(a.signInAs, undefined);
    assert.equal(a.grantFrom, undefined);
    assert.equal(signerOf(a), 'info@contoso.test');
    assert.equal(readFileSync(file, 'utf8'), text);
    assert.equal(statSync(file).mtimeMs, before);
  });
});
