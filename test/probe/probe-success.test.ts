// Every protocol x security mode x SASL mechanism passes against the bench's Dovecot with a real
// token, with the full step list, and no secret in the report.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { benchCa, benchInfo, waitForSinkMessage } from '../bench/client.ts';
import { runProbe } from '../../electron/probe/run-probe.ts';
import type { ProbeProgress } from '../../shared/probe.ts';
import { ALICE, aliceToken, allServers, assertNoSecret, stepsOf } from './helpers.ts';

describe('probe: success matrix against the bench', () => {
  for (const mode of ['tls', 'starttls'] as const) {
    for (const mechanism of ['XOAUTH2', 'OAUTHBEARER'] as const) {
      test(`${mode} / ${mechanism}: IMAP, POP3, SMTP all pass`, async () => {
        const t = await aliceToken();
        const events: ProbeProgress[] = [];
        const servers = allServers(mode);
        const report = await runProbe(
          { address: ALICE, servers, mechanisms: [mechanism], token: t.source },
          { ca: benchCa(), onProgress: (p) => events.push(p), timeouts: { step: 10_000, overall: 30_000 } },
        );
        assert.equal(report.ok, true, JSON.stringify(report.protocols.map((p) => [p.protocol, p.code, p.steps.at(-1)]), null, 1));
        assert.equal(report.token.status, 'ok');
        for (const p of report.protocols) {
          assert.equal(p.mechanism, mechanism, `${p.protocol} used ${p.mechanism}`);
          assert.ok(p.transcript.length > 3);
          for (const s of p.steps) assert.equal(typeof s.ms, 'number');
        }
        const expected =
          mode === 'tls'
            ? ['resolve:ok', 'connect:ok', 'tls:ok', 'greeting:ok', 'capabilities:ok', 'authenticate:ok', 'command:ok', 'logout:ok']
            : ['resolve:ok', 'connect:ok', 'greeting:ok', 'capabilities:ok', 'starttls:ok', 'tls:ok', 'capabilities:ok', 'authenticate:ok', 'command:ok', 'logout:ok'];
        for (const protocol of ['imap', 'pop', 'smtp'] as const) assert.deepEqual(stepsOf(report, protocol), expected, protocol);
        // progress: every step of every protocol was announced running and then finished
        for (const protocol of ['imap', 'pop', 'smtp'] as const) {
          const finished = events.filter((e) => e.protocol === protocol && e.status === 'ok').length;
          assert.equal(finished, expected.length, `${protocol} progress events`);
        }
        assert.ok(events.some((e) => e.protocol === 'token' && e.status === 'ok'));
        assertNoSecret(report, t.token, [servers.imap!, servers.pop!, servers.smtp!]);
      });
    }
  }

  test('the IMAP command really opened INBOX and POP3 STAT answered', async () => {
    const t = await aliceToken();
    const report = await runProbe(
      { address: ALICE, servers: allServers('tls'), mechanisms: ['XOAUTH2'], token: t.source },
      { ca: benchCa() },
    );
    const imap = report.protocols.find((p) => p.protocol === 'imap');
    assert.match(imap?.steps.find((s) => s.step === 'command')?.detail ?? '', /INBOX: \d+ messages/);
    const pop = report.protocols.find((p) => p.protocol === 'pop');
    assert.match(pop?.steps.find((s) => s.step === 'command')?.serverText ?? '', /^\+OK \d+ \d+/);
    const smtp = report.protocols.find((p) => p.protocol === 'smtp');
    assert.ok(smtp?.transcript.some((l) => l.startsWith('C: MAIL FROM:<alice@example.test>')));
    assert.ok(smtp?.transcript.some((l) => l.startsWith('C: RSET')));
  });

  test('--send-test-message sends a real message to self', async () => {
    const t = await aliceToken();
    const info = benchInfo();
    const since = Date.now();
    const report = await runProbe(
      {
        address: ALICE,
        servers: { smtp: { enabled: true, host: info.mail.main.smtp.tls.host, port: info.mail.main.smtp.tls.port, security: 'tls' } },
        mechanisms: ['XOAUTH2'],
        token: t.source,
        sendTestMessage: true,
      },
      { ca: benchCa() },
    );
    assert.equal(report.ok, true, JSON.stringify(report.protocols[0]?.steps));
    const m = await waitForSinkMessage((x) => x.rcptTo.includes(ALICE) && x.raw.includes('Mail OAuth Assistant connection test') && Date.parse(x.receivedAt) >= since - 1000);
    assert.equal(m.mailFrom, ALICE);
  });
});
