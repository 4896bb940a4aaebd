// curl (SMTP) with the functions `mail-oauth client-config --client curl` generates, run for real
// against the bench (see helpers.ts for what is checked and how the token expires between runs).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { run, home, clientConfig, write, twice, expectInSink, marker, message, setUpAccount } from './helpers.ts';

before(setUpAccount);

test('curl sends over SMTP (STARTTLS) with the generated function, the message on stdin', async () => {
  const h = home();
  const script = join(h.dir, '.config', 'mail-oauth', 'curl.sh');
  write(script, await clientConfig('curl'));
  await twice(async (round) => {
    const subject = marker(`curl-${round}`);
    const send = await run('bash', ['-c', `. '${script}' && alice_example_test_smtp_send bob@example.test`], { env: h.env, input: message(subject) });
    assert.equal(send.code, 0, send.stderr);
    await expectInSink(subject);
  });
});
