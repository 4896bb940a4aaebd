// Every failure knob of the bench ends in the expected diagnosis code, through runProbe.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { benchCa, benchControl, benchInfo, malformedListener, mintToken, type Listener } from '../bench/client.ts';
import { runProbe, type ProbeInput, type ProbeOptions } from '../../electron/probe/run-probe.ts';
import { staticToken } from '../../electron/core/ports.ts';
import type { Servers } from '../../shared/account.ts';
import type { ProbeReport } from '../../shared/probe.ts';
import { ALICE, aliceToken, allServers, assertNoSecret, codeOf, server } from './helpers.ts';

const FAST = { step: 2_000, overall: 10_000 };

async function probe(servers: Servers, input: Partial<ProbeInput> = {}, options: ProbeOptions = {}): Promise<ProbeReport> {
  const token = input.token ?? (await aliceToken()).source;
  return runProbe({ address: ALICE, servers, mechanisms: ['XOAUTH2', 'OAUTHBEARER'], token, ...input }, { ca: benchCa(), timeouts: FAST, ...options });
}

const codes = (r: ProbeReport): Record<string, string | undefined> => Object.fromEntries(r.protocols.map((p) => [p.protocol, p.code]));

describe('probe: network and TLS failures', () => {
  test('untrusted certificate (implicit TLS and after STARTTLS)', async () => {
    for (const mode of ['tls', 'starttls'] as const) {
      const r = await probe(allServers(mode, benchInfo().failures.untrustedCert));
      assert.deepEqual(codes(r), { imap: 'TLS_UNTRUSTED_CERT', pop: 'TLS_UNTRUSTED_CERT', smtp: 'TLS_UNTRUSTED_CERT' }, mode);
      for (const p of r.protocols) assert.equal(p.steps.find((s) => s.status === 'failed')?.step, 'tls');
      // no protocol reached sign-in
      for (const p of r.protocols) assert.ok(!p.steps.some((s) => s.step === 'authenticate'), p.protocol);
    }
  });

  test('the same certificate is trusted when its CA is not given: nothing but the system roots', async () => {
    const r = await runProbe({ address: ALICE, servers: allServers('tls'), mechanisms: ['XOAUTH2'], token: staticToken('x'.repeat(20)) }, { timeouts: FAST });
    assert.deepEqual(codes(r), { imap: 'TLS_UNTRUSTED_CERT', pop: 'TLS_UNTRUSTED_CERT', smtp: 'TLS_UNTRUSTED_CERT' });
  });

  test('certificate for another host name', async () => {
    for (const mode of ['tls', 'starttls'] as const) {
      const r = await probe(allServers(mode, benchInfo().failures.hostMismatch));
      assert.deepEqual(codes(r), { imap: 'TLS_HOSTNAME_MISMATCH', pop: 'TLS_HOSTNAME_MISMATCH', smtp: 'TLS_HOSTNAME_MISMATCH' }, mode);
    }
  });

  test('plaintext sign-in refused by the server: TLS_REQUIRED', async () => {
    const m = benchInfo().mail.tlsRequired;
    const servers: Servers = {
      imap: { ...server(m.imap.starttls), security: 'none' },
      pop: { ...server(m.pop3.starttls), security: 'none' },
      smtp: { ...server(m.smtp.starttls), security: 'none' },
    };
    const r = await probe(servers);
    assert.deepEqual(codes(r), { imap: 'TLS_REQUIRED', pop: 'TLS_REQUIRED', smtp: 'TLS_REQUIRED' });
  });

  test('a server that never greets: NO_GREETING after the step timeout', async () => {
    const f = benchInfo().failures;
    const plain = { host: f.silent.host, port: f.silent.port };
    const r = await probe({
      imap: { enabled: true, ...plain, security: 'starttls' },
      pop: { enabled: true, ...plain, security: 'none' },
      smtp: { enabled: true, host: f.silentTls.host, port: f.silentTls.port, security: 'tls' },
    }, {}, { ca: benchCa(), timeouts: { step: 800, overall: 10_000 } });
    assert.deepEqual(codes(r), { imap: 'NO_GREETING', pop: 'NO_GREETING', smtp: 'NO_GREETING' });
  });

  test('closed port: CONNECTION_REFUSED; unknown host: DNS_NOT_FOUND', async () => {
    const c = benchInfo().failures.closedPort;
    const r = await probe({
      imap: { enabled: true, host: c.host, port: c.port, security: 'tls' },
      smtp: { enabled: true, host: 'no-such-host.invalid', port: 465, security: 'tls' },
    });
    assert.deepEqual(codes(r), { imap: 'CONNECTION_REFUSED', smtp: 'DNS_NOT_FOUND' });
  });
});

describe('probe: malformed servers', () => {
  const modes = ['garbage-greeting', 'truncated', 'oversize-line', 'bogus-capability', 'bogus-continuation'] as const;
  // Both the implicit-TLS and the STARTTLS listeners complete TLS, so both exercise the parsers.
  const expected: Record<(typeof modes)[number], string[]> = {
    'garbage-greeting': ['MALFORMED_RESPONSE', 'NO_GREETING'],
    truncated: ['MALFORMED_RESPONSE', 'CONNECTION_CLOSED'],
    'oversize-line': ['MALFORMED_RESPONSE'],
    'bogus-capability': ['MALFORMED_RESPONSE', 'AUTH_MECHANISM_NOT_OFFERED', 'STARTTLS_MISSING'],
    'bogus-continuation': ['MALFORMED_RESPONSE'],
  };
  for (const mode of modes) {
    for (const security of ['tls', 'starttls'] as const) {
      test(`${mode} (${security})`, async () => {
        const l = (p: 'imap' | 'pop3' | 'smtp'): Listener => malformedListener(p, mode, security);
        const r = await probe({ imap: server(l('imap')), pop: server(l('pop3')), smtp: server(l('smtp')) });
        for (const p of r.protocols) {
          assert.ok(expected[mode].includes(p.code ?? ''), `${p.protocol}: ${p.code} ${JSON.stringify(p.steps.at(-1))}`);
        }
      });
    }
  }
});

describe('probe: token and server-side auth failures', () => {
  test('IdP unavailable for the mail server: SERVER_AUTH_TEMPORARY', async () => {
    const state = await benchControl('idp-state');
    assert.ok(state !== undefined);
    const r = await probe(allServers('tls', benchInfo().failures.idpUnavailable));
    assert.deepEqual(codes(r), { imap: 'SERVER_AUTH_TEMPORARY', pop: 'SERVER_AUTH_TEMPORARY', smtp: 'SERVER_AUTH_TEMPORARY' });
  });

  test('garbage token: AUTH_TOKEN_INVALID, and the token is nowhere in the report', async () => {
    const garbage = 'garbage-' + 'Zm9vYmFy'.repeat(8);
    const servers = allServers('tls');
    const r = await probe(servers, { token: staticToken(garbage) });
    assert.deepEqual(codes(r), { imap: 'AUTH_TOKEN_INVALID', pop: 'AUTH_TOKEN_INVALID', smtp: 'AUTH_TOKEN_INVALID' });
    assertNoSecret(r, garbage, [servers.imap!, servers.pop!, servers.smtp!]);
    for (const p of r.protocols) assert.ok(p.transcript.some((l) => l.includes('challenge:')), `${p.protocol} decoded the challenge`);
  });

  test('both mechanisms finish the failed exchange (no hang) and report the mechanism', async () => {
    for (const mechanism of ['XOAUTH2', 'OAUTHBEARER'] as const) {
      const r = await probe(allServers('starttls'), { token: staticToken('bad-token-0123456789'), mechanisms: [mechanism] });
      for (const p of r.protocols) {
        assert.equal(p.mechanism, mechanism);
        assert.equal(p.code, 'AUTH_TOKEN_INVALID');
      }
    }
  });

  test('wrong scope: the server says 401; with the granted scopes known it is AUTH_TOKEN_SCOPE', async () => {
    const t = await aliceToken({ scope: 'openid imap' });
    const servers = allServers('tls');
    const plain = await probe(servers, { token: staticToken(t.token) });
    assert.equal(codeOf(plain, 'imap'), undefined);
    assert.equal(codeOf(plain, 'pop'), 'AUTH_TOKEN_INVALID');
    assert.equal(codeOf(plain, 'smtp'), 'AUTH_TOKEN_INVALID');
    const scopes = benchInfo().scopes;
    const hinted = await probe(servers, {
      token: staticToken(t.token, { scopes: t.scope }),
      scopes: { imap: [scopes.imap], pop: [scopes.pop3], smtp: [scopes.smtp] },
    });
    assert.deepEqual(codes(hinted), { imap: undefined, pop: 'AUTH_TOKEN_SCOPE', smtp: 'AUTH_TOKEN_SCOPE' });
    assertNoSecret(hinted, t.token);
  });

  test("another user's token: rejected; with the token's user known it is AUTH_WRONG_USER", async () => {
    const bob = await mintToken({ user: 'bob@example.test' });
    const servers = allServers('tls');
    const plain = await probe(servers, { token: staticToken(bob.access_token) });
    assert.deepEqual(codes(plain), { imap: 'AUTH_TOKEN_INVALID', pop: 'AUTH_TOKEN_INVALID', smtp: 'AUTH_TOKEN_INVALID' });
    const hinted = await probe(servers, { token: staticToken(bob.access_token, { username: 'bob@example.test' }) });
    assert.deepEqual(codes(hinted), { imap: 'AUTH_WRONG_USER', pop: 'AUTH_WRONG_USER', smtp: 'AUTH_WRONG_USER' });
  });

  test('expired token (3 s client): rejected; with expiresAt known it is AUTH_TOKEN_EXPIRED', async () => {
    const t = await mintToken({ client: 'native-short' });
    const expiresAt = Date.now() + (t.expires_in ?? 3) * 1000;
    await new Promise((r) => setTimeout(r, Math.max(0, expiresAt - Date.now()) + 1500));
    const servers = allServers('tls');
    const plain = await probe(servers, { token: staticToken(t.access_token) });
    assert.deepEqual(codes(plain), { imap: 'AUTH_TOKEN_INVALID', pop: 'AUTH_TOKEN_INVALID', smtp: 'AUTH_TOKEN_INVALID' });
    const hinted = await probe(servers, { token: staticToken(t.access_token, { expiresAt }) });
    assert.deepEqual(codes(hinted), { imap: 'AUTH_TOKEN_EXPIRED', pop: 'AUTH_TOKEN_EXPIRED', smtp: 'AUTH_TOKEN_EXPIRED' });
  });

  test('token source fails: TOKEN_UNAVAILABLE at authenticate, token step failed', async () => {
    const failing = { getAccessToken: async () => Promise.reject(new Error('refresh failed: invalid_grant')) };
    const r = await probe(allServers('tls'), { token: failing });
    assert.equal(r.token.status, 'failed');
    assert.deepEqual(codes(r), { imap: 'TOKEN_UNAVAILABLE', pop: 'TOKEN_UNAVAILABLE', smtp: 'TOKEN_UNAVAILABLE' });
    for (const p of r.protocols) assert.equal(p.steps.find((s) => s.status === 'failed')?.step, 'authenticate');
  });
});

describe('probe: downgrade and cancel', () => {
  test('a STARTTLS port that does not offer STARTTLS is refused, never a plaintext login', async () => {
    // A tiny server that greets and lists capabilities without STARTTLS (the bench's servers all offer it).
    const seen: string[] = [];
    const srv = net.createServer((s) => {
      s.on('error', () => undefined);
      const proto = (s.localPort === imapPort ? 'imap' : s.localPort === popPort ? 'pop' : 'smtp') as 'imap' | 'pop' | 'smtp';
      s.write(proto === 'imap' ? '* OK ready\r\n' : proto === 'pop' ? '+OK ready\r\n' : '220 ready ESMTP\r\n');
      s.on('data', (d) => {
        for (const line of d.toString().split('\r\n').filter(Boolean)) {
          seen.push(line);
          const tag = line.split(' ')[0];
          if (proto === 'imap') s.write(`* CAPABILITY IMAP4rev1 AUTH=XOAUTH2 AUTH=OAUTHBEARER SASL-IR\r\n${tag} OK done\r\n`);
          else if (proto === 'pop') s.write('+OK\r\nSASL XOAUTH2 OAUTHBEARER\r\nUSER\r\n.\r\n');
          else s.write('250-localhost\r\n250-AUTH XOAUTH2 OAUTHBEARER\r\n250 PIPELINING\r\n');
        }
      });
    });
    const servers2 = [net.createServer(), net.createServer()];
    void servers2;
    const listen = (server: net.Server): Promise<number> =>
      new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
    const a = net.createServer((s) => srv.emit('connection', s));
    const b = net.createServer((s) => srv.emit('connection', s));
    const c = net.createServer((s) => srv.emit('connection', s));
    const imapPort = await listen(a);
    const popPort = await listen(b);
    const smtpPort = await listen(c);
    try {
      const r = await probe({
        imap: { enabled: true, host: '127.0.0.1', port: imapPort, security: 'starttls' },
        pop: { enabled: true, host: '127.0.0.1', port: popPort, security: 'starttls' },
        smtp: { enabled: true, host: '127.0.0.1', port: smtpPort, security: 'starttls' },
      }, { token: staticToken('secret-token-should-never-be-sent') });
      assert.deepEqual(codes(r), { imap: 'STARTTLS_MISSING', pop: 'STARTTLS_MISSING', smtp: 'STARTTLS_MISSING' });
      assert.ok(!seen.some((l) => /^(\S+ )?AUTH/i.test(l)), `an AUTH was sent in plaintext: ${seen.join(' | ')}`);
    } finally {
      for (const s of [a, b, c]) s.close();
    }
  });

  test('cancel via AbortSignal: CANCELLED everywhere, every socket closed', async () => {
    const f = benchInfo().failures;
    const before = process.getActiveResourcesInfo().filter((x) => x === 'TCPSocketWrap').length;
    const controller = new AbortController();
    const pending = probe({
      imap: { enabled: true, host: f.silent.host, port: f.silent.port, security: 'none' },
      pop: { enabled: true, host: f.silentTls.host, port: f.silentTls.port, security: 'tls' },
      smtp: { enabled: true, host: f.silent.host, port: f.silent.port, security: 'starttls' },
    }, { token: { getAccessToken: ({ signal } = {}) => new Promise((_r, reject) => signal?.addEventListener('abort', () => reject(new Error('aborted')))) } }, {
      ca: benchCa(),
      signal: controller.signal,
      timeouts: { step: 30_000, overall: 60_000 },
      onProgress: (p) => {
        // cancel once the silent IMAP server is being waited for
        if (p.protocol === 'imap' && p.step === 'greeting' && p.status === 'running') setTimeout(() => controller.abort(), 100);
      },
    });
    const r = await pending;
    assert.deepEqual(codes(r), { imap: 'CANCELLED', pop: 'CANCELLED', smtp: 'CANCELLED' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const after = process.getActiveResourcesInfo().filter((x) => x === 'TCPSocketWrap').length;
    assert.ok(after <= before, `sockets left open: before ${before}, after ${after}`);
  });
});
