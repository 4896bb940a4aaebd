// AccountStore on conf: validation on read, migration, corrupt file moved aside with
// SETTINGS_CORRUPT (never lost, never a crash).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openNodeAccountStore, SCHEMA_VERSION } from '../../electron/store/account-store.ts';
import { type Account } from '../../shared/account.ts';
import type { z } from 'zod';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'moa-accounts-'));
const account = (id: string, address = 'alice@example.test'): z.input<typeof Account> => ({
  id, label: 'Alice', address, providerId: 'microsoft-365',
  auth: { adapter: 'msal', authority: 'https://login.microsoftonline.com/contoso.onmicrosoft.com', clientId: 'cid', flow: 'delegated', oidcMode: false },
  scopes: [], servers: { imap: { enabled: true, host: 'outlook.office365.com', port: 993, security: 'tls' } },
  createdAt: 1, updatedAt: 1,
});

describe('AccountStore', () => {
  test('put, list, reopen, remove; several accounts of one provider', () => {
    const dir = tmp();
    const s = openNodeAccountStore({ cwd: dir });
    s.put(account('a1'));
    s.put(account('a2', 'bob@example.test'));
    const again = openNodeAccountStore({ cwd: dir });
    assert.deepEqual(again.list().map((a) => a.id), ['a1', 'a2']);
    assert.deepEqual(again.problems, []);
    assert.equal(again.remove('a1'), true);
    assert.deepEqual(openNodeAccountStore({ cwd: dir }).list().map((a) => a.id), ['a2']);
  });

  test('an invalid record is refused on put', () => {
    const s = openNodeAccountStore({ cwd: tmp() });
    assert.throws(() => s.put({ ...account('x'), address: 'not-an-address' }));
  });

  test('file that is not JSON: moved aside as <name>.corrupt-<ts>.json, SETTINGS_CORRUPT, store usable', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'accounts.json'), '{"accounts": {"a1": ');
    const s = openNodeAccountStore({ cwd: dir, clock: { now: () => Date.UTC(2025, 0, 2, 3, 4, 5) } });
    assert.equal(s.problems[0]?.code, 'SETTINGS_CORRUPT');
    const aside = readdirSync(dir).find((f) => /^accounts\.corrupt-2025-01-02T03-04-05-000Z\.json$/.test(f));
    assert.ok(aside, readdirSync(dir).join(','));
    assert.equal(readFileSync(join(dir, aside), 'utf8'), '{"accounts": {"a1": ');
    assert.match(s.problems[0]?.detail ?? '', new RegExp(aside));
    assert.deepEqual(s.list(), []);
    s.put(account('a1'));
    assert.equal(openNodeAccountStore({ cwd: dir }).list().length, 1);
  });

  test('records failing the schema: copy kept, good records survive', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'accounts.json'), JSON.stringify({ schemaVersion: SCHEMA_VERSION, accounts: { a1: account('a1'), bad: { id: 'bad', address: 42 } } }));
    const s = openNodeAccountStore({ cwd: dir });
    assert.deepEqual(s.list().map((a) => a.id), ['a1']);
    assert.equal(s.problems[0]?.code, 'SETTINGS_CORRUPT');
    const aside = readdirSync(dir).find((f) => f.includes('.corrupt-'));
    assert.ok(aside && readFileSync(join(dir, aside), 'utf8').includes('"bad"'));
  });

  test('migrates schema 1 (array) to the current version', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'accounts.json'), JSON.stringify({ schemaVersion: 1, accounts: [account('a1')] }));
    const s = openNodeAccountStore({ cwd: dir });
    assert.deepEqual(s.list().map((a) => a.id), ['a1']);
    assert.deepEqual(s.problems, []);
    const raw = JSON.parse(readFileSync(join(dir, 'accounts.json'), 'utf8')) as { schemaVersion: number; accounts: Record<string, unknown> };
    assert.equal(raw.schemaVersion, SCHEMA_VERSION);
    assert.ok(!Array.isArray(raw.accounts) && 'a1' in raw.accounts);
    assert.ok(existsSync(join(dir, 'accounts.json')));
  });
});
