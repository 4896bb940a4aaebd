// neomutt (IMAP, POP) with the settings `mail-oauth client-config --client neomutt` generates, run for real
// against the bench (see helpers.ts for what is checked and how the token expires between runs).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { run, home, clientConfig, write, twice, SEEDED, setUpAccount, helperCalls } from './helpers.ts';

before(setUpAccount);

test('NeoMutt lists INBOX over IMAP and the POP mailbox with the generated neomuttrc', async () => {
  const h = home();
  const config = await clientConfig('neomutt');
  write(join(h.dir, '.config', 'neomutt', 'neomuttrc'), config);
  const popUrl = /set pop_host = "([^"]+)"/.exec(config)?.[1];
  assert.ok(popUrl, 'the settings name the POP server');
  // NeoMutt's index needs a terminal: `script` gives it a pseudo-terminal; `<quit>` is pressed
  // as soon as the mailbox is shown. -n: no system-wide neomuttrc, only the generated one.
  const tui = (extra: string) => run('script', ['-qec', `neomutt -n ${extra} -e 'set quit=yes' -e 'push <quit>'`, '/dev/null'], { env: h.env });
  await twice(async () => {
    const imap = await tui('');
    assert.equal(imap.code, 0, imap.stdout);
    assert.match(imap.stdout, SEEDED, `the INBOX index shows the seeded messages; mail-oauth calls:\n${helperCalls()}`);

    const pop = await tui(`-f '${popUrl}'`);
    assert.equal(pop.code, 0, pop.stdout);
    assert.match(pop.stdout, SEEDED, `the POP mailbox shows the seeded messages; mail-oauth calls:\n${helperCalls()}`);
  });
});
