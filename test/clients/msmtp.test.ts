// msmtp with the settings `mail-oauth client-config --client msmtp` generates, run for real
// against the bench (see helpers.ts for what is checked and how the token expires between runs).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { run, home, clientConfig, write, twice, expectInSink, marker, message, setUpAccount } from './helpers.ts';

before(setUpAccount);

test('msmtp sends over SMTP (STARTTLS) with the generated ~/.msmtprc', async () => {
  const h = home();
  write(join(h.dir, '.msmtprc'), await clientConfig('msmtp'));
  await twice(async (round) => {
    const subject = marker(`msmtp-${round}`);
    const r = await run('msmtp', ['bob@example.test'], { env: h.env, input: message(subject) });
    assert.equal(r.code, 0, r.stderr);
    await expectInSink(subject);
  });
});
