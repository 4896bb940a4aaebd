// aerc (IMAP) with the settings `mail-oauth client-config --client aerc` generates, run for real
// against the bench (see helpers.ts for what is checked and how the token expires between runs).
// aerc is only full-screen: it runs in a pseudo-terminal until its message list shows the INBOX.
// Sending is not run: aerc has no batch mode to send without its composer.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { clientConfig, home, runTui, SEEDED, setUpAccount, twice, write } from './helpers.ts';

before(setUpAccount);

test('aerc lists INBOX over IMAP with the generated accounts.conf (its CA through SSL_CERT_FILE)', async () => {
  const h = home();
  const config = await clientConfig('aerc');
  write(join(h.dir, '.config', 'aerc', 'accounts.conf'), config);
  // The block tells the user how aerc trusts the account's CA; the test does what it says.
  const certFile = /SSL_CERT_FILE=(\S+) aerc/.exec(config)?.[1];
  assert.ok(certFile, 'the settings say how aerc trusts the account CA');
  await twice(async () => {
    const r = await runTui('aerc', SEEDED, { ...h.env, SSL_CERT_FILE: certFile });
    assert.ok(r.shown, `aerc showed the INBOX messages; screen ended with: ${r.screen.slice(-400)}`);
  });
});
