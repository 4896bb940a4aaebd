// Bad input to test, discover, token and the store flags (issue 14, "Bad input"): a clear
// one-line reason and exit 2, never a dump; what the rules allow still works. Child processes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from './cli-helpers.ts';
import { assertRefused, cases, tokenFile } from './cli-bad-input-cases.ts';

for (const [what, args, message] of cases.filter(([, args]) => args[0] !== 'add')) {
  test(`refused with its reason and exit 2, never a dump: ${what}`, async () => {
    const env = what.startsWith('MAIL_OAUTH_DATA_DIR') ? { MAIL_OAUTH_DATA_DIR: '' } : {};
    assertRefused(await runCli(args, { env }), message, what);
  });
}

test('durations with units, and bare milliseconds from 100, are accepted', async () => {
  // 8s and 500ms are durations; the test then fails for its own reason (nothing listens: a
  // refused connection, temporary in the catalog), exit 4, not 2 (usage).
  for (const timeout of ['8s', '500ms', '1500']) {
    const r = await runCli(['test', '--address', 'alice@example.test', '--imap', '127.0.0.1:1:none', '--token-file', tokenFile, '--timeout', timeout, '--json']);
    assert.equal(r.code, 4, `--timeout ${timeout}: ${r.stderr}`);
    assert.equal((JSON.parse(r.stdout) as { protocols: Array<{ code?: string }> }).protocols[0]?.code, 'CONNECTION_REFUSED');
  }
});

