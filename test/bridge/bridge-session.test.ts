// Long and big sessions through the bridge (issue 12): IDLE wakes on a new message, a 20 MB
// message APPENDed and FETCHed byte-identical, 50 sessions at once, and a session outliving its
// access token (bench client `native-short`: 3 s tokens) while new sessions keep working.
// Messages go to a folder of the test's own, deleted afterwards: other test files count the
// seeded messages of alice's INBOX (over IMAP and POP3) while this one runs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { introspect } from '../bench/client.ts';
import { lastTokenUse } from '../../electron/health/usage.ts';
import { RawClient, setUpAccount, startTestBridge, type BridgeAccount, type Running } from './helpers.ts';

let a: BridgeAccount;
let b: Running;
let short: BridgeAccount;
let bs: Running;

before(async () => {
  a = await setUpAccount();
  b = await startTestBridge(a);
});
after(async () => {
  await b?.handle.close();
  await bs?.handle.close();
});

async function imapLogin(port: number, user: string, password: string): Promise<RawClient> {
  const c = await RawClient.connect(port);
  await c.waitFor(/^\* OK[^\r\n]*\r\n/);
  c.send(`a1 LOGIN "${user}" "${password}"`);
  const m = await c.waitFor(/^a1 (OK|NO|BAD)[^\r\n]*\r\n/m);
  assert.equal(m[1], 'OK', c.text);
  return c;
}

test("a session marks the account in use (as `mail-oauth token` does), so the app's schedule renews its token ahead", async () => {
  assert.equal(lastTokenUse(a.dataDir, a.id), undefined, 'not in use after the sign-in alone');
  const c = await imapLogin(b.handle.ports.imap ?? 0, a.address, b.password);
  c.close();
  assert.ok((lastTokenUse(a.dataDir, a.id) ?? 0) > Date.now() - 60_000, 'marked when the session took its token');
});

test('IDLE through the bridge wakes when another session appends a message', async () => {
  const port = b.handle.ports.imap ?? 0;
  const idler = await imapLogin(port, a.address, b.password);
  const other = await imapLogin(port, a.address, b.password);
  const folder = `bridge-idle-${randomBytes(4).toString('hex')}`;
  try {
    other.send(`b0 CREATE ${folder}`);
    await other.waitFor(/^b0 OK/m);
    idler.send(`a2 SELECT ${folder}`);
    const exists = Number((await idler.waitFor(/^\* (\d+) EXISTS/m))[1]);
    await idler.waitFor(/^a2 OK/m);
    const at = idler.text.length;
    idler.send('a3 IDLE');
    await idler.waitFor(/^\+ [^\r\n]*\r\n/m, at);
    const msg = `Subject: idle-${randomBytes(4).toString('hex')}\r\n\r\nwake up\r\n`;
    other.send(`b1 APPEND ${folder} {${msg.length}}`);
    await other.waitFor(/\r\n\+ [^\r\n]*\r\n/);
    other.send(msg);
    await other.waitFor(/^b1 OK/m);
    const woke = Number((await idler.waitFor(/^\* (\d+) EXISTS/m, at))[1]);
    assert.ok(woke > exists, `EXISTS grew from ${exists} to ${woke}`);
    idler.send('DONE');
    await idler.waitFor(/^a3 OK/m, at);
  } finally {
    idler.close();
    const at = other.text.length;
    other.send(`b9 DELETE ${folder}`);
    await other.waitFor(/^b9 (OK|NO)/m, at);
    other.close();
  }
});

/** Reads one big IMAP response into a Buffer: cheap checks per chunk, no regex over 20 MB. */
function collect(socket: net.Socket, done: (buf: Buffer, total: number) => boolean): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const onData = (d: Buffer): void => {
      chunks.push(d);
      total += d.length;
      const tail = Buffer.concat(chunks.slice(-2));
      if (done(tail, total)) {
        socket.off('data', onData);
        resolve(Buffer.concat(chunks));
      }
    };
    socket.on('data', onData);
    socket.once('close', () => reject(new Error(`closed after ${total} bytes`)));
  });
}

test('a 20 MB message is APPENDed and FETCHed through the bridge byte-identical', async () => {
  // 20 MiB of CRLF lines (a mail store keeps line ends as sent only when they are CRLF).
  const line = (i: number): string => `${i.toString(16).padStart(8, '0')} ${randomBytes(36).toString('base64')}\r\n`;
  const parts: string[] = [`From: alice@example.test\r\nSubject: big-${randomBytes(4).toString('hex')}\r\n\r\n`];
  let size = parts[0]?.length ?? 0;
  for (let i = 0; size < 20 * 1024 * 1024; i++) {
    const l = line(i);
    parts.push(l);
    size += l.length;
  }
  const message = Buffer.from(parts.join(''), 'latin1');
  const socket = net.connect(b.handle.ports.imap ?? 0, '127.0.0.1');
  socket.on('error', () => undefined);
  const greet = collect(socket, (t) => t.includes('\r\n'));
  await greet;
  const send = (s: string | Buffer): void => void socket.write(s);
  const login = collect(socket, (t) => /\ba1 (OK|NO|BAD)[^\r\n]*\r\n/.test(t.toString('latin1')));
  send(`a1 LOGIN "${a.address}" "${b.password}"\r\n`);
  assert.match((await login).toString('latin1'), /a1 OK/);
  const folder = `bridge-big-${randomBytes(4).toString('hex')}`;
  const created = collect(socket, (t) => /\ba0 (OK|NO|BAD)[^\r\n]*\r\n/.test(t.toString('latin1')));
  send(`a0 CREATE ${folder}\r\n`);
  assert.match((await created).toString('latin1'), /a0 OK/);
  const cont = collect(socket, (t) => t.includes('\r\n'));
  send(`a2 APPEND ${folder} {${message.length}}\r\n`);
  assert.match((await cont).toString('latin1'), /^\+ /);
  const appended = collect(socket, (t) => /\ba2 (OK|NO|BAD)[^\r\n]*\r\n/.test(t.toString('latin1')));
  send(message);
  send('\r\n');
  const appendAnswer = (await appended).toString('latin1');
  const uid = /a2 OK \[APPENDUID \d+ (\d+)\]/.exec(appendAnswer)?.[1];
  assert.ok(uid, appendAnswer);
  const selected = collect(socket, (t) => /\ba3 (OK|NO|BAD)[^\r\n]*\r\n/.test(t.toString('latin1')));
  send(`a3 SELECT ${folder}\r\n`);
  await selected;
  const fetched = collect(socket, (t, total) => total > message.length && /\ba4 (OK|NO|BAD)[^\r\n]*\r\n$/.test(t.toString('latin1')));
  send(`a4 UID FETCH ${uid} BODY.PEEK[]\r\n`);
  const answer = await fetched;
  const closed = collect(socket, (t) => /\ba5 (OK|NO|BAD)[^\r\n]*\r\n/.test(t.toString('latin1')));
  send('a5 CLOSE\r\n');
  await closed;
  const deleted = collect(socket, (t) => /\ba6 (OK|NO|BAD)[^\r\n]*\r\n/.test(t.toString('latin1')));
  send(`a6 DELETE ${folder}\r\n`);
  assert.match((await deleted).toString('latin1'), /a6 OK/);
  socket.destroy();
  const header = /\{(\d+)\}\r\n/.exec(answer.subarray(0, 200).toString('latin1'));
  assert.ok(header, answer.subarray(0, 200).toString('latin1'));
  const start = (header.index ?? 0) + header[0].length;
  const body = answer.subarray(start, start + Number(header[1]));
  assert.equal(Number(header[1]), message.length, 'same size');
  assert.ok(body.equals(message), 'byte-identical');
});

test('50 sessions at once: 25 IMAP and 25 SMTP signed in together, all work, all counted', async () => {
  const imap = Array.from({ length: 25 }, () => imapLogin(b.handle.ports.imap ?? 0, a.address, b.password));
  const smtp = Array.from({ length: 25 }, async () => {
    const c = await RawClient.connect(b.handle.ports.smtp ?? 0);
    await c.waitFor(/^220 [^\r\n]*\r\n/);
    c.send('EHLO test.example');
    await c.waitFor(/^250 [^\r\n]*\r\n/m);
    const at = c.text.length;
    c.send(`AUTH PLAIN ${Buffer.from(`\0${a.address}\0${b.password}`).toString('base64')}`);
    const m = await c.waitFor(/^(\d{3}) [^\r\n]*\r\n/m, at);
    assert.equal(m[1], '235', c.text);
    return c;
  });
  const clients = await Promise.all([...imap, ...smtp]);
  try {
    assert.ok(b.handle.sessions() >= 50, `sessions(): ${b.handle.sessions()}`);
    await Promise.all(
      clients.map(async (c, i) => {
        const at = c.text.length;
        if (i < 25) {
          c.send('a2 EXAMINE INBOX');
          await c.waitFor(/^a2 OK/m, at);
        } else {
          c.send('NOOP');
          await c.waitFor(/^250 /m, at);
        }
      }),
    );
  } finally {
    for (const c of clients) c.close();
  }
});

test('a session outlives its 3 s access token; new sessions keep working with a refreshed one', async () => {
  short = await setUpAccount({ clientId: 'native-short' });
  bs = await startTestBridge(short);
  const long = await imapLogin(bs.handle.ports.imap ?? 0, short.address, bs.password);
  try {
    long.send('a2 SELECT INBOX');
    await long.waitFor(/^a2 OK/m);
    // The token the bridge signed in with is the account's current one: wait until the IdP says it is dead.
    const used = await short.core.secrets.get(short.id, 'oauth-grant');
    assert.ok(used);
    const token = (JSON.parse(used) as { accessToken?: string }).accessToken;
    assert.ok(token, 'the stored grant has the access token');
    const deadline = Date.now() + 30_000;
    while ((await introspect(token)).active === true) {
      if (Date.now() > deadline) throw new Error('the 3 s token did not expire within 30 s');
      await new Promise((r) => setTimeout(r, 250));
    }
    // The old session goes on: the server checked the token once, at sign-in.
    const at = long.text.length;
    long.send('a3 FETCH 1 (FLAGS)');
    await long.waitFor(/^a3 OK/m, at);
    // A new session gets a new token (refreshed under the store lock) and works.
    for (let i = 0; i < 2; i++) {
      const fresh = await imapLogin(bs.handle.ports.imap ?? 0, short.address, bs.password);
      fresh.close();
    }
    const now = await short.core.secrets.get(short.id, 'oauth-grant');
    assert.notEqual(now, used, 'the grant was refreshed');
  } finally {
    long.close();
  }
});
