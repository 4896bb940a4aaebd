// Connections opened ahead of an HTTPS request (the identity provider's token endpoint, for
// `mail-oauth token` and `test --account`): kept here, apart from http.ts, because loading
// node:http/https from ESM evaluates their lazy exports, undici among them, 20-30 ms of CPU that
// the early part of a CLI start must not pay (issue 10). http.ts takes the connections (takeWarm).
// node:tls and the secure context load only once the TCP connection is on its way
// (preconnect-tls.ts).
import net from 'node:net';
import type tls from 'node:tls';
import type { TlsOver } from './preconnect-tls.ts';

/** Extra trusted CA certificate(s), PEM (http.ts HttpOptions['ca']), as a list. */
export const caList = (ca: string | readonly string[] | undefined): string[] => (ca === undefined ? [] : typeof ca === 'string' ? [ca] : [...ca]);

/** One early connection: its TLS socket once the TCP connection is up, and the requests waiting
 * for it until then (each gets the socket, or undefined when the connection failed). */
type Early = { tcp: net.Socket; socket?: tls.TLSSocket; waiting: Array<(socket: tls.TLSSocket | undefined) => void> };

/**
 * Connections opened ahead of the first request (`preconnect`), by host, port and the extra CAs
 * they trust: a client with the same trust takes one instead of connecting (http.ts).
 */
const warm = new Map<string, Early>();
const warmKey = (host: string, port: number, extra: readonly string[]): string => JSON.stringify([host.toLowerCase(), port, extra]);
/** An unused early connection is closed after this (the server would close it soon anyway). */
const WARM_IDLE_MS = 10_000;

/**
 * Open the TCP and TLS connection to `url`'s server now, for a request that will come once code
 * still loading is ready (`mail-oauth token` with a token to refresh, `test --account`: the
 * refresh waits for the store, the key and openid-client or MSAL, while the connection's two round
 * trips can already run). The connection trusts what a client created with the same `ca` trusts,
 * checks the certificate the same way, and is taken by the first such client's first request to
 * that host and port, even while it is still connecting; a failure here is forgotten (that request
 * connects anew and meets the error itself). It never keeps the process alive and closes itself
 * unused after a few seconds.
 *
 * In order: the address lookup; the SYN; node:tls and the secure context (OpenSSL's first in the
 * process: 10-25 ms of CPU), loaded while the TCP handshake's round trip runs; TLS, started on the
 * connected socket (its final TCP handle: with several addresses, Node tries them one after the
 * other, each on a new handle). The promise resolves once the SYN is out (15 ms at most): the
 * connection is then on its way even if the caller blocks the event loop next.
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
  const tcp = net.connect({ host, port });
  const early: Early = { tcp, waiting: [] };
  warm.set(key, early);
  const hand = (socket: tls.TLSSocket | undefined): void => {
    for (const take of early.waiting.splice(0)) take(socket);
  };
  const forget = (): void => {
    if (warm.get(key) === early) warm.delete(key);
  };
  // Until TLS takes it over, a failure (refused, unreachable, a failed lookup) ends it: a request
  // waiting for it connects on its own and meets the error itself.
  const fail = (): void => {
    forget();
    tcp.destroy();
    hand(undefined);
  };
  tcp.on('error', fail);
  tcp.setTimeout(WARM_IDLE_MS, fail);
  tcp.unref();
  // Loaded once the SYN is out, so that its CPU time overlaps the TCP handshake's round trip.
  let tlsOver: Promise<TlsOver> | undefined;
  const prepare = (): Promise<TlsOver> => (tlsOver ??= import('./preconnect-tls.ts').then((m) => m.tlsOver(host, extra)));
  tcp.once('connect', () => {
    void prepare().then((over) => {
      if (tcp.destroyed) return;
      const socket = over(tcp);
      // The TCP socket's own failures (a reset) are still reported on it: the TLS socket ends
      // with the same error, for the request that took it.
      tcp.off('error', fail);
      tcp.on('error', (error) => socket.destroy(error));
      socket.on('error', () => {
        forget();
        socket.destroy();
      });
      socket.on('close', forget);
      socket.unref();
      early.socket = socket;
      hand(socket);
    }, fail);
  });
  return new Promise((resolve) => {
    const cap = setTimeout(resolve, LOOKUP_WAIT_MS);
    const done = (): void => {
      clearTimeout(cap);
      resolve();
    };
    // For an address the SYN leaves on the next tick, for a host name once the lookup answers
    // (the 'lookup' event comes just before it leaves, in the same callback: TLS loads after).
    const sent = (): void => {
      done();
      void prepare().catch(fail);
    };
    if (net.isIP(host)) process.nextTick(sent);
    else tcp.once('lookup', (error: Error | null) => (error ? done() : sent())).once('close', done);
  });
}

/** How long preconnect()'s promise waits for the address lookup at most: past it, a slow
 * resolver is not waited for (the caller goes on; the connection still opens, later). */
const LOOKUP_WAIT_MS = 15;

/**
 * The early connection to `host`:`port` with exactly this trust, taken (no one else gets it): the
 * TLS socket when it is up; a promise of it while it is still connecting (undefined if that
 * fails); undefined when there is none.
 */
export function takeWarm(host: string, port: number, extra: readonly string[]): tls.TLSSocket | Promise<tls.TLSSocket | undefined> | undefined {
  const key = warmKey(host, port, extra);
  const early = warm.get(key);
  if (!early) return undefined;
  warm.delete(key);
  const taken = (socket: tls.TLSSocket | undefined): tls.TLSSocket | undefined => {
    if (!socket || socket.destroyed) return undefined;
    early.tcp.setTimeout(0);
    early.tcp.ref();
    socket.ref();
    return socket;
  };
  if (early.socket) return taken(early.socket);
  // Still connecting: the request's own time limit applies from now on, and the connection keeps
  // the process alive as any the request opened would.
  early.tcp.setTimeout(0);
  early.tcp.ref();
  return new Promise((resolve) => early.waiting.push((socket) => resolve(taken(socket))));
}
