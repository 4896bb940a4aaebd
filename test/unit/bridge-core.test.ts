// The bridge's parts that need no mail server: bridge passwords (only a salted hash stored,
// constant-time check, a new one invalidates the old), the growing refusal delay, the listeners
// bound on 127.0.0.1 only, a port in use refused with BRIDGE_PORT_IN_USE, the local certificate
// (parsed back by Node, reused across starts), and the client-visible failure texts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { createSecretStore } from '../../electron/store/secret-store.ts';
import { noEncryptionBox } from '../../electron/core/memory-secret-box.ts';
import { openNodeAccountStore } from '../../electron/store/account-store.ts';
import { AuthService } from '../../electron/auth/auth-service.ts';
import { systemClock } from '../../electron/core/ports.ts';
import { AppFailure } from '../../shared/app-error.ts';
import { hasBridgePassword, newBridgePassword, startBridge, type BridgeDeps } from '../../electron/bridge/index.ts';
import { FailureDelay, verifyPassword } from '../../electron/bridge/password.ts';
import { refusal } from '../../electron/bridge/failure.ts';

function deps(): BridgeDeps {
  const dataDir = mkdtempSync(join(tmpdir(), 'moa-bridge-unit-'));
  const accounts = openNodeAccountStore({ cwd: dataDir });
  const secrets = createSecretStore({ box: noEncryptionBox });
  const auth = new AuthService({ accounts, secrets, browser: { open: async () => undefined } });
  const now = Date.now();
  accounts.put({
    id: 'acct1',
    label: 'alice',
    address: 'alice@example.test',
    providerId: 'generic',
    auth: { adapter: 'oidc', issuer: 'https://localhost:1/', clientId: 'x', flow: 'delegated', authParams: {} },
    scopes: ['imap'],
    servers: { imap: { enabled: true, host: 'localhost', port: 1, security: 'tls' } },
    status: 'ready',
    createdAt: now,
    updatedAt: now,
  });
  return { accounts, secrets, auth, clock: systemClock, dataDir };
}

test('a bridge password is stored only as a salted scrypt hash and checked in constant time', async () => {
  const d = deps();
  assert.equal(await hasBridgePassword(d, 'acct1'), false);
  const pw = await newBridgePassword(d, 'acct1');
  assert.match(pw, /^[a-z2-9]{5}(?:-[a-z2-9]{5}){3}$/);
  assert.equal(await hasBridgePassword(d, 'acct1'), true);
  const stored = await d.secrets.get('acct1', 'bridge-password');
  assert.ok(stored);
  assert.ok(!stored.includes(pw), 'the password itself is not stored');
  assert.match(stored, /^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
  assert.equal(await verifyPassword('acct1', stored, pw), true);
  assert.equal(await verifyPassword('acct1', stored, pw), true, 'remembered check gives the same answer');
  assert.equal(await verifyPassword('acct1', stored, `${pw}x`), false);
  assert.equal(await verifyPassword('acct1', stored, ''), false);
  // Same password, new salt: two hashes differ.
  const again = await newBridgePassword(d, 'acct1');
  const stored2 = await d.secrets.get('acct1', 'bridge-password');
  assert.notEqual(again, pw);
  assert.ok(stored2);
  assert.equal(await verifyPassword('acct1', stored2, pw), false, 'the old password stops working');
  assert.equal(await verifyPassword('acct1', stored2, again), true);
  assert.equal(await verifyPassword('acct1', 'scrypt$999999999$8$1$AAAA$AAAA', pw), false, 'damaged record: refused, no huge allocation');
  await assert.rejects(newBridgePassword(d, 'nope'), (e: unknown) => e instanceof AppFailure && e.appError.code === 'NOT_FOUND');
});

test('the refusal delay grows per login name and is forgotten after a success', () => {
  const delay = new FailureDelay(500, 8000);
  assert.deepEqual([1, 2, 3, 4, 5, 6].map(() => delay.fail('Alice@example.test', 0)), [500, 1000, 2000, 4000, 8000, 8000]);
  assert.equal(delay.fail('bob@example.test', 0), 500, 'another name starts at the bottom');
  delay.succeed('alice@example.test');
  assert.equal(delay.fail('alice@example.test', 0), 500);
});

test('listeners are bound on 127.0.0.1 only, a port in use is BRIDGE_PORT_IN_USE, close stops them', async () => {
  const d = deps();
  const h = await startBridge(d, { ports: { imap: 0, pop: 0, smtp: null }, tls: false });
  try {
    assert.equal(h.ports.smtp, null);
    assert.ok(h.ports.imap && h.ports.pop);
    // The greeting comes from the bridge on 127.0.0.1...
    const greeting = await new Promise<string>((resolve, reject) => {
      const s = net.connect(h.ports.imap ?? 0, '127.0.0.1');
      s.once('data', (b) => (resolve(b.toString()), s.destroy()));
      s.once('error', reject);
    });
    assert.match(greeting, /^\* OK \[CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN AUTH=LOGIN\] /);
    // ...and another local address of this machine is not listened on (the bind is 127.0.0.1 only).
    const other = await new Promise<string>((resolve) => {
      const s = net.connect(h.ports.imap ?? 0, '127.0.0.2');
      s.once('connect', () => (resolve('connected'), s.destroy()));
      s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    assert.equal(other, 'ECONNREFUSED');
    await assert.rejects(
      startBridge(d, { ports: { imap: h.ports.imap, pop: null, smtp: null }, tls: false }),
      (e: unknown) => e instanceof AppFailure && e.appError.code === 'BRIDGE_PORT_IN_USE' && e.appError.message.includes(String(h.ports.imap)),
    );
    // The one test connection is counted until the bridge saw it close (a state to wait for).
    while (h.sessions() !== 0) await new Promise((r) => setTimeout(r, 10));
  } finally {
    await h.close();
  }
  const refused = await new Promise<string>((resolve) => {
    const s = net.connect(h.ports.imap ?? 0, '127.0.0.1');
    s.once('connect', () => (resolve('connected'), s.destroy()));
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
  });
  assert.equal(refused, 'ECONNREFUSED');
});

test('TLS on: a certificate for localhost and 127.0.0.1 is made once, kept; STARTTLS and implicit TLS on the same port work with it', async () => {
  const d = deps();
  const h = await startBridge(d, { ports: { imap: 0, pop: null, smtp: 0 }, tls: true });
  let pem: string;
  try {
    pem = h.certificatePem ?? '';
    const cert = new X509Certificate(pem);
    assert.equal(cert.checkHost('localhost'), 'localhost');
    assert.equal(cert.checkIP('127.0.0.1'), '127.0.0.1');
    assert.ok(Date.parse(cert.validTo) - Date.now() > 800 * 86_400_000);
    // STARTTLS, verified against the certificate as the user would import it.
    const s = net.connect(h.ports.imap ?? 0, '127.0.0.1');
    let text = '';
    s.setEncoding('latin1');
    await new Promise<void>((resolve) => s.on('data', (x: string) => ((text += x), text.includes('\r\n') && resolve())));
    assert.match(text, /STARTTLS/);
    s.write('a STARTTLS\r\n');
    await new Promise<void>((resolve) => s.on('data', () => text.includes('a OK') && resolve()));
    s.removeAllListeners('data');
    const secure = tls.connect({ socket: s, ca: pem, servername: 'localhost' });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', resolve);
      secure.once('error', reject);
    });
    secure.write('b CAPABILITY\r\n');
    const caps = await new Promise<string>((resolve) => {
      let t = '';
      secure.on('data', (x: Buffer) => ((t += x.toString()), t.includes('b OK') && resolve(t)));
    });
    assert.doesNotMatch(caps, /STARTTLS/, 'no second STARTTLS offered inside TLS');
    secure.destroy();
    // Implicit TLS on the same port (Outlook's and Windows Live Mail's "SSL"): the handshake first, then the greeting inside.
    for (const port of [h.ports.imap, h.ports.smtp]) {
      const direct = tls.connect({ host: '127.0.0.1', port: port ?? 0, ca: pem, servername: 'localhost' });
      const greeting = await new Promise<string>((resolve, reject) => {
        direct.once('data', (x: Buffer) => resolve(x.toString()));
        direct.once('error', reject);
      });
      assert.ok(direct.authorized, 'verified against the bridge certificate');
      assert.match(greeting, port === h.ports.imap ? /^\* OK \[CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN AUTH=LOGIN\] / : /^220 localhost ESMTP /);
      direct.write(port === h.ports.imap ? 'c CAPABILITY\r\n' : 'EHLO x\r\n');
      const answer = await new Promise<string>((resolve) => {
        let t = '';
        direct.on('data', (x: Buffer) => ((t += x.toString()), /(^c OK|^250 )/m.test(t) && resolve(t)));
      });
      assert.doesNotMatch(answer, /STARTTLS/);
      direct.destroy();
    }
  } finally {
    await h.close();
  }
  const h2 = await startBridge(d, { ports: { imap: 0, pop: null, smtp: null }, tls: true });
  await h2.close();
  assert.equal(h2.certificatePem, pem, 'the same certificate next time (imported once)');
});

test('client-visible failure texts: temporary vs permanent, per protocol', () => {
  assert.equal(
    refusal('imap', 'AUTH_REFRESH_EXPIRED', 'a@b.test'),
    'NO [AUTHENTICATIONFAILED] Mail OAuth Assistant: the sign-in for a@b.test expired; open the app and sign in again (AUTH_REFRESH_EXPIRED)',
  );
  assert.match(refusal('imap', 'CONNECTION_REFUSED', 'a@b.test'), /^NO \[UNAVAILABLE\] Mail OAuth Assistant: /);
  assert.match(refusal('pop', 'IDP_UNAVAILABLE', 'a@b.test'), /^-ERR \[SYS\/TEMP\] Mail OAuth Assistant: /);
  assert.match(refusal('smtp', 'SERVER_AUTH_TEMPORARY', 'a@b.test'), /^454 4\.7\.0 Mail OAuth Assistant: /);
  assert.match(refusal('pop', 'BRIDGE_BAD_PASSWORD', 'a@b.test'), /^-ERR \[AUTH\] Mail OAuth Assistant: wrong address or bridge password/);
  assert.equal(
    refusal('smtp', 'MS_SMTP_AUTH_DISABLED', 'a@b.test', '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox.'),
    '535 5.7.139 Mail OAuth Assistant: SMTP AUTH is disabled for this mailbox (MS_SMTP_AUTH_DISABLED); see the app',
  );
  assert.match(refusal('imap', 'TLS_UNTRUSTED_CERT', 'a@b.test'), /^NO \[CONTACTADMIN\] /);
  for (const code of ['AUTH_GRANT_REVOKED', 'TLS_HOSTNAME_MISMATCH', 'IDP_UNAVAILABLE']) {
    assert.doesNotMatch(refusal('imap', code, 'a@b.test'), /[^\x20-\x7e]|\r|\n/, 'one 7-bit line');
  }
});
