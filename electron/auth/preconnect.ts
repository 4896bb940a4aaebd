// Connections opened ahead of an HTTPS request (the identity provider's token endpoint, for
// `mail-oauth test --account`): kept here, apart from http.ts, because loading node:http/https
// from ESM evaluates their lazy exports, undici among them, 20-30 ms of CPU that the early part of
// a CLI start must not pay (issue 10). http.ts takes the connections (takeWarm).
import { isIP } from 'node:net';
import tls from 'node:tls';
import { secureContextWithExtraCa } from '../core/trust.ts';

/** Extra trusted CA certificate(s), PEM (http.ts HttpOptions['ca']), as a list. */
export const caList = (ca: string | readonly string[] | undefined): string[] => (ca === undefined ? [] : typeof ca === 'string' ? [ca] : [...ca]);

/**
 * Connections opened ahead of the first request (`preconnect`), by host, port and the extra CAs
 * they trust: a client with the same trust takes one instead of connecting (http.ts).
 */
const warm = new Map<string, tls.TLSSocket>();
const warmKey = (host: string, port: number, extra: readonly string[]): string => JSON.stringify([host.toLowerCase(), port, extra]);
/** An unused early connection is closed after this (the server would close it soon anyway). */
const WARM_IDLE_MS = 10_000;

/**
 * Open the TCP and TLS connection to `url`'s server now, for a request that will come once code
 * still loading is ready (`mail-oauth test --account`: the token refresh waits for the store, the
 * key and openid-client or MSAL, while the connection's two round trips can already run). The
 * connection trusts what a client created with the same `ca` trusts, checks the certificate the
 * same way, and is taken by the first such client's first request to that host and port; a
 * failure here is forgotten (that request connects anew and meets the error itself). It never
 * keeps the process alive and closes itself unused after a few seconds. The promise resolves once
 * the host name is looked up (at once for an address; 15 ms at most): the connection is then
 * on its way even if the caller blocks the event loop next.
 */
export function preconnect(url: string, options: { ca?: string | readonly string[] } = {}): Promise<void> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.resolve();
  }
  if (target.protocol !== 'https:') return Promise.resolve();
  const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(target.port || 443);
  const extra = caList(options.ca);
  const key = warmKey(host, port, extra);
  if (warm.has(key)) return Promise.resolve();
  const socket = tls.connect({
    host,
    port,
    ...(isIP(host) ? {} : { servername: host }),
    ...(extra.length === 0 ? {} : { secureContext: secureContextWithExtraCa(extra) }),
  });
  const forget = (): void => {
    if (warm.get(key) === socket) warm.delete(key);
  };
  socket.on('error', () => {
    forget();
    socket.destroy();
  });
  socket.on('close', forget);
  socket.setTimeout(WARM_IDLE_MS, () => {
    forget();
    socket.destroy();
  });
  socket.unref();
  warm.set(key, socket);
  if (isIP(host)) return Promise.resolve();
  // The address lookup answers on the event loop: a caller about to block it (loading code)
  // should let the connection leave first, or the TCP handshake starts only after the loading.
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(cap);
      resolve();
    };
    const cap = setTimeout(done, LOOKUP_WAIT_MS);
    socket.once('lookup', done).once('error', done).once('close', done);
  });
}

/** How long preconnect()'s promise waits for the address lookup at most: past it, a slow
 * resolver is not waited for (the caller goes on; the connection still opens, later). */
const LOOKUP_WAIT_MS = 15;

export function takeWarm(host: string, port: number, extra: readonly string[]): tls.TLSSocket | undefined {
  const key = warmKey(host, port, extra);
  const socket = warm.get(key);
  if (!socket) return undefined;
  warm.delete(key);
  if (socket.destroyed) return undefined;
  socket.setTimeout(0);
  socket.removeAllListeners('timeout');
  socket.ref();
  return socket;
}
