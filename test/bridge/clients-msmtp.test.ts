// msmtp through the bridge with only a bridge password (AUTH PLAIN), with the settings
// `mail-oauth client-config --bridge --client msmtp` prints: plain SMTP to 127.0.0.1, and STARTTLS
// to the bridge trusting its own certificate. The message reaches the bench's sink through the
// bridge's OAuth session upstream. See clients-helpers.ts.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { bridgeForClients, expectInSink, home, marker, message, runClient, write, type ClientBridge } from './clients-helpers.ts';

const bridges: ClientBridge[] = [];
after(async () => {
  for (const b of bridges) await b.handle.close();
});

for (const tls of [false, true]) {
  test(`msmtp sends with AUTH PLAIN and the bridge password${tls ? ' over STARTTLS to the bridge' : ''}`, async () => {
    const b = await bridgeForClients({ tls });
    bridges.push(b);
    const config = await b.config('msmtp');
    assert.match(config, /^auth plain$/m);
    assert.match(config, tls ? /^tls_starttls on$/m : /^tls off$/m);
    if (tls) assert.match(config, /^tls_trust_file .*certificate\.pem$/m, "the bridge's own certificate is what msmtp trusts");
    const h = home();
    write(join(h.dir, '.msmtprc'), config);
    const subject = marker(`bridge-msmtp${tls ? '-tls' : ''}`);
    const r = await runClient('msmtp', ['--debug', 'bob@example.test'], { env: h.env, input: message(b.address, subject) });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout + r.stderr, /AUTH PLAIN/, 'msmtp used AUTH PLAIN');
    if (tls) assert.match(r.stdout + r.stderr, /STARTTLS/);
    await expectInSink(subject);
    assert.ok(b.events.some((e) => e.kind === 'session-start' && e.protocol === 'smtp'), 'the bridge saw the SMTP session');
  });
}
