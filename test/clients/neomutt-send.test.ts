// neomutt (SMTP) with the settings `mail-oauth client-config --client neomutt` generates, run for real
// against the bench (see helpers.ts for what is checked and how the token expires between runs).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { run, home, clientConfig, write, twice, expectInSink, marker, setUpAccount } from './helpers.ts';

before(setUpAccount);

test('NeoMutt sends over SMTP (STARTTLS) with the generated neomuttrc', async () => {
  const h = home();
  const config = await clientConfig('neomutt');
  write(join(h.dir, '.config', 'neomutt', 'neomuttrc'), config);
  await twice(async (round) => {
    const subject = marker(`neomutt-${round}`);
    const send = await run('neomutt', ['-n', '-s', subject, 'bob@example.test'], { env: h.env, input: 'sent by NeoMutt\n' });
    assert.equal(send.code, 0, send.stderr + send.stdout);
    await expectInSink(subject);
  });
});
