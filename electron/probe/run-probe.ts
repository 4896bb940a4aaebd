// The one-click connection test: all enabled protocols in parallel, the token fetched in
// parallel with resolve/connect/TLS (awaited only when a protocol reaches `authenticate`), one
// overall deadline, a watchdog per step, cancellation through an AbortSignal (every socket
// closed), progress events per step, and a report whose transcripts carry no secret.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { AccessToken, TokenSource } from '../core/ports.ts';
import { Email, saslUser, Servers, signerOf, type Account, type ServerSettings } from '../../shared/account.ts';
import { isDiagnosisCode, type DiagnosisCode } from '../../shared/diagnostics.ts';
import { PROTOCOLS, providerById, SaslMechanism, type Protocol } from '../../shared/providers.ts';
import type { ProbeProgress, ProbeReport, ProtocolReport, Step } from '../../shared/probe.ts';
import { redactText } from '../../shared/redact.ts';
import { AppFailure } from '../../shared/result.ts';
import { ProbeFailure, type TokenHints } from './diagnose.ts';
import { isUserScoped, mailScopesNeeded } from '../auth/scopes.ts';
import { failSession, openTransport, type ProtocolRunner, type RunnerContext } from './common.ts';
import { raceAbort, trustedCAs } from './net.ts';
import { extraCaBundle } from '../core/trust.ts';
import { ProbeSession, type SessionContext } from './session.ts';

export type ProbeInput = {
  /** The mailbox: the SASL user of every protocol (saslUser), also for a shared mailbox. */
  address: string;
  /** Whose token it is when not the mailbox's: a shared mailbox's delegate. A token of another
   * user is then expected, and Exchange's refusals are explained for shared mailboxes. */
  signInAs?: string;
  servers: Servers;
  /** SASL mechanisms the provider accepts, in order of preference (catalog: Microsoft XOAUTH2 only). */
  mechanisms: readonly SaslMechanism[];
  token: TokenSource;
  /** Send a real message to self instead of MAIL FROM/RCPT TO/RSET. */
  sendTestMessage?: boolean;
  providerId?: string;
  accountId?: string;
  /** Scopes each protocol needs, when not the catalog's (generic providers): lets a refused
   * token be diagnosed as "missing scope" when the token's granted scopes are known. */
  scopes?: Partial<Record<Protocol, readonly string[]>>;
  /** The account's own extra CA (PEM, saved with it): trusted for its mail servers, in addition to
   * options.ca (the process-wide one, e.g. --ca-file) and the system roots. */
  caPem?: string;
};

export type ProbeOptions = {
  signal?: AbortSignal;
  onProgress?: (p: ProbeProgress) => void;
  /** Extra trusted CA (PEM), added to Node's default roots, not replacing them. */
  ca?: string | Buffer;
  timeouts?: { step?: number; overall?: number };
  runId?: string;
  /** Clock for durations (tests); defaults to performance.now(). */
  now?: () => number;
};

/** The probe input of a saved account (the app's handlers and the CLI's `test --account`). */
export function probeInputForAccount(account: Account, token: TokenSource): ProbeInput {
  // Only a catalog provider says what its protocols need (an unknown id guesses nothing).
  const entry = providerById(account.providerId);
  return {
    address: saslUser(account),
    ...(signerOf(account) !== account.address ? { signInAs: signerOf(account) } : {}),
    servers: account.servers,
    mechanisms: providerById(account.providerId)?.mechanisms ?? ['OAUTHBEARER', 'XOAUTH2'],
    token,
    providerId: account.providerId,
    accountId: account.id,
    // What each protocol needs (a generic provider's come from the account): a refused token
    // whose granted scopes lack them is diagnosed as a missing scope, not as "invalid".
    ...(entry ? { scopes: mailScopesNeeded(entry, account.servers, account.scopes) } : {}),
    ...(account.caPem ? { caPem: account.caPem } : {}),
  };
}

export const DEFAULT_STEP_TIMEOUT_MS = 15_000;
export const DEFAULT_OVERALL_TIMEOUT_MS = 45_000;

/** The untrusted parts of the input (they may come from IPC or CLI flags). */
const InputSchema = z.object({
  address: Email,
  signInAs: Email.optional(),
  servers: Servers,
  mechanisms: z.array(SaslMechanism).min(1),
  sendTestMessage: z.boolean().optional(),
  providerId: z.string().optional(),
  accountId: z.string().optional(),
  scopes: z.partialRecord(z.enum(['imap', 'pop', 'smtp']), z.array(z.string())).optional(),
  caPem: z.string().max(65536).optional(),
});

const Timeouts = z
  .object({ step: z.number().int().positive().optional(), overall: z.number().int().positive().optional() })
  .optional();

/**
 * The protocol clients (imapflow, nodemailer's SMTP connection, the POP3 client) are loaded once
 * every protocol's connection is on its way: loading imapflow and nodemailer is the largest part
 * of a `mail-oauth test` start, and it then runs during the TCP and TLS round trips instead of
 * before them (issue 10). Not earlier: loading blocks the event loop, and a protocol whose address
 * lookup answered meanwhile would connect only after it. The module cache makes later loads free.
 */
const RUNNERS: Record<Protocol, () => Promise<ProtocolRunner>> = {
  imap: async () => (await import('./imap.ts')).probeImap,
  pop: async () => (await import('./pop.ts')).probePop,
  smtp: async () => (await import('./smtp.ts')).probeSmtp,
};

const LOAD_ORDER: readonly Protocol[] = ['smtp', 'pop', 'imap'];

/** Resolves once the event loop has been through its I/O phase: a single setImmediate, set from
 * an I/O callback, runs before the next one, so socket events that are ready would still wait. */
const nextPoll = (): Promise<void> => new Promise((resolve) => setImmediate(() => setImmediate(resolve)));

type Loader = { connecting(p: Protocol): void; load(p: Protocol): Promise<ProtocolRunner> };

function protocolLoader(protocols: readonly Protocol[]): Loader {
  const loads = new Map<Protocol, Promise<ProtocolRunner>>();
  const waiting = new Set(protocols);
  const load = (p: Protocol): Promise<ProtocolRunner> => {
    let l = loads.get(p);
    if (!l) {
      l = RUNNERS[p]();
      l.catch(() => undefined); // awaited by the protocol's run
      loads.set(p, l);
    }
    return l;
  };
  return {
    connecting(p) {
      waiting.delete(p);
      if (waiting.size !== 0) return;
      // One client at a time, the event loop turning in between: a load blocks it (the IMAP
      // client alone for tens of ms), and the connections' answers (TCP, TLS, greetings) should
      // not wait behind all of them. SMTP first: it needs its client right at the greeting; IMAP
      // and POP3 only after their TLS handshake.
      void (async () => {
        for (const q of [...protocols].sort((a, b) => LOAD_ORDER.indexOf(a) - LOAD_ORDER.indexOf(b))) {
          await nextPoll();
          await load(q).catch(() => undefined);
        }
      })();
    },
    load,
  };
}

/** Connect (resolve, TCP, implicit TLS), the clients loading meanwhile, then run the protocol. */
async function runProtocol(protocol: Protocol, session: ProbeSession, server: ServerSettings, ctx: RunnerContext, loader: Loader): Promise<void> {
  let socket;
  try {
    socket = await openTransport(session, server, ctx, () => loader.connecting(protocol));
  } catch (error) {
    loader.connecting(protocol); // the others need not wait for this one
    failSession(session, ctx, { error });
    return;
  }
  // Until the client takes the socket, an error on it (a reset) is kept here, not thrown as an
  // unhandled 'error' event.
  let lost: unknown;
  const keep = (e: unknown): void => void (lost ??= e);
  socket.on('error', keep);
  let run: ProtocolRunner;
  try {
    run = await loader.load(protocol);
  } finally {
    socket.removeListener('error', keep);
  }
  if (lost !== undefined || socket.destroyed) {
    failSession(session, ctx, { error: lost ?? new Error('The connection closed before the test could use it') });
    return;
  }
  await run(session, server, ctx, socket);
}

function tokenErrorCode(error: unknown): DiagnosisCode {
  if (error instanceof AppFailure && isDiagnosisCode(error.appError.code)) return error.appError.code;
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && isDiagnosisCode(code)) return code;
  return 'TOKEN_UNAVAILABLE';
}

export async function runProbe(input: ProbeInput, options: ProbeOptions = {}): Promise<ProbeReport> {
  const parsed = InputSchema.parse(input);
  const timeouts = Timeouts.parse(options.timeouts);
  const stepTimeoutMs = timeouts?.step ?? DEFAULT_STEP_TIMEOUT_MS;
  const overallMs = timeouts?.overall ?? DEFAULT_OVERALL_TIMEOUT_MS;
  const now = options.now ?? (() => performance.now());
  const runId = options.runId ?? randomUUID();
  const startedAt = Date.now();
  const t0 = now();
  const secrets: string[] = [];
  const emit = (p: ProbeProgress): void => {
    try {
      options.onProgress?.(p);
    } catch {
      // a failing listener must not break the test
    }
  };

  // --- token, in parallel with everything before `authenticate` -----------------------------
  const tokenAbort = new AbortController();
  let tokenRequested = false;
  let tokenAbandoned = false;
  const tokenStep: Step = { step: 'token', status: 'running' };
  emit({ runId, protocol: 'token', step: 'token', status: 'running', index: 0 });
  const tokenStart = now();
  let token: AccessToken | undefined;
  // Asked for first, synchronously: the refresh is the longest chain of round trips and every
  // protocol waits for it at `authenticate`, so its first I/O goes out before anything else.
  const requested = ((): Promise<AccessToken> => {
    try {
      return raceAbort(input.token.getAccessToken({ signal: tokenAbort.signal }), tokenAbort.signal);
    } catch (error) {
      return Promise.reject(error);
    }
  })();
  const tokenPromise: Promise<AccessToken> = requested
    .then(
      (t) => {
        token = t;
        if (t.token.length >= 4) secrets.push(t.token);
        tokenStep.status = 'ok';
        tokenStep.ms = now() - tokenStart;
        const facts = [t.username ? `user ${t.username}` : '', t.expiresAt ? `expires ${new Date(t.expiresAt).toISOString()}` : '']
          .filter(Boolean)
          .join(', ');
        if (facts) tokenStep.detail = facts;
        emit({ runId, protocol: 'token', step: 'token', status: 'ok', ms: tokenStep.ms, index: 0 });
        return t;
      },
      (error: unknown) => {
        if (tokenAbandoned) {
          tokenStep.status = 'skipped';
          tokenStep.detail = 'not needed: no protocol reached sign-in';
          emit({ runId, protocol: 'token', step: 'token', status: 'skipped', index: 0 });
          throw new ProbeFailure('CANCELLED', 'Token not needed');
        }
        const code: DiagnosisCode = tokenAbort.signal.aborted && options.signal?.aborted ? 'CANCELLED' : tokenErrorCode(error);
        tokenStep.status = 'failed';
        tokenStep.ms = now() - tokenStart;
        tokenStep.code = code;
        const message = error instanceof Error ? error.message : String(error);
        tokenStep.detail = redactText(message, secrets);
        emit({ runId, protocol: 'token', step: 'token', status: 'failed', ms: tokenStep.ms, code, index: 0 });
        throw new ProbeFailure(code, 'No access token', { cause: error });
      },
    );
  tokenPromise.catch(() => undefined); // awaited by the protocols that need it

  const provider = parsed.providerId ? providerById(parsed.providerId) : undefined;
  const tokenHints = (protocol: Protocol): TokenHints => {
    if (!token) return {};
    const hints: TokenHints = {};
    if (token.expiresAt !== undefined && token.expiresAt <= Date.now()) hints.expired = true;
    if (token.username && token.username.toLowerCase() !== (parsed.signInAs ?? parsed.address)) hints.otherUser = true;
    const needed = parsed.scopes?.[protocol] ?? provider?.protocolScopes[protocol] ?? [];
    if (token.scopes && needed.length > 0 && !needed.some((s) => token?.scopes?.includes(s))) hints.missingScope = true;
    // A user-scoped provider's account that asked for no mail scope at all.
    if (parsed.scopes?.[protocol]?.length === 0 && provider && isUserScoped(provider)) hints.missingScope = true;
    return hints;
  };

  // Let the token's first steps (reading the grant, opening the connection to the provider) run
  // before the protocols' synchronous start-up: the protocols are not on the critical path.
  await new Promise<void>((resolve) => setImmediate(resolve));

  const ca = trustedCAs(extraCaBundle(options.ca, parsed.caPem));
  const sessionCtx: SessionContext = { runId, onProgress: emit, now, stepTimeoutMs, secrets };
  const sessions: ProbeSession[] = [];
  const runs: Promise<void>[] = [];
  const starts: Array<{ starttls: boolean; start: () => void }> = [];
  const loader = protocolLoader(PROTOCOLS.filter((p) => parsed.servers[p]?.enabled === true));
  for (const protocol of PROTOCOLS) {
    const server = parsed.servers[protocol];
    if (!server?.enabled) continue;
    const session = new ProbeSession(protocol, server.host, server.port, server.security, sessionCtx);
    sessions.push(session);
    const ctx: RunnerContext = {
      address: parsed.address,
      sharedMailbox: parsed.signInAs !== undefined && parsed.signInAs !== parsed.address,
      mechanisms: parsed.mechanisms,
      providerId: parsed.providerId,
      ca,
      getToken: () => {
        tokenRequested = true;
        return raceAbort(tokenPromise, session.signal);
      },
      tokenHints: () => tokenHints(protocol),
      sendTestMessage: parsed.sendTestMessage === true,
      stepTimeoutMs,
    };
    starts.push({
      starttls: server.security === 'starttls',
      start: () =>
        runs.push(
          runProtocol(protocol, session, server, ctx, loader).catch((error: unknown) => {
            // Runners diagnose their own failures; this is the net for a bug in one.
            session.fail('INTERNAL', { detail: redactText(error instanceof Error ? error.message : String(error), secrets) });
          }),
        ),
    });
  }
  // A STARTTLS protocol connects first: its chain is two round trips longer (the plain greeting
  // and capabilities, then STARTTLS) and decides when the whole test ends. The report keeps the
  // protocols' usual order.
  for (const s of [...starts.filter((x) => x.starttls), ...starts.filter((x) => !x.starttls)]) s.start();

  // --- cancellation and the overall deadline ------------------------------------------------
  const abortAll = (kind: 'cancel' | 'deadline'): void => {
    tokenAbort.abort();
    for (const s of sessions) s.abort({ kind });
  };
  const onCancel = (): void => abortAll('cancel');
  if (options.signal?.aborted) onCancel();
  else options.signal?.addEventListener('abort', onCancel, { once: true });
  const deadline = setTimeout(() => abortAll('deadline'), overallMs);

  try {
    await Promise.all(runs);
    if (tokenStep.status === 'running') {
      if (tokenRequested || sessions.length === 0) await tokenPromise.catch(() => undefined);
      else {
        // Every protocol stopped before sign-in: the token is not needed; stop waiting for it.
        tokenAbandoned = true;
        tokenAbort.abort();
        await tokenPromise.catch(() => undefined);
      }
    }
  } finally {
    clearTimeout(deadline);
    options.signal?.removeEventListener('abort', onCancel);
  }

  const protocols: ProtocolReport[] = sessions.map((s) => s.report());
  const report: ProbeReport = {
    address: parsed.address,
    startedAt,
    ms: now() - t0,
    ok: protocols.length > 0 && protocols.every((p) => p.ok) && tokenStep.status === 'ok',
    token: tokenStep,
    protocols,
  };
  if (parsed.accountId) report.accountId = parsed.accountId;
  return report;
}
