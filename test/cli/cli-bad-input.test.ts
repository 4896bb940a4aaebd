// Bad input to `add` and `edit` (issue 14, "Bad input"): a clear one-line reason and exit 2,
// never a ZodError, a stack trace or a library's message; a refused edit changes nothing.
// Child processes, like a user typing; the other commands' cases: cli-bad-input-flags.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './cli-helpers.ts';
import { assertRefused, cases, dataDir, dd, notPem } from './cli-bad-input-cases.ts';

// One test per case: each is a Node start-up on a shared machine, with its own time limit.
for (const [what, args, message] of cases.filter(([, args]) => args[0] === 'add')) {
  test(`refused with its reason and exit 2, never a dump: ${what}`, async () => {
    const env = what.startsWith('MAIL_OAUTH_DATA_DIR') ? { MAIL_OAUTH_DATA_DIR: '' } : {};
    assertRefused(await runCli(args, { env }), message, what);
  });
}

test('an http issuer and plaintext servers on localhost are allowed', async () => {
  const add = await runCli(['add', ...dd, '--address', 'bob@example.test', '--client-id', 'app', '--issuer', 'http://127.0.0.1:8080/realm', '--imap', 'localhost:143:none', '--scopes', 'openid imap']);
  assert.equal(add.code, 0, add.stderr);
});

test('a refused edit changes nothing on disk', async () => {
  const file = join(dataDir, 'accounts.json');
  const before = readFileSync(file, 'utf8');
  for (const args of [
    ['--issuer', 'http://login.example.test'],
    ['--imap', 'imap.example.test:143:none'],
    ['--scopes', ' '],
    ['--ca-file', notPem],
    ['--name', 'has space'],
    ['--smtp', 'off', '--imap', 'off'],
  ]) {
    const r = await runCli(['edit', 'bob@example.test', ...dd, ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /ZodError|\n\s+at /);
  }
  assert.equal(readFileSync(file, 'utf8'), before);
});
