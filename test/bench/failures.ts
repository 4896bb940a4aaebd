// In-process failure servers: a TCP listener that never greets (plain and after a TLS handshake),
// broken IMAP/POP3/SMTP servers, a port with nothing on it, and the switchable TCP proxy in front
// of the identity provider that the "IdP unavailable" Dovecot instance introspects through.
import { createServer as createNetServer, connect, type Server as NetServer, type Socket } from 'node:net';
import { createSecureContext, createServer as createTlsServer, TLSSocket, type SecureContext } from 'node:tls';
import type { Duplex } from 'node:stream';
import type { MalformedListener, MalformedMode, Protocol } from './types.ts';

type Closable = { close(): Promise<void> };

/** Tracks sockets so close() does not wait for clients that keep a dead server open. */
function tracked(server: NetServer): Closable & { drop(): void } {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  });
  return {
    drop: () => {
      for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        if (!server.listening) return resolve();
        server.close(() => resolve());
      }),
  };
}

/** Listens (port 0 = the OS picks) and returns the port actually bound. */
function listen(server: NetServer, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}

// ---------------------------------------------------------------- silent listeners

export async function startSilent(host: string, tls?: { cert: string; key: string }): Promise<Closable & { port: number }> {
  // Accepts and holds every connection; with `tls` the handshake completes first.
  const server = tls
    ? createTlsServer({ cert: tls.cert, key: tls.key }, (s) => s.on('error', () => undefined))
    : createNetServer((s) => s.on('error', () => undefined));
  if (tls) server.on('tlsClientError', () => undefined);
  const c = tracked(server);
  const port = await listen(server, host, 0);
  return { port, close: c.close };
}

// ---------------------------------------------------------------- IdP proxy

/** up: pipe to the IdP; down: the IdP answers 503 at once; refused: nothing listens. */
export type IdpState = 'up' | 'down' | 'refused';

export type IdpProxy = Closable & {
  port: number;
  state(): IdpState;
  set(state: IdpState): Promise<void>;
};

const UNAVAILABLE_BODY = '{"error":"temporarily_unavailable","error_description":"MOA bench: IdP switched off"}';

/**
 * What the "IdP unavailable" Dovecot introspects through. "up" pipes TCP to the IdP (TLS passes
 * through). "down" terminates TLS itself (same certificate as the IdP) and answers every request
 * 503: Dovecot fails at once. "refused" closes the listener, like a stopped IdP; Dovecot's HTTP
 * client then backs off and each login waits for its introspection timeout.
 */
export async function startIdpProxy(
  host: string,
  initialPort: number,
  target: { host: string; port: number },
  tls: { cert: string; key: string },
  initial: IdpState,
): Promise<IdpProxy> {
  const ctx = createSecureContext({ cert: tls.cert, key: tls.key });
  let port = initialPort;
  let state: IdpState = initial;
  let server: NetServer | undefined;
  let closer: (Closable & { drop(): void }) | undefined;
  const pipe = (client: Socket): void => {
    const upstream = connect({ host: target.host, port: target.port });
    upstream.setTimeout(10_000, () => upstream.destroy());
    client.pipe(upstream).pipe(client);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  };
  const unavailable = (client: Socket): void => {
    const t = new TLSSocket(client, { isServer: true, secureContext: ctx });
    t.on('error', () => client.destroy());
    let buf = '';
    t.on('data', (c: Buffer) => {
      buf += c.toString('latin1');
      // Answer once the request head is in (the body, if any, does not matter).
      if (!buf.includes('\r\n\r\n')) return;
      t.end(
        `HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${UNAVAILABLE_BODY.length}\r\nConnection: close\r\n\r\n${UNAVAILABLE_BODY}`,
      );
    });
  };
  const open = async (): Promise<void> => {
    const srv = createNetServer((client) => (state === 'up' ? pipe(client) : unavailable(client)));
    closer = tracked(srv);
    // The first listen picks the port; later ones re-bind the same one (Dovecot's config has it).
    port = await listen(srv, host, port);
    server = srv;
  };
  const shut = async (): Promise<void> => {
    const c = closer;
    server = undefined;
    closer = undefined;
    if (c) await c.close();
  };
  await open();
  const set = async (next: IdpState): Promise<void> => {
    // Dovecot keeps its introspection connection alive: cut it, or it would still reach the
    // IdP through the old pipe (or keep getting 503s after "up").
    if (next !== state) closer?.drop();
    state = next;
    if (next === 'refused') await shut();
    else if (!server) await open();
  };
  await set(initial);
  return { port, state: () => state, set, close: shut };
}

// ---------------------------------------------------------------- malformed servers

const GREETING: Record<Protocol, string> = {
  imap: '* OK MOA bench broken IMAP server ready.\r\n',
  pop3: '+OK MOA bench broken POP3 server ready.\r\n',
  smtp: '220 localhost ESMTP MOA bench broken SMTP server ready\r\n',
};
const BOGUS_B64 = '%%% this is not base64 %%%';
const MAX_LINE = 64 * 1024;
const MAX_CONTINUATIONS = 50;
const OVERSIZE_BYTES = 8 * 1024 * 1024;

type Session = {
  write(s: string | Buffer): void;
  end(s?: string): void;
  startTls(): void;
  tlsActive: boolean;
  offerStartTls: boolean;
};

function capability(protocol: Protocol, s: Session): string {
  const starttls = s.offerStartTls && !s.tlsActive;
  switch (protocol) {
    case 'imap':
      return `* CAPABILITY IMAP4rev1 ID SASL-IR AUTH=XOAUTH2 AUTH=OAUTHBEARER${starttls ? ' STARTTLS' : ''}\r\n`;
    case 'pop3':
      return `+OK Capability list follows\r\nUSER\r\nSASL XOAUTH2 OAUTHBEARER\r\n${starttls ? 'STLS\r\n' : ''}.\r\n`;
    case 'smtp':
      return `250-localhost\r\n250-AUTH XOAUTH2 OAUTHBEARER\r\n${starttls ? '250-STARTTLS\r\n' : ''}250 8BITMIME\r\n`;
  }
}

const BOGUS_CAPABILITY: Record<Protocol, (tag: string) => string> = {
  // No IMAP4rev1, unbalanced brackets, a control byte: a parser must not accept this silently.
  imap: (tag) => `* CAPABILITY ((( AUTH= ]]] \x01 "unterminated\r\n${tag} OK CAPABILITY completed\r\n`,
  // Neither +OK nor -ERR.
  pop3: () => '*** this is not a POP3 response ***\r\n',
  // A reply line without a valid code in the middle of a multiline 250.
  smtp: () => '250-localhost\r\n!!! bogus capability line !!!\r\n250 OK\r\n',
};

const TRUNCATED: Record<Protocol, string> = {
  imap: '* CAPABILITY IMAP4rev1 AUTH=XOA',
  pop3: '+OK Capability list follows\r\nSASL XOA',
  smtp: '250-localhost\r\n250-AUTH XOA',
};

/** One protocol exchange: the answer to `line`, given the mode. Returns false to stop reading. */
function handleLine(protocol: Protocol, mode: MalformedMode, s: Session, line: string, state: { continuations: number; inAuth: boolean; commands: number }): void {
  state.commands += 1;
  if (mode === 'truncated' && state.commands === 1) {
    // Mid-line, then FIN: the client sees EOF inside a response.
    s.end(TRUNCATED[protocol]);
    return;
  }
  if (state.inAuth) {
    // Any client response (data, "*", "=", empty line, AQ==) gets yet another bogus continuation.
    state.continuations += 1;
    if (state.continuations > MAX_CONTINUATIONS) return s.end();
    s.write(protocol === 'smtp' ? `334 ${BOGUS_B64}\r\n` : `+ ${BOGUS_B64}\r\n`);
    return;
  }
  let tag = '';
  let rest = line;
  if (protocol === 'imap') {
    const sp = line.indexOf(' ');
    tag = sp > 0 ? line.slice(0, sp) : line;
    rest = sp > 0 ? line.slice(sp + 1) : '';
  }
  const [cmdRaw = ''] = rest.split(' ');
  const cmd = cmdRaw.toUpperCase();
  const bogusAuth = (): void => {
    state.inAuth = true;
    state.continuations = 1;
    s.write(protocol === 'smtp' ? `334 ${BOGUS_B64}\r\n` : `+ ${BOGUS_B64}\r\n`);
  };
  switch (protocol) {
    case 'imap':
      if (cmd === 'CAPABILITY') {
        return s.write(mode === 'bogus-capability' ? BOGUS_CAPABILITY.imap(tag) : `${capability('imap', s)}${tag} OK CAPABILITY completed\r\n`);
      }
      if (cmd === 'ID') return s.write(`* ID ("name" "broken")\r\n${tag} OK ID completed\r\n`);
      if (cmd === 'NOOP') return s.write(`${tag} OK NOOP completed\r\n`);
      if (cmd === 'STARTTLS' && mode === 'starttls-refused') return s.write(`${tag} NO STARTTLS failed: TLS is not available right now.\r\n`);
      if (cmd === 'STARTTLS' && s.offerStartTls && !s.tlsActive) {
        s.write(`${tag} OK Begin TLS negotiation now.\r\n`);
        return s.startTls();
      }
      if (cmd === 'AUTHENTICATE') {
        if (mode === 'bogus-continuation') return bogusAuth();
        return s.write(`${tag} NO [AUTHENTICATIONFAILED] Authentication failed.\r\n`);
      }
      if (cmd === 'LOGIN') return s.write(`${tag} NO [AUTHENTICATIONFAILED] Authentication failed.\r\n`);
      if (cmd === 'LOGOUT') return s.end(`* BYE Logging out\r\n${tag} OK Logout completed.\r\n`);
      return s.write(`${tag} BAD Error in IMAP command received by server.\r\n`);
    case 'pop3':
      if (cmd === 'CAPA') return s.write(mode === 'bogus-capability' ? BOGUS_CAPABILITY.pop3('') : capability('pop3', s));
      if (cmd === 'STLS' && mode === 'starttls-refused') return s.write('-ERR TLS is not available right now.\r\n');
      if (cmd === 'STLS' && s.offerStartTls && !s.tlsActive) {
        s.write('+OK Begin TLS negotiation now.\r\n');
        return s.startTls();
      }
      if (cmd === 'AUTH') {
        if (mode === 'bogus-continuation') return bogusAuth();
        return s.write('-ERR [AUTH] Authentication failed.\r\n');
      }
      if (cmd === 'NOOP') return s.write('+OK\r\n');
      if (cmd === 'QUIT') return s.end('+OK Logging out.\r\n');
      return s.write('-ERR Unknown command.\r\n');
    case 'smtp':
      if (cmd === 'EHLO') return s.write(mode === 'bogus-capability' ? BOGUS_CAPABILITY.smtp('') : capability('smtp', s));
      if (cmd === 'HELO') return s.write('250 localhost\r\n');
      if (cmd === 'STARTTLS' && mode === 'starttls-refused') return s.write('454 4.7.0 TLS not available due to local problem\r\n');
      if (cmd === 'STARTTLS' && s.offerStartTls && !s.tlsActive) {
        s.write('220 2.0.0 Ready to start TLS\r\n');
        return s.startTls();
      }
      if (cmd === 'AUTH') {
        if (mode === 'bogus-continuation') return bogusAuth();
        return s.write('535 5.7.8 Authentication failed.\r\n');
      }
      if (cmd === 'NOOP' || cmd === 'RSET') return s.write('250 2.0.0 OK\r\n');
      if (cmd === 'QUIT') return s.end('221 2.0.0 Bye\r\n');
      return s.write('502 5.5.2 Unknown command\r\n');
  }
}

function serveMalformed(raw: Socket | TLSSocket, protocol: Protocol, mode: MalformedMode, startTlsContext: SecureContext | undefined): void {
  let stream: Duplex = raw;
  let buf = '';
  const state = { continuations: 0, inAuth: false, commands: 0 };
  const session: Session = {
    tlsActive: raw instanceof TLSSocket,
    offerStartTls: startTlsContext !== undefined,
    write: (d) => {
      if (!stream.destroyed) stream.write(d);
    },
    end: (d) => {
      if (!stream.destroyed) stream.end(d);
    },
    startTls: () => {
      if (!startTlsContext) return;
      stream.removeListener('data', onData);
      buf = '';
      const tls = new TLSSocket(raw as Socket, { isServer: true, secureContext: startTlsContext });
      tls.on('error', () => raw.destroy());
      stream = tls;
      session.tlsActive = true;
      tls.on('data', onData);
    },
  };
  function onData(chunk: Buffer): void {
    if (mode === 'garbage-greeting' || mode === 'oversize-line') return; // never parses anything
    buf += chunk.toString('latin1');
    if (buf.length > MAX_LINE) return void stream.destroy();
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i).replace(/\r$/, '');
      buf = buf.slice(i + 1);
      const before = stream;
      handleLine(protocol, mode, session, line, state);
      if (stream !== before) return; // upgraded to TLS: the rest arrives on the new stream
    }
  }
  raw.on('error', () => undefined);
  raw.on('data', onData);
  if (mode === 'garbage-greeting') {
    // Bytes from no mail protocol (an HTTP error and binary noise); the connection stays open.
    session.write(Buffer.concat([Buffer.from('HTTP/1.1 400 Bad Request\r\n'), Buffer.from([0, 1, 2, 0xff, 0xfe, 0x1b]), Buffer.from('\r\n')]));
    return;
  }
  if (mode === 'oversize-line') {
    // 8 MiB on one line, then CRLF: a client without a line-length cap buffers all of it.
    const prefix = protocol === 'imap' ? '* OK ' : protocol === 'pop3' ? '+OK ' : '220 ';
    session.write(prefix);
    const chunk = Buffer.alloc(64 * 1024, 'A');
    let sent = 0;
    const pump = (): void => {
      while (sent < OVERSIZE_BYTES) {
        sent += chunk.length;
        if (stream.destroyed) return;
        if (!stream.write(chunk)) {
          stream.once('drain', pump);
          return;
        }
      }
      session.write('\r\n');
    };
    pump();
    return;
  }
  session.write(GREETING[protocol]);
}

export type MalformedSet = Closable & { listeners: MalformedListener[] };

export async function startMalformed(host: string, tls: { cert: string; key: string }): Promise<MalformedSet> {
  const ctx = createSecureContext({ cert: tls.cert, key: tls.key });
  const listeners: MalformedListener[] = [];
  const closers: Closable[] = [];
  const modes: MalformedMode[] = ['garbage-greeting', 'truncated', 'oversize-line', 'bogus-capability', 'bogus-continuation', 'starttls-refused'];
  const protocols: Protocol[] = ['imap', 'pop3', 'smtp'];
  await Promise.all(
    protocols.flatMap((protocol) =>
      modes.flatMap((mode) =>
        (['tls', 'starttls'] as const).map(async (security) => {
          const server =
            security === 'tls'
              ? createTlsServer({ cert: tls.cert, key: tls.key }, (s) => serveMalformed(s, protocol, mode, undefined))
              : createNetServer((s) => serveMalformed(s, protocol, mode, ctx));
          server.on('tlsClientError', () => undefined);
          closers.push(tracked(server));
          const port = await listen(server, host, 0);
          listeners.push({ protocol, mode, security, host, port });
        }),
      ),
    ),
  );
  listeners.sort((a, b) => `${a.protocol}${a.mode}${a.security}`.localeCompare(`${b.protocol}${b.mode}${b.security}`));
  return { listeners, close: async () => void (await Promise.all(closers.map((c) => c.close()))) };
}
