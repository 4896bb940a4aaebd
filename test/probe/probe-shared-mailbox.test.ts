// The one-click test of shared mailboxes against the bench's scripted Exchange Online
// (test/bench/exchange-delegates.ts): the SASL user is the shared mailbox, the token is the
// delegate's (a real token from the bench IdP, checked by introspection). Each refusal Exchange
// gives a shared mailbox gets its own diagnosis: Full Access missing / wrong address ("User is
// authenticated but not connected" after a successful AUTHENTICATE) and Send As missing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { benchCa, startExchangeDelegates } from '../bench/client.ts';
import type { ExchangeDelegatesServer } from '../bench/exchange-delegates.ts';
import { runProbe, type ProbeInput } from '../../electron/probe/run-probe.ts';
import { describe as describeCode } from '../../shared/diagnostics.ts';
import type { ProbeReport } from '../../shared/probe.ts';
import { aliceToken, assertNoSecret, server, stepsOf, type MintedToken } from './helpers.ts';

const ALICE = 'alice@example.test';
const BOB = 'bob@example.test';
const SHARED = 'shared@example.test'; // alice: Full Access + Send As
const INFO = 'info@example.test'; // alice: Full Access only
const SUPPORT = 'support@example.test'; // bob only

let exchange: ExchangeDelegatesServer;
let alice: MintedToken;

before(async () => {
  exchange = await startExchangeDelegates(
    {
      [SHARED]: { fullAccess: [ALICE], sendAs: [ALICE] },
      [INFO]: { fullAccess: [ALICE] },
      [SUPPORT]: { fullAccess: [BOB], sendAs: [BOB] },
    },
    { [SHARED]: 4, [INFO]: 2 },
  );
  alice = await aliceToken({ scope: 'openid email imap smtp' });
});
after(() => exchange.close());

function input(address: string, signInAs: string | undefined, token: MintedToken): ProbeInput {
  assert.ok(exchange.imap && exchange.smtp);
  return {
    address,
    ...(signInAs !== undefined ? { signInAs } : {}),
    servers: { imap: server(exchange.imap), smtp: server(exchange.smtp) },
    mechanisms: ['XOAUTH2'],
    token: token.source,
    providerId: 'microsoft-365',
  };
}

const probe = (i: ProbeInput): Promise<ProbeReport> => runProbe(i, { ca: benchCa(), timeouts: { step: 10_000, overall: 30_000 } });
const proto = (r: ProbeReport, p: 'imap' | 'smtp') => {
  const x = r.protocols.find((q) => q.protocol === p);
  assert.ok(x, `no ${p}`);
  return x;
};
const sessionsFor = (mailbox: string) => exchange.sessions.filter((s) => s.mailbox === mailbox);

describe('shared mailbox probe against Exchange-like delegation', () => {
  test('delegate with Full Access and Send As: IMAP and SMTP pass with the mailbox as SASL user and the delegate token', async () => {
    const r = await probe(input(SHARED, ALICE, alice));
    assert.equal(r.ok, true, JSON.stringify(r.protocols.map((p) => [p.protocol, p.code, p.steps.at(-1)?.serverText])));
    assert.match(proto(r, 'imap').steps.find((s) => s.step === 'command')?.detail ?? '', /INBOX: 4 messages/);
    // The server saw the shared address as the SASL user and alice's token, for both protocols.
    const seen = sessionsFor(SHARED);
    assert.deepEqual(new Set(seen.map((s) => `${s.protocol}:${s.tokenUser}:${s.result}`)), new Set([`imap:${ALICE}:connected`, `smtp:${ALICE}:connected`]));
    // The SMTP envelope used the shared mailbox as the sender.
    assert.match(proto(r, 'smtp').transcript.join('\n'), new RegExp(`MAIL FROM:<${SHARED}>`));
    assertNoSecret(r, alice.token);
  });

  test('delegate without Full Access: AUTHENTICATE succeeds, then "not connected" gets the shared-mailbox diagnosis', async () => {
    const r = await probe(input(SUPPORT, ALICE, alice));
    const imap = proto(r, 'imap');
    assert.equal(imap.code, 'MS_SHARED_NOT_CONNECTED');
    assert.deepEqual(stepsOf(r, 'imap').slice(-2), ['authenticate:ok', 'command:failed']);
    assert.match(imap.steps.find((s) => s.step === 'command')?.serverText ?? '', /NO User is authenticated but not connected\./);
    const d = describeCode('MS_SHARED_NOT_CONNECTED');
    assert.ok(d.fix.some((f) => /Add-MailboxPermission .*-AccessRights FullAccess/.test(f)));
    // SMTP has no such state: Exchange refuses the sign-in itself.
    assert.equal(proto(r, 'smtp').code, 'MS_SMTP_AUTH_UNSUCCESSFUL');
    assert.ok(sessionsFor(SUPPORT).some((s) => s.protocol === 'imap' && s.tokenUser === ALICE && s.result === 'not-connected'));
    assertNoSecret(r, alice.token);
  });

  test('wrong (mistyped) shared address: the same Exchange answer, the same diagnosis naming the address check', async () => {
    const r = await probe(input('shraed@example.test', ALICE, alice));
    assert.equal(proto(r, 'imap').code, 'MS_SHARED_NOT_CONNECTED');
    assert.ok(describeCode('MS_SHARED_NOT_CONNECTED').fix.some((f) => /address/.test(f)));
  });

  test('Send As missing: reading works, sending as the shared mailbox is refused with Exchange\'s text and explained', async () => {
    const r = await probe(input(INFO, ALICE, alice));
    assert.equal(proto(r, 'imap').ok, true);
    const smtp = proto(r, 'smtp');
    assert.equal(smtp.code, 'MS_SHARED_SEND_AS_DENIED');
    const failed = smtp.steps.find((s) => s.status === 'failed');
    assert.equal(failed?.step, 'command');
    assert.match(failed?.serverText ?? '', /^430 4\.2\.0 STOREDRV; mailbox logon failure/);
    assert.ok(describeCode('MS_SHARED_SEND_AS_DENIED').fix.some((f) => /Add-RecipientPermission .*-AccessRights SendAs/.test(f)));
  });

  test('not a shared mailbox (no signInAs): the same text keeps the own-mailbox diagnosis', async () => {
    // Alice's token for bob's mailbox, entered as if it were alice's own: Exchange says "not connected".
    const r = await probe(input(BOB, undefined, alice));
    assert.equal(proto(r, 'imap').code, 'MS_USER_NOT_CONNECTED');
    assert.equal(proto(r, 'smtp').code, 'MS_SMTP_AUTH_UNSUCCESSFUL');
  });

  test('a token nobody signed in for (refused at AUTHENTICATE) is not taken for a delegation problem', async () => {
    const { staticToken } = await import('../../electron/core/ports.ts');
    const bogus: MintedToken = { token: 'x'.repeat(40), source: staticToken('x'.repeat(40)), scope: [] };
    const r = await probe(input(SHARED, ALICE, bogus));
    assert.equal(proto(r, 'imap').code, 'MS_IMAP_AUTH_FAILED');
    assert.deepEqual(stepsOf(r, 'imap').at(-1), 'authenticate:failed');
  });
});
