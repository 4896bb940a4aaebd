import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildReport } from '../../electron/core/report.ts';
import { createActivityLog } from '../../electron/core/activity.ts';
import type { Account } from '../../shared/account.ts';
import type { ProbeReport } from '../../shared/probe.ts';

const token = 'ya29.a0AfH6SMBx7Qv3kq9ZrT2mL8pN4sW1cY6dE0fG5hJ7kM9oP2qR4tU6vX8zA1bC3';
const account: Account = {
  id: 'acc-1',
  label: 'alice',
  address: 'alice@example.test',
  providerId: 'google',
  auth: { adapter: 'oidc', issuer: 'https://accounts.google.com', clientId: 'client-1', flow: 'delegated', authParams: {} },
  scopes: ['https://mail.google.com/'],
  servers: { imap: { enabled: true, host: 'imap.gmail.com', port: 993, security: 'tls' } },
  status: 'ready',
  createdAt: 0,
  updatedAt: 0,
};
const probe: ProbeReport = {
  address: 'alice@example.test',
  startedAt: 0,
  ms: 120,
  ok: false,
  token: { step: 'token', status: 'ok', ms: 3 },
  protocols: [
    {
      protocol: 'imap',
      host: 'imap.gmail.com',
      port: 993,
      security: 'tls',
      mechanism: 'XOAUTH2',
      ok: false,
      ms: 100,
      code: 'AUTH_TOKEN_REJECTED',
      steps: [{ step: 'authenticate', status: 'failed', ms: 20, code: 'AUTH_TOKEN_REJECTED', serverText: 'NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)' }],
      // A transcript line that (wrongly) still carries a token: the report must catch it anyway.
      transcript: [`C: A1 AUTHENTICATE XOAUTH2 ${Buffer.from(`user=alice\x01auth=Bearer ${token}\x01\x01`).toString('base64')}`, `C: leaked ${token}`],
    },
  ],
};

test('the diagnostic report has the settings, the timeline and the diagnosis, and no secret', () => {
  const activity = createActivityLog({ clock: { now: () => 5 } });
  activity.add({ accountId: 'acc-1', kind: 'auth', ok: true, message: `Signed in with access_token=${token}` });
  const { fileName, text } = buildReport({ appVersion: '1.0.0', platform: 'linux', account, lastProbe: probe, activity: activity.list(), now: 0, knownSecrets: ['client-secret-value'] });
  assert.match(fileName, /^mail-oauth-report-alice@example\.test-1970-01-01-00-00-00\.txt$/);
  assert.match(text, /IMAP: on {2}imap\.gmail\.com:993 tls/);
  assert.match(text, /failed {2}authenticate/);
  assert.match(text, /NO \[AUTHENTICATIONFAILED\] Invalid credentials/);
  assert.match(text, /Diagnosis: The server refused the access token/);
  assert.ok(!text.includes(token), 'token in report');
  assert.ok(!text.includes('dXNlcj1hbGljZQ'), 'SASL payload in report');
});

test('the activity log keeps the newest entries first, bounded, redacted', () => {
  const log = createActivityLog({ clock: { now: () => 1 }, limit: 3 });
  for (let i = 0; i < 5; i++) log.add({ kind: 'test', ok: true, message: `run ${i} Bearer ${token}` });
  const entries = log.list();
  assert.deepEqual(entries.map((e) => e.message), ['run 4 Bearer <redacted>', 'run 3 Bearer <redacted>', 'run 2 Bearer <redacted>']);
});

test('the report keeps protocol words, rounds milliseconds and prints dates as the UI does', () => {
  const transcript = [
    'S: 250-AUTH LOGIN PLAIN XOAUTH2 PLAIN-CLIENTTOKEN OAUTHBEARER XOAUTH',
    'S: 250-ENHANCEDSTATUSCODES OAUTHBEARER',
    'S: 250-BURL imap',
    'C: Subject: test token:',
    'C: .',
    'S: 250 2.0.0 OK',
  ];
  const smtp = { ...probe.protocols[0]!, protocol: 'smtp' as const, ok: true, ms: 119.818540999986, steps: [{ step: 'authenticate' as const, status: 'ok' as const, ms: 20.4999 }], transcript };
  delete (smtp as { code?: string }).code;
  const at = Date.UTC(2026, 11, 2, 3, 4, 5);
  const activity = createActivityLog({ clock: { now: () => at } });
  activity.add({ accountId: 'acc-1', kind: 'test', ok: true, message: 'Connection test passed' });
  const { text } = buildReport({
    appVersion: '1.0.0',
    platform: 'linux',
    account,
    lastProbe: { ...probe, startedAt: at, ms: 119.818540999986, token: { step: 'token', status: 'ok', ms: 2.7182818 }, protocols: [smtp] },
    activity: activity.list(),
    now: at,
    utcOffsetMinutes: 60,
  });
  for (const line of transcript) assert.ok(text.includes(`    ${line}\n`), `transcript line changed: ${line}\n${text}`);
  assert.ok(!text.includes('<redacted>'), text);
  assert.doesNotMatch(text, /\d\.\d{3,} ?ms/, 'a raw float in the report');
  assert.match(text, /Started 2026-12-02 04:04 UTC\+01:00, 120 ms/);
  assert.match(text, /Fresh access token: ok \(3 ms\)/);
  assert.match(text, /ok +authenticate +20 ms/);
  assert.match(text, /^2026-12-02 04:04 UTC\+01:00 test ok: Connection test passed$/m);
});
