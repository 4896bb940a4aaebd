// A scripted SMTP server that answers a refused OAuth token exactly as smtp.gmail.com does
// (recorded dialogue, issue 14; PROVIDERS.md "Google"): implicit TLS on the submissions port,
// Gmail's EHLO, then for AUTH XOAUTH2 or OAUTHBEARER with any token a 334 carrying the base64
// JSON error, and after the client's abort answer (empty line / AQ==) the two-line 535-5.7.8.
// Dovecot cannot say these words, and the real Gmail is not reachable from the bench: this is the
// one place where the bench plays a provider, and it plays only this refusal.
import { createServer, type TLSSocket } from 'node:tls';
import type { Socket } from 'node:net';

const GSMTP_ID = 'd2e1a72fcca58-7b1fa1b3a8fsm123456b3a.12';

/** Google's challenge for a token it refuses (status 401 = invalid or expired). */
export const GMAIL_CHALLENGE = { status: '401', schemes: 'Bearer', scope: 'https://mail.google.com/' };

export const GMAIL_535 = [
  '535-5.7.8 Username and Password not accepted. For more information, go to',
  `535 5.7.8  https://support.google.com/mail/?p=BadCredentials ${GSMTP_ID} - gsmtp`,
];

const EHLO = (client: string): string =>
  [
    `250-smtp.gmail.com at your service, [${client}]`,
    '250-SIZE 35882577',
    '250-8BITMIME',
    '250-AUTH LOGIN PLAIN XOAUTH2 PLAIN-CLIENTTOKEN OAUTHBEARER XOAUTH',
    '250-ENHANCEDSTATUSCODES',
    '250-PIPELINING',
    '250-CHUNKING',
    '250 SMTPUTF8',
  ].join('\r\n');

function serve(s: TLSSocket): void {
  let buf = '';
  let awaitingAbort = false;
  const write = (text: string): void => {
    if (!s.destroyed) s.write(`${text}\r\n`);
  };
  s.on('error', () => undefined);
  write(`220 smtp.gmail.com ESMTP ${GSMTP_ID} - gsmtp`);
  s.on('data', (chunk: Buffer) => {
    buf += chunk.toString('latin1');
    if (buf.length > 64 * 1024) return void s.destroy();
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i).replace(/\r$/, '');
      buf = buf.slice(i + 1);
      if (awaitingAbort) {
        // Google accepts any answer here (empty for XOAUTH2, AQ== for OAUTHBEARER) and refuses.
        awaitingAbort = false;
        write(GMAIL_535.join('\r\n'));
        continue;
      }
      const [verb = '', mech = ''] = line.split(' ');
      switch (verb.toUpperCase()) {
        case 'EHLO':
          write(EHLO((s as unknown as Socket).remoteAddress ?? '127.0.0.1'));
          break;
        case 'HELO':
          write('250 smtp.gmail.com at your service');
          break;
        case 'AUTH':
          if (mech.toUpperCase() === 'XOAUTH2' || mech.toUpperCase() === 'OAUTHBEARER') {
            awaitingAbort = true;
            write(`334 ${Buffer.from(JSON.stringify(GMAIL_CHALLENGE)).toString('base64')}`);
          } else {
            write(GMAIL_535.join('\r\n'));
          }
          break;
        case 'RSET':
        case 'NOOP':
          write(`250 2.1.5 Flushed ${GSMTP_ID} - gsmtp`);
          break;
        case 'QUIT':
          s.end(`221 2.0.0 closing connection ${GSMTP_ID} - gsmtp\r\n`);
          break;
        default:
          write(`530-5.7.0 Authentication Required. For more information, go to\r\n530 5.7.0  https://support.google.com/mail/?p=WantAuthError ${GSMTP_ID} - gsmtp`);
      }
    }
  });
}

/** Listens on 127.0.0.1, port chosen by the OS, with the bench's server certificate. */
export async function startGmailSmtp(host: string, tls: { cert: string; key: string }): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<TLSSocket>();
  const server = createServer({ cert: tls.cert, key: tls.key }, (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    serve(s);
  });
  server.on('tlsClientError', () => undefined);
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : 0);
    });
  });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
