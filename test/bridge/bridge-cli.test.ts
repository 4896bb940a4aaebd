// `mail-oauth bridge` and `mail-oauth bridge-password` as real child processes on a test data dir
// (issue 12): the password printed once (and the previous one dead), the bridge in the foreground
// with the ports it bound, one log line per session and no secret in it, a clean stop on SIGTERM
// and SIGINT, and one clear line for bad flags and a port in use.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { finished, run, start, storeFlags } from '../cli/store-helpers.ts';
import { exec, setUpAccount, type BridgeAccount } from './helpers.ts';

let a: BridgeAccount;
before(async () => {
  a = await setUpAccount();
});

type Started = ReturnType<typeof start>;

/** Waits until the child's stdout matches (it prints its ports once listening). */
function stdoutShows(child: Started, re: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const m = re.exec(child.out.stdout);
      if (m) {
        child.stdout?.off('data', check);
        child.off('close', gone);
        resolve(m);
      }
    };
    const gone = (): void => reject(new Error(`exited (${child.exitCode}) first: ${child.out.stdout} ${child.out.stderr}`));
    child.stdout?.on('data', check);
    child.once('close', gone);
    check();
  });
}

const imapList = (port: number, password: string) =>
  exec('curl', ['-sS', '--max-time', '50', '-K', '-', '--login-options', 'AUTH=PLAIN', `imap://127.0.0.1:${port}/`], `user = "${a.address}:${password}"\n`);

test('bridge-password prints a new password once; bridge serves it, logs one line per session, stops on SIGTERM', async () => {
  const first = await run(['bridge-password', a.address, ...storeFlags(a.dataDir)]);
  assert.equal(first.code, 0, first.stderr);
  const password1 = first.stdout.trim();
  assert.match(first.stdout, /^[a-z2-9]{5}(?:-[a-z2-9]{5}){3}\n$/, 'stdout is the password and nothing else');
  assert.match(first.stderr, /user name alice@example\.test, server 127\.0\.0\.1/);
  const second = await run(['bridge-password', a.address, ...storeFlags(a.dataDir)]);
  assert.equal(second.code, 0, second.stderr);
  const password2 = second.stdout.trim();
  assert.notEqual(password2, password1);

  const child = start(['bridge', '--imap', '0', '--pop', '0', '--smtp', 'off', ...storeFlags(a.dataDir)]);
  try {
    const m = await stdoutShows(child, /Bridge listening on IMAP 127\.0\.0\.1:(\d+), POP3 127\.0\.0\.1:(\d+)\n/);
    assert.doesNotMatch(child.out.stdout, /SMTP/, '--smtp off');
    const imap = Number(m[1]);
    const ok = await imapList(imap, password2);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /INBOX/);
    const old = await imapList(imap, password1);
    assert.notEqual(old.code, 0, 'the previous bridge password no longer works');
    await stdoutShows(child, /session IMAP alice@example\.test: ended after [\d.]+ s/);
    await stdoutShows(child, /local-auth-failed BRIDGE_BAD_PASSWORD IMAP sign-in to the bridge refused for alice@example\.test/);
    const sessionLines = child.out.stdout.split('\n').filter((l) => / (session|local-auth-failed|upstream-failed) /.test(l));
    assert.equal(sessionLines.length, 2, 'one line per session');
    for (const secret of [password1, password2]) assert.ok(!child.out.stdout.includes(secret) && !child.out.stderr.includes(secret), 'no password in the log');
  } finally {
    child.kill('SIGTERM');
  }
  const done = await finished(child);
  assert.equal(done.code, 0, done.stderr);
  assert.match(done.stdout, /Bridge stopped \(SIGTERM\)\.\n$/);
});

test('bridge stops cleanly on SIGINT (Ctrl+C) and frees its port', async () => {
  const child = start(['bridge', '--imap', '0', '--pop', 'off', '--smtp', 'off', ...storeFlags(a.dataDir)]);
  const port = Number((await stdoutShows(child, /IMAP 127\.0\.0\.1:(\d+)/))[1]);
  child.kill('SIGINT');
  const done = await finished(child);
  assert.equal(done.code, 0, done.stderr);
  assert.match(done.stdout, /Bridge stopped \(SIGINT\)/);
  const refused = await new Promise<string>((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve('connected')));
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
  });
  assert.equal(refused, 'ECONNREFUSED');
});

test('bad flags exit 2 with one line; a port in use exits 1 naming BRIDGE_PORT_IN_USE and the port', async () => {
  const bad = await run(['bridge', '--imap', 'abc', ...storeFlags(a.dataDir)]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^mail-oauth bridge: --imap: "abc" is not a port/);
  const allOff = await run(['bridge', '--imap', 'off', '--pop', 'off', '--smtp', 'off', ...storeFlags(a.dataDir)]);
  assert.equal(allOff.code, 2);
  const noAccount = await run(['bridge-password', 'nobody@example.test', ...storeFlags(a.dataDir)]);
  assert.equal(noAccount.code, 2, noAccount.stderr);

  const busy = net.createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  const port = (busy.address() as net.AddressInfo).port;
  try {
    const r = await run(['bridge', '--imap', String(port), '--pop', 'off', '--smtp', 'off', ...storeFlags(a.dataDir)]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`BRIDGE_PORT_IN_USE: The bridge port is already in use: IMAP port ${port} on 127\\.0\\.0\\.1`));
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  } finally {
    busy.close();
  }
});
