// `mail-oauth token` marks the account as in use (electron/health/usage.ts) on both of its paths,
// the full one (refresh) and the read-only fast one: the app's schedule renews the tokens of
// accounts in use ahead of their end. The mark holds a time only, never a token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchInfo } from '../bench/client.ts';
import { allScopes, authorizeWithBrowser, runCli } from './cli-helpers.ts';
import { lastTokenUse } from '../../electron/health/usage.ts';

const info = benchInfo();

test('token marks the account in use, on the refresh path and on the fast path', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'moa-usage-'));
  const store = ['--data-dir', dataDir, '--insecure-store', '--ca-file', info.ca.path];
  const add = await runCli(['add', ...store, '--name', 'alice-work', '--address', 'alice@example.test', '--provider', 'generic', '--issuer', info.issuer, '--client-id', 'native-app', '--scopes', allScopes(), '--imap', `localhost:${info.mail.main.imap.tls.port}:tls`]);
  assert.equal(add.code, 0, add.stderr);
  assert.equal((await authorizeWithBrowser('alice-work', store)).code, 0);
  const id = (JSON.parse(readFileSync(join(dataDir, 'accounts.json'), 'utf8')) as { accounts: Record<string, unknown> });
  const accountId = Object.keys(id.accounts)[0] as string;
  assert.equal(lastTokenUse(dataDir, accountId), undefined, 'signing in is not using');

  const forced = await runCli(['token', 'alice-work', '--force-refresh', ...store]);
  assert.equal(forced.code, 0, forced.stderr);
  const first = lastTokenUse(dataDir, accountId);
  assert.ok(first !== undefined, 'the full path marked it');

  // Backdate the mark; a plain call (answered by the fast path while the token is good) marks it again.
  const file = join(dataDir, 'usage', readdirSync(join(dataDir, 'usage'))[0] as string);
  utimesSync(file, 1000, 1000);
  const fast = await runCli(['token', 'alice-work', '--data-dir', dataDir]);
  assert.equal(fast.code, 0, fast.stderr);
  assert.ok((lastTokenUse(dataDir, accountId) ?? 0) > 1_000_000, 'the plain call marked it');
  assert.equal(statSync(file).size, 0, 'an empty file: only its time says anything');
  assert.notEqual(forced.stdout.trim(), '');
});
