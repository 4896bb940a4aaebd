// SMTP connection test on nodemailer's SMTPConnection:
// greeting -> EHLO -> (STARTTLS -> TLS -> EHLO) -> AUTH <mech> -> MAIL FROM/RCPT TO/RSET -> QUIT (not awaited).
//
// How the steps are observed without faking them:
// - resolve/connect/TLS by the engine (net.ts); the socket is given as `connection` (+ `secured`);
// - greeting, EHLO, STARTTLS and its handshake are timed from nodemailer's transaction log
//   (`debug: true`), which it writes when each line is sent or parsed;
// - AUTH runs in a `customAuth` handler (public API) so the mechanism is ours (nodemailer only
//   knows XOAUTH2 and would fall back to PLAIN when both are listed), the payload never reaches
//   its logger, and the error challenge is answered correctly (RFC 4954 section 4: 334 with the
//   base64 JSON, client answers "" for XOAUTH2 / "AQ==" for OAUTHBEARER, then reads the 535);
// - the command step reuses that handler's `sendCommand` after AUTH: nodemailer's public API has
//   no MAIL FROM/RCPT TO without DATA. With PIPELINING (RFC 2920) MAIL, RCPT and RSET go in one
//   write: one round trip for the command step (QUIT follows on its own, see quit()).
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import type net from 'node:net';
import type { ServerSettings } from '../../shared/account.ts';
import { ProbeFailure } from './diagnose.ts';
import { failSession, type RunnerContext } from './common.ts';
import { raceAbort, sniName, tlsOptions } from './net.ts';
import {
  abortResponse,
  chooseMechanism,
  decodeChallenge,
  initialResponse,
  secretForms,
  type SaslChallenge,
} from './sasl.ts';
import type { ProbeSession } from './session.ts';

type Reply = { status: number; response: string };
type SendCommand = (cmd: string) => Promise<Reply>;

const CUSTOM_AUTH = 'MOA-OAUTH';

export async function probeSmtp(session: ProbeSession, server: ServerSettings, ctx: RunnerContext, socket: net.Socket): Promise<void> {
  let conn: SMTPConnection | undefined;
  let lastServer: string | undefined;
  let ehlo = '';
  let challenge: SaslChallenge | undefined;
  let starttlsMissing = false;
  let upgraded = false;
  let malformedLine: string | undefined;
  let quitWritten: (() => void) | undefined;
  try {
    const onServer = (text: string): void => {
      lastServer = text;
      session.line('S', text);
      const step = session.runningStep;
      if (step === 'greeting') {
        session.finish({ serverText: text });
        session.begin('capabilities');
      } else if (step === 'capabilities' && /^250[ -]/.test(text)) {
        ehlo = text;
        // Only a complete reply (last line `250 `) can be said to lack STARTTLS.
        const complete = /(?:^|\n)250 [^\n]*$/.test(text);
        if (complete && server.security === 'starttls' && !upgraded && !/^250[ -]STARTTLS\b/im.test(text)) {
          // RFC 3207 section 4: do not continue in plaintext; stop before nodemailer sends anything else.
          starttlsMissing = true;
          conn?.close();
        }
      } else if (step === 'starttls' && /^2\d\d/.test(text)) {
        session.finish({ serverText: text });
        session.begin('tls');
      }
    };
    const onClient = (text: string): void => {
      // Lines sent through customAuth's sendCommand are logged by us (nodemailer masks them all).
      if (text.includes('/* secret */')) {
        quitWritten?.();
        return;
      }
      session.line('C', text);
      if (text === 'STARTTLS') {
        session.finish({ detail: ehloSummary(ehlo) });
        session.begin('starttls');
      }
    };
    const log = (entry: unknown, message?: unknown): void => {
      const tnx = typeof entry === 'object' && entry !== null ? (entry as { tnx?: unknown }).tnx : undefined;
      if (typeof message !== 'string') return;
      if (tnx === 'server') onServer(message);
      else if (tnx === 'client') onClient(message);
      else if (tnx === 'smtp' && /upgraded with STARTTLS/i.test(message) && session.runningStep === 'tls') {
        upgraded = true;
        session.finish();
        session.begin('capabilities');
      }
    };
    const libTimeout = ctx.stepTimeoutMs * 2;
    let sendCommand: SendCommand | undefined;
    let authFinal: string | undefined;
    let authProblem: ProbeFailure | undefined;
    const mechanismHolder: { value?: 'XOAUTH2' | 'OAUTHBEARER' } = {};
    const options: SMTPConnection.Options = {
      host: server.host,
      port: server.port,
      secure: server.security === 'tls',
      secured: server.security === 'tls',
      connection: socket,
      requireTLS: server.security === 'starttls',
      ignoreTLS: server.security === 'none',
      tls: tlsOptions({ host: server.host, ca: ctx.ca }),
      logger: { debug: log, info: log, warn: log, error: log },
      debug: true,
      connectionTimeout: libTimeout,
      greetingTimeout: libTimeout,
      socketTimeout: libTimeout,
      // A line of several MiB is not SMTP; cap what nodemailer buffers.
      maxResponseSize: 64 * 1024,
      customAuth: {
        [CUSTOM_AUTH]: async (auth) => {
          try {
            await runAuth(auth.sendCommand as SendCommand);
          } catch (error) {
            // nodemailer rewrites the code of the error it gets (EAUTH): keep ours aside.
            if (error instanceof ProbeFailure) authProblem = error;
            throw new Error(error instanceof Error ? error.message : 'AUTH failed', { cause: error });
          }
          return undefined;
        },
      },
    };
    async function runAuth(rawSend: SendCommand): Promise<void> {
      const sendCmd: SendCommand = async (cmd) => withReplyCode(await rawSend(cmd));
      sendCommand = sendCmd;
      const mechanism = mechanismHolder.value ?? 'XOAUTH2';
      const token = await ctx.getToken();
      const params = { user: ctx.address, token: token.token, host: server.host, port: server.port };
      session.addSecrets(secretForms(params));
      session.line('C', `AUTH ${mechanism} <redacted>`);
      let reply = await sendCmd(`AUTH ${mechanism} ${initialResponse(mechanism, params)}`);
      if (reply.status === 334) {
        const decoded = decodeChallenge(reply.response.replace(/^334[ -]?/, ''));
        if (decoded.ok) {
          challenge = decoded.challenge;
          session.line('*', `challenge: ${JSON.stringify(decoded.challenge)}`);
        }
        const answer = abortResponse(mechanism);
        session.line('C', answer);
        reply = await sendCmd(answer);
      }
      authFinal = reply.response;
      // Still a continuation after the abort answer, or no SMTP reply code: not RFC 4954.
      if (reply.status === 334 || reply.status < 200) {
        throw new ProbeFailure('MALFORMED_RESPONSE', 'Unexpected answer to AUTH', { serverText: reply.response });
      }
      if (reply.status !== 235) throw new Error(reply.response);
    }
    const sni = sniName(server.host);
    if (sni) options.servername = sni;
    conn = new SMTPConnection(options);
    const c = conn;
    // nodemailer reports some failures (a TLS error during STARTTLS, a close) only as events, not
    // through the pending callback: race every wait against them.
    const broken = new Promise<never>((_resolve, reject) => {
      c.on('error', (e: Error) => reject(e));
      // 'end' can overtake replies nodemailer still processes in setImmediate callbacks (a
      // pipelined 221 right before the server closes): let those settle first.
      c.once('end', () => setTimeout(() => reject(Object.assign(new Error('Connection closed'), { code: 'ECONNRESET' })), 20));
    });
    broken.catch(() => undefined);
    const wait = <T>(p: Promise<T>): Promise<T> => raceAbort(Promise.race([p, broken]), session.signal);
    // The greeting may already wait in the socket's buffer (a server that greets at once, read
    // while this client loaded). A first 'data' listener makes the socket flow on the next tick,
    // before nodemailer attaches its own (on setImmediate), which then never sees the greeting.
    // So the socket stays paused until nodemailer's listener is there too.
    socket.pause();
    // nodemailer waits forever for the end of a multi-line reply whose lines carry no reply code;
    // check the lines on the socket we own (greeting and first EHLO; all of them with implicit TLS).
    let tail = '';
    socket.on('data', (chunk: Buffer) => {
      const lines = (tail + chunk.toString('latin1')).split('\n');
      tail = lines.pop() ?? '';
      for (const l of lines) {
        if (!upgraded && !/^\d{3}(?:[ -]|\r?$)/.test(l) && l.trim() !== '' && malformedLine === undefined) {
          malformedLine = l.replace(/\r$/, '');
          c.close();
        }
      }
    });
    const resumeOnceRead = (event: string | symbol): void => {
      if (event !== 'data') return;
      socket.removeListener('newListener', resumeOnceRead);
      process.nextTick(() => socket.resume());
    };
    socket.on('newListener', resumeOnceRead);
    session.onAbort(() => c.close());

    session.begin('greeting');
    await wait(new Promise<void>((resolve, reject) => c.connect((e) => (e ? reject(e) : resolve()))));
    if (session.runningStep === 'capabilities') session.finish({ detail: ehloSummary(ehlo) });
    if (server.security === 'starttls' && !upgraded) throw new ProbeFailure('STARTTLS_MISSING', 'The session was not upgraded with STARTTLS');

    session.begin('authenticate');
    const offered = authMechanisms(ehlo);
    const mechanism = chooseMechanism(ctx.mechanisms, offered);
    if (!mechanism && server.security === 'none') {
      throw new ProbeFailure('TLS_REQUIRED', 'No sign-in mechanism offered over an unencrypted connection');
    }
    if (!mechanism) {
      throw new ProbeFailure('AUTH_MECHANISM_NOT_OFFERED', `The server offers AUTH ${offered.join(' ') || '(none)'}`);
    }
    mechanismHolder.value = mechanism;
    session.mechanism = mechanism;
    try {
      await wait(
        new Promise<void>((resolve, reject) =>
          c.login({ method: CUSTOM_AUTH, user: ctx.address, pass: 'unused' }, (e) => (e ? reject(e) : resolve())),
        ),
      );
    } catch (error) {
      if (authProblem) throw authProblem;
      if (error instanceof ProbeFailure) throw error;
      failSession(session, ctx, { error, serverText: authFinal ?? lastServer, challenge });
      return;
    }
    session.finish({ serverText: authFinal ?? '' });
    const send = sendCommand;
    if (!send) throw new Error('SMTP login finished without the auth handler');

    session.begin('command');
    if (ctx.sendTestMessage) {
      const info = await wait(
        new Promise<SMTPConnection.SentMessageInfo>((resolve, reject) =>
          c.send({ from: ctx.address, to: [ctx.address] }, testMessage(ctx.address), (e, i) => (e || !i ? reject(e) : resolve(i))),
        ),
      ).catch((error: unknown) => {
        const response = (error as { response?: unknown }).response;
        throw new ProbeFailure('COMMAND_FAILED', 'Sending the test message failed', {
          serverText: typeof response === 'string' ? response : (lastServer ?? ''),
          cause: error,
        });
      });
      session.finish({ serverText: info.response, detail: 'test message sent to self' });
      await wait(quit(send));
      return;
    }
    const envelope = [`MAIL FROM:<${ctx.address}>`, `RCPT TO:<${ctx.address}>`, 'RSET'];
    const pipelining = /^250[ -]PIPELINING\b/im.test(ehlo);
    const replies: Reply[] = [];
    if (pipelining) {
      // QUIT stays out of the group: the server answers 221 and closes at once, and nodemailer
      // drops replies still queued when the socket closes (seen under load), so the group's
      // replies must all be in before QUIT goes out.
      for (const cmd of envelope) session.line('C', cmd);
      const pending = envelope.map((cmd) => send(cmd));
      for (const p of pending) replies.push(await wait(p));
    } else {
      for (const cmd of envelope) {
        session.line('C', cmd);
        const r = await wait(send(cmd));
        replies.push(r);
        if (r.status >= 400) break;
      }
    }
    const bad = replies.find((r) => r.status >= 400);
    if (bad) {
      failSession(session, ctx, { serverText: bad.response });
      return;
    }
    session.finish({ serverText: replies.map((r) => r.response).join(' | ') });
    await wait(quit(send));
  } catch (error) {
    if (malformedLine !== undefined) {
      failSession(session, ctx, { error: new ProbeFailure('MALFORMED_RESPONSE', 'A reply line without an SMTP reply code', { serverText: malformedLine }) });
    } else if (starttlsMissing && !(error instanceof ProbeFailure)) {
      failSession(session, ctx, { error: new ProbeFailure('STARTTLS_MISSING', 'The server does not offer STARTTLS', { serverText: ehlo }) });
    } else {
      const response = (error as { response?: unknown } | undefined)?.response;
      failSession(session, ctx, { error, serverText: typeof response === 'string' ? response : undefined, challenge });
    }
  } finally {
    conn?.close();
  }

  /** QUIT goes out and its 221 is not waited for: the test has its proof (the envelope above),
   * and waiting would add a round trip to every run. sendCommand writes on the next turn, logging
   * the (masked) line just before: once that line is seen, the close in `finally` ends the socket
   * after the write (`end`, not `destroy`). */
  async function quit(send: SendCommand): Promise<void> {
    session.begin('logout');
    session.line('C', 'QUIT');
    const written = new Promise<void>((resolve) => (quitWritten = resolve));
    const answered = send('QUIT').then(
      () => undefined,
      () => undefined,
    );
    await Promise.race([written, answered]);
    session.finish({ detail: 'QUIT sent (its answer is not waited for)' });
  }
}

/**
 * nodemailer reads the status only from a reply whose first line is `NNN ` and gives 0 for a
 * multi-line one (`NNN-`), such as Gmail's refusal `535-5.7.8 Username and Password not
 * accepted...` / `535 5.7.8  https://support.google.com/mail/?p=BadCredentials`. RFC 5321
 * section 4.2.1: every line of a reply carries the same code, so take it from the text.
 */
export function withReplyCode(reply: Reply): Reply {
  if (reply.status >= 100) return reply;
  const m = /^([2-5]\d\d)[ -]/.exec(reply.response);
  return m?.[1] ? { ...reply, status: Number(m[1]) } : reply;
}

/** SASL mechanisms from the EHLO reply (RFC 4954 section 3: `250-AUTH X Y`, also the old `AUTH=X Y`). */
export function authMechanisms(ehlo: string): string[] {
  const out: string[] = [];
  for (const line of ehlo.split(/\r?\n/)) {
    const m = /^250[ -]AUTH[ =](.*)$/i.exec(line.trim());
    if (m?.[1]) out.push(...m[1].trim().split(/\s+/).map((s) => s.toUpperCase()));
  }
  return out;
}

function ehloSummary(ehlo: string): string {
  return ehlo
    .split(/\r?\n/)
    .slice(1)
    .map((l) => l.replace(/^250[ -]/, ''))
    .join(', ');
}

function testMessage(address: string): string {
  const date = new Date().toUTCString();
  return [
    `From: <${address}>`,
    `To: <${address}>`,
    `Subject: Mail OAuth Assistant connection test`,
    `Date: ${date}`,
    `Message-ID: <${Date.now().toString(36)}.${Math.random().toString(36).slice(2)}@mail-oauth-assistant>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'This message was sent by the connection test of Mail OAuth Assistant. You can delete it.',
    '',
  ].join('\r\n');
}
