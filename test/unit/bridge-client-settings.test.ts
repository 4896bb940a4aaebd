// The "bridge" variants of the client settings (issue 12) as text: every block names 127.0.0.1,
// the bridge's port, the mail address as the user and the password placeholder (never a real
// password), with TLS on or off as the bridge offers it; a listener that is off is left out; a
// client that can use none of the listeners says so. The real clients run with these blocks
// against the bench in test/bridge/clients-*.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BRIDGE_CLIENTS, BRIDGE_PASSWORD, bridgeClientById, bridgeClientConfig, bridgeServers } from '../../shared/client-settings/index.ts';
import { bridgeSettingsFrom, DEFAULT_BRIDGE_SETTINGS } from '../../shared/bridge.ts';

const address = 'me@contoso.com';
const plain = { address, servers: bridgeServers({ imap: 1143, pop: 1110, smtp: 1025 }, false) };
const tls = { address, servers: bridgeServers({ imap: 1143, pop: 1110, smtp: 1025 }, true), certFile: '/data/bridge/cert.pem' };
const gen = (id: string, input: Parameters<typeof bridgeClientConfig>[1]) => {
  const c = bridgeClientById(id);
  assert.ok(c, id);
  return bridgeClientConfig(c, input);
};

test('the listeners: 127.0.0.1 only, STARTTLS with tls on, plain text off, a port that is off left out', () => {
  assert.deepEqual(bridgeServers({ imap: 1143, pop: null, smtp: 1025 }, false), {
    imap: { host: '127.0.0.1', port: 1143, security: 'none' },
    smtp: { host: '127.0.0.1', port: 1025, security: 'none' },
  });
  assert.equal(bridgeServers({ imap: 1143, pop: 1110, smtp: 1025 }, true).pop?.security, 'starttls');
});

test('every client: server 127.0.0.1, the port, user = the address, the placeholder for the password', () => {
  for (const c of BRIDGE_CLIENTS) {
    const cfg = bridgeClientConfig(c, plain);
    assert.ok(cfg.usable, c.id);
    assert.match(cfg.text, /127\.0\.0\.1/, c.id);
    assert.ok(cfg.text.includes(address) || cfg.text.includes(encodeURIComponent(address)), `${c.id} names the address`);
    assert.ok(/1143|1110|1025/.test(cfg.text), `${c.id} names a bridge port`);
    assert.ok(cfg.text.includes(BRIDGE_PASSWORD) || /bridge password from the app/.test(cfg.text), `${c.id} says where the password comes from`);
    assert.doesNotMatch(cfg.text, /mail-oauth token|oauth2|xoauth2|oauthbearer/i, `${c.id}: no token helper through the bridge`);
  }
});

test('msmtp: plain SMTP auth to the bridge; with TLS, STARTTLS and the bridge certificate', () => {
  const off = gen('msmtp', plain).text;
  assert.match(off, /^host 127\.0\.0\.1$/m);
  assert.match(off, /^port 1025$/m);
  assert.match(off, /^tls off$/m);
  assert.match(off, /^auth plain$/m);
  assert.match(off, /^user me@contoso\.com$/m);
  assert.match(off, new RegExp(`^password ${BRIDGE_PASSWORD}$`, 'm'));
  const on = gen('msmtp', tls).text;
  assert.match(on, /^tls on$/m);
  assert.match(on, /^tls_starttls on$/m);
  assert.match(on, /^tls_trust_file \/data\/bridge\/cert\.pem$/m);
});

test('mbsync: IMAP LOGIN to the bridge, SSLType None or STARTTLS', () => {
  const off = gen('mbsync', plain).text;
  assert.match(off, /^Host 127\.0\.0\.1$/m);
  assert.match(off, /^Port 1143$/m);
  assert.match(off, /^AuthMechs LOGIN$/m);
  assert.match(off, /^SSLType None$/m);
  assert.doesNotMatch(off, /CertificateFile/);
  const on = gen('mbsync', tls).text;
  assert.match(on, /^SSLType STARTTLS$/m);
  assert.match(on, /^CertificateFile \/data\/bridge\/cert\.pem$/m);
});

test('neomutt: imap://, pop://, smtp:// to the bridge with passwords, TLS forced only with TLS on', () => {
  const off = gen('neomutt', plain).text;
  assert.match(off, /set folder = "imap:\/\/me%40contoso\.com@127\.0\.0\.1:1143\/"/);
  assert.match(off, /set pop_host = "pop:\/\/me%40contoso\.com@127\.0\.0\.1:1110\/"/);
  assert.match(off, /set smtp_url = "smtp:\/\/me%40contoso\.com@127\.0\.0\.1:1025\/"/);
  assert.match(off, new RegExp(`set imap_pass = "${BRIDGE_PASSWORD}"`));
  assert.match(off, /set ssl_force_tls = no/);
  const on = gen('neomutt', tls).text;
  assert.match(on, /set ssl_starttls = yes/);
  assert.match(on, /set ssl_force_tls = yes/);
  assert.match(on, /set ssl_ca_certificates_file = "\/data\/bridge\/cert\.pem"/);
});

test('fetchmail: one named entry per protocol via the bridge, plain password, keep', () => {
  const off = gen('fetchmail', plain).text;
  assert.match(off, /^poll me-contoso-com-pop via 127\.0\.0\.1 service 1110 protocol POP3 auth password$/m);
  assert.match(off, /^poll me-contoso-com-imap via 127\.0\.0\.1 service 1143 protocol IMAP auth password$/m);
  assert.match(off, new RegExp(`user 'me@contoso\\.com' password '${BRIDGE_PASSWORD}'`));
  assert.match(off, /sslproto ''/);
  const on = gen('fetchmail', tls).text;
  assert.match(on, /sslproto 'TLS1\.2\+' sslcertck sslcertfile '\/data\/bridge\/cert\.pem'/);
});

test('Windows Live Mail and generic: a field list with the security to choose', () => {
  const wlm = gen('windows-live-mail', tls).text;
  assert.match(wlm, /Incoming IMAP:\n {2}Server: {4}127\.0\.0\.1\n {2}Port: {6}1143/);
  assert.match(wlm, /Outgoing SMTP:/);
  assert.match(wlm, /Authentication: required/);
  assert.match(wlm, /Import the bridge certificate/);
  const generic = gen('generic', plain).text;
  assert.match(generic, /Security: {2}none/);
  assert.doesNotMatch(generic, /Import the bridge certificate/);
});

test('a listener that is off is left out; a client with none of its protocols on says so', () => {
  const smtpOnly = { address, servers: bridgeServers({ imap: null, pop: null, smtp: 1025 }, false) };
  const mbsync = gen('mbsync', smtpOnly);
  assert.equal(mbsync.usable, false);
  assert.match(mbsync.text, /cannot be used: turn on IMAP/);
  const neomutt = gen('neomutt', smtpOnly);
  assert.ok(neomutt.usable);
  assert.doesNotMatch(neomutt.text, /imap|pop_/);
  assert.match(neomutt.note, /IMAP and POP3 off in the bridge settings/);
});

test('saved settings: defaults for a missing or damaged entry, never "on" by accident', () => {
  assert.deepEqual(bridgeSettingsFrom(undefined), DEFAULT_BRIDGE_SETTINGS);
  assert.deepEqual(bridgeSettingsFrom({ enabled: 'yes', ports: { imap: 'x' }, tls: 1 }), DEFAULT_BRIDGE_SETTINGS);
  const saved = { enabled: true, ports: { imap: 2143, pop: null, smtp: 2025 }, tls: true, startWithApp: false };
  assert.deepEqual(bridgeSettingsFrom(saved), saved);
});
