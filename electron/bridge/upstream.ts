// The bridge's side towards the account's real mail server: connect with the probe's own steps
// (electron/probe/net.ts: resolve, connect, TLS with the same options and the account's CA),
// STARTTLS where the account says so (never continuing in plaintext), then SASL XOAUTH2 or
// OAUTHBEARER (electron/probe/sasl.ts) with a token from the AuthService: the same token path as
// `mail-oauth token`, refreshed under the account's store lock. A failure is named by the probe's
// diagnose() so the client, the log and the app all say the same thing.
//
// The dialogues here are minimal on purpose: after the server's "signed in" the socket is handed
// over untouched to the byte pipe (session.ts), with any bytes read ahead.
import type net from 'node:net';
import { saslUser, type Account, type ServerSettings } from '../../shared/account.ts';
import { describe, type DiagnosisCode } from '../../shared/diagnostics.ts';
import { providerById, type SaslMechanism } from '../../shared/providers.ts';
import type { AccessToken } from '../core/ports.ts';
import { diagnose, ProbeFailure } from '../probe/diagnose.ts';
import { connectTcp, raceAbort, resolveHost, startTls, trustedCAs } from '../probe/net.ts';
import { extraCaBundle } from '../core/trust.ts';
import { recordTokenUse } from '../health/usage.ts';
import { abortResponse, chooseMechanism, decodeChallenge, initialResponse, type SaslChallenge } from '../probe/sasl.ts';
import type { StepName } from '../../shared/probe.ts';
import type { BridgeDeps, BridgeProtocol } from './index.ts';
import { Reader } from './reader.ts';

export type UpstreamOk = {
  ok: true;
  socket: net.Socket;
  reader: Reader;
  /** The server's answer to the sign-in (IMAP: the tagged OK, whose [CAPABILITY ...] the client gets). */
  text: string;
};
export type UpstreamFailure = {
  ok: false;
  code: string;
  /** The server's own words, when it refused (client-visible texts quote the diagnosis, not these). */
  serverText?: string;
  /** A passing condition: the client gets the protocol's temporary code, not a password error. */
  temporary: boolean;
};
export type UpstreamOutcome = UpstreamOk | UpstreamFailure;

export type UpstreamOptions = { signal: AbortSignal; hello?: string };

/** Codes that mean "try again later" although the catalog does not mark them temporary (a server
 * that is down for a moment must not make a mail client ask for a new password). */
const PASSING: ReadonlySet<string> = new Set([
  'CONNECTION_REFUSED',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'NETWORK_UNREACHABLE',
  'DNS_NOT_FOUND',
  'NO_GREETING',
  'TIMEOUT',
  'CANCELLED',
  'SERVER_AUTH_TEMPORARY',
  'STORE_BUSY',
]);

export const isTemporary = (code: string): boolean => PASSING.has(code) || describe(code).temporary === true;

const PORT_NAMES: Record<BridgeProtocol, 'imap' | 'pop' | 'smtp'> = { imap: 'imap', pop: 'pop', smtp: 'smtp' };

/** A refusal the dialogue read from the server, with the step it happened in. */
class Refused extends Error {
  override name = 'Refused';
  readonly step: StepName;
  readonly serverText: string;
  readonly challenge: SaslChallenge | undefined;
  constructor(step: StepName, serverText: string, challenge?: SaslChallenge) {
    super(serverText);
    this.step = step;
    this.serverText = serverText;
    this.challenge = challenge;
  }
}

/** The server closed or sent nothing usable where an answer was due. */
class Closed extends Error {
  override name = 'Closed';
  readonly code = 'ECONNRESET';
}

type Conversation = {
  reader: Reader;
  socket: net.Socket;
  send(line: string): void;
  line(): Promise<string>;
};

function conversation(socket: net.Socket, signal: AbortSignal): Conversation {
  const reader = new Reader(socket, 64 * 1024);
  return {
    reader,
    socket,
    send: (line) => {
      socket.write(`${line}\r\n`);
    },
    line: async () => {
      const l = await raceAbort(reader.line(), signal);
      if (l === undefined) throw new Closed('the server closed the connection');
      return l;
    },
  };
}

type Dialogue = (c: Conversation, p: DialogueParams) => Promise<{ text: string; socket: net.Socket; reader: Reader }>;

type DialogueParams = {
  server: ServerSettings;
  user: string;
  mechanisms: readonly SaslMechanism[];
  token: () => Promise<AccessToken>;
  tls: (socket: net.Socket) => Promise<net.Socket>;
  signal: AbortSignal;
  hello: string;
  step: (s: StepName) => void;
};

/** Answers a SASL error challenge (RFC 7628 3.2.3) and returns what it said. */
function challengeOf(line: string, prefix: RegExp): SaslChallenge | undefined {
  const m = prefix.exec(line);
  if (!m) return undefined;
  const decoded = decodeChallenge(line.slice(m[0].length));
  return decoded.ok ? decoded.challenge : undefined;
}

const imapDialogue: Dialogue = async (c0, p) => {
  let c = c0;
  p.step('greeting');
  const greeting = await c.line();
  if (!/^\* OK\b/i.test(greeting)) throw new Refused('greeting', greeting);
  const capsOf = (line: string): string[] | undefined => {
    const m = /\[CAPABILITY ([^\]]*)\]/i.exec(line) ?? /^\* CAPABILITY (.*)$/i.exec(line);
    return m ? (m[1] ?? '').toUpperCase().split(/\s+/) : undefined;
  };
  let caps = capsOf(greeting);
  let n = 0;
  const command = async (cmd: string, step: StepName): Promise<{ tagged: string; untagged: string[] }> => {
    const tag = `moa${++n}`;
    c.send(`${tag} ${cmd}`);
    const untagged: string[] = [];
    for (;;) {
      const l = await c.line();
      if (l.startsWith(`${tag} `)) {
        if (!/^\S+ OK\b/i.test(l)) throw new Refused(step, l);
        return { tagged: l, untagged };
      }
      if (l.startsWith('* ')) untagged.push(l);
      else throw new Refused(step, l);
    }
  };
  if (p.server.security === 'starttls') {
    p.step('starttls');
    if (caps === undefined) caps = capsOf((await command('CAPABILITY', 'capabilities')).untagged.find((l) => /^\* CAPABILITY /i.test(l)) ?? '');
    if (!caps?.includes('STARTTLS')) throw new ProbeFailure('STARTTLS_MISSING', 'The server does not offer STARTTLS');
    await command('STARTTLS', 'starttls');
    if (c.reader.pending > 0) throw new ProbeFailure('MALFORMED_RESPONSE', 'data after STARTTLS (injection)');
    c.reader.detach();
    p.step('tls');
    c = conversation(await p.tls(c.socket), p.signal);
    caps = undefined; // RFC 3501 6.2.1: forget what was said before TLS
  }
  p.step('capabilities');
  if (caps === undefined || !caps.some((x) => x.startsWith('AUTH='))) {
    caps = capsOf((await command('CAPABILITY', 'capabilities')).untagged.find((l) => /^\* CAPABILITY /i.test(l)) ?? '') ?? [];
  }
  const mechanism = chooseMechanism(p.mechanisms, caps.filter((x) => x.startsWith('AUTH=')).map((x) => x.slice(5)));
  if (!mechanism) throw new ProbeFailure('AUTH_MECHANISM_NOT_OFFERED', 'The server offers none of the OAuth mechanisms');
  const token = await p.token();
  p.step('authenticate');
  const ir = initialResponse(mechanism, { user: p.user, token: token.token, host: p.server.host, port: p.server.port });
  const tag = `moa${++n}`;
  if (caps.includes('SASL-IR')) c.send(`${tag} AUTHENTICATE ${mechanism} ${ir}`);
  else c.send(`${tag} AUTHENTICATE ${mechanism}`);
  let sentIr = caps.includes('SASL-IR');
  let challenge: SaslChallenge | undefined;
  for (;;) {
    const l = await c.line();
    if (l.startsWith('+')) {
      if (!sentIr) {
        c.send(ir);
        sentIr = true;
        continue;
      }
      if (challenge !== undefined) throw new ProbeFailure('MALFORMED_RESPONSE', 'more than one SASL error challenge');
      challenge = challengeOf(l, /^\+ ?/) ?? {};
      c.send(abortResponse(mechanism));
      continue;
    }
    if (l.startsWith(`${tag} `)) {
      if (/^\S+ OK\b/i.test(l)) return { text: l, socket: c.socket, reader: c.reader };
      throw new Refused('authenticate', l, challenge);
    }
    if (!l.startsWith('* ')) throw new Refused('authenticate', l);
  }
};

const popDialogue: Dialogue = async (c0, p) => {
  let c = c0;
  p.step('greeting');
  const greeting = await c.line();
  if (!greeting.startsWith('+OK')) throw new Refused('greeting', greeting);
  const capa = async (): Promise<string[]> => {
    c.send('CAPA');
    const first = await c.line();
    if (!first.startsWith('+OK')) return [];
    const lines: string[] = [];
    for (;;) {
      const l = await c.line();
      if (l === '.') return lines;
      lines.push(l.toUpperCase());
    }
  };
  if (p.server.security === 'starttls') {
    p.step('starttls');
    c.send('STLS');
    const answer = await c.line();
    if (!answer.startsWith('+OK')) throw new Refused('starttls', answer);
    if (c.reader.pending > 0) throw new ProbeFailure('MALFORMED_RESPONSE', 'data after STLS (injection)');
    c.reader.detach();
    p.step('tls');
    c = conversation(await p.tls(c.socket), p.signal);
  }
  p.step('capabilities');
  const caps = await capa();
  const saslLine = caps.find((l) => l === 'SASL' || l.startsWith('SASL '));
  // CAPA is optional (RFC 2449): without a SASL line try the preferred mechanism, as the probe does.
  const mechanism = saslLine === undefined ? p.mechanisms[0] : chooseMechanism(p.mechanisms, saslLine.split(/\s+/).slice(1));
  if (!mechanism) throw new ProbeFailure('AUTH_MECHANISM_NOT_OFFERED', 'The server offers none of the OAuth mechanisms');
  const token = await p.token();
  p.step('authenticate');
  // RFC 5034 with the payload on the continuation line, not as an initial response on the AUTH
  // line: some servers reject the long one-line form (PROVIDERS.md "SASL formats").
  c.send(`AUTH ${mechanism}`);
  const payload = initialResponse(mechanism, { user: p.user, token: token.token, host: p.server.host, port: p.server.port });
  let sent = false;
  let challenge: SaslChallenge | undefined;
  for (;;) {
    const l = await c.line();
    if (l.startsWith('+OK')) return { text: l, socket: c.socket, reader: c.reader };
    if (l.startsWith('+') && !sent) {
      c.send(payload);
      sent = true;
      continue;
    }
    if (l.startsWith('+') && challenge === undefined) {
      challenge = challengeOf(l, /^\+ ?/) ?? {};
      c.send(abortResponse(mechanism));
      continue;
    }
    throw new Refused('authenticate', l, challenge);
  }
};

const smtpDialogue: Dialogue = async (c0, p) => {
  let c = c0;
  /** A whole SMTP reply (multi-line `250-...` up to `250 ...`). */
  const reply = async (): Promise<{ code: number; lines: string[]; text: string }> => {
    const lines: string[] = [];
    for (;;) {
      const l = await c.line();
      const m = /^(\d{3})([ -])/.exec(l) ?? /^(\d{3})$/.exec(l);
      if (!m) throw new Refused(lines.length === 0 ? 'greeting' : 'command', l);
      lines.push(l);
      if (m[2] !== '-') return { code: Number(m[1]), lines, text: lines.join(' / ') };
    }
  };
  p.step('greeting');
  const greeting = await reply();
  if (greeting.code !== 220) throw new Refused('greeting', greeting.text);
  const ehlo = async (): Promise<string[]> => {
    c.send(`EHLO ${p.hello}`);
    const r = await reply();
    if (r.code !== 250) throw new Refused('capabilities', r.text);
    return r.lines.slice(1).map((l) => l.slice(4).toUpperCase());
  };
  p.step('capabilities');
  let ext = await ehlo();
  if (p.server.security === 'starttls') {
    p.step('starttls');
    if (!ext.some((e) => e === 'STARTTLS')) throw new ProbeFailure('STARTTLS_MISSING', 'The server does not offer STARTTLS');
    c.send('STARTTLS');
    const r = await reply();
    if (r.code !== 220) throw new Refused('starttls', r.text);
    if (c.reader.pending > 0) throw new ProbeFailure('MALFORMED_RESPONSE', 'data after STARTTLS (injection)');
    c.reader.detach();
    p.step('tls');
    c = conversation(await p.tls(c.socket), p.signal);
    p.step('capabilities');
    ext = await ehlo();
  }
  const auth = ext.find((e) => e.startsWith('AUTH ') || e.startsWith('AUTH='))?.slice(5).split(/\s+/) ?? [];
  const mechanism = chooseMechanism(p.mechanisms, auth);
  if (!mechanism) throw new ProbeFailure('AUTH_MECHANISM_NOT_OFFERED', 'The server offers none of the OAuth mechanisms');
  const token = await p.token();
  p.step('authenticate');
  c.send(`AUTH ${mechanism} ${initialResponse(mechanism, { user: p.user, token: token.token, host: p.server.host, port: p.server.port })}`);
  let challenge: SaslChallenge | undefined;
  for (;;) {
    const r = await reply();
    if (r.code === 235) return { text: r.lines[r.lines.length - 1] ?? '235', socket: c.socket, reader: c.reader };
    if (r.code === 334 && challenge === undefined) {
      challenge = challengeOf(r.lines[0] ?? '', /^334 ?/) ?? {};
      c.send(abortResponse(mechanism));
      continue;
    }
    throw new Refused('authenticate', r.text, challenge);
  }
};

const DIALOGUES: Record<BridgeProtocol, Dialogue> = { imap: imapDialogue, pop: popDialogue, smtp: smtpDialogue };

/** A failed token request: its catalog code (AUTH_REFRESH_EXPIRED, IDP_UNAVAILABLE, ...). */
class TokenFailure extends Error {
  override name = 'TokenFailure';
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

async function attempt(deps: BridgeDeps, account: Account, protocol: BridgeProtocol, o: UpstreamOptions, forceRefresh: boolean): Promise<UpstreamOutcome> {
  const server = account.servers[PORT_NAMES[protocol]];
  if (!server || !server.enabled) return { ok: false, code: 'BRIDGE_PROTOCOL_OFF', temporary: false };
  // Never in plaintext: a token must not cross the network readable (the account form allows
  // `none` for loopback test servers only; the bridge does not use it at all).
  if (server.security === 'none') return { ok: false, code: 'BRIDGE_UPSTREAM_PLAINTEXT', temporary: false };
  const sockets: net.Socket[] = [];
  const register = (close: () => void): (() => void) => {
    o.signal.addEventListener('abort', close, { once: true });
    return () => o.signal.removeEventListener('abort', close);
  };
  // The token is asked for at once, in parallel with connecting (as the probe does): a refresh
  // and the TLS handshake overlap instead of adding up.
  const tokenPromise = deps.auth.getAccessToken(account.id, { signal: o.signal, forceRefresh }).then((r) => {
    if (!r.ok) throw new TokenFailure(r.error.code, r.error.message);
    // In use, as when a mail client runs `token`: the app's schedule then renews the token ahead
    // of its end, and the next session does not wait for a refresh.
    recordTokenUse(deps.dataDir, account.id);
    return r.value;
  });
  tokenPromise.catch(() => undefined); // awaited below; a connect failure first must not leave it unhandled
  let step: StepName = 'resolve';
  // As the connection test trusts them (run-probe.ts): the process-wide extra CA and the account's.
  const ca = trustedCAs(extraCaBundle(deps.ca, account.caPem));
  try {
    const resolved = await resolveHost(server.host, o.signal);
    step = 'connect';
    let socket: net.Socket = await connectTcp(resolved.address, server.port, o.signal, register);
    sockets.push(socket);
    socket.on('error', () => undefined); // reported through the reader
    const tlsUp = async (plain: net.Socket): Promise<net.Socket> => {
      const s = await startTls(plain, { host: server.host, ca }, o.signal, register);
      s.on('error', () => undefined);
      sockets.push(s);
      return s;
    };
    if (server.security === 'tls') {
      step = 'tls';
      socket = await tlsUp(socket);
    }
    const done = await DIALOGUES[protocol](conversation(socket, o.signal), {
      server,
      // The mailbox address, also when a delegate's sign-in opens a shared mailbox (issue 19).
      user: saslUser(account),
      mechanisms: providerById(account.providerId)?.mechanisms ?? ['OAUTHBEARER', 'XOAUTH2'],
      token: async () => {
        step = 'token';
        return raceAbort(tokenPromise, o.signal);
      },
      tls: tlsUp,
      signal: o.signal,
      hello: o.hello ?? 'localhost',
      step: (s) => {
        step = s;
      },
    });
    return { ok: true, socket: done.socket, reader: done.reader, text: done.text };
  } catch (error) {
    for (const s of sockets) s.destroy();
    if (error instanceof TokenFailure) return { ok: false, code: error.code, temporary: isTemporary(error.code) };
    const timedOut = o.signal.aborted && (o.signal.reason as { name?: string } | undefined)?.name === 'TimeoutError';
    const refused = error instanceof Refused ? error : undefined;
    const code: DiagnosisCode = diagnose({
      protocol: PORT_NAMES[protocol],
      step: refused?.step ?? step,
      error: timedOut ? undefined : error,
      ...(refused ? { serverText: refused.serverText } : {}),
      ...(refused?.challenge ? { challenge: refused.challenge } : {}),
      providerId: account.providerId,
      timedOut,
    });
    const out: UpstreamFailure = { ok: false, code, temporary: isTemporary(code) };
    if (refused) out.serverText = refused.serverText;
    return out;
  }
}

/**
 * Signs in to the account's server for this protocol. A token the server refuses is refreshed
 * once and tried again on a new connection (it may have been revoked or cut short at the
 * provider while still "fresh" here); every other failure is final for this session.
 */
export async function openUpstream(deps: BridgeDeps, account: Account, protocol: BridgeProtocol, o: UpstreamOptions): Promise<UpstreamOutcome> {
  const first = await attempt(deps, account, protocol, o, false);
  if (first.ok || !RETRY_WITH_NEW_TOKEN.has(first.code) || o.signal.aborted) return first;
  return attempt(deps, account, protocol, o, true);
}

const RETRY_WITH_NEW_TOKEN: ReadonlySet<string> = new Set(['AUTH_TOKEN_INVALID', 'AUTH_TOKEN_REJECTED', 'AUTH_TOKEN_EXPIRED']);
