// mbsync through the bridge with only a bridge password (IMAP LOGIN), with the settings
// `mail-oauth client-config --bridge --client mbsync` prints: INBOX synced into a local Maildir.
// No SASL plugin and no token command: the bridge signs in upstream with OAuth. See clients-helpers.ts.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { bridgeForClients, home, runClient, write, type ClientBridge } from './clients-helpers.ts';

let b: ClientBridge | undefined;
after(async () => {
  await b?.handle.close();
});

test('mbsync syncs INBOX over IMAP with LOGIN and the bridge password', async () => {
  b = await bridgeForClients({ tls: false });
  const config = await b.config('mbsync');
  assert.match(config, /^AuthMechs LOGIN$/m);
  assert.match(config, /^SSLType None$/m);
  const h = home();
  write(join(h.dir, '.mbsyncrc'), config);
  const mail = join(h.dir, 'Mail', 'alice-example-test');
  mkdirSync(mail, { recursive: true });
  const r = await runClient('mbsync', ['--all', '--verbose'], { env: h.env });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const inbox = join(mail, 'INBOX');
  const files = ['cur', 'new'].flatMap((d) => readdirSync(join(inbox, d)));
  assert.ok(files.length >= 3, `INBOX synced through the bridge: ${files.length} messages`);
  assert.ok(b.events.some((e) => e.kind === 'session-start' && e.protocol === 'imap'), 'the bridge saw the IMAP session');
});
