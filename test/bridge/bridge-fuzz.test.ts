// Malformed clients against each front end (issue 12, fuzz): long lines, bad literals, binary
// garbage, SASL exchanges cut short, half-closed sockets, a TLS handshake that never comes. For
// every case: the bridge answers or hangs up (no hang: each connection ends, bounded by the
// test's wait), keeps serving (a real sign-in afterwards works, the process did not crash), and
// no connection reached the mail server before a local sign-in succeeded (counting relays).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { benchInfo } from '../bench/client.ts';
import { b64, countingRelay, plainAuth, RawClient, setUpAccount, startTestBridge, type BridgeAccount, type Running } from './helpers.ts';

const m = benchInfo().mail.main;
let a: BridgeAccount;
let b: Running;
let relays: Array<Awaited<ReturnType<typeof countingRelay>>>;

before(async () => {
  relays = await Promise.all([m.imap.tls, m.pop3.tls, m.smtp.starttls].map((l) => countingRelay(l)));
  const [ri, rp, rs] = relays.map((r) => r.port) as [number, number, number];
  a = await setUpAccount({ imap: `localhost:${ri}:tls`, pop: `localhost:${rp}:tls`, smtp: `localhost:${rs}:starttls` });
  b = await startTestBridge(a, { tls: true });
});
after(async () => {
  await b?.handle.close();
  for (const r of relays ?? []) await r.close();
});

type Case = {
  name: string;
  /** What to send after the greeting, step by step (a step waits for nothing but the previous write). */
  send: Array<string | Buffer>;
  /** Half-close the socket after sending (the bridge must notice and close), else the bridge must hang up by itself. */
  halfClose: boolean;
  /** A text the bridge must have answered before closing. */
  expect?: RegExp;
};

const binary = (): Buffer => {
  const r = randomBytes(64 * 1024);
  // some line ends inside, so part of it is parsed as commands
  for (let i = 0; i < r.length; i += 997) r[i] = 0x0a;
  return r;
};
const longLine = Buffer.alloc(200 * 1024, 0x41);
const bads = (cmd: string): string => Array.from({ length: 25 }, () => `${cmd}\r\n`).join('');

const CASES: Record<'imap' | 'pop' | 'smtp', Case[]> = {
  imap: [
    { name: 'line of 200 KiB', send: [longLine], halfClose: false, expect: /\* BYE line longer/ },
    { name: 'huge synchronizing literal', send: ['a1 LOGIN {99999999}\r\n'], halfClose: true, expect: /a1 BAD literal too large/ },
    { name: 'huge non-synchronizing literal', send: ['a1 LOGIN {99999999+}\r\n'], halfClose: false, expect: /\* BYE literal too large/ },
    { name: 'literal cut short', send: ['a1 LOGIN {10}\r\n', 'abc'], halfClose: true, expect: /\+ Ready/ },
    { name: 'literal with a bad length', send: ['a1 LOGIN {-1}\r\na2 LOGIN {1x}\r\n'], halfClose: true, expect: /a1 BAD/ },
    { name: 'unterminated quoted string', send: ['a1 LOGIN "abc\r\n'], halfClose: true, expect: /a1 BAD unterminated/ },
    { name: 'binary garbage', send: [binary()], halfClose: true },
    { name: 'many bad commands', send: [bads('x NONSENSE')], halfClose: false, expect: /\* BYE Too many bad commands/ },
    { name: 'AUTHENTICATE PLAIN with bad base64', send: ['a1 AUTHENTICATE PLAIN !!!notbase64\r\n'], halfClose: true, expect: /a1 BAD Malformed/ },
    { name: 'AUTHENTICATE LOGIN cut short', send: [`a1 AUTHENTICATE LOGIN\r\n${b64('alice@example.test')}\r\n`], halfClose: true, expect: /\+ UGFzc3dvcmQ6/ },
    { name: 'AUTHENTICATE cancelled', send: ['a1 AUTHENTICATE PLAIN\r\n*\r\n'], halfClose: true, expect: /a1 BAD Authentication cancelled/ },
    { name: 'commands before sign-in', send: ['a1 SELECT INBOX\r\na2 APPEND INBOX {5}\r\n'], halfClose: true, expect: /a1 BAD Sign in first/ },
    { name: 'STARTTLS then no handshake', send: ['a1 STARTTLS\r\n', 'not a TLS ClientHello\r\n'], halfClose: true, expect: /a1 OK Begin TLS/ },
    { name: 'STARTTLS with a command injected behind it', send: ['a1 STARTTLS\r\na2 LOGIN x y\r\n'], halfClose: true, expect: /a1 OK Begin TLS/ },
  ],
  pop: [
    { name: 'line of 200 KiB', send: [longLine], halfClose: false, expect: /-ERR Line too long/ },
    { name: 'binary garbage', send: [binary()], halfClose: true },
    { name: 'PASS without USER, AUTH junk', send: ['PASS x\r\nAUTH PLAIN ****\r\nAUTH CRAM-MD5\r\n'], halfClose: true, expect: /-ERR USER first/ },
    { name: 'AUTH LOGIN cut short', send: ['AUTH LOGIN\r\n'], halfClose: true, expect: /\+ VXNlcm5hbWU6/ },
    { name: 'many bad commands', send: [bads('RETR 1')], halfClose: false, expect: /-ERR Too many bad commands/ },
    { name: 'STLS then garbage', send: ['STLS\r\n', Buffer.from([0x16, 0x03, 0x01, 0xff, 0xff, 0, 0, 0])], halfClose: true, expect: /\+OK Begin TLS/ },
  ],
  smtp: [
    { name: 'line of 200 KiB', send: [longLine], halfClose: false, expect: /500 5\.5\.2 Line too long/ },
    { name: 'binary garbage', send: [binary()], halfClose: true },
    { name: 'mail before sign-in', send: ['EHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n'], halfClose: true, expect: /530 5\.7\.0 Authentication required/ },
    { name: 'BDAT before sign-in', send: ['EHLO x\r\nBDAT 5 LAST\r\nhello'], halfClose: false, expect: /530 5\.7\.0/ },
    { name: 'AUTH before EHLO, AUTH with junk', send: [`AUTH PLAIN ${plainAuth('a', 'b')}\r\nEHLO x\r\nAUTH PLAIN @@@\r\n`], halfClose: true, expect: /503 5\.5\.1 EHLO first[^]*501 5\.5\.2 Malformed/ },
    { name: 'AUTH LOGIN cut short', send: ['EHLO x\r\nAUTH LOGIN\r\n'], halfClose: true, expect: /334 VXNlcm5hbWU6/ },
    { name: 'many bad commands', send: [bads('WHATEVER')], halfClose: false, expect: /421 4\.7\.0 Too many bad commands/ },
    { name: 'STARTTLS then garbage', send: ['EHLO x\r\nSTARTTLS\r\n', 'garbage\r\n'], halfClose: true, expect: /220 2\.0\.0 Ready to start TLS/ },
  ],
};

const greeting: Record<'imap' | 'pop' | 'smtp', RegExp> = { imap: /^\* OK[^\r\n]*\r\n/, pop: /^\+OK[^\r\n]*\r\n/, smtp: /^220 [^\r\n]*\r\n/ };

for (const protocol of ['imap', 'pop', 'smtp'] as const) {
  test(`${protocol}: malformed clients get an answer or are hung up on, never reach the server`, async () => {
    const port = b.handle.ports[protocol] ?? 0;
    for (const c of CASES[protocol]) {
      const client = await RawClient.connect(port);
      try {
        await client.waitFor(greeting[protocol]);
        for (const part of c.send) client.send(Buffer.isBuffer(part) ? part : Buffer.from(part, 'latin1'));
        if (c.halfClose) client.socket.end();
        // Both kinds end with the bridge closing the connection: a hang fails here.
        await client.waitClosed(30_000).catch((e: unknown) => {
          throw new Error(`${protocol} / ${c.name}: ${(e as Error).message}: ${JSON.stringify(client.text.slice(-300))}`);
        });
        if (c.expect) assert.match(client.text, c.expect, `${protocol} / ${c.name}`);
      } finally {
        client.close();
      }
    }
    assert.deepEqual(relays.map((r) => r.count()), [0, 0, 0], 'no connection reached the mail server');
  });
}

test('after all that the bridge still signs clients in, and no connection is left open', async () => {
  const c = await RawClient.connect(b.handle.ports.imap ?? 0);
  try {
    await c.waitFor(greeting.imap);
    c.send(`a1 LOGIN "${a.address}" "${b.password}"`);
    await c.waitFor(/^a1 OK/m);
  } finally {
    c.close();
  }
  assert.equal(relays[0]?.count(), 1, 'exactly the one signed-in session reached the server');
  const deadline = Date.now() + 30_000;
  while (b.handle.sessions() !== 0) {
    if (Date.now() > deadline) throw new Error(`${b.handle.sessions()} connections still open`);
    await new Promise((r) => setTimeout(r, 20));
  }
});
