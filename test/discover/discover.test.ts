// discoverServers against real servers: dnsmasq on a loopback port for MX/SRV/A/AAAA, and a local
// HTTPS server (throwaway CA from the openssl CLI) standing in for autoconfig.<domain>,
// <domain>/.well-known and the ISPDB. Nothing here reaches the internet.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { discoverServers } from '../../electron/discover/discover.ts';
import type { DiscoverOptions } from '../../electron/discover/discover.ts';
import { DiscoveryResult } from '../../shared/discovery.ts';
import type { SourceName, SourceReport } from '../../shared/discovery.ts';
import { AppFailure } from '../../shared/result.ts';
import { startDnsmasq, startSilentDns } from './helpers/dnsmasq.ts';
import type { DnsServer } from './helpers/dnsmasq.ts';
import { makeTestCa, startHttpsServer } from './helpers/https-server.ts';
import type { TestCa, TestHttpsServer } from './helpers/https-server.ts';

const config = (body: string): string => `<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="example">
    ${body}
  </emailProvider>
</clientConfig>`;

const AC_CONFIG = config(`
    <domain>ac.test</domain>
    <displayName>AC Test Mail</displayName>
    <incomingServer type="imap">
      <hostname>imap.%EMAILDOMAIN%</hostname>
      <port>993</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>OAuth2</authentication>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <incomingServer type="pop3">
      <hostname>mail.%EMAILDOMAIN%</hostname>
      <port>995</port>
      <socketType>SSL</socketType>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <incomingServer type="exchange">
      <hostname>ews.ac.test</hostname>
    </incomingServer>
    <incomingServer type="imap">
      <hostname>evil host&#10;injected</hostname>
      <port>993</port>
      <socketType>SSL</socketType>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>%EMAILLOCALPART%.smtp.%EMAILDOMAIN%</hostname>
      <port>587</port>
      <socketType>STARTTLS</socketType>
      <authentication>OAuth2</authentication>
    </outgoingServer>
    <!-- a comment &amp; nothing else -->`);

const ISPDB_CONFIG = config(`
    <incomingServer type="imap"><hostname>imap.ispdb.test</hostname><port>993</port><socketType>SSL</socketType><authentication>OAuth2</authentication></incomingServer>
    <outgoingServer type="smtp"><hostname>smtp.ispdb.test</hostname><port>465</port><socketType>SSL</socketType><authentication>OAuth2</authentication></outgoingServer>`);

const OUTLOOK_ISPDB = config(`
    <incomingServer type="imap"><hostname>outlook.office365.com</hostname><port>993</port><socketType>SSL</socketType><authentication>OAuth2</authentication></incomingServer>`);

const PLAIN_CONFIG = config(`
    <incomingServer type="imap"><hostname>imap.plain.test</hostname><port>143</port><socketType>plain</socketType></incomingServer>
    <outgoingServer type="smtp"><hostname>smtp.plain.test</hostname><port>587</port><socketType>STARTTLS</socketType></outgoingServer>
    <outgoingServer type="smtp"><hostname>smtp.plain.test</hostname><port>25</port><socketType>plain</socketType></outgoingServer>`);

const lol = ['<!ENTITY lol "lol">'];
for (let i = 1; i <= 9; i++) lol.push(`<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`);
const BILLION_LAUGHS = `<?xml version="1.0"?>\n<!DOCTYPE clientConfig [\n${lol.join('\n')}\n]>\n<clientConfig>&lol9;</clientConfig>`;

let ca: TestCa;
let https: TestHttpsServer;
let dns: DnsServer;

const send = (res: ServerResponse, status: number, body = '', headers: Record<string, string> = {}): void => {
  res.writeHead(status, { 'content-type': 'text/xml; charset=utf-8', ...headers });
  res.end(body);
};

function route(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'https://127.0.0.1');
  const [, kind, domain] = url.pathname.split('/');
  const key = `${kind ?? ''}:${domain ?? ''}`;
  switch (key) {
    case 'ac:ac.test':
    case 'ac:slow.test':
      return send(res, 200, AC_CONFIG);
    case 'ac:plain.test':
      return send(res, 200, PLAIN_CONFIG);
    case 'ispdb:ispdb.test':
      // A redirect within https on the same host is followed.
      return send(res, 301, '', { location: '/ispdb-moved/ispdb.test' });
    case 'ispdb-moved:ispdb.test':
      return send(res, 200, ISPDB_CONFIG);
    case 'wk:ispdb.test':
      // Oversize with an honest Content-Length: refused before the body is read.
      return send(res, 200, `<clientConfig>${' '.repeat(300 * 1024)}</clientConfig>`, {
        'content-length': String(300 * 1024 + 29),
      });
    case 'ispdb:outlook.com':
      return send(res, 200, OUTLOOK_ISPDB);
    case 'ac:hostile.test':
      return send(res, 200, '<clientConfig><emailProvider></clientConfig>');
    case 'wk:hostile.test':
      return send(res, 200, BILLION_LAUGHS);
    case 'ispdb:hostile.test': {
      // 300 KiB streamed without a Content-Length: the limit must hold while reading.
      res.writeHead(200, { 'content-type': 'text/xml' });
      const chunk = `<!-- ${'x'.repeat(1020)} -->\n`;
      for (let i = 0; i < 300; i++) res.write(chunk);
      return void res.end();
    }
    case 'ac:redirect.test':
      return send(res, 302, '', { location: `http://127.0.0.1:${https.port}/ac/ac.test/mail/config-v1.1.xml` });
    case 'wk:redirect.test':
      // Another host that would even pass TLS (the certificate names localhost): still refused.
      return send(res, 302, '', { location: `https://localhost:${https.port}/ac/ac.test/mail/config-v1.1.xml` });
    case 'ispdb:redirect.test':
      return send(res, 200, '<html><body>Welcome</body></html>', { 'content-type': 'text/html' });
    case 'ac:hang.test':
      return; // never answers: only the caller's AbortSignal ends this
    default:
      return send(res, 404, 'not found');
  }
}

before(async () => {
  ca = makeTestCa();
  https = await startHttpsServer(ca, route);
  dns = await startDnsmasq([
    '--mx-host=contoso.test,contoso-test.mail.protection.outlook.com,10',
    '--mx-host=contoso.test,backup.contoso.test,20',
    '--srv-host=_imaps._tcp.srv.test,imap-b.srv.test,993,20,0',
    '--srv-host=_imaps._tcp.srv.test,imap-a.srv.test,993,10,10',
    '--srv-host=_imaps._tcp.srv.test,imap-c.srv.test,993,10,50',
    '--srv-host=_imap._tcp.srv.test,imap-a.srv.test,143,0,0',
    '--srv-host=_pop3._tcp.srv.test',
    '--srv-host=_submissions._tcp.srv.test,smtp.srv.test,465,0,0',
    '--srv-host=_submission._tcp.srv.test,smtp.srv.test,587,0,0',
    '--srv-host=_imaps._tcp.hostile.test,imap.hostile.test,993,0,0',
    '--host-record=imap.guess.test,127.0.0.1',
    '--host-record=smtp.guess.test,::1',
    '--host-record=mail.redirect.test,127.0.0.1',
  ]);
});

after(async () => {
  await dns?.stop();
  await https?.stop();
});

const opts = (extra: Partial<DiscoverOptions> = {}): DiscoverOptions => ({
  resolver: { servers: [dns.address] },
  ca: ca.caPem,
  autoconfigBaseUrls: {
    autoconfig: `${https.origin}/ac/{domain}`,
    wellKnown: `${https.origin}/wk/{domain}`,
    ispdb: `${https.origin}/ispdb`,
  },
  timeoutMs: 5000,
  ...extra,
});

const source = (r: DiscoveryResult, name: SourceName): SourceReport => {
  const s = r.sources.find((x) => x.name === name);
  assert.ok(s, `source ${name} reported`);
  return s;
};
const hosts = (list: ReadonlyArray<{ host: string; port: number }>): string[] => list.map((c) => `${c.host}:${c.port}`);

test('catalog by domain: gmail.com is Google, without any network source', async () => {
  const r = await discoverServers('someone@Gmail.com', { sources: ['catalog'] });
  assert.deepEqual(r.provider, { id: 'google', source: 'domain' });
  assert.equal(r.domain, 'gmail.com');
  assert.deepEqual(r.sources.map((s) => s.name), ['catalog']);
  assert.deepEqual(hosts(r.candidates.imap), ['imap.gmail.com:993']);
  assert.equal(r.candidates.imap[0]?.source, 'catalog');
  assert.equal(r.candidates.imap[0]?.confidence, 'high');
  assert.equal(r.candidates.imap[0]?.oauth2, true);
  assert.match(r.candidates.imap[0]?.note ?? '', /not yet tested/);
  assert.deepEqual(r.suggested.smtp, { enabled: true, host: 'smtp.gmail.com', port: 465, security: 'tls' });
  assert.ok(DiscoveryResult.safeParse(r).success);
});

test('MX of a custom domain points at Microsoft 365; the ISPDB is tried for the MX domain', async () => {
  const r = await discoverServers('admin@contoso.test', opts());
  assert.deepEqual(r.provider, {
    id: 'microsoft-365',
    source: 'mx',
    mxHost: 'contoso-test.mail.protection.outlook.com',
  });
  assert.equal(source(r, 'mx').ok, true);
  assert.equal(r.candidates.imap[0]?.host, 'outlook.office365.com');
  assert.equal(r.candidates.imap[0]?.source, 'catalog');
  // The same server from the ISPDB entry of outlook.com is merged, not listed twice.
  assert.equal(r.candidates.imap.filter((c) => c.host === 'outlook.office365.com' && c.port === 993).length, 1);
  assert.match(r.candidates.imap[0]?.note ?? '', /Also found by: ispdb/);
  const ispdbMx = source(r, 'ispdb-mx');
  assert.equal(ispdbMx.ok, true, ispdbMx.error);
  assert.ok(https.requests.includes('/ispdb/outlook.com'));
  assert.deepEqual(r.suggested.smtp, { enabled: true, host: 'smtp.office365.com', port: 587, security: 'starttls' });
  assert.equal(source(r, 'catalog').count, 0);
});

test('SRV records: ordered by security, priority and weight; a "." target means not offered', async () => {
  const r = await discoverServers('user@srv.test', opts());
  const srv = source(r, 'srv');
  assert.equal(srv.ok, true, srv.error);
  assert.equal(srv.count, 6);
  assert.equal(srv.detail, 'not offered (target "."): _pop3._tcp');
  assert.deepEqual(hosts(r.candidates.imap), [
    'imap-c.srv.test:993',
    'imap-a.srv.test:993',
    'imap-b.srv.test:993',
    'imap-a.srv.test:143',
  ]);
  assert.deepEqual(
    r.candidates.imap.map((c) => c.security),
    ['tls', 'tls', 'tls', 'starttls'],
  );
  assert.deepEqual(r.candidates.pop, []);
  assert.deepEqual(hosts(r.candidates.smtp), ['smtp.srv.test:465', 'smtp.srv.test:587']);
  assert.ok(r.candidates.imap.every((c) => c.source === 'srv' && c.confidence === 'medium'));
  assert.match(r.candidates.imap[0]?.note ?? '', /DNS SRV records.*not yet tested/);
  assert.deepEqual(r.suggested.imap, { enabled: true, host: 'imap-c.srv.test', port: 993, security: 'tls' });
  assert.equal(r.suggested.pop, undefined);
  assert.equal(r.provider, null);
});

test('autoconfig XML: placeholders substituted, OAuth2 flag read, bad entries skipped', async () => {
  const r = await discoverServers('alice@ac.test', opts());
  const ac = source(r, 'autoconfig');
  assert.equal(ac.ok, true, ac.error);
  assert.equal(ac.count, 3);
  assert.match(ac.detail ?? '', /skipped incomingServer type "exchange"/);
  assert.match(ac.detail ?? '', /invalid host/);
  assert.ok(https.requests.some((p) => p === '/ac/ac.test/mail/config-v1.1.xml?emailaddress=alice%40ac.test'));
  assert.deepEqual(r.candidates.imap[0], {
    host: 'imap.ac.test',
    port: 993,
    security: 'tls',
    source: 'autoconfig',
    confidence: 'high',
    oauth2: true,
    note: `Found in the domain’s autoconfig file (127.0.0.1:${https.port}); not yet tested. User name: alice@ac.test.`,
  });
  assert.equal(r.candidates.pop[0]?.host, 'mail.ac.test');
  assert.equal(r.candidates.pop[0]?.oauth2, false);
  assert.deepEqual(r.suggested.smtp, { enabled: true, host: 'alice.smtp.ac.test', port: 587, security: 'starttls' });
  assert.equal(source(r, 'autoconfig-well-known').ok, false);
  assert.match(source(r, 'autoconfig-well-known').error ?? '', /404/);
});

test('ISPDB fallback when the domain publishes nothing (a same-host https redirect is followed)', async () => {
  const r = await discoverServers('bob@ispdb.test', opts());
  assert.match(source(r, 'autoconfig').error ?? '', /HTTP 404/);
  const ispdb = source(r, 'ispdb');
  assert.equal(ispdb.ok, true, ispdb.error);
  assert.match(ispdb.detail ?? '', /ispdb-moved/);
  assert.match(source(r, 'autoconfig-well-known').error ?? '', /answer too large \(\d+ bytes, limit 262144\)/);
  assert.equal(r.candidates.imap[0]?.source, 'ispdb');
  assert.deepEqual(r.suggested.imap, { enabled: true, host: 'imap.ispdb.test', port: 993, security: 'tls' });
  assert.deepEqual(r.suggested.smtp, { enabled: true, host: 'smtp.ispdb.test', port: 465, security: 'tls' });
});

test('hostile autoconfig answers: malformed XML, entity bomb, oversize body are per-source errors', async () => {
  const r = await discoverServers('eve@hostile.test', opts());
  const ac = source(r, 'autoconfig');
  assert.equal(ac.ok, false);
  assert.match(ac.error ?? '', /unusable answer: closing tag <\/clientConfig> does not match <emailProvider>/);
  const wk = source(r, 'autoconfig-well-known');
  assert.equal(wk.ok, false);
  assert.match(wk.error ?? '', /DTD .* not allowed/);
  const ispdb = source(r, 'ispdb');
  assert.equal(ispdb.ok, false);
  assert.match(ispdb.error ?? '', /too large \(more than 262144 bytes\)/);
  // The other sources still deliver.
  assert.equal(source(r, 'srv').ok, true);
  assert.deepEqual(hosts(r.candidates.imap), ['imap.hostile.test:993']);
});

test('redirects to http or to another host, and non-autoconfig content, are refused clearly', async () => {
  const r = await discoverServers('eve@redirect.test', opts());
  assert.match(source(r, 'autoconfig').error ?? '', /refused redirect to http:\/\/127\.0\.0\.1:\d+ \(only https is followed\)/);
  assert.match(source(r, 'autoconfig-well-known').error ?? '', /refused redirect to another host \(localhost:\d+\)/);
  assert.match(source(r, 'ispdb').error ?? '', /not a Mozilla autoconfig document \(root element <html>/);
  // The refused targets were never fetched (they would have served the ac.test document).
  assert.ok(r.candidates.imap.every((c) => c.host !== 'imap.ac.test'));
  assert.equal(source(r, 'guess').ok, true);
  assert.ok(r.candidates.imap.some((c) => c.host === 'mail.redirect.test' && c.source === 'guess'));
});

test('guesses only names that resolve (A or AAAA), with low confidence', async () => {
  const r = await discoverServers('carol@guess.test', opts());
  const guess = source(r, 'guess');
  assert.equal(guess.ok, true, guess.error);
  assert.deepEqual(hosts(r.candidates.imap), ['imap.guess.test:993', 'imap.guess.test:143']);
  assert.deepEqual(hosts(r.candidates.smtp), ['smtp.guess.test:465', 'smtp.guess.test:587']);
  assert.deepEqual(r.candidates.pop, []);
  assert.ok([...r.candidates.imap, ...r.candidates.smtp].every((c) => c.source === 'guess' && c.confidence === 'low'));
  assert.deepEqual(r.suggested.imap, { enabled: true, host: 'imap.guess.test', port: 993, security: 'tls' });
  assert.equal(source(r, 'srv').detail, 'no SRV records');
});

test('plaintext is suggested only when it is the only thing, with a warning', async () => {
  const r = await discoverServers('dan@plain.test', opts());
  assert.deepEqual(r.suggested.imap, { enabled: true, host: 'imap.plain.test', port: 143, security: 'none' });
  assert.match(r.warnings.imap ?? '', /plaintext IMAP/);
  assert.deepEqual(r.suggested.smtp, { enabled: true, host: 'smtp.plain.test', port: 587, security: 'starttls' });
  assert.equal(r.warnings.smtp, undefined);
  assert.match(r.candidates.imap[0]?.note ?? '', /Plaintext/);
});

test('a DNS server that never answers: each DNS source times out, HTTPS sources still succeed', async () => {
  const silent = await startSilentDns();
  try {
    // One time limit for every source: the DNS sources must run into it (the server never answers)
    // while the loopback HTTPS autoconfig must finish within it. 600 ms was too short for the
    // HTTPS side on a loaded machine; 5 s still ends the DNS sources by the limit.
    const r = await discoverServers('frank@slow.test', opts({ resolver: { servers: [silent.address] }, timeoutMs: 5000 }));
    for (const name of ['mx', 'srv', 'guess', 'ispdb-mx'] as const) {
      const s = source(r, name);
      assert.equal(s.ok, false, `${name} should fail`);
      assert.match(s.error ?? '', /timed out after 5000 ms|did not answer/, `${name}: ${s.error}`);
    }
    assert.equal(source(r, 'autoconfig').ok, true);
    assert.equal(r.candidates.imap[0]?.host, 'imap.slow.test');
    assert.ok(silent.queries() > 0, 'the queries reached the silent server');
  } finally {
    await silent.stop();
  }
});

test('the AbortSignal cancels everything: DNS and HTTPS, and the call rejects with CANCELLED', async () => {
  const silent = await startSilentDns();
  try {
    const controller = new AbortController();
    const pending = discoverServers('gina@hang.test', opts({ resolver: { servers: [silent.address] }, signal: controller.signal, timeoutMs: 60_000 }));
    // Abort once the hanging HTTPS request has arrived, so there is a live connection to close.
    for (let i = 0; i < 200 && !https.requests.some((p) => p.startsWith('/ac/hang.test/')); i++) {
      await new Promise((res) => setTimeout(res, 10));
    }
    assert.ok(https.openConnections() > 0);
    controller.abort();
    await assert.rejects(pending, (e: unknown) => e instanceof AppFailure && e.appError.code === 'CANCELLED');
    for (let i = 0; i < 200 && https.openConnections() > 0; i++) await new Promise((res) => setTimeout(res, 10));
    assert.equal(https.openConnections(), 0, 'the HTTPS connections were closed');
  } finally {
    await silent.stop();
  }
});

test('an already aborted signal and an invalid address reject before any lookup', async () => {
  await assert.rejects(
    discoverServers('x@ac.test', opts({ signal: AbortSignal.abort() })),
    (e: unknown) => e instanceof AppFailure && e.appError.code === 'CANCELLED',
  );
  await assert.rejects(
    discoverServers('not an address', opts()),
    (e: unknown) => e instanceof AppFailure && e.appError.code === 'VALIDATION_FAILED',
  );
  assert.ok(!https.requests.some((p) => p.includes('x%40ac.test')));
});
