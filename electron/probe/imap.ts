// IMAP connection test on imapflow:
// greeting -> CAPABILITY -> (STARTTLS -> TLS -> CAPABILITY) -> AUTHENTICATE -> STATUS INBOX -> LOGOUT (sent, not awaited).
//
// imapflow runs the whole session setup inside connect(). To report each step honestly:
// - resolve/connect/TLS are done by the engine (net.ts) and the connected socket is handed to
//   imapflow through its `transport` option; the STARTTLS handshake also runs through our
//   transport's `upgrade()`, so it is measured on its own;
// - the greeting is the first server line imapflow logs;
// - `upgradeToSTARTTLS()` and the internal `authenticate()` are wrapped on this instance to mark
//   where those steps begin and end (and to fetch the token only when it is needed).
// Everything else stays imapflow's: parsing, the SASL exchange (it answers the error challenge
// with "" / "AQ==" and decodes it into err.oauthError), STATUS INBOX (where Microsoft's "User is
// authenticated but not connected." surfaces), LOGOUT. NAMESPACE, which imapflow sends after the
// login, is skipped (below).
import tls from 'node:tls';
import { ImapFlow, type ImapFlowOptions, type ImapTransport, type ImapTransportSocket } from 'imapflow';
import type net from 'node:net';
import type { ServerSettings } from '../../shared/account.ts';
import { ProbeFailure } from './diagnose.ts';
import { failSession, describeTls, type RunnerContext } from './common.ts';
import { sniName, tlsOptions } from './net.ts';
import { chooseMechanism, secretForms, SaslChallenge } from './sasl.ts';
import type { ProbeSession } from './session.ts';

/** The parts of imapflow used beyond its typed API (stable since imapflow 1.x). */
type ImapFlowInternals = {
  authenticate(): Promise<unknown>;
  run(command: string, ...args: unknown[]): Promise<unknown>;
  upgradeToSTARTTLS(): Promise<boolean>;
  capabilities: Map<string, boolean | number>;
  options: ImapFlowOptions;
};

type LogEntry = { src?: unknown; msg?: unknown };

export async function probeImap(session: ProbeSession, server: ServerSettings, ctx: RunnerContext, socket: net.Socket): Promise<void> {
  let client: ImapFlow | undefined;
  let lastServerLine: string | undefined;
  let authLine: string | undefined;
  let continuations = 0;
  let malformed: string | undefined;
  let logoutSent: (() => void) | undefined;
  try {
    const transport: ImapTransport = {
      // The socket is already connected (and TLS-secured for implicit TLS).
      connect: (_options, onConnect) => {
        setImmediate(onConnect);
        return socket as ImapTransportSocket;
      },
      // STARTTLS answered OK: the handshake is the `tls` step.
      upgrade: (plain, _options, onSecure) => {
        session.finish({ serverText: lastServerLine ?? '' });
        session.begin('tls');
        const secure = tls.connect({ ...tlsOptions({ host: server.host, ca: ctx.ca }), socket: plain as never }, () => {
          session.finish({ detail: describeTls(secure) });
          session.begin('capabilities');
          onSecure();
        });
        session.onAbort(() => secure.destroy());
        return secure;
      },
    };
    const log = (entry: LogEntry): void => {
      if (typeof entry.msg !== 'string') return;
      if (entry.src === 's') {
        lastServerLine = entry.msg;
        session.line('S', entry.msg);
        if (session.runningStep === 'authenticate' && entry.msg.startsWith('+')) {
          // One continuation (no SASL-IR) plus one error challenge is the most RFC 7628 allows;
          // a server sending more is broken and would keep the exchange going forever.
          if (++continuations > 2) {
            malformed = entry.msg;
            client?.close();
          }
        }
        if (session.runningStep === 'greeting' && !/^\* (?:OK|PREAUTH|BYE)\b/i.test(entry.msg)) {
          // RFC 3501 section 7.1: the greeting is an untagged OK, PREAUTH or BYE; anything else
          // is not an IMAP server, and imapflow would wait for one forever.
          malformed = entry.msg;
          client?.close();
          return;
        }
        if (session.runningStep === 'greeting') {
          session.finish({ serverText: entry.msg });
          session.begin('capabilities');
        }
      } else if (entry.src === 'c') {
        session.line('C', entry.msg);
        // imapflow logs a command just before writing it, in the same turn.
        if (/^\S+ LOGOUT$/i.test(entry.msg)) logoutSent?.();
      }
    };
    const logger = { debug: log, info: log, warn: log, error: log, trace: () => undefined };
    // Library timers sit above the engine's step watchdog, so the watchdog decides (and names the step).
    const libTimeout = ctx.stepTimeoutMs * 2;
    const options: ImapFlowOptions = {
      host: server.host,
      port: server.port,
      secure: server.security === 'tls',
      // Never downgrade: on a STARTTLS port a missing STARTTLS is a failure (checked below too).
      doSTARTTLS: server.security === 'starttls' ? true : server.security === 'none' ? false : undefined,
      transport,
      tls: tlsOptions({ host: server.host, ca: ctx.ca }),
      logger,
      // Round trips the test does not need: no COMPRESS, no ENABLE, no IDLE.
      disableCompression: true,
      disableAutoEnable: true,
      disableAutoIdle: true,
      clientInfo: { name: 'Mail OAuth Assistant', vendor: 'mail-oauth-assistant' },
      connectionTimeout: libTimeout,
      greetingTimeout: libTimeout,
      socketTimeout: libTimeout,
      // Caps against a broken server (a greeting line of several MiB): nothing the test reads is long.
      maxLineLength: 256 * 1024,
      maxResponseSize: 1024 * 1024,
      maxLiteralSize: 512 * 1024,
    };
    const sni = sniName(server.host);
    if (sni) options.servername = sni;
    client = new ImapFlow(options);
    const c = client;
    c.on('error', () => undefined); // failures are taken from connect()/commands; an unhandled 'error' would crash
    session.onAbort(() => c.close());
    const internals = c as unknown as ImapFlowInternals;

    const upgrade = internals.upgradeToSTARTTLS.bind(c);
    internals.upgradeToSTARTTLS = async () => {
      if (server.security === 'starttls') {
        session.begin('starttls');
        // RFC 3501 section 6.2.1 / RFC 9051: never continue in plaintext on a STARTTLS port.
        if (!c.capabilities.has('STARTTLS')) throw new ProbeFailure('STARTTLS_MISSING', 'The server does not offer STARTTLS');
      }
      const upgraded = await upgrade();
      // imapflow sends ID (RFC 2971) right after this, and again after login when the answer is
      // short: optional, not needed for the test, one or two round trips. Hidden like OAUTHBEARER below.
      c.capabilities.delete('ID');
      return upgraded;
    };
    // imapflow sends NAMESPACE (or, without that capability, LIST "" "") right after the login,
    // one round trip on the path of every test. STATUS INBOX below needs no namespace (INBOX has
    // no prefix) and is where Exchange's "User is authenticated but not connected." surfaces
    // either way (imapflow lets a refused NAMESPACE pass quietly), so this session skips it.
    const run = internals.run.bind(c);
    internals.run = (command, ...args) => (command.toUpperCase() === 'NAMESPACE' ? Promise.resolve(undefined) : run(command, ...args));
    const authenticate = internals.authenticate.bind(c);
    internals.authenticate = async () => {
      session.begin('authenticate');
      const offered = [...c.capabilities.keys()].filter((k) => k.startsWith('AUTH=')).map((k) => k.slice(5));
      const mechanism = chooseMechanism(ctx.mechanisms, offered);
      if (!mechanism && (server.security === 'none' || c.capabilities.has('LOGINDISABLED'))) {
        // RFC 3501 LOGINDISABLED / no mechanisms on an unencrypted connection: the server wants TLS first.
        throw new ProbeFailure('TLS_REQUIRED', 'No sign-in mechanism offered over an unencrypted connection');
      }
      if (!mechanism) {
        throw new ProbeFailure('AUTH_MECHANISM_NOT_OFFERED', `The server offers ${offered.join(' ') || 'no SASL mechanism'}`);
      }
      // imapflow picks OAUTHBEARER whenever the server lists it (commands/authenticate.js) and
      // has no option to choose: hide it from this session's capability list when XOAUTH2 is the choice.
      if (mechanism === 'XOAUTH2') c.capabilities.delete('AUTH=OAUTHBEARER');
      session.mechanism = mechanism;
      const token = await ctx.getToken();
      session.addSecrets(secretForms({ user: ctx.address, token: token.token, host: server.host, port: server.port }));
      internals.options.auth = { user: ctx.address, accessToken: token.token };
      const result = await authenticate();
      c.capabilities.delete('ID'); // the post-login capability list brings it back (see above)
      authLine = lastServerLine;
      session.finish({ serverText: lastServerLine ?? '' });
      session.begin('command');
      return result;
    };

    session.begin('greeting');
    await c.connect();
    // STATUS INBOX (RFC 3501 section 6.3.10) proves the mailbox is readable in one round trip;
    // mailboxOpen() would cost three (LIST, LSUB, EXAMINE) for the same proof.
    const box = await c.status('INBOX', { messages: true });
    // imapflow answers a refused STATUS (`NO ...`) with false instead of throwing: that is the
    // server saying the mailbox cannot be read (Exchange: "User is authenticated but not
    // connected.", also after NAMESPACE failed quietly), never a pass. The catch below takes the
    // server's line as the failure text.
    if (box === false) throw new Error('STATUS INBOX refused');
    session.finish({ serverText: lastServerLine ?? '', detail: `INBOX: ${box.messages ?? 0} messages` });
    // LOGOUT goes out, its answer is not waited for: the test has its proof (STATUS above), and
    // waiting would add a round trip to every run. The socket is closed after the write (finally).
    session.begin('logout');
    const written = new Promise<void>((resolve) => (logoutSent = resolve));
    const bye = c.logout().then(
      () => undefined,
      () => undefined,
    );
    await Promise.race([written, bye]);
    session.finish({ detail: 'LOGOUT sent (its answer is not waited for)' });
  } catch (error) {
    const challenge = SaslChallenge.safeParse((error as { oauthError?: unknown } | undefined)?.oauthError);
    if (challenge.success) session.line('*', `challenge: ${JSON.stringify(challenge.data)}`);
    // Only a refusal is the server's word on this failure (an earlier OK line is not).
    const serverText =
      lastServerLine !== undefined && lastServerLine !== authLine && /^(?:\S+\s+)?(?:NO|BAD|BYE)\b/i.test(lastServerLine)
        ? lastServerLine
        : undefined;
    failSession(session, ctx, {
      error: malformed ? new ProbeFailure('MALFORMED_RESPONSE', 'The server does not answer in IMAP', { serverText: malformed }) : error,
      serverText,
      challenge: challenge.success ? challenge.data : undefined,
    });
  } finally {
    client?.close();
  }
}
