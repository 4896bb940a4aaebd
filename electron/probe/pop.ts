// POP3 connection test on the own client (electron/probe/pop3/):
// greeting -> CAPA -> (STLS -> TLS -> CAPA) -> AUTH <mech> (RFC 5034) -> STAT -> QUIT.
import type net from 'node:net';
import type { ServerSettings } from '../../shared/account.ts';
import { ProbeFailure } from './diagnose.ts';
import { failSession, describeTls, type RunnerContext } from './common.ts';
import { raceAbort, startTls } from './net.ts';
import { Pop3Client } from './pop3/client.ts';
import type { Pop3Status } from './pop3/reader.ts';
import { abortResponse, chooseMechanism, decodeChallenge, initialResponse, secretForms, type SaslChallenge } from './sasl.ts';
import type { ProbeSession } from './session.ts';

export async function probePop(session: ProbeSession, server: ServerSettings, ctx: RunnerContext, socket: net.Socket): Promise<void> {
  let client: Pop3Client | undefined;
  let lastText: string | undefined;
  let challenge: SaslChallenge | undefined;
  const read = async (): Promise<Pop3Status> => {
    if (!client) throw new Error('no connection');
    const s = await raceAbort(client.status(), session.signal);
    lastText = s.line;
    return s;
  };
  try {
    client = new Pop3Client(socket, (d, t) => session.line(d, t));
    const c = client;
    session.onAbort(() => c.destroy());

    session.begin('greeting');
    const greeting = await read();
    if (greeting.kind !== '+OK') throw new ProbeFailure('MALFORMED_RESPONSE', 'The server did not greet with +OK', { serverText: greeting.line });
    session.finish({ serverText: greeting.line });

    session.begin('capabilities');
    let caps = (await raceAbort(c.capa(), session.signal)).caps;
    session.finish({ detail: [...caps.keys()].join(' ') });

    if (server.security === 'starttls') {
      session.begin('starttls');
      // RFC 2595 section 4: never fall back to plaintext when STLS is missing or refused.
      if (!caps.has('STLS')) throw new ProbeFailure('STARTTLS_MISSING', 'The server does not offer STLS');
      c.send(['STLS']);
      const r = await read();
      if (r.kind !== '+OK') throw new ProbeFailure('STARTTLS_REFUSED', 'The server refused STLS', { serverText: r.line });
      // Bytes after the +OK and before the handshake would be injected plaintext (RFC 2595 section 4 / CVE-2011-0411 class).
      if (c.reader.buffered > 0) throw new ProbeFailure('MALFORMED_RESPONSE', 'Data after the STLS response');
      session.finish({ serverText: r.line });
      session.begin('tls');
      const plain: net.Socket = c.detach();
      const secure = await startTls(plain, { host: server.host, ca: ctx.ca }, session.signal, (f) => session.onAbort(f));
      session.onAbort(() => secure.destroy());
      c.attach(secure);
      session.finish({ detail: describeTls(secure) });
      session.begin('capabilities');
      caps = (await raceAbort(c.capa(), session.signal)).caps; // RFC 2595: capabilities may change after TLS
      session.finish({ detail: [...caps.keys()].join(' ') });
    }

    session.begin('authenticate');
    const sasl = caps.get('SASL');
    // Without a SASL capability line the server may still support AUTH (CAPA is optional):
    // try the preferred mechanism; with one, use only what it lists.
    const mechanism = sasl ? chooseMechanism(ctx.mechanisms, sasl) : ctx.mechanisms[0];
    if (!mechanism && server.security === 'none') {
      // Servers hide their SASL mechanisms on unencrypted connections (Dovecot: disable_plaintext_auth).
      throw new ProbeFailure('TLS_REQUIRED', 'No sign-in mechanism offered over an unencrypted connection');
    }
    if (!mechanism) {
      throw new ProbeFailure('AUTH_MECHANISM_NOT_OFFERED', `The server offers SASL ${sasl?.join(' ') ?? '(none)'}`);
    }
    session.mechanism = mechanism;
    const token = await ctx.getToken();
    const params = { user: ctx.address, token: token.token, host: server.host, port: server.port };
    session.addSecrets(secretForms(params));
    const payload = initialResponse(mechanism, params);
    // RFC 5034: the payload goes on the continuation line, not as an initial response on the
    // AUTH line (PROVIDERS.md: some servers reject the long one-line form).
    c.send([`AUTH ${mechanism}`]);
    let r = await read();
    if (r.kind === '+') {
      c.send([payload], ['<redacted>']);
      r = await read();
      if (r.kind === '+') {
        // The error challenge: decode it, end the exchange, then read the final -ERR.
        const decoded = decodeChallenge(r.text);
        if (decoded.ok) {
          challenge = decoded.challenge;
          session.line('*', `challenge: ${JSON.stringify(decoded.challenge)}`);
        }
        c.send([abortResponse(mechanism)]);
        r = await read();
        // A server that keeps sending continuations is not speaking RFC 5034: stop, do not loop.
        if (r.kind === '+') throw new ProbeFailure('MALFORMED_RESPONSE', 'Endless SASL continuations', { serverText: r.line });
      }
    }
    if (r.kind !== '+OK') {
      failSession(session, ctx, { serverText: r.line, challenge });
      return;
    }
    session.finish({ serverText: r.line });

    session.begin('command');
    // STAT and QUIT in one write when the server allows pipelining (RFC 2449 section 6.6): one
    // round trip less. Otherwise STAT alone, then QUIT.
    const pipelined = caps.has('PIPELINING');
    c.send(pipelined ? ['STAT', 'QUIT'] : ['STAT']);
    const stat = await read();
    if (stat.kind !== '+OK') {
      failSession(session, ctx, { serverText: stat.line });
      return;
    }
    session.finish({ serverText: stat.line });
    session.begin('logout');
    if (!pipelined) c.send(['QUIT']);
    const bye = await read();
    session.finish({ serverText: bye.line });
  } catch (error) {
    failSession(session, ctx, { error, serverText: lastText && session.runningStep === 'authenticate' ? lastText : undefined, challenge });
  } finally {
    client?.destroy();
  }
}
