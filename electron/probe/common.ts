// What the three protocol runners share: the context they get from runProbe, opening the
// transport (resolve -> connect -> tls) and turning a failure into a diagnosed step.
import type net from 'node:net';
import type { AccessToken } from '../core/ports.ts';
import type { SaslMechanism } from '../../shared/providers.ts';
import type { ServerSettings } from '../../shared/account.ts';
import { diagnose, ProbeFailure, type TokenHints } from './diagnose.ts';
import type { SaslChallenge } from './sasl.ts';
import { connectTcp, resolveHost, startTls } from './net.ts';
import type { ProbeSession } from './session.ts';

export type RunnerContext = {
  /** The SASL user: the mailbox address. */
  address: string;
  /** Someone else's (a delegate's) token opens this mailbox: Exchange's refusals mean other things. */
  sharedMailbox?: boolean;
  mechanisms: readonly SaslMechanism[];
  providerId?: string | undefined;
  /** Trusted CAs when an extra CA was given; undefined = Node's defaults. */
  ca?: string[] | undefined;
  /** Awaits the token started at the beginning of the run (shared by all protocols). */
  getToken(): Promise<AccessToken>;
  tokenHints(): TokenHints;
  sendTestMessage: boolean;
  stepTimeoutMs: number;
};

/** resolve -> connect -> tls (implicit TLS only). The socket is closed when the session aborts. */
/** A protocol's test on a connected socket (TLS-secured for implicit TLS): imap.ts, pop.ts, smtp.ts. */
export type ProtocolRunner = (session: ProbeSession, server: ServerSettings, ctx: RunnerContext, socket: net.Socket) => Promise<void>;

/** Resolve, connect and (implicit TLS) secure; `connecting` is called once the TCP connection
 * attempt is on its way, so that work done then overlaps the round trips. */
export async function openTransport(session: ProbeSession, server: ServerSettings, ctx: RunnerContext, connecting?: () => void): Promise<net.Socket> {
  const register = (close: () => void): (() => void) => session.onAbort(close);
  session.begin('resolve');
  const resolved = await resolveHost(server.host, session.signal);
  session.finish({ detail: resolved.viaDns ? `${server.host} -> ${resolved.address}` : resolved.address });
  session.begin('connect');
  const attempt = connectTcp(resolved.address, server.port, session.signal, register);
  connecting?.();
  const socket = await attempt;
  session.onAbort(() => socket.destroy());
  session.line('*', `connected to ${resolved.address}:${server.port}`);
  if (server.security !== 'tls') return socket;
  session.begin('tls');
  const secure = await startTls(socket, { host: server.host, ca: ctx.ca }, session.signal, register);
  session.onAbort(() => secure.destroy());
  session.finish({ detail: describeTls(secure) });
  return secure;
}

export function describeTls(s: net.Socket): string {
  const t = s as net.Socket & { getProtocol?: () => string | null; getCipher?: () => { name: string } };
  const proto = typeof t.getProtocol === 'function' ? t.getProtocol() : null;
  const cipher = typeof t.getCipher === 'function' ? t.getCipher()?.name : undefined;
  return [proto, cipher].filter(Boolean).join(' ');
}

/** A secret-free one-line summary of an error (the transcript-level redaction still applies). */
export function errorSummary(error: unknown): string | undefined {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return error === undefined ? undefined : String(error);
}

/** Fail the running step with the diagnosis of what happened (abort causes first). */
export function failSession(
  session: ProbeSession,
  ctx: RunnerContext,
  failure: { error?: unknown; serverText?: string | undefined; challenge?: SaslChallenge | undefined },
): void {
  const step = session.runningStep ?? 'connect';
  const cause = session.abortCause;
  const serverText = failure.serverText ?? (failure.error instanceof ProbeFailure ? failure.error.serverText : undefined);
  let code;
  if (cause?.kind === 'cancel') code = 'CANCELLED' as const;
  else if (cause) code = diagnose({ protocol: session.protocol, step: cause.kind === 'step-timeout' ? cause.step : step, timedOut: true });
  else
    code = diagnose({
      protocol: session.protocol,
      step,
      error: failure.error,
      serverText,
      challenge: failure.challenge,
      providerId: ctx.providerId,
      token: step === 'authenticate' ? ctx.tokenHints() : undefined,
      sharedMailbox: ctx.sharedMailbox === true,
    });
  const extra: { serverText?: string; detail?: string } = {};
  if (serverText) extra.serverText = serverText;
  const detail =
    cause?.kind === 'step-timeout'
      ? `no answer within ${ctx.stepTimeoutMs} ms`
      : cause?.kind === 'deadline'
        ? 'the overall time limit was reached'
        : errorSummary(failure.error);
  if (detail) extra.detail = detail;
  session.fail(code, extra);
}
