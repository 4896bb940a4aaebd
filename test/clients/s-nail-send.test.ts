// s-nail (SMTP) with the settings `mail-oauth client-config --client s-nail` generates, run for
// real against the bench (see helpers.ts for what is checked and how the token expires between runs).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { run, home, clientConfig, write, twice, expectInSink, marker, setUpAccount } from './helpers.ts';

before(setUpAccount);

test('s-nail sends over SMTP (STARTTLS) with the generated ~/.mailrc', async () => {
  const h = home();
  write(join(h.dir, '.mailrc'), await clientConfig('s-nail'));
  // s-nail finds ~ through the password database, not $HOME: MAILRC points it at the temp HOME.
  const env = { ...h.env, MAILRC: join(h.dir, '.mailrc') };
  await twice(async (round) => {
    const subject = marker(`s-nail-${round}`);
    const send = await run('s-nail', ['-s', subject, 'bob@example.test'], { env, input: 'sent by s-nail\n' });
    assert.equal(send.code, 0, send.stderr);
    await expectInSink(subject);
  });
});
