// The SMTP check on a connection whose greeting is already in the socket's buffer (read before
// the check started: a server that greets at once while the client is still busy). nodemailer
// attaches its reader a tick after the check's own line checker, so a buffered greeting went to
// the checker alone and the check ended in NO_GREETING (found with connections opened ahead of
// the test, issue 10). The runner gets such a socket directly here, against the bench's Dovecot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { benchCa, benchInfo } from '../bench/client.ts';
import { probeSmtp } from '../../electron/probe/smtp.ts';
import { ProbeSession } from '../../electron/probe/session.ts';
import { trustedCAs } from '../../electron/probe/net.ts';
import type { ServerSettings } from '../../shared/account.ts';
import { ALICE, aliceToken } from './helpers.ts';

test('SMTP: a greeting already waiting in the socket\'s buffer is read, and the check passes', async () => {
  const l = benchInfo().mail.main.smtp.starttls;
  const server: ServerSettings = { enabled: true, host: l.host, port: l.port, security: 'starttls' };
  const t = await aliceToken();
  const socket = net.connect({ host: '127.0.0.1', port: l.port });
  await once(socket, 'connect');
  // Node reads from a connected socket until its buffer is full: wait until the greeting is in it.
  for (let i = 0; i < 200 && socket.readableLength === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(socket.readableLength > 0, 'the greeting is waiting');
  const session = new ProbeSession('smtp', server.host, server.port, server.security, { runId: 'buffered', now: () => Date.now(), stepTimeoutMs: 3_000, secrets: [] });
  await probeSmtp(session, server, {
    address: ALICE,
    mechanisms: ['XOAUTH2'],
    ca: trustedCAs(benchCa()),
    getToken: () => Promise.resolve({ token: t.token }),
    tokenHints: () => ({}),
    sendTestMessage: false,
    stepTimeoutMs: 3_000,
  }, socket).catch((e: unknown) => assert.fail(`${session.code ?? ''} ${String(e)}`));
  assert.deepEqual(session.steps.slice(0, 2).map((s) => `${s.step}:${s.status}`), ['greeting:ok', 'capabilities:ok']);
  assert.ok(session.steps.some((s) => s.step === 'authenticate' && s.status === 'ok'), JSON.stringify(session.steps));
  socket.destroy();
});
