// What a mail client sees when the bridge cannot sign it in (issue 12, "failures that explain
// themselves"), each case for real against the bench: a wrong bridge password (and an unknown
// address, and an account without a bridge password), the server refusing the token (an account
// whose grant lacks the POP3 and SMTP scopes), the server unreachable (the bench's closed port),
// the server's identity provider down (the bench's `idpUnavailable` Dovecot, knob `idp-down`),
// and an untrusted server certificate. Temporary conditions get the protocol's temporary code,
// refusals the permanent one, each with the diagnosis in the text; the app gets an event with
// the diagnosis code. A counting relay before the server proves a wrong password never reaches it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { benchControl, benchInfo } from '../bench/client.ts';
import { countingRelay, plainAuth, RawClient, setUpAccount, startTestBridge, type BridgeAccount, type Running } from './helpers.ts';
import { readFileSync } from 'node:fs';
import { newBridgePassword, startBridge, type BridgeEvent } from '../../electron/bridge/index.ts';
import { AuthService } from '../../electron/auth/auth-service.ts';
import { createHttpFetch, type HttpFetch } from '../../electron/auth/http.ts';

const info = benchInfo();
const m = info.mail.main;
const f = info.failures;
const cleanup: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

/** One sign-in attempt per protocol with the given password; returns the bridge's answer line. */
async function signIn(protocol: 'imap' | 'pop' | 'smtp', port: number, user: string, password: string): Promise<string> {
  const c = await RawClient.connect(port);
  try {
    if (protocol === 'imap') {
      await c.waitFor(/^\* OK[^\r\n]*\r\n/);
      c.send(`a1 LOGIN "${user}" "${password}"`);
      return (await c.waitFor(/^a1 ([^\r\n]*)\r\n/m))[1] ?? '';
    }
    if (protocol === 'pop') {
      await c.waitFor(/^\+OK[^\r\n]*\r\n/);
      const at = c.text.length;
      c.send(`AUTH PLAIN ${plainAuth(user, password)}`);
      return (await c.waitFor(/^([+-][^\r\n]*)\r\n/m, at))[1] ?? '';
    }
    await c.waitFor(/^220 [^\r\n]*\r\n/);
    c.send('EHLO test.example');
    await c.waitFor(/^250 [^\r\n]*\r\n/m);
    const at = c.text.length;
    c.send(`AUTH PLAIN ${plainAuth(user, password)}`);
    return (await c.waitFor(/^(\d{3} [^\r\n]*)\r\n/m, at))[1] ?? '';
  } finally {
    c.close();
  }
}

let main: BridgeAccount;
let mb: Running;
let relays: Array<Awaited<ReturnType<typeof countingRelay>>>;

before(async () => {
  // The account's servers are relays to the bench's Dovecot that count connections.
  relays = await Promise.all([m.imap.tls, m.pop3.starttls, m.smtp.starttls].map((l) => countingRelay(l)));
  for (const r of relays) cleanup.push(() => r.close());
  const [ri, rp, rs] = relays.map((r) => r.port) as [number, number, number];
  main = await setUpAccount({ imap: `localhost:${ri}:tls`, pop: `localhost:${rp}:starttls`, smtp: `localhost:${rs}:starttls` });
  mb = await startTestBridge(main);
  cleanup.push(() => mb.handle.close());
});

test('a wrong bridge password: the normal refusal with the reason, no upstream connection, an event', async () => {
  const ports = mb.handle.ports;
  const imap = await signIn('imap', ports.imap ?? 0, main.address, 'wrong-password');
  assert.match(imap, /^NO \[AUTHENTICATIONFAILED\] Mail OAuth Assistant: wrong address or bridge password for alice@example\.test; /);
  const pop = await signIn('pop', ports.pop ?? 0, main.address, 'wrong-password');
  assert.match(pop, /^-ERR \[AUTH\] Mail OAuth Assistant: wrong address or bridge password/);
  const smtp = await signIn('smtp', ports.smtp ?? 0, 'nobody@example.test', 'whatever');
  assert.match(smtp, /^535 5\.7\.8 Mail OAuth Assistant: wrong address or bridge password for nobody@example\.test/);
  assert.deepEqual(relays.map((r) => r.count()), [0, 0, 0], 'nothing reached the server');
  const failed = mb.events.filter((e) => e.kind === 'local-auth-failed');
  assert.equal(failed.length, 3);
  assert.ok(failed.every((e) => e.code === 'BRIDGE_BAD_PASSWORD'));
  assert.ok(!JSON.stringify(mb.events).includes('wrong-password'), 'no password in the events');
  // The right password then works, and only then the server is contacted.
  assert.match(await signIn('imap', ports.imap ?? 0, main.address, mb.password), /^OK /);
  assert.equal(relays[0]?.count(), 1);
});

test('an account without a bridge password is told how to make one', async () => {
  const other = await setUpAccount({ address: 'bob@example.test' });
  const h = await startBridge({ ...other.core, dataDir: other.dataDir }, { ports: { imap: 0, pop: null, smtp: null }, tls: false });
  cleanup.push(() => h.close());
  const line = await signIn('imap', h.ports.imap ?? 0, 'bob@example.test', 'anything');
  assert.match(line, /^NO \[AUTHENTICATIONFAILED\] Mail OAuth Assistant: bob@example\.test has no bridge password yet; make one in the app/);
});

test('the server refuses the token (no POP3/SMTP scope in the grant): permanent refusal naming the cause', async () => {
  const a = await setUpAccount({ scopes: `openid email offline_access ${info.scopes.imap}` });
  const b = await startTestBridge(a);
  cleanup.push(() => b.handle.close());
  const pop = await signIn('pop', b.handle.ports.pop ?? 0, a.address, b.password);
  assert.match(pop, /^-ERR \[AUTH\] Mail OAuth Assistant: .*\((AUTH_TOKEN_[A-Z_]+)\)/);
  const smtp = await signIn('smtp', b.handle.ports.smtp ?? 0, a.address, b.password);
  assert.match(smtp, /^535 5\.7\.8 Mail OAuth Assistant: .*\((AUTH_TOKEN_[A-Z_]+)\)/);
  const up = b.events.filter((e) => e.kind === 'upstream-failed');
  assert.equal(up.length, 2);
  assert.ok(up.every((e) => e.code?.startsWith('AUTH_TOKEN_') && e.address === a.address), JSON.stringify(up));
  // IMAP is in the grant: it works.
  assert.match(await signIn('imap', b.handle.ports.imap ?? 0, a.address, b.password), /^OK /);
});

test('server unreachable and its identity provider down: temporary codes, not password errors', async () => {
  const closed = `${f.closedPort.host}:${f.closedPort.port}` as const;
  const idp = f.idpUnavailable;
  assert.deepEqual(await benchControl('idp-state'), { idp: 'down' }, 'the knob is in its default state (no test turns it up)');
  const x = await setUpAccount({ imap: `${closed}:tls`, pop: `localhost:${idp.pop3.tls.port}:tls`, smtp: `localhost:${idp.smtp.starttls.port}:starttls` });
  const bx = await startTestBridge(x);
  cleanup.push(() => bx.handle.close());
  const y = await setUpAccount({ imap: `localhost:${idp.imap.tls.port}:tls`, pop: `${closed}:tls`, smtp: `${closed}:starttls` });
  const by = await startTestBridge(y);
  cleanup.push(() => by.handle.close());

  assert.match(await signIn('imap', bx.handle.ports.imap ?? 0, x.address, bx.password), /^NO \[UNAVAILABLE\] Mail OAuth Assistant: The server refused the connection \(CONNECTION_REFUSED\); try again later/);
  assert.match(await signIn('pop', by.handle.ports.pop ?? 0, y.address, by.password), /^-ERR \[SYS\/TEMP\] Mail OAuth Assistant: .*\(CONNECTION_REFUSED\)/);
  assert.match(await signIn('smtp', by.handle.ports.smtp ?? 0, y.address, by.password), /^454 4\.7\.0 Mail OAuth Assistant: .*\(CONNECTION_REFUSED\)/);

  assert.match(await signIn('imap', by.handle.ports.imap ?? 0, y.address, by.password), /^NO \[UNAVAILABLE\] Mail OAuth Assistant: .*\(SERVER_AUTH_TEMPORARY\); try again later/);
  assert.match(await signIn('pop', bx.handle.ports.pop ?? 0, x.address, bx.password), /^-ERR \[SYS\/TEMP\] Mail OAuth Assistant: .*\(SERVER_AUTH_TEMPORARY\)/);
  assert.match(await signIn('smtp', bx.handle.ports.smtp ?? 0, x.address, bx.password), /^454 4\.7\.0 Mail OAuth Assistant: .*\(SERVER_AUTH_TEMPORARY\)/);
  const codes = [...bx.events, ...by.events].filter((e) => e.kind === 'upstream-failed').map((e) => e.code).sort();
  assert.deepEqual(codes, ['CONNECTION_REFUSED', 'CONNECTION_REFUSED', 'CONNECTION_REFUSED', 'SERVER_AUTH_TEMPORARY', 'SERVER_AUTH_TEMPORARY', 'SERVER_AUTH_TEMPORARY']);
});

test('an untrusted server certificate: a permanent failure that does not blame the password', async () => {
  const u = f.untrustedCert;
  const a = await setUpAccount({ imap: `localhost:${u.imap.tls.port}:tls`, pop: `localhost:${u.pop3.starttls.port}:starttls`, smtp: `localhost:${u.smtp.tls.port}:tls` });
  const b = await startTestBridge(a);
  cleanup.push(() => b.handle.close());
  assert.match(await signIn('imap', b.handle.ports.imap ?? 0, a.address, b.password), /^NO \[CONTACTADMIN\] Mail OAuth Assistant: .*\(TLS_UNTRUSTED_CERT\); see the app/);
  assert.match(await signIn('pop', b.handle.ports.pop ?? 0, a.address, b.password), /^-ERR \[SYS\/PERM\] Mail OAuth Assistant: .*\(TLS_UNTRUSTED_CERT\)/);
  assert.match(await signIn('smtp', b.handle.ports.smtp ?? 0, a.address, b.password), /^554 5\.7\.0 Mail OAuth Assistant: .*\(TLS_UNTRUSTED_CERT\)/);
});

test('the token service (IdP) down while the bridge needs a new token: temporary codes; back up, it works', async () => {
  // `native-short` tokens live 3 s, so every session needs a refresh at the IdP. The IdP's answers
  // pass through the product's own HTTP client; only while `down` is set does the token
  // endpoint answer 503, as an overloaded provider does (the shared bench IdP must stay up for
  // the other test files running meanwhile, so it is not switched off itself).
  const a = await setUpAccount({ clientId: 'native-short' });
  let down = false;
  const real = createHttpFetch({ ca: readFileSync(info.ca.path, 'utf8') });
  const fetch: HttpFetch = async (url, init) =>
    down && url.includes('/token') ? new Response('{"error":"temporarily_unavailable"}', { status: 503, headers: { 'content-type': 'application/json' } }) : real(url, init);
  const auth = new AuthService({ accounts: a.core.accounts, secrets: a.core.secrets, browser: { open: async () => undefined }, fetch });
  const password = await newBridgePassword(a.core, a.id);
  const events: BridgeEvent[] = [];
  const h = await startBridge({ ...a.core, auth, dataDir: a.dataDir, onEvent: (e) => events.push(e) }, { ports: { imap: 0, pop: 0, smtp: 0 }, tls: false });
  cleanup.push(() => h.close());
  // Let the token from `authorize` expire so that a refresh is due.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const st = await auth.tokenState(a.id);
    assert.ok(st.ok);
    if (st.value.state !== 'valid') break;
    if (Date.now() > deadline) throw new Error('the 3 s token stayed valid');
    await new Promise((r) => setTimeout(r, 200));
  }
  down = true;
  const imap = await signIn('imap', h.ports.imap ?? 0, a.address, password);
  const pop = await signIn('pop', h.ports.pop ?? 0, a.address, password);
  const smtp = await signIn('smtp', h.ports.smtp ?? 0, a.address, password);
  down = false;
  assert.match(imap, /^NO \[UNAVAILABLE\] Mail OAuth Assistant: The sign-in service cannot be reached \(IDP_UNAVAILABLE\); try again later/);
  assert.match(pop, /^-ERR \[SYS\/TEMP\] Mail OAuth Assistant: .*\(IDP_[A-Z_]+\)/);
  assert.match(smtp, /^454 4\.7\.0 Mail OAuth Assistant: .*\(IDP_[A-Z_]+\)/);
  assert.ok(events.filter((e) => e.kind === 'upstream-failed').every((e) => e.code?.startsWith('IDP_')));
  assert.match(await signIn('imap', h.ports.imap ?? 0, a.address, password), /^OK /, 'works again once the IdP answers');
});

test('five wrong bridge passwords in one connection: the fifth refusal, then the bridge hangs up (POP3)', async () => {
  const upstreamBefore = relays[1]?.count();
  const c = await RawClient.connect(mb.handle.ports.pop ?? 0);
  try {
    await c.waitFor(/^\+OK[^\r\n]*\r\n/);
    for (let i = 1; i <= 5; i++) {
      const at = c.text.length;
      c.send(`AUTH PLAIN ${plainAuth('limit@example.test', `wrong-${i}`)}`);
      assert.match((await c.waitFor(/^(-ERR [^\r\n]*)\r\n/m, at))[1] ?? '', /^-ERR \[AUTH\] Mail OAuth Assistant: wrong address or bridge password/);
    }
    await c.waitFor(/^-ERR Too many failed sign-ins\r\n/m);
    await c.waitClosed();
  } finally {
    c.close();
  }
  assert.equal(relays[1]?.count(), upstreamBefore, 'no upstream connection for any of them');
});
