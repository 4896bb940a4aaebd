// s-nail (IMAP, POP3) with the settings `mail-oauth client-config --client s-nail` generates, run
// for real against the bench (see helpers.ts for what is checked and how the token expires between runs).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { run, home, clientConfig, write, twice, SEEDED, setUpAccount } from './helpers.ts';

before(setUpAccount);

test('s-nail lists INBOX over IMAP and the POP3 mailbox with the generated ~/.mailrc', async () => {
  const h = home();
  const config = await clientConfig('s-nail');
  write(join(h.dir, '.mailrc'), config);
  const popUrl = /# POP3: s-nail -f (\S+)/.exec(config)?.[1];
  assert.ok(popUrl, 'the settings name the POP3 server');
  // s-nail finds ~ through the password database, not $HOME: MAILRC points it at the temp HOME.
  const env = { ...h.env, MAILRC: join(h.dir, '.mailrc') };
  await twice(async () => {
    // -H: print the header summary of the folder and exit (nothing is marked or deleted).
    const imap = await run('s-nail', ['-H', '-f', '+INBOX'], { env });
    assert.equal(imap.code, 0, imap.stderr);
    assert.match(imap.stdout, SEEDED);

    const pop = await run('s-nail', ['-H', '-f', popUrl], { env });
    assert.equal(pop.code, 0, pop.stderr);
    assert.match(pop.stdout, SEEDED);
  });
});
