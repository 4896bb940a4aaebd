// The client settings generator against the provider facts of ../shared/PROVIDERS.md, as text:
// Microsoft takes only XOAUTH2 on IMAP/POP/SMTP (outlook.office365.com:993/995 TLS,
// smtp.office365.com:587 STARTTLS, Outlook.com smtp-mail.outlook.com:587); Gmail takes both
// (imap.gmail.com:993, pop.gmail.com:995, smtp.gmail.com:465 TLS). The facts are written out here
// on purpose, not read from the catalog, so a catalog that drifts from them fails this test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { CLIENTS, clientById, clientConfig, helperFor, inputForAccount, type ClientSettingsInput } from '../../shared/client-settings/index.ts';
import { providerById, type Protocol } from '../../shared/providers.ts';
import type { Servers } from '../../shared/account.ts';

function inputFor(providerId: string, address = 'me@contoso.com', caFile?: string): ClientSettingsInput {
  const p = providerById(providerId);
  assert.ok(p);
  const servers: Servers = {};
  for (const [k, v] of Object.entries(p.servers)) if (v) servers[k as Protocol] = { enabled: true, ...v };
  return inputForAccount({ address, servers, providerId }, p, ['mail-oauth', 'token', address], caFile);
}

const gen = (client: string, input: ClientSettingsInput) => {
  const c = clientById(client);
  assert.ok(c, client);
  return clientConfig(c, input);
};

const MICROSOFT = { imap: 'outlook.office365.com:993', pop: 'outlook.office365.com:995', smtp: 'smtp.office365.com:587' };

test('Microsoft 365: XOAUTH2 everywhere, the documented hosts, ports and TLS modes', () => {
  const input = inputFor('microsoft-365');
  const neomutt = gen('neomutt', input);
  assert.match(neomutt.text, new RegExp(`set folder = "imaps://me%40contoso\\.com@${MICROSOFT.imap}/"`));
  assert.match(neomutt.text, new RegExp(`set smtp_url = "smtp://me%40contoso\\.com@${MICROSOFT.smtp}/"`), 'SMTP 587 is STARTTLS (smtp://, not smtps://)');
  assert.match(neomutt.text, /set ssl_starttls = yes/);
  assert.match(neomutt.text, /set imap_authenticators = "xoauth2"/);
  assert.match(neomutt.text, /set smtp_authenticators = "xoauth2"/);
  // NeoMutt's POP is OAUTHBEARER only: with Microsoft that cannot work, and it says so.
  assert.doesNotMatch(neomutt.text, /pop_/);
  assert.match(neomutt.mechanismNote, /POP cannot work with NeoMutt/);
  assert.match(neomutt.mechanismNote, /accepts only XOAUTH2/);

  const msmtp = gen('msmtp', input).text;
  assert.match(msmtp, /^host smtp\.office365\.com$/m);
  assert.match(msmtp, /^port 587$/m);
  assert.match(msmtp, /^tls_starttls on$/m);
  assert.match(msmtp, /^auth xoauth2$/m);

  const mbsync = gen('mbsync', input).text;
  assert.match(mbsync, /^Host outlook\.office365\.com$/m);
  assert.match(mbsync, /^Port 993$/m);
  assert.match(mbsync, /^SSLType IMAPS$/m);
  assert.match(mbsync, /^AuthMechs XOAUTH2$/m);

  assert.match(gen('aerc', input).text, /source = imaps\+xoauth2:\/\/me%40contoso\.com@outlook\.office365\.com:993/);
  assert.match(gen('aerc', input).text, /outgoing = smtp\+xoauth2:\/\/me%40contoso\.com@smtp\.office365\.com:587/);

  const curl = gen('curl', input).text;
  assert.match(curl, /pop3s:\/\/outlook\.office365\.com:995\//);
  assert.match(curl, /--ssl-reqd .*smtp:\/\/smtp\.office365\.com:587/);
  assert.doesNotMatch(curl, /OAUTHBEARER/);

  // No client is ever told to use OAUTHBEARER with Microsoft.
  for (const c of CLIENTS) {
    const cfg = clientConfig(c, input);
    // (s-nail's method is *named* oauthbearer but sends XOAUTH2: see s-nail.ts.)
    if (c.id !== 's-nail') assert.doesNotMatch(cfg.text, /oauthbearer/i, c.id);
    for (const p of cfg.protocols) if (p.mechanism) assert.equal(p.mechanism, 'XOAUTH2', `${c.id} ${p.protocol}`);
  }
});

test('Outlook.com: the personal-account SMTP host', () => {
  const msmtp = gen('msmtp', inputFor('outlook-com', 'me@outlook.com')).text;
  assert.match(msmtp, /^host smtp-mail\.outlook\.com$/m);
  assert.match(msmtp, /^port 587$/m);
  assert.match(msmtp, /^auth xoauth2$/m);
});

test('Google: both mechanisms accepted, so NeoMutt POP works; the documented hosts and TLS modes', () => {
  const input = inputFor('google', 'me@gmail.com');
  const neomutt = gen('neomutt', input);
  assert.match(neomutt.text, /set folder = "imaps:\/\/me%40gmail\.com@imap\.gmail\.com:993\/"/);
  assert.match(neomutt.text, /set pop_host = "pops:\/\/me%40gmail\.com@pop\.gmail\.com:995\/"/);
  assert.match(neomutt.text, /set smtp_url = "smtps:\/\/me%40gmail\.com@smtp\.gmail\.com:465\/"/, '465 is implicit TLS (smtps://)');
  assert.match(neomutt.text, /set pop_authenticators = "oauthbearer"/);
  assert.doesNotMatch(neomutt.mechanismNote, /cannot work/);
  const msmtp = gen('msmtp', input).text;
  assert.match(msmtp, /^host smtp\.gmail\.com$/m);
  assert.match(msmtp, /^port 465$/m);
  assert.match(msmtp, /^tls_starttls off$/m);
  assert.match(gen('mbsync', input).text, /^AuthMechs XOAUTH2$/m, 'mbsync: XOAUTH2, which Gmail accepts');
  assert.match(gen('s-nail', input).text, /set mta=smtps:\/\/me%40gmail\.com@smtp\.gmail\.com:465\n/);
});

test('guidance: built-in OAuth clients need no helper for providers they know, and say so otherwise', () => {
  const tb = gen('thunderbird', inputFor('google', 'me@gmail.com'));
  assert.equal(tb.kind, 'guidance');
  assert.match(tb.text, /signs in to Google .* with OAuth itself: it does not need mail-oauth/);
  assert.doesNotMatch(tb.text, /mail-oauth token/);
  const generic = gen('thunderbird', { ...inputFor('generic', 'me@example.org'), providerLabel: 'Example IdP' });
  assert.match(generic.text, /Example IdP is not one of them/);
  const fetchmail = gen('fetchmail', inputFor('google', 'me@gmail.com'));
  assert.equal(fetchmail.kind, 'unsupported');
  assert.match(fetchmail.text, /^Not possible: fetchmail/);
  assert.match(fetchmail.text, /bridge/);
});

test('the helper names the account by its name, else its address, and by id when that is ambiguous', () => {
  const me = { id: 'a1', address: 'me@x.org', label: 'me@x.org' };
  assert.deepEqual(helperFor(me, [me]), ['mail-oauth', 'token', 'me@x.org']);
  assert.deepEqual(helperFor({ ...me, label: 'work' }, [{ ...me, label: 'work' }]), ['mail-oauth', 'token', 'work']);
  assert.deepEqual(helperFor(me, [me, { address: 'me@x.org', label: 'other' }]), ['mail-oauth', 'token', 'a1']);
});

test("an address that needs shell quoting still gives valid shell (curl functions) and a quoted helper", () => {
  const address = "o'brien+mail@example.org";
  const input = inputFor('google', address, '/tmp/my ca.pem');
  const curl = gen('curl', input).text;
  assert.match(curl, /mail-oauth token 'o'\\''brien\+mail@example\.org'/);
  assert.match(curl, /--cacert '\/tmp\/my ca\.pem'/);
  const check = spawnSync('bash', ['-n'], { input: curl, encoding: 'utf8' });
  assert.equal(check.status, 0, check.stderr);
});

test('a CA file appears in each client\'s own CA setting', () => {
  const input = inputFor('google', 'me@gmail.com', '/etc/ssl/company-ca.pem');
  assert.match(gen('neomutt', input).text, /^set ssl_ca_certificates_file = "\/etc\/ssl\/company-ca\.pem"$/m);
  assert.match(gen('msmtp', input).text, /^tls_trust_file \/etc\/ssl\/company-ca\.pem$/m);
  assert.match(gen('mbsync', input).text, /^CertificateFile \/etc\/ssl\/company-ca\.pem$/m);
  assert.match(gen('s-nail', input).text, /^set tls-ca-file="\/etc\/ssl\/company-ca\.pem"$/m);
  assert.match(gen('curl', input).text, /--cacert \/etc\/ssl\/company-ca\.pem/);
  assert.match(gen('aerc', input).text, /SSL_CERT_FILE=\/etc\/ssl\/company-ca\.pem/);
});

test('a shared mailbox is a client account of its own: its address is the login name, its token helper names it', () => {
  const p = providerById('microsoft-365');
  assert.ok(p);
  const servers: Servers = {};
  for (const [k, v] of Object.entries(p.servers)) if (v) servers[k as Protocol] = { enabled: true, ...v };
  const shared = { id: 'acc-info', label: 'info@contoso.com', address: 'info@contoso.com', signInAs: 'alice@contoso.com', servers, providerId: 'microsoft-365' };
  const delegate = { id: 'acc-alice', label: 'alice@contoso.com', address: 'alice@contoso.com', servers, providerId: 'microsoft-365' };
  const input = inputForAccount(shared, p, helperFor(shared, [shared, delegate]));
  for (const client of ['neomutt', 'msmtp', 'mbsync']) {
    const text = gen(client, input).text;
    assert.match(text, /info(%40|@)contoso\.com/, client);
    assert.doesNotMatch(text, /alice/, `${client}: the delegate is no login name`);
    assert.match(text, /mail-oauth token info@contoso\.com/, client);
  }
});
