// fetchmail through the bridge with only a bridge password (it has no OAuth at all), with the
// settings `mail-oauth client-config --bridge --client fetchmail` prints: POP3 (USER/PASS) and
// IMAP (LOGIN), every message of INBOX retrieved (--all) and handed to an MDA that appends to a
// file, left on the server (keep). See clients-helpers.ts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bridgeForClients, home, runClient, write, type ClientBridge } from './clients-helpers.ts';

let b: ClientBridge;
let config: string;
before(async () => {
  b = await bridgeForClients({ tls: false });
  config = await b.config('fetchmail');
});
after(async () => {
  await b?.handle.close();
});

for (const protocol of ['pop', 'imap'] as const) {
  test(`fetchmail retrieves INBOX over ${protocol === 'pop' ? 'POP3' : 'IMAP'} with a plain password`, async () => {
    const h = home();
    // fetchmail refuses an rc file that others can read.
    write(join(h.dir, '.fetchmailrc'), config, 0o600);
    const poll = new RegExp(`^poll (\\S+-${protocol}) via`, 'm').exec(config)?.[1];
    assert.ok(poll, `the block has a ${protocol} entry`);
    const mbox = join(h.dir, 'fetched.mbox');
    const r = await runClient('fetchmail', ['--all', '--nosyslog', '--verbose', '--mda', `cat >> ${mbox}`, poll], { env: h.env });
    // 0: mail was retrieved (1 would be "no mail").
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const got = readFileSync(mbox, 'utf8');
    for (const subject of ['Quarterly report', 'Lunch on Friday', 'Welcome to the test bench']) assert.match(got, new RegExp(subject), `${subject} retrieved`);
    assert.ok(b.events.some((e) => e.kind === 'session-start' && e.protocol === protocol), `the bridge saw the ${protocol} session`);
  });
}
