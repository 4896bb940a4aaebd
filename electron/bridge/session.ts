// One client connection to the bridge, whatever the protocol: the socket (upgraded to TLS on the
// client's STARTTLS), the local sign-in with the bridge password, the upstream sign-in and, once
// both succeeded, the transparent pipe. The protocol front ends (imap.ts, pop.ts, smtp.ts) only
// speak their protocol's pre-login dialogue and word the answers.
//
// Order of things, on purpose: nothing reaches the upstream server (not even a TCP connection)
// before the bridge password was checked, so a client that cannot sign in locally never costs a
// token refresh or tells the mail server anything.
import type net from 'node:net';
import tls from 'node:tls';
import { Duplex } from 'node:stream';
import { saslUser, type Account } from '../../shared/account.ts';
import { describe } from '../../shared/diagnostics.ts';
import type { BridgeDeps, BridgeEvent, BridgeProtocol } from './index.ts';
import { verifyPassword, type FailureDelay } from './password.ts';
import { Reader } from './reader.ts';
import { refusal } from './failure.ts';
import { utf8, type Credentials } from './local-sasl.ts';
import { openUpstream, type UpstreamOk, type UpstreamOutcome } from './upstream.ts';

export type SessionContext = {
  deps: BridgeDeps;
  protocol: BridgeProtocol;
  delay: FailureDelay;
  /** Set when TLS towards the client is on (STARTTLS / STLS offered). */
  secureContext: tls.SecureContext | undefined;
};

/** Wrong bridge passwords in one connection before it is closed (besides the growing delay). */
const MAX_AUTH_FAILURES = 5;
/** Before sign-in a silent client is dropped after this long (an idle IDLE afterwards is fine). */
const PRE_AUTH_IDLE_MS = 120_000;
/** The whole upstream sign-in (token, connect, TLS, SASL) gets this long before a temporary failure. */
const UPSTREAM_TIMEOUT_MS = 45_000;

export type LocalAuth = { ok: true; account: Account } | { ok: false; code: 'BRIDGE_BAD_PASSWORD' | 'BRIDGE_NO_PASSWORD' };

/** The account a login name means: its mailbox address, the SASL user (shared/account.ts
 * saslUser), also for a shared mailbox that a delegate signs in for. */
export function accountFor(accounts: BridgeDeps['accounts'], login: string): Account | undefined {
  const name = login.trim().toLowerCase();
  if (name === '') return undefined;
  const matches = accounts.list().filter((a) => saslUser(a).toLowerCase() === name);
  return matches.find((a) => a.status === 'ready') ?? matches[0];
}

const fmtBytes = (n: number): string => (n < 10_000 ? `${n} B` : n < 10_000_000 ? `${Math.round(n / 1000)} kB` : `${Math.round(n / 1_000_000)} MB`);

export class ClientSession {
  readonly ctx: SessionContext;
  socket: Duplex;
  reader: Reader;
  secure = false;
  readonly started: number;
  account: Account | undefined;
  #closed = false;
  #authFailures = 0;

  /** The TCP connection itself (its idle timer, its close), under any TLS layer. */
  readonly raw: net.Socket;

  /** `stream`: the connection as the protocol sees it when it is not `raw` (implicit TLS). */
  constructor(ctx: SessionContext, raw: net.Socket, stream?: tls.TLSSocket) {
    this.ctx = ctx;
    this.raw = raw;
    this.socket = stream ?? raw;
    this.secure = stream !== undefined;
    this.started = ctx.deps.clock.now();
    raw.setTimeout(PRE_AUTH_IDLE_MS, () => raw.destroy());
    raw.once('close', () => {
      this.#closed = true;
      this.socket.destroy();
    });
    this.reader = new Reader(this.socket);
  }

  get protocol(): BridgeProtocol {
    return this.ctx.protocol;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get tlsAvailable(): boolean {
    return this.ctx.secureContext !== undefined && !this.secure;
  }

  write(line: string): void {
    if (!this.#closed && !this.socket.destroyed) this.socket.write(`${line}\r\n`);
  }

  /**
   * The next command line of a line protocol (POP3, SMTP): its verb upper-cased and the rest.
   * Undefined when the session is over: the client closed, or its line was too long (then `tooLong`
   * is the last answer it gets).
   */
  async command(tooLong: string): Promise<{ name: string; arg: string } | undefined> {
    let line: string | undefined;
    try {
      line = await this.reader.line();
    } catch (e) {
      if ((e as Error).name !== 'LineTooLong') throw e;
      this.end(tooLong);
      return undefined;
    }
    if (line === undefined) {
      this.end();
      return undefined;
    }
    const sp = line.indexOf(' ');
    return { name: (sp < 0 ? line : line.slice(0, sp)).toUpperCase(), arg: sp < 0 ? '' : line.slice(sp + 1) };
  }

  /** Write the last words and close (the client learns why before the connection ends). */
  end(line?: string): void {
    if (this.#closed || this.socket.destroyed) return;
    this.socket.end(line === undefined ? undefined : `${line}\r\n`);
    // A client that never reads its last answer must not keep the socket open.
    setTimeout(() => this.socket.destroy(), 5000).unref();
  }

  emit(e: Omit<BridgeEvent, 'at' | 'protocol'>): void {
    const on = this.ctx.deps.onEvent;
    if (!on) return;
    try {
      on({ at: this.ctx.deps.clock.now(), protocol: this.protocol, ...e });
    } catch {
      // a listener's bug must not end the session
    }
  }

  /**
   * STARTTLS towards the client (after the protocol's "go ahead" was written). Bytes the client
   * sent behind its STARTTLS command before the handshake are dropped, not executed (the
   * command-injection attack on STARTTLS, CVE-2011-0411 and kin).
   */
  async startTls(): Promise<boolean> {
    const context = this.ctx.secureContext;
    if (!context) return false;
    this.reader.detach();
    const plain = this.socket;
    const secure = new tls.TLSSocket(plain as net.Socket, { isServer: true, secureContext: context });
    secure.on('error', () => {
      secure.destroy();
      plain.destroy();
    });
    const ok = await new Promise<boolean>((resolve) => {
      secure.once('secure', () => resolve(true));
      secure.once('close', () => resolve(false));
    });
    if (!ok) return false;
    this.socket = secure;
    this.secure = true;
    this.reader = new Reader(secure);
    return true;
  }

  /**
   * The sign-in after the client sent its credentials, the same in every protocol: the bridge
   * password, then the server. The upstream connection to pipe to; 'retry' when the client got the
   * protocol's refusal through `answer` and may try again; 'over' when the session ended (the client
   * left, or `tooMany` was its last answer after MAX_AUTH_FAILURES wrong passwords).
   */
  async signIn(creds: Credentials, answer: (text: string) => void, tooMany: string, hello?: string): Promise<UpstreamOk | 'retry' | 'over'> {
    const login = utf8(creds.login);
    const local = await this.localAuth(login, utf8(creds.password));
    if (!local.ok) {
      answer(refusal(this.protocol, local.code, login));
      if (++this.#authFailures < MAX_AUTH_FAILURES) return 'retry';
      this.end(tooMany);
      return 'over';
    }
    const up = await this.upstream(local.account, hello);
    if (this.#closed) return 'over'; // upstream() closed a connection nobody is waiting for
    if (up.ok) return up;
    answer(refusal(this.protocol, up.code, local.account.address, up.serverText));
    return 'retry';
  }

  /** Checks the bridge password; a failure answers only after the growing delay. */
  async localAuth(login: string, password: string): Promise<LocalAuth> {
    const { deps, delay } = this.ctx;
    const account = accountFor(deps.accounts, login);
    let stored: string | undefined;
    if (account) {
      try {
        stored = await deps.secrets.get(account.id, 'bridge-password');
      } catch {
        stored = undefined; // an unreadable secret file is a refusal here; the app shows why
      }
    }
    // Unknown names are verified against nothing but still cost the same delay.
    const ok = account !== undefined && stored !== undefined && (await verifyPassword(account.id, stored, password));
    if (ok) {
      delay.succeed(login);
      return { ok: true, account };
    }
    const code = account !== undefined && stored === undefined ? 'BRIDGE_NO_PASSWORD' : 'BRIDGE_BAD_PASSWORD';
    const wait = delay.fail(login, deps.clock.now());
    const e: Omit<BridgeEvent, 'at' | 'protocol'> = {
      kind: 'local-auth-failed',
      code,
      message: `${this.protocol.toUpperCase()} sign-in to the bridge refused for ${account ? account.address : 'an unknown address'}: ${describe(code).title}`,
    };
    if (account) {
      e.accountId = account.id;
      e.address = account.address;
    }
    this.emit(e);
    await new Promise((r) => setTimeout(r, wait));
    return { ok: false, code };
  }

  /** Signs in upstream; a failure is reported as an event (the front end words the answer). */
  async upstream(account: Account, hello?: string): Promise<UpstreamOutcome> {
    this.account = account;
    // The client already left (during the sign-in): no server session for nobody.
    if (this.#closed) return { ok: false, code: 'CANCELLED', temporary: true };
    // The client leaving stops the upstream sign-in (no server session left open for nobody).
    const left = new AbortController();
    const onClose = (): void => left.abort();
    this.socket.once('close', onClose);
    const signal = AbortSignal.any([left.signal, AbortSignal.timeout(UPSTREAM_TIMEOUT_MS)]);
    const outcome = await openUpstream(this.ctx.deps, account, this.protocol, { signal, ...(hello !== undefined ? { hello } : {}) });
    this.socket.off('close', onClose);
    if (!outcome.ok) {
      this.emit({
        kind: 'upstream-failed',
        accountId: account.id,
        address: account.address,
        code: outcome.code,
        message: `${this.protocol.toUpperCase()} ${account.address}: ${describe(outcome.code).title}${outcome.serverText ? ` (server: ${outcome.serverText.slice(0, 200)})` : ''}`,
      });
    } else if (this.#closed) {
      outcome.socket.destroy(); // the client left while the bridge was signing in
    }
    return outcome;
  }

  /**
   * From here on the bridge is a byte pipe: what either side read ahead is passed on first, then
   * socket.pipe() both ways (backpressure: a slow client pauses the server and vice versa).
   */
  pipe(up: UpstreamOk): void {
    const account = this.account;
    if (this.#closed || !account) {
      up.socket.destroy();
      return;
    }
    const client = this.socket;
    const server = up.socket;
    // Signed in: an IMAP IDLE may be silent for 29 minutes; the server decides when to drop it.
    this.raw.setTimeout(0);
    let fromClient = 0;
    let fromServer = 0;
    const clientRest = this.reader.detach();
    const serverRest = up.reader.detach();
    client.on('data', (d: Buffer) => (fromClient += d.length));
    server.on('data', (d: Buffer) => (fromServer += d.length));
    server.on('error', () => server.destroy());
    if (serverRest.length > 0) client.write(serverRest);
    if (clientRest.length > 0) server.write(clientRest);
    client.pipe(server);
    server.pipe(client);
    this.emit({ kind: 'session-start', accountId: account.id, address: account.address, message: `${this.protocol.toUpperCase()} ${account.address}: signed in` });
    let ended = false;
    const finish = (): void => {
      if (ended) return;
      ended = true;
      client.destroy();
      server.destroy();
      const secs = Math.round((this.ctx.deps.clock.now() - this.started) / 100) / 10;
      this.emit({
        kind: 'session-end',
        accountId: account.id,
        address: account.address,
        message: `${this.protocol.toUpperCase()} ${account.address}: ended after ${secs} s, ${fmtBytes(fromServer + serverRest.length)} to the client, ${fmtBytes(fromClient + clientRest.length)} to the server`,
      });
    };
    client.once('close', finish);
    server.once('close', finish);
    if (this.#closed) finish();
  }
}

/** How long a new connection is watched for a TLS ClientHello before the plain greeting. */
const IMPLICIT_TLS_WAIT_MS = 300;

/**
 * With TLS towards the client on, each port serves both ways clients ask for it: STARTTLS (STLS)
 * after a plain greeting, and implicit TLS (what Outlook and Windows Live Mail call "SSL": the
 * client starts the handshake at once, as on 993/995/465). The bridge waits a moment for the
 * client's first bytes: a TLS handshake record (0x16) means implicit TLS, silence or anything
 * else the plain greeting. Only with TLS on does a plain session wait (IMPLICIT_TLS_WAIT_MS).
 */
export function serveConnection(ctx: SessionContext, socket: net.Socket): void {
  // Errors of a socket are answered by closing it; a listener must always be there, or an
  // ECONNRESET from a client that vanished would crash the process.
  socket.on('error', () => socket.destroy());
  const context = ctx.secureContext;
  if (!context) return run(new ClientSession(ctx, socket));
  socket.setTimeout(PRE_AUTH_IDLE_MS, () => socket.destroy());
  let decided = false;
  const decide = (first: Buffer | undefined): void => {
    if (decided) return;
    decided = true;
    clearTimeout(timer);
    socket.off('data', onFirst);
    socket.pause();
    if (first === undefined || first[0] !== 0x16) {
      if (first !== undefined) socket.unshift(first);
      run(new ClientSession(ctx, socket));
      return;
    }
    // The first chunk was read already, so TLS runs over a stream that replays it (a TLSSocket
    // on the bare socket would take over its handle and never see those bytes).
    const replay = new Duplex({
      read: () => void socket.resume(),
      write: (chunk: Buffer, _enc, cb) => void socket.write(chunk, cb),
      final: (cb) => {
        socket.end();
        cb();
      },
      destroy: (_e, cb) => {
        socket.destroy();
        cb(null);
      },
    });
    replay.push(first);
    socket.on('data', (d: Buffer) => {
      if (!replay.push(d)) socket.pause();
    });
    socket.once('end', () => replay.push(null));
    socket.once('close', () => replay.destroy());
    const secure = new tls.TLSSocket(replay as unknown as net.Socket, { isServer: true, secureContext: context });
    secure.on('error', () => socket.destroy());
    secure.once('secure', () => run(new ClientSession(ctx, socket, secure)));
  };
  const onFirst = (d: Buffer): void => decide(d);
  const timer = setTimeout(() => decide(undefined), IMPLICIT_TLS_WAIT_MS);
  socket.on('data', onFirst);
  socket.once('close', () => {
    decided = true;
    clearTimeout(timer);
  });
}

function run(session: ClientSession): void {
  const go = async (): Promise<void> => {
    const ctx = session.ctx;
    const front =
      ctx.protocol === 'imap' ? (await import('./imap.ts')).imapFront : ctx.protocol === 'pop' ? (await import('./pop.ts')).popFront : (await import('./smtp.ts')).smtpFront;
    await front(session);
  };
  go().catch(() => {
    // A protocol error (a line too long, a reset) ends this connection only.
    session.socket.destroy();
    session.raw.destroy();
  });
}
