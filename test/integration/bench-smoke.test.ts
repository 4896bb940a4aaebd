// Proves the test bench itself: tokens minted through the real authorization-code + PKCE flow
// open IMAP, POP3 and submission with XOAUTH2 and OAUTHBEARER; bad tokens get the servers' exact
// refusal texts; every failure listener behaves as BenchInfo says. Runs only under test/run.ts
// (MOA_BENCH_INFO). Tokens are never printed: assertions compare server lines, not tokens.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { ConfidentialClientApplication, PublicClientApplication } from '@azure/msal-node';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import * as oidc from 'openid-client';
import {
  benchControl,
  benchFetch,
  benchInfo,
  benchMsalConfig,
  benchTls,
  benchUser,
  introspect,
  LoginError,
  loginWithHttp,
  authorizeRequest,
  malformedListener,
  mintToken,
  oauthbearer,
  pollDeviceToken,
  refreshTokens,
  revokeToken,
  startDeviceAuthorization,
  waitForSinkMessage,
  xoauth2,
  type Listener,
  type TokenSet,
} from '../bench/client.ts';

type Protocol = 'imap' | 'pop3' | 'smtp';
type Mech = 'XOAUTH2' | 'OAUTHBEARER';

const info = benchInfo();
const alice = benchUser('alice@example.test');
const bob = benchUser('bob@example.test');
const STEP_MS = 5000;

// ---------------------------------------------------------------- a tiny raw mail client

const openWires = new Set<Wire>();
// A failed assertion must not leave a socket that keeps this test process alive.
after(() => {
  for (const w of openWires) w.close();
});

/** Line-oriented session over TCP or TLS; every read has a timeout. */
class Wire {
  #sock: Socket | TLSSocket;
  #buf = '';
  #waiters: Array<() => void> = [];
  #closed = false;
  error: Error | undefined;

  constructor(sock: Socket | TLSSocket) {
    this.#sock = sock;
    this.#attach(sock);
    openWires.add(this);
  }

  #attach(sock: Socket | TLSSocket): void {
    sock.on('data', (c: Buffer) => {
      this.#buf += c.toString('latin1');
      this.#wake();
    });
    sock.on('error', (e: Error) => {
      this.error = e;
      this.#wake();
    });
    sock.on('close', () => {
      this.#closed = true;
      this.#wake();
    });
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  static async open(l: Listener, servername = 'localhost'): Promise<Wire> {
    const sock = await new Promise<Socket | TLSSocket>((resolve, reject) => {
      const s =
        l.security === 'tls'
          ? tlsConnect({ host: l.host, port: l.port, ...benchTls(servername) }, () => resolve(s))
          : netConnect({ host: l.host, port: l.port }, () => resolve(s));
      s.setTimeout(STEP_MS, () => s.destroy(new Error(`connect to ${l.host}:${l.port} timed out`)));
      s.once('error', reject);
    });
    sock.setTimeout(0);
    return new Wire(sock);
  }

  /** Reads one line (without CRLF). */
  async line(timeoutMs = STEP_MS): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.#buf.indexOf('\n');
      if (i >= 0) {
        const l = this.#buf.slice(0, i).replace(/\r$/, '');
        this.#buf = this.#buf.slice(i + 1);
        return l;
      }
      if (this.error) throw this.error;
      if (this.#closed) throw new Error(`connection closed (pending: ${JSON.stringify(this.#buf.slice(0, 80))})`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no line within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Raw bytes received so far and not yet consumed (for the broken-server checks). */
  async bytes(min: number, timeoutMs = STEP_MS): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (this.#buf.length < min && !this.#closed && !this.error && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.#buf;
  }

  get closed(): boolean {
    return this.#closed;
  }

  send(line: string): void {
    this.#sock.write(`${line}\r\n`);
  }

  /** IMAP: lines up to the tagged one or a continuation. */
  async imap(tag: string): Promise<string[]> {
    const out: string[] = [];
    for (;;) {
      const l = await this.line();
      out.push(l);
      if (l.startsWith(`${tag} `) || l.startsWith('+')) return out;
    }
  }

  /** SMTP: lines up to the last of a (multiline) reply. */
  async smtp(): Promise<string[]> {
    const out: string[] = [];
    for (;;) {
      const l = await this.line();
      out.push(l);
      if (!/^\d{3}-/.test(l)) return out;
    }
  }

  async startTls(servername = 'localhost'): Promise<void> {
    const plain = this.#sock;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    plain.removeAllListeners('error');
    this.#buf = '';
    const tls = await new Promise<TLSSocket>((resolve, reject) => {
      const s = tlsConnect({ socket: plain as Socket, ...benchTls(servername) }, () => resolve(s));
      s.once('error', (e: Error) => {
        plain.destroy();
        reject(e);
      });
    });
    this.#sock = tls;
    this.#attach(tls);
  }

  close(): void {
    this.#sock.destroy();
    openWires.delete(this);
  }
}

/** Greeting, then STARTTLS when the listener needs it (and `upgrade`), EHLO for SMTP. */
async function session(protocol: Protocol, l: Listener, upgrade = true): Promise<Wire> {
  const w = await Wire.open(l);
  try {
    return await greet(w, protocol, l, upgrade);
  } catch (err) {
    w.close();
    throw err;
  }
}

async function greet(w: Wire, protocol: Protocol, l: Listener, upgrade: boolean): Promise<Wire> {
  const greeting = await w.line();
  assert.match(greeting, protocol === 'imap' ? /^\* OK/ : protocol === 'pop3' ? /^\+OK/ : /^220 /);
  if (protocol === 'smtp') {
    w.send('EHLO client.localhost');
    await w.smtp();
  }
  if (l.security === 'starttls' && upgrade) {
    if (protocol === 'imap') {
      w.send('S1 STARTTLS');
      assert.match((await w.imap('S1')).at(-1) ?? '', /^S1 OK/);
    } else if (protocol === 'pop3') {
      w.send('STLS');
      assert.match(await w.line(), /^\+OK/);
    } else {
      w.send('STARTTLS');
      assert.match((await w.smtp()).at(-1) ?? '', /^220 /);
    }
    await w.startTls();
    if (protocol === 'smtp') {
      w.send('EHLO client.localhost');
      await w.smtp();
    }
  }
  return w;
}

type AuthOutcome = { ok: boolean; final: string; challenge: string | undefined };

/** One SASL exchange as a careful client does it, answering the error challenge. */
async function auth(w: Wire, protocol: Protocol, mech: Mech, user: string, token: string, l: Listener): Promise<AuthOutcome> {
  const ir = mech === 'XOAUTH2' ? xoauth2(user, token) : oauthbearer(user, token, 'localhost', l.port);
  const abort = mech === 'XOAUTH2' ? '' : 'AQ==';
  let challenge: string | undefined;
  if (protocol === 'imap') {
    w.send(`A1 AUTHENTICATE ${mech} ${ir}`);
    let last = (await w.imap('A1')).at(-1) ?? '';
    if (last.startsWith('+')) {
      challenge = Buffer.from(last.slice(1).trim(), 'base64').toString('utf8');
      w.send(abort);
      last = (await w.imap('A1')).at(-1) ?? '';
    }
    return { ok: last.startsWith('A1 OK'), final: last, challenge };
  }
  if (protocol === 'pop3') {
    // RFC 5034: mechanism first, the initial response on the continuation.
    w.send(`AUTH ${mech}`);
    assert.match(await w.line(), /^\+ ?$/);
    w.send(ir);
    let last = await w.line();
    if (last.startsWith('+ ')) {
      challenge = Buffer.from(last.slice(2).trim(), 'base64').toString('utf8');
      w.send(abort);
      last = await w.line();
    }
    return { ok: last.startsWith('+OK'), final: last, challenge };
  }
  w.send(`AUTH ${mech} ${ir}`);
  let last = (await w.smtp()).at(-1) ?? '';
  if (last.startsWith('334 ')) {
    challenge = Buffer.from(last.slice(4).trim(), 'base64').toString('utf8');
    w.send(abort);
    last = (await w.smtp()).at(-1) ?? '';
  }
  return { ok: last.startsWith('235 '), final: last, challenge };
}

async function tryLogin(protocol: Protocol, l: Listener, mech: Mech, user: string, token: string): Promise<AuthOutcome> {
  const w = await session(protocol, l);
  try {
    return await auth(w, protocol, mech, user, token, l);
  } finally {
    w.close();
  }
}

const PROTOCOLS: Protocol[] = ['imap', 'pop3', 'smtp'];
const MECHS: Mech[] = ['XOAUTH2', 'OAUTHBEARER'];
const REJECTED: Record<Protocol, string> = {
  imap: 'A1 NO [AUTHENTICATIONFAILED] Authentication failed.',
  pop3: '-ERR [AUTH] Authentication failed.',
  smtp: '535 5.7.8 Authentication failed.',
};
const CHALLENGE: Record<Mech, object> = {
  XOAUTH2: { status: '401', schemes: 'bearer', scope: 'mail' },
  OAUTHBEARER: { status: 'invalid_token' },
};

async function expectRejected(protocol: Protocol, l: Listener, mech: Mech, user: string, token: string, why: string): Promise<void> {
  const started = Date.now();
  const r = await tryLogin(protocol, l, mech, user, token);
  assert.equal(r.final, REJECTED[protocol], `${why}: ${protocol} ${mech}`);
  assert.deepEqual(JSON.parse(r.challenge ?? 'null'), CHALLENGE[mech], `${why}: ${protocol} ${mech} challenge`);
  // The failure delay and anvil penalty are neutralised: refusals are fast.
  assert.ok(Date.now() - started < 1500, `${why}: ${protocol} ${mech} took ${Date.now() - started} ms`);
}

// ---------------------------------------------------------------- tests

let token: TokenSet;
let shortToken: TokenSet;
let shortMintedAt = 0;

before(async () => {
  token = await mintToken({ user: alice.address });
  // Minted early: its 3 s lifetime runs out while the other tests run.
  shortToken = await mintToken({ user: alice.address, client: 'native-short' });
  shortMintedAt = Date.now();
  // ... and it works while it lives (so its later refusal is about expiry, nothing else).
  const r = await tryLogin('imap', info.mail.main.imap.tls, 'XOAUTH2', alice.address, shortToken.access_token);
  assert.ok(r.ok, `native-short token before expiry: ${r.final}`);
});

test('tokens come from the real authorization-code + PKCE flow', async () => {
  assert.ok(token.refresh_token, 'native client gets a refresh token');
  assert.ok(token.id_token);
  for (const s of ['imap', 'pop', 'smtp']) assert.ok(token.scope?.split(' ').includes(s), `scope has ${s}`);
  const i = await introspect(token.access_token);
  assert.equal(i.active, true);
  assert.equal(i.username, alice.address);
  assert.equal(i.client_id, 'native-app');

  // Refresh tokens of public clients rotate; the old one is dead afterwards.
  const rt = token.refresh_token ?? '';
  const refreshed = await refreshTokens(rt);
  assert.ok(refreshed.refresh_token && refreshed.refresh_token !== rt, 'rotated');

  // Wrong password: the provider keeps the user on the login page.
  await assert.rejects(loginWithHttp(authorizeRequest().url, { user: alice.address, password: 'wrong' }), (e: unknown) => {
    assert.ok(e instanceof LoginError);
    assert.equal(e.code, 'invalid_credentials');
    return true;
  });
  // Deny on the login page and on the consent page: access_denied back to the client.
  for (const deny of ['login', 'consent'] as const) {
    const start = authorizeRequest();
    const cb = await loginWithHttp(start.url, { user: alice.address, deny });
    assert.equal(cb.searchParams.get('error'), 'access_denied', `deny at ${deny}`);
    assert.equal(cb.searchParams.get('state'), start.state);
  }
  // Desktop client with a secret (client_secret_post) and PKCE, Google style.
  const desk = await mintToken({ user: bob.address, client: 'desktop-secret' });
  assert.equal((await introspect(desk.access_token)).username, bob.address);

  // Device authorization grant, approved through the provider's pages.
  const device = await startDeviceAuthorization({ scope: 'openid offline_access imap' });
  const approved = await loginWithHttp(device.verification_uri_complete, { user: bob.address });
  assert.match(approved.pathname, /^\/device\//);
  const dt = await pollDeviceToken(device.device_code);
  assert.equal((await introspect(dt.access_token)).username, bob.address);

  // Revocation: a revoked token is inactive and the mail server refuses it.
  await revokeToken(dt.access_token);
  assert.equal((await introspect(dt.access_token)).active, false);
  await expectRejected('imap', info.mail.main.imap.tls, 'XOAUTH2', bob.address, dt.access_token, 'revoked');
});

test('IMAP accepts the token: imapflow (OAUTHBEARER) on TLS and STARTTLS, raw XOAUTH2 + OAUTHBEARER', async () => {
  const main = info.mail.main.imap;
  for (const l of [main.tls, main.starttls]) {
    const client = new ImapFlow({
      host: l.host,
      port: l.port,
      secure: l.security === 'tls',
      doSTARTTLS: l.security === 'starttls',
      servername: 'localhost',
      tls: benchTls(),
      auth: { user: alice.address, accessToken: token.access_token },
      logger: false,
      connectionTimeout: STEP_MS,
      greetingTimeout: STEP_MS,
      socketTimeout: 20_000,
    });
    await client.connect();
    const box = await client.mailboxOpen('INBOX');
    assert.equal(box.exists, 3, 'alice has the three seeded messages');
    assert.equal(client.serverInfo?.name, 'Dovecot (MOA test bench)');
    await client.logout();
  }
  for (const mech of MECHS) {
    for (const l of [main.tls, main.starttls]) {
      const w = await session('imap', l);
      const r = await auth(w, 'imap', mech, alice.address, token.access_token, l);
      assert.ok(r.ok, `${mech} on ${l.security}: ${r.final}`);
      w.send('A2 SELECT INBOX');
      const sel = await w.imap('A2');
      assert.ok(sel.includes('* 3 EXISTS'));
      w.close();
    }
  }
});

test('POP3 accepts XOAUTH2 and OAUTHBEARER (TLS and STLS)', async () => {
  const main = info.mail.main.pop3;
  for (const mech of MECHS) {
    for (const l of [main.tls, main.starttls]) {
      const w = await session('pop3', l);
      const r = await auth(w, 'pop3', mech, alice.address, token.access_token, l);
      assert.ok(r.ok, `${mech} on ${l.security}: ${r.final}`);
      w.send('STAT');
      assert.match(await w.line(), /^\+OK 3 \d+$/);
      w.send('QUIT');
      w.close();
    }
  }
});

test('submission accepts XOAUTH2 (nodemailer) and OAUTHBEARER (raw) and relays to the sink', async () => {
  const main = info.mail.main.smtp;
  const marker = `smoke-${process.pid}-${Date.now()}`;
  for (const l of [main.starttls, main.tls]) {
    const transport = nodemailer.createTransport({
      host: l.host,
      port: l.port,
      secure: l.security === 'tls',
      requireTLS: l.security === 'starttls',
      tls: benchTls(),
      auth: { type: 'OAuth2', user: alice.address, accessToken: token.access_token },
      connectionTimeout: STEP_MS,
      greetingTimeout: STEP_MS,
      socketTimeout: STEP_MS,
    });
    await transport.sendMail({
      from: alice.address,
      to: bob.address,
      subject: `${marker} nodemailer ${l.security}`,
      text: 'hello from the bench smoke test',
    });
    transport.close();
    const got = await waitForSinkMessage((m) => m.raw.includes(`${marker} nodemailer ${l.security}`));
    assert.equal(got.mailFrom, alice.address);
    assert.deepEqual(got.rcptTo, [bob.address]);
  }
  const l = main.tls;
  const w = await session('smtp', l);
  const r = await auth(w, 'smtp', 'OAUTHBEARER', alice.address, token.access_token, l);
  assert.ok(r.ok, r.final);
  w.send(`MAIL FROM:<${alice.address}>`);
  assert.match((await w.smtp()).at(-1) ?? '', /^250 /);
  w.send(`RCPT TO:<${bob.address}>`);
  assert.match((await w.smtp()).at(-1) ?? '', /^250 /);
  w.send('DATA');
  assert.match((await w.smtp()).at(-1) ?? '', /^354 /);
  w.send(`From: ${alice.address}\r\nTo: ${bob.address}\r\nSubject: ${marker} raw\r\n\r\nraw body\r\n.`);
  assert.match((await w.smtp()).at(-1) ?? '', /^250 /);
  w.send('QUIT');
  w.close();
  await waitForSinkMessage((m) => m.raw.includes(`${marker} raw`));
});

test('refused: wrong scope, other user, garbage (exact server texts)', async () => {
  const main = info.mail.main;
  // A token without the protocol's scope: imap-only fails on POP3/SMTP, pop+smtp fails on IMAP.
  const imapOnly = await mintToken({ user: alice.address, scope: 'openid imap' });
  const noImap = await mintToken({ user: alice.address, scope: 'openid pop smtp' });
  for (const mech of MECHS) {
    await expectRejected('imap', main.imap.tls, mech, alice.address, noImap.access_token, 'wrong scope');
    await expectRejected('pop3', main.pop3.tls, mech, alice.address, imapOnly.access_token, 'wrong scope');
    await expectRejected('smtp', main.smtp.tls, mech, alice.address, imapOnly.access_token, 'wrong scope');
    // The scope that is there works.
    assert.ok((await tryLogin('imap', main.imap.tls, mech, alice.address, imapOnly.access_token)).ok);
    for (const p of PROTOCOLS) {
      const l = main[p].tls;
      await expectRejected(p, l, mech, bob.address, token.access_token, "another user's token");
      await expectRejected(p, l, mech, alice.address, 'garbage-not-a-token', 'garbage');
    }
  }
});

test('daemon (client credentials) opens the shared mailbox and nothing else', async () => {
  const d = await mintToken({ client: 'daemon' });
  const mailbox = info.clients.daemon?.mailbox ?? '';
  assert.equal(mailbox, 'shared@example.test');
  for (const p of PROTOCOLS) {
    const r = await tryLogin(p, info.mail.main[p].tls, 'XOAUTH2', mailbox, d.access_token);
    assert.ok(r.ok, `${p}: ${r.final}`);
    await expectRejected(p, info.mail.main[p].tls, 'XOAUTH2', alice.address, d.access_token, 'daemon on a mailbox not granted');
  }
});

test('IdP unavailable: Temporary authentication failure', async () => {
  assert.deepEqual(await benchControl('idp-state'), { idp: 'down' }, 'nobody left the knob switched');
  const s = info.failures.idpUnavailable;
  const want: Record<Protocol, RegExp> = {
    imap: /^A1 NO \[UNAVAILABLE\] Temporary authentication failure\. \[.+\]$/,
    pop3: /^-ERR \[SYS\/TEMP\] Temporary authentication failure\. \[.+\]$/,
    smtp: /^454 4\.7\.0 Temporary authentication failure\. \[.+\]$/,
  };
  for (const mech of MECHS) {
    for (const p of PROTOCOLS) {
      const r = await tryLogin(p, s[p].tls, mech, alice.address, token.access_token);
      assert.match(r.final, want[p], `${p} ${mech}`);
    }
  }
});

test('TLS required on 127.0.0.2: plaintext AUTH refused, STARTTLS then works', async () => {
  const s = info.mail.tlsRequired;
  const want: Record<Protocol, string> = {
    // (Not "Authentication not allowed until SSL/TLS is enabled.": that is IMAP LOGIN's text.)
    imap: 'A1 NO [PRIVACYREQUIRED] Plaintext authentication disabled.',
    pop3: '-ERR [AUTH] Plaintext authentication disabled.',
    smtp: '523 5.7.10 Plaintext authentication disabled.',
  };
  for (const p of PROTOCOLS) {
    const l = s[p].starttls;
    assert.equal(l.host, '127.0.0.2');
    const w = await session(p, l, false);
    if (p === 'pop3') {
      w.send('AUTH XOAUTH2');
      assert.equal(await w.line(), want[p]);
    } else {
      const r = await auth(w, p, 'XOAUTH2', alice.address, token.access_token, l);
      assert.equal(r.final, want[p]);
    }
    w.close();
    assert.ok((await tryLogin(p, l, 'XOAUTH2', alice.address, token.access_token)).ok, `${p} after STARTTLS`);
  }
});

async function tlsError(l: Listener, startTls?: Protocol): Promise<string> {
  try {
    if (startTls) {
      await session(startTls, l);
    } else {
      (await Wire.open(l)).close();
    }
  } catch (e) {
    return (e as NodeJS.ErrnoException).code ?? String(e);
  }
  return 'no error';
}

test('certificate failures: untrusted and wrong host name, implicit TLS and STARTTLS', async () => {
  for (const p of PROTOCOLS) {
    assert.equal(await tlsError(info.failures.untrustedCert[p].tls), 'DEPTH_ZERO_SELF_SIGNED_CERT', p);
    assert.equal(await tlsError(info.failures.untrustedCert[p].starttls, p), 'DEPTH_ZERO_SELF_SIGNED_CERT', p);
    assert.equal(await tlsError(info.failures.hostMismatch[p].tls), 'ERR_TLS_CERT_ALTNAME_INVALID', p);
    assert.equal(await tlsError(info.failures.hostMismatch[p].starttls, p), 'ERR_TLS_CERT_ALTNAME_INVALID', p);
  }
  assert.equal(info.failures.hostMismatchCertName, 'mail.other-host.test');
  // With the right expectations the same servers work: the certificate is the only fault.
  const w = await Wire.open(info.failures.hostMismatch.imap.tls, info.failures.hostMismatchCertName);
  assert.match(await w.line(), /^\* OK/);
  w.close();
});

test('silent, closed and malformed listeners', async () => {
  const f = info.failures;
  const quiet = await Wire.open(f.silent);
  assert.equal(await quiet.bytes(1, 300), '', 'silent: no greeting');
  quiet.close();
  const quietTls = await Wire.open(f.silentTls);
  assert.equal(await quietTls.bytes(1, 300), '', 'silentTls: handshake done, no greeting');
  quietTls.close();
  await assert.rejects(Wire.open({ ...f.closedPort, security: 'plain' }), { code: 'ECONNREFUSED' });

  for (const p of PROTOCOLS) {
    for (const security of ['tls', 'starttls'] as const) {
      const g = await Wire.open(malformedListener(p, 'garbage-greeting', security));
      assert.ok((await g.bytes(20)).startsWith('HTTP/1.1 400 Bad Request\r\n\u0000'), `${p} garbage greeting`);
      g.close();

      const big = await Wire.open(malformedListener(p, 'oversize-line', security));
      const got = await big.bytes(1024 * 1024);
      assert.ok(got.length >= 1024 * 1024 && !got.includes('\n'), `${p} oversize: ${got.length} bytes, no line end`);
      big.close();

      const tr = await Wire.open(malformedListener(p, 'truncated', security));
      await tr.line();
      tr.send(p === 'imap' ? 'C1 CAPABILITY' : p === 'pop3' ? 'CAPA' : 'EHLO x');
      const rest = await tr.bytes(1 << 20, 2000);
      assert.ok(tr.closed, `${p} truncated: server closed`);
      assert.ok(!rest.endsWith('\n'), `${p} truncated: last line incomplete`);
      tr.close();

      const bc = await Wire.open(malformedListener(p, 'bogus-capability', security));
      await bc.line();
      bc.send(p === 'imap' ? 'C1 CAPABILITY' : p === 'pop3' ? 'CAPA' : 'EHLO x');
      const capa = await bc.line();
      if (p === 'imap') assert.ok(!capa.includes('IMAP4rev1'));
      else if (p === 'pop3') assert.ok(!capa.startsWith('+OK') && !capa.startsWith('-ERR'));
      else assert.match((await bc.line()), /^!!!/);
      bc.close();

      const l = malformedListener(p, 'bogus-continuation', security);
      const cont = await session(p, l);
      if (p === 'pop3') cont.send('AUTH XOAUTH2');
      else cont.send(p === 'imap' ? 'A1 AUTHENTICATE XOAUTH2' : 'AUTH XOAUTH2');
      const prefix = p === 'smtp' ? '334 ' : '+ ';
      for (let i = 0; i < 3; i += 1) {
        assert.equal(await cont.line(), `${prefix}%%% this is not base64 %%%`);
        cont.send('');
      }
      cont.close();
    }
  }
});

test('control endpoint: secret required, knobs answer', async () => {
  assert.equal(await benchControl('ping'), 'pong');
  const res = await fetch(`${info.control.url}/control/ping`, { method: 'POST', headers: { authorization: 'Bearer wrong' } });
  assert.equal(res.status, 401);
  await assert.rejects(benchControl('no-such-knob'), /HTTP 404/);
});

test('MSAL (OIDC protocol mode, form_post to its loopback) and openid-client work against the bench', async () => {
  const pca = new PublicClientApplication(benchMsalConfig('native-app'));
  const scopes = ['imap', 'pop', 'smtp'];
  const r = await pca.acquireTokenInteractive({
    scopes,
    openBrowser: async (url) => {
      await loginWithHttp(url, { user: bob.address, deliver: true });
    },
    successTemplate: 'signed in',
    errorTemplate: 'failed',
  });
  assert.equal(r.account?.username, bob.address);
  assert.ok((await tryLogin('imap', info.mail.main.imap.tls, 'XOAUTH2', bob.address, r.accessToken)).ok);
  assert.ok(r.account);
  const silent = await pca.acquireTokenSilent({ account: r.account, scopes, forceRefresh: true });
  assert.equal((await introspect(silent.accessToken)).username, bob.address);

  const cca = new ConfidentialClientApplication(benchMsalConfig('daemon'));
  const app = await cca.acquireTokenByClientCredential({ scopes });
  assert.equal((await introspect(app?.accessToken ?? '')).username, 'shared@example.test');

  const config = await oidc.discovery(new URL(info.issuer), 'native-app', undefined, oidc.None(), {
    [oidc.customFetch]: benchFetch,
  });
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: 'http://127.0.0.1:53682/callback',
    scope: 'openid offline_access imap',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  });
  const cb = await loginWithHttp(url, { user: alice.address });
  const tokens = await oidc.authorizationCodeGrant(config, cb, { pkceCodeVerifier: verifier, expectedState: state });
  assert.equal(tokens.claims()?.sub, alice.address);
  assert.ok(tokens.refresh_token);
});

test('expired token refused everywhere (native-short, 3 s)', async () => {
  const main = info.mail.main;
  const wait = shortMintedAt + (info.clients['native-short']?.accessTokenTtl ?? 3) * 1000 + 600 - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  for (const mech of MECHS) {
    for (const p of PROTOCOLS) await expectRejected(p, main[p].tls, mech, alice.address, shortToken.access_token, 'expired');
  }
  assert.equal((await introspect(shortToken.access_token)).active, false);
});
