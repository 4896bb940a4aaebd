// NeoMutt through the bridge with only a bridge password, with the settings
// `mail-oauth client-config --bridge --client neomutt` prints: the INBOX index over IMAP (LOGIN)
// and a message sent over SMTP (AUTH PLAIN). See clients-helpers.ts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { bridgeForClients, expectInSink, home, marker, runClient, SEEDED, write, type ClientBridge } from './clients-helpers.ts';

let b: ClientBridge;
let env: NodeJS.ProcessEnv;
before(async () => {
  b = await bridgeForClients({ tls: false });
  const config = await b.config('neomutt');
  assert.match(config, /set imap_authenticators = "login"/);
  const h = home();
  write(join(h.dir, '.config', 'neomutt', 'neomuttrc'), config);
  env = h.env;
});
after(async () => {
  await b?.handle.close();
});

test('NeoMutt shows the INBOX over IMAP through the bridge', async () => {
  // The index needs a terminal: `script` gives it one; <quit> is pressed once the mailbox is shown.
  // -n: no system-wide neomuttrc, only the generated one.
  const r = await runClient('script', ['-qec', `neomutt -n -e 'set quit=yes' -e 'push <quit>'`, '/dev/null'], { env });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, SEEDED, 'the INBOX index shows the seeded messages');
  assert.ok(b.events.some((e) => e.kind === 'session-start' && e.protocol === 'imap'));
});

test('NeoMutt sends over SMTP through the bridge', async () => {
  const subject = marker('bridge-neomutt');
  const r = await runClient('neomutt', ['-n', '-s', subject, 'bob@example.test'], { env, input: 'sent by NeoMutt through the bridge\n' });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  await expectInSink(subject);
  assert.ok(b.events.some((e) => e.kind === 'session-start' && e.protocol === 'smtp'));
});
