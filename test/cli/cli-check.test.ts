// `mail-oauth check` against the real bench (issue 13): a healthy account is ok (exit 0); after
// the grant is revoked at the identity provider, `check --all` exits 3 naming the account and
// AUTH_GRANT_REVOKED, and --notify-cmd runs once for that problem, not again at the next check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchInfo, revokeToken } from '../bench/client.ts';
import { allScopes, authorizeWithBrowser, runCli } from './cli-helpers.ts';

const info = benchInfo();

test('check: ok, then the grant revoked at the IdP is broken (exit 3, AUTH_GRANT_REVOKED), notified once', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'moa-check-'));
  const store = ['--data-dir', dataDir, '--insecure-store', '--ca-file', info.ca.path];
  const m = info.mail.main;
  const add = await runCli([
    'add', ...store,
    '--name', 'alice-work',
    '--address', 'alice@example.test',
    '--provider', 'generic',
    '--issuer', info.issuer,
    '--client-id', 'native-app',
    '--scopes', allScopes(),
    '--imap', `localhost:${m.imap.tls.port}:tls`,
  ]);
  assert.equal(add.code, 0, add.stderr);
  const auth = await authorizeWithBrowser('alice-work', store);
  assert.equal(auth.code, 0, auth.stderr);

  const usage = await runCli(['check', ...store]);
  assert.equal(usage.code, 2, 'neither an account nor --all is bad usage');

  const healthy = await runCli(['check', '--all', ...store]);
  assert.equal(healthy.code, 0, healthy.stdout + healthy.stderr);
  assert.match(healthy.stdout, /^alice-work: ok$/m);

  // The provider revokes the grant (as a password change or "sign out everywhere" does):
  // revoking a token of the grant at the bench IdP revokes the whole grant.
  const tok = await runCli(['token', 'alice-work', ...store]);
  assert.equal(tok.code, 0, tok.stderr);
  await revokeToken(tok.stdout.trim(), 'native-app', 'access_token');

  const notified = join(dataDir, 'notified.txt');
  const notifyCmd = `printf '%s %s %s\\n' "$MAIL_OAUTH_ACCOUNT" "$MAIL_OAUTH_LEVEL" "$MAIL_OAUTH_CODE" >> '${notified}'`;
  const broken = await runCli(['check', '--all', '--notify-cmd', notifyCmd, ...store]);
  assert.equal(broken.code, 3, broken.stdout + broken.stderr);
  assert.match(broken.stdout, /^alice-work: broken AUTH_GRANT_REVOKED: .*Next: mail-oauth authorize alice-work/m);
  assert.equal(readFileSync(notified, 'utf8'), 'alice-work broken AUTH_GRANT_REVOKED\n');

  // Still broken, already announced: the command does not run again.
  const again = await runCli(['check', 'alice-work', '--json', '--notify-cmd', notifyCmd, ...store]);
  assert.equal(again.code, 3, again.stderr);
  const json = JSON.parse(again.stdout) as Array<{ account: string; level: string; reasons: Array<{ code: string; action: string }> }>;
  assert.equal(json[0]?.account, 'alice-work');
  assert.equal(json[0]?.level, 'broken');
  assert.equal(json[0]?.reasons[0]?.code, 'AUTH_GRANT_REVOKED');
  assert.equal(json[0]?.reasons[0]?.action, 'reauthorize');
  assert.equal(readFileSync(notified, 'utf8'), 'alice-work broken AUTH_GRANT_REVOKED\n');

  // Nothing secret in what check printed or kept.
  const kept = readFileSync(join(dataDir, 'health.json'), 'utf8');
  for (const text of [broken.stdout, broken.stderr, again.stdout, kept]) assert.ok(!text.includes(tok.stdout.trim()), 'no token in output or health.json');

  // A new sign-in fixes it: ok again, and the ledger forgets the problem.
  const reauth = await authorizeWithBrowser('alice-work', store);
  assert.equal(reauth.code, 0, reauth.stderr);
  const fixed = await runCli(['check', '--all', '--notify-cmd', notifyCmd, ...store]);
  assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr);
  assert.match(fixed.stdout, /^alice-work: ok$/m);
  assert.equal(readFileSync(notified, 'utf8'), 'alice-work broken AUTH_GRANT_REVOKED\n');
  assert.ok(existsSync(join(dataDir, 'health.json')));
});

test('check: a failing --notify-cmd is reported and runs again at the next check', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'moa-check-'));
  const store = ['--data-dir', dataDir, '--insecure-store', '--ca-file', info.ca.path];
  const add = await runCli(['add', ...store, '--name', 'never', '--address', 'alice@example.test', '--provider', 'generic', '--issuer', info.issuer, '--client-id', 'native-app', '--scopes', allScopes(), '--imap', `localhost:${info.mail.main.imap.tls.port}:tls`]);
  assert.equal(add.code, 0, add.stderr);
  const count = join(dataDir, 'runs.txt');
  const failing = `echo run >> '${count}'; exit 7`;
  const first = await runCli(['check', 'never', '--notify-cmd', failing, ...store]);
  assert.equal(first.code, 3, first.stdout + first.stderr);
  assert.match(first.stdout, /never: broken AUTH_NOT_SIGNED_IN/);
  assert.match(first.stderr, /--notify-cmd exited with 7 for never AUTH_NOT_SIGNED_IN/);
  const second = await runCli(['check', 'never', '--notify-cmd', failing, ...store]);
  assert.equal(second.code, 3);
  assert.equal(readFileSync(count, 'utf8'), 'run\nrun\n');
});
