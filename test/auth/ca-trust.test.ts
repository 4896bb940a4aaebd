// "Trust a certificate authority" through the real IPC handlers over a real core (no global CA,
// as on a fresh install): a picked PEM is inspected (subject + SHA-256), refused when it is not a
// PEM certificate, saved with the account, and then used for that account's identity provider
// (register step and sign-in) and mail servers (connection test), and for nobody else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { benchCa, benchInfo, loginWithHttp } from '../bench/client.ts';
import { dispatch } from '../../electron/core/ipc-dispatch.ts';
import { testCore } from '../unit/core-fixture.ts';
import type { AccountInput } from '../../shared/ipc.ts';

const ALICE = 'alice@example.test';

function accountInput(): AccountInput {
  const m = benchInfo().mail.main;
  return {
    label: 'alice',
    address: ALICE,
    providerId: 'generic',
    auth: { adapter: 'oidc', issuer: benchInfo().issuer, clientId: 'native-app', flow: 'delegated', authParams: {} },
    scopes: ['openid', 'email', 'offline_access', 'imap', 'smtp'],
    servers: {
      imap: { enabled: true, host: m.imap.tls.host, port: m.imap.tls.port, security: 'tls' },
      smtp: { enabled: true, host: m.smtp.tls.host, port: m.smtp.tls.port, security: 'tls' },
    },
    status: 'draft',
  };
}

function setup() {
  // The browser the user would use: the bench's login over HTTP (it trusts the bench CA itself).
  const core = testCore({ browser: { open: (url) => loginWithHttp(url, { deliver: true, user: ALICE }).then(() => undefined) } });
  const h = core.handlers(() => {});
  const call = (channel: Parameters<typeof dispatch>[1], input: unknown) => dispatch(h, channel, input);
  return { core, call };
}

test('a picked CA file is shown with subject and SHA-256 fingerprint before anything is saved', async () => {
  const { core, call } = setup();
  const r = await call('ca:inspect', { pem: benchCa() });
  assert.ok(r.ok, JSON.stringify(r));
  const [cert] = (r.value as { certificates: Array<{ subject: string; sha256: string; isCa: boolean }> }).certificates;
  const x = new X509Certificate(benchCa());
  assert.equal(cert?.sha256, x.fingerprint256);
  assert.match(cert?.sha256 ?? '', /^(?:[0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  assert.ok(cert?.subject.includes(x.subject.split('\n').find((l) => l.startsWith('CN=')) ?? 'CN='), cert?.subject);
  assert.equal(cert?.isCa, true);
  assert.equal(core.accounts.list().length, 0, 'inspect saves nothing');
});

test('a file that is not a PEM certificate is refused with CA_NOT_PEM, and nothing is saved', async () => {
  const { call } = setup();
  const saved = await call('accounts:save', { account: accountInput() });
  assert.ok(saved.ok);
  const id = (saved.value as { id: string }).id;
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const der = new X509Certificate(benchCa()).raw.toString('latin1');
  const damaged = benchCa().replace(/(-----BEGIN CERTIFICATE-----\n)[A-Za-z0-9+/]{20}/, '$1AAAAAAAAAAAAAAAAAAAA');
  for (const [what, pem] of [['private key', key], ['DER bytes', der], ['plain text', 'hello, this is not a certificate\n'], ['damaged PEM', damaged]] as const) {
    for (const channel of ['ca:inspect', 'accounts:trust-ca'] as const) {
      const r = await call(channel, channel === 'ca:inspect' ? { pem } : { id, pem });
      assert.ok(!r.ok, `${what} accepted by ${channel}`);
      assert.equal(r.error.code, 'CA_NOT_PEM', `${what}: ${JSON.stringify(r.error)}`);
      assert.ok(!JSON.stringify(r.error).includes('PRIVATE KEY-----\nM'), 'the key is echoed back');
    }
  }
  const bad = await call('accounts:save', { account: { ...accountInput(), id, caPem: 'not a certificate' } });
  assert.ok(!bad.ok && bad.error.code === 'CA_NOT_PEM');
  const list = await call('accounts:list', {});
  assert.ok(list.ok);
  assert.equal((list.value as { accounts: Array<{ caPem?: string }> }).accounts[0]?.caPem, undefined);
});

test('the trusted CA is saved with the account and used for its IdP, sign-in and mail servers only', async () => {
  const { core, call } = setup();
  const a = await call('accounts:save', { account: accountInput() });
  const b = await call('accounts:save', { account: { ...accountInput(), label: 'other' } });
  assert.ok(a.ok && b.ok);
  const id = (a.value as { id: string }).id;
  const otherId = (b.value as { id: string }).id;

  // Before: the untrusted IdP and mail servers are named as such.
  const before = await call('auth:check-issuer', { issuer: benchInfo().issuer, id });
  assert.ok(!before.ok && before.error.code === 'IDP_TLS_UNTRUSTED_CERT', JSON.stringify(before));
  const signIn = await call('auth:start', { id, flow: 'browser' });
  assert.ok(!signIn.ok && signIn.error.code === 'IDP_TLS_UNTRUSTED_CERT', JSON.stringify(signIn));

  const trusted = await call('accounts:trust-ca', { id, pem: `Some text a CA bundle may carry\n${benchCa()}` });
  assert.ok(trusted.ok, JSON.stringify(trusted));
  const saved = core.accounts.get(id);
  assert.equal(saved?.caPem, `${benchCa().trim()}\n`, 'only the certificate block is kept');
  // A later save of the wizard's draft (which does not carry the CA) keeps it.
  assert.ok((await call('accounts:save', { account: { ...accountInput(), id } })).ok);
  assert.equal(core.accounts.get(id)?.caPem, saved?.caPem);

  const after = await call('auth:check-issuer', { issuer: benchInfo().issuer, id });
  assert.ok(after.ok, JSON.stringify(after));
  const outcome = await call('auth:start', { id, flow: 'browser' });
  assert.ok(outcome.ok, JSON.stringify(outcome));
  const report = await call('probe:run', { id, runId: 'ca-run', sendTestMessage: false });
  assert.ok(report.ok, JSON.stringify(report));
  const r = report.value as { ok: boolean; protocols: Array<{ protocol: string; code?: string }> };
  assert.equal(r.ok, true, JSON.stringify(r.protocols));

  // The other account trusts nothing extra.
  const other = await call('auth:check-issuer', { issuer: benchInfo().issuer, id: otherId });
  assert.ok(!other.ok && other.error.code === 'IDP_TLS_UNTRUSTED_CERT');
  assert.equal(core.accounts.get(otherId)?.caPem, undefined);

  // Empty pem = trust no extra CA again.
  assert.ok((await call('accounts:trust-ca', { id, pem: '' })).ok);
  assert.equal(core.accounts.get(id)?.caPem, undefined);
});
