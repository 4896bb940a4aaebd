// The first three steps of every protocol, done by the engine itself so that each is measured on
// its own (imapflow and nodemailer fold resolve+connect+TLS into one call): DNS lookup, TCP
// connect, TLS handshake. The connected socket is then handed to the protocol client
// (imapflow `transport`, nodemailer `connection`, the own POP3 client).
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import tls from 'node:tls';
import { raceAbort as raceAbortWith } from '../core/abort.ts';
import { secureContextWithExtraCa } from '../core/trust.ts';

/** The extra CA to trust besides Node's default trust (bundled roots + NODE_EXTRA_CA_CERTS); one
 * list per CA text, so that one TLS context serves every connection that trusts it. */
export function trustedCAs(extraCa?: string | Buffer): string[] | undefined {
  if (extraCa === undefined) return undefined;
  const key = extraCa.toString();
  let list = caLists.get(key);
  if (!list) {
    list = [key];
    if (caLists.size >= 8) caLists.clear();
    caLists.set(key, list);
  }
  return list;
}

// Building a TLS context is not free (electron/core/trust.ts): doing it per connection cost most
// of the client's CPU when many accounts are tested at once. One context per trust list.
const caLists = new Map<string, string[]>();
const contexts = new WeakMap<string[], tls.SecureContext>();

function secureContextFor(ca: string[]): tls.SecureContext {
  let ctx = contexts.get(ca);
  if (!ctx) {
    ctx = secureContextWithExtraCa(ca);
    contexts.set(ca, ctx);
  }
  return ctx;
}

/** SNI must not carry an IP address (RFC 6066 section 3). */
export const sniName = (host: string): string | undefined => (net.isIP(host) ? undefined : host);

function abortError(signal: AbortSignal): Error {
  const e = new Error('The operation was aborted', { cause: signal.reason });
  e.name = 'AbortError';
  return e;
}

/** Rejects as soon as the signal aborts; the caller's cleanup closes what is open. */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return raceAbortWith(promise, signal, () => abortError(signal));
}

export type Resolved = { address: string; family: number; viaDns: boolean };

export async function resolveHost(host: string, signal: AbortSignal): Promise<Resolved> {
  const family = net.isIP(host);
  if (family !== 0) return { address: host, family, viaDns: false };
  // dns.lookup (getaddrinfo) as the OS resolves names, /etc/hosts included; it has no
  // AbortSignal, so the race stops waiting for it (the lookup itself finishes in the thread pool).
  const r = await raceAbort(lookup(host), signal);
  return { address: r.address, family: r.family, viaDns: true };
}

export function connectTcp(
  address: string,
  port: number,
  signal: AbortSignal,
  register: (close: () => void) => () => void,
): Promise<net.Socket> {
  return new Promise<net.Socket>((resolve, reject) => {
    const socket = net.connect({ host: address, port });
    socket.setNoDelay(true);
    const unregister = register(() => socket.destroy());
    const cleanup = (): void => {
      socket.removeListener('error', onError);
      socket.removeListener('connect', onConnect);
      signal.removeEventListener('abort', onAbort);
    };
    const onError = (e: Error): void => {
      cleanup();
      unregister();
      socket.destroy();
      reject(e);
    };
    const onConnect = (): void => {
      cleanup();
      unregister();
      resolve(socket);
    };
    const onAbort = (): void => {
      cleanup();
      unregister();
      socket.destroy();
      reject(abortError(signal));
    };
    if (signal.aborted) return onAbort();
    socket.once('error', onError);
    socket.once('connect', onConnect);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export type TlsParams = { host: string; ca?: string[] | undefined };

/** TLS options for a host: verification on, SNI, hostname check against the configured name. */
export function tlsOptions(p: TlsParams): tls.ConnectionOptions {
  const o: tls.ConnectionOptions = { rejectUnauthorized: true, host: p.host };
  const sni = sniName(p.host);
  if (sni) o.servername = sni;
  if (p.ca) o.secureContext = secureContextFor(p.ca);
  return o;
}

/** TLS handshake on a connected socket (implicit TLS, or after STARTTLS's positive answer). */
export function startTls(
  socket: net.Socket,
  p: TlsParams,
  signal: AbortSignal,
  register: (close: () => void) => () => void,
): Promise<tls.TLSSocket> {
  return new Promise<tls.TLSSocket>((resolve, reject) => {
    let secure: tls.TLSSocket;
    try {
      secure = tls.connect({ ...tlsOptions(p), socket });
    } catch (e) {
      reject(e);
      return;
    }
    const unregister = register(() => {
      secure.destroy();
      socket.destroy();
    });
    const cleanup = (): void => {
      secure.removeListener('error', onError);
      secure.removeListener('secureConnect', onSecure);
      signal.removeEventListener('abort', onAbort);
    };
    const onError = (e: Error): void => {
      cleanup();
      unregister();
      secure.destroy();
      socket.destroy();
      reject(e);
    };
    const onSecure = (): void => {
      cleanup();
      unregister();
      resolve(secure);
    };
    const onAbort = (): void => {
      cleanup();
      unregister();
      secure.destroy();
      socket.destroy();
      reject(abortError(signal));
    };
    if (signal.aborted) return onAbort();
    secure.once('error', onError);
    secure.once('secureConnect', onSecure);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
