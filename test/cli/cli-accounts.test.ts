// The CLI over saved accounts, as a user runs it: add -> authorize (browser step completed by the
// bench's login helper) -> token -> test --account -> accounts -> remove, in child processes
// against the real bench. No secret may reach stdout/stderr except `token`'s own output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchInfo, benchUser, introspect, loginWithHttp } from '../bench/client.ts';
import { run } from './store-helpers.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'moa-cli-'));
const info = benchInfo();
const store = ['--data-dir', dataDir, '--insecure-store', '--ca-file', info.ca.path];


function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

test('add, authorize in the browser, print a token, test the saved account, list and remove it', async () => {
  const m = info.mail.main;
  const add = await run([
    'add',
    ...store,
    '--address', 'alice@example.test',
    '--provider', 'generic',
    '--issuer', info.issuer,
    '--client-id', 'native-app',
    '--scopes', `openid email offline_access ${info.scopes.imap} ${info.scopes.pop3} ${info.scopes.smtp}`,
    '--imap', `localhost:${m.imap.tls.port}:tls`,
    '--pop', `localhost:${m.pop3.starttls.port}:starttls`,
    '--smtp', `localhost:${m.smtp.starttls.port}:starttls`,
  ]);
  assert.equal(add.code, 0, add.stderr);
  const id = add.stdout.trim();
  assert.match(id, /^[\w-]{8,}$/);

  // The CLI prints the sign-in URL; a "person" signs in with the bench's login helper and the
  // provider's redirect reaches the CLI's loopback listener.
  let completing: Promise<void> | undefined;
  const user = benchUser('alice@example.test');
  const auth = await run(['authorize', id, ...store], (stderr) => {
    const url = /Open this URL in your browser to sign in:\n\s+(\S+)\n/.exec(stderr)?.[1];
    if (url && !completing) {
      completing = loginWithHttp(url, { user: user.address, password: user.password }).then(async (redirect) => {
        await fetch(redirect);
      });
    }
  });
  await completing;
  assert.equal(auth.code, 0, auth.stderr);
  assert.match(auth.stderr, /Signed in as alice@example\.test/);
  assert.match(auth.stderr, /Refresh token: yes/);

  const tok = await run(['token', 'alice@example.test', ...store]);
  assert.equal(tok.code, 0, tok.stderr);
  const token = tok.stdout.trim();
  const intro = await introspect(token);
  assert.equal(intro.active, true);
  assert.equal(intro.username, 'alice@example.test');

  const probe = await run(['test', '--account', id, '--ca-file', info.ca.path, '--json'], undefined, {
    MAIL_OAUTH_DATA_DIR: dataDir,
    MAIL_OAUTH_INSECURE_STORE: '1',
  });
  assert.equal(probe.code, 0, probe.stderr + probe.stdout);
  const report = JSON.parse(probe.stdout) as { ok: boolean; protocols: Array<{ protocol: string; ok: boolean }> };
  assert.equal(report.ok, true);
  assert.deepEqual(report.protocols.map((p) => `${p.protocol}:${p.ok}`).sort(), ['imap:true', 'pop:true', 'smtp:true']);

  const list = await run(['accounts', ...store]);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, new RegExp(`${id}  alice@example\\.test  generic  token: valid`));

  // Nothing secret on disk in plaintext, nor in any output but `token`'s stdout.
  for (const f of filesUnder(dataDir)) assert.ok(!readFileSync(f).toString('latin1').includes(token), `token in ${f}`);
  for (const out of [add, auth, probe, list]) {
    assert.ok(!(out.stdout + out.stderr).includes(token));
    assert.ok(!(out.stdout + out.stderr).includes(user.password));
  }

  const rm = await run(['remove', id, ...store]);
  assert.equal(rm.code, 0, rm.stderr);
  assert.match(rm.stderr, /access revoked at the provider/);
  assert.equal((await introspect(token)).active, false, 'revocation ended the grant');
  const after = await run(['token', id, ...store]);
  assert.equal(after.code, 2);
  assert.match(after.stderr, /No saved account/);
});

test('bad usage exits 2 with the usage text, never a stack trace', async () => {
  for (const args of [['token'], ['add', '--address', 'nope'], ['authorize', 'x', '--flow', 'telepathy'], ['accounts', '--frobnicate']]) {
    const r = await run([...args, '--data-dir', dataDir]);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, /Usage: mail-oauth/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
});
