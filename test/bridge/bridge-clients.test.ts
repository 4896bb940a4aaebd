// Clients that only know a password, through the bridge to the bench's Dovecot (issue 12): curl
// for IMAP (AUTHENTICATE PLAIN and LOGIN), POP3 (AUTH PLAIN) and SMTP (AUTH PLAIN and LOGIN), and
// a raw socket for what curl 7.88 cannot be told to use while SASL is offered (the IMAP LOGIN
// command, with quoted strings and a literal; POP3 USER/PASS). A message is sent (it reaches the
// server's relay sink), appended, listed and retrieved, all through the bridge. Appended messages
// go to a folder of the test's own, deleted afterwards: other test files count the seeded
// messages of alice's INBOX meanwhile (so POP3, which sees only INBOX, retrieves seeded ones).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchInfo, waitForSinkMessage } from '../bench/client.ts';
import { exec, plainAuth, RawClient, setUpAccount, startTestBridge, type BridgeAccount, type Running } from './helpers.ts';

let a: BridgeAccount;
let b: Running;

before(async () => {
  // IMAP and SMTP with STARTTLS upstream, POP3 with implicit TLS (the other tests use the reverse).
  const m = benchInfo().mail.main;
  a = await setUpAccount({ imap: `localhost:${m.imap.starttls.port}:starttls`, pop: `localhost:${m.pop3.tls.port}:tls` });
  b = await startTestBridge(a);
});
after(async () => {
  await b?.handle.close();
});

// The password reaches curl on stdin as a config file (-K -), never on its command line.
const curl = (args: string[], input = '') => exec('curl', ['-sS', '--max-time', '50', '-K', '-', ...args], `user = "${a.address}:${b.password}"\n${input}`);

test('IMAP: curl with AUTHENTICATE PLAIN lists INBOX and fetches a message; with LOGIN (SASL) examines INBOX', async () => {
  const url = `imap://127.0.0.1:${b.handle.ports.imap}`;
  const list = await curl(['--login-options', 'AUTH=PLAIN', `${url}/`]);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /\* LIST .* INBOX/);
  const fetch = await curl(['--login-options', 'AUTH=PLAIN', `${url}/INBOX;UID=1`]);
  assert.equal(fetch.code, 0, fetch.stderr);
  assert.match(fetch.stdout, /^Subject: Welcome to the test bench/m);
  const examine = await curl(['--login-options', 'AUTH=LOGIN', '-X', 'EXAMINE INBOX', `${url}/`]);
  assert.equal(examine.code, 0, examine.stderr);
  assert.match(examine.stdout, /\d+ EXISTS/);
});

test('IMAP: the LOGIN command with quoted strings and with a synchronizing literal', async () => {
  for (const login of [`a1 LOGIN "${a.address}" "${b.password}"`, `a1 LOGIN ${a.address} {${b.password.length}}`]) {
    const c = await RawClient.connect(b.handle.ports.imap ?? 0);
    try {
      await c.waitFor(/^\* OK .*\r\n/);
      assert.doesNotMatch(c.text, /LOGINDISABLED|XOAUTH2|OAUTHBEARER/, 'capabilities rewritten before login');
      c.send(login);
      if (login.endsWith('}')) {
        await c.waitFor(/\r\n\+ [^\r\n]*\r\n/);
        c.send(b.password);
      }
      const ok = await c.waitFor(/^a1 (OK|NO|BAD)[^\r\n]*\r\n/m);
      assert.equal(ok[1], 'OK', c.text);
      assert.match(ok[0], /\[CAPABILITY [^\]]*IDLE/, "the server's own post-login capabilities");
      c.send('a2 SELECT INBOX');
      await c.waitFor(/^a2 OK/m);
      c.send('a3 LOGOUT');
      await c.waitFor(/^a3 OK/m);
    } finally {
      c.close();
    }
  }
});

test('POP3: curl with AUTH PLAIN lists and retrieves; USER/PASS by hand', async () => {
  const url = `pop3://127.0.0.1:${b.handle.ports.pop}`;
  const list = await curl(['--login-options', 'AUTH=PLAIN', `${url}/`]);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^1 \d+\r?$/m);
  const retr = await curl(['--login-options', 'AUTH=PLAIN', `${url}/1`]);
  assert.equal(retr.code, 0, retr.stderr);
  assert.match(retr.stdout, /^Subject: /m);

  const c = await RawClient.connect(b.handle.ports.pop ?? 0);
  try {
    await c.waitFor(/^\+OK[^\r\n]*\r\n/);
    c.send('CAPA');
    await c.waitFor(/\r\n\.\r\n/);
    assert.match(c.text, /\r\nUSER\r\n/);
    assert.doesNotMatch(c.text, /XOAUTH2|OAUTHBEARER/);
    c.send(`USER ${a.address}`);
    await c.waitFor(/\+OK[^\r\n]*PASS[^\r\n]*\r\n/);
    const at = c.text.length;
    c.send(`PASS ${b.password}`);
    await c.waitFor(/^\+OK[^\r\n]*\r\n/m, at);
    c.send('STAT');
    await c.waitFor(/\+OK \d+ \d+\r\n/, at);
    c.send('QUIT');
    await c.waitFor(/\+OK[^\r\n]*\r\n[^]*\+OK/, at);
  } finally {
    c.close();
  }
});

test('a message sent with SMTP AUTH PLAIN and LOGIN reaches the server; one appended is listed and retrieved over IMAP', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moa-bridge-msg-'));
  for (const mech of ['PLAIN', 'LOGIN']) {
    const subject = `bridge-smtp-${mech}-${randomBytes(4).toString('hex')}`;
    const file = join(dir, `${mech}.eml`);
    writeFileSync(file, `From: ${a.address}\r\nTo: bob@example.test\r\nSubject: ${subject}\r\n\r\nsent through the bridge with only a password\r\n`);
    const sent = await curl(['--login-options', `AUTH=${mech}`, '--mail-from', a.address, '--mail-rcpt', 'bob@example.test', '--upload-file', file, `smtp://127.0.0.1:${b.handle.ports.smtp}`]);
    assert.equal(sent.code, 0, sent.stderr);
    const got = await waitForSinkMessage((m) => m.raw.includes(subject), 30_000);
    assert.deepEqual(got.rcptTo, ['bob@example.test']);
  }

  // APPEND through the bridge (raw client: curl's APPEND needs the message on stdin, where its config is).
  const folder = `bridge-append-${randomBytes(4).toString('hex')}`;
  const subject = `bridge-append-${randomBytes(4).toString('hex')}`;
  const message = `From: bob@example.test\r\nTo: ${a.address}\r\nSubject: ${subject}\r\n\r\nappended through the bridge\r\n`;
  const c = await RawClient.connect(b.handle.ports.imap ?? 0);
  try {
    await c.waitFor(/^\* OK[^\r\n]*\r\n/);
    c.send(`a1 LOGIN "${a.address}" "${b.password}"`);
    await c.waitFor(/^a1 OK/m);
    c.send(`a2 CREATE ${folder}`);
    await c.waitFor(/^a2 OK/m);
    c.send(`a3 APPEND ${folder} {${Buffer.byteLength(message)}}`);
    await c.waitFor(/\r\n\+ [^\r\n]*\r\n/);
    c.send(message);
    await c.waitFor(/^a3 OK/m);

    const url = `imap://127.0.0.1:${b.handle.ports.imap}`;
    const list = await curl(['--login-options', 'AUTH=PLAIN', `${url}/`]);
    assert.equal(list.code, 0, list.stderr);
    assert.ok(list.stdout.includes(folder), 'the folder is listed');
    const search = await curl(['--login-options', 'AUTH=PLAIN', '-X', `UID SEARCH HEADER Subject "${subject}"`, `${url}/${folder}`]);
    assert.equal(search.code, 0, search.stderr);
    const uid = /^\* SEARCH (\d+)/m.exec(search.stdout)?.[1];
    assert.ok(uid, `listed: ${search.stdout}`);
    const fetched = await curl(['--login-options', 'AUTH=PLAIN', `${url}/${folder};UID=${uid}`]);
    assert.equal(fetched.code, 0, fetched.stderr);
    assert.ok(fetched.stdout.includes(message), 'retrieved over IMAP as appended');
  } finally {
    const at = c.text.length;
    c.send(`a9 DELETE ${folder}`);
    await c.waitFor(/^a9 (OK|NO)/m, at);
    c.close();
  }
});

test('SMTP: BDAT (CHUNKING) and pipelined commands pass through the bridge unchanged after AUTH', async () => {
  const c = await RawClient.connect(b.handle.ports.smtp ?? 0);
  try {
    await c.waitFor(/^220 [^\r\n]*\r\n/);
    c.send('EHLO client.example');
    await c.waitFor(/^250 [^\r\n]*\r\n/m);
    assert.match(c.text, /250-CHUNKING/);
    let at = c.text.length;
    c.send(`AUTH PLAIN ${plainAuth(a.address, b.password)}`);
    await c.waitFor(/^235 /m, at);
    const subject = `bridge-bdat-${randomBytes(4).toString('hex')}`;
    const body = Buffer.from(`From: ${a.address}\r\nTo: bob@example.test\r\nSubject: ${subject}\r\n\r\nsent in two BDAT chunks\r\n`);
    const half = Math.floor(body.length / 2);
    at = c.text.length;
    // One write: MAIL, RCPT and the first chunk pipelined (RFC 2920), then the last chunk.
    c.send(Buffer.concat([Buffer.from(`MAIL FROM:<${a.address}>\r\nRCPT TO:<bob@example.test>\r\nBDAT ${half}\r\n`), body.subarray(0, half)]));
    await c.waitFor(/^250[ -][^\r\n]*\r\n250[ -][^\r\n]*\r\n250[ -][^\r\n]*\r\n/m, at);
    at = c.text.length;
    c.send(Buffer.concat([Buffer.from(`BDAT ${body.length - half} LAST\r\n`), body.subarray(half)]));
    await c.waitFor(/^250 [^\r\n]*\r\n/m, at);
    const got = await waitForSinkMessage((x) => x.raw.includes(subject), 30_000);
    assert.ok(got.raw.includes('sent in two BDAT chunks'));
    c.send('QUIT');
    await c.waitFor(/^221 /m, at);
  } finally {
    c.close();
  }
});
