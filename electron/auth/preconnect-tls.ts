// The TLS half of an early connection (preconnect.ts): loaded, with node:tls, only once the
// connection's address lookup is under way.
import type { Socket } from 'node:net';
import { isIP } from 'node:net';
import tls from 'node:tls';
import { secureContextWithExtraCa } from '../core/trust.ts';

/** Starts TLS on a connected TCP socket. */
export type TlsOver = (tcp: Socket) => tls.TLSSocket;

/**
 * A TLS client for `host`, trusting the default roots and `extra` and checking the certificate as
 * tls.connect() to that host would. The secure context is built now (the costly part, the default
 * one too); TLS starts when the returned function is given the connected socket.
 */
export function tlsOver(host: string, extra: readonly string[]): TlsOver {
  const secureContext = extra.length === 0 ? tls.createSecureContext() : secureContextWithExtraCa(extra);
  return (tcp) =>
    tls.connect({
      socket: tcp,
      host,
      ...(isIP(host) ? {} : { servername: host }),
      secureContext,
    });
}
