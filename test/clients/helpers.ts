// Shared set-up of the real mail client tests (issue 11): for each client x
// protocol it supports, `mail-oauth client-config` writes the settings into a temporary HOME, the
// client runs non-interactively against the bench's Dovecot, and the result is checked: a message
// in the sink (SMTP), INBOX listed or synced (IMAP), the POP3 listing/retrieval. Each client runs
// twice with the account's access token expired in between (bench client `native-short`, 3 s
// tokens): the second run only works if the client asked the helper again and it refreshed.
//
// The clients come from Debian (.ci/run installs them); this test installs nothing. The helper
// line in the settings is `mail-oauth token <address>`, the installed command: here a `mail-oauth`
// wrapper script first on PATH runs this checkout's CLI with the test's data dir (the only
// difference from an installed one). Every client talks to 127.0.0.1 only.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { benchInfo, benchUser, introspect, loginWithHttp, waitForSinkMessage } from '../bench/client.ts';
import { cliEntry } from '../cli/cli-helpers.ts';

export const root = join(import.meta.dirname, '..', '..');
// The bundle when it is fresh, else the sources (cli-helpers.ts): starts several times faster on a
// loaded machine, and it is what users and mail clients run.
const cli = cliEntry;
const info = benchInfo();
const dataDir = mkdtempSync(join(tmpdir(), 'moa-clients-data-'));
const binDir = mkdtempSync(join(tmpdir(), 'moa-clients-bin-'));
const callLog = join(binDir, 'calls.log');

/** The mail clients' calls of the helper so far (times, exit codes): for failure messages. */
export const helperCalls = (): string => {
  try {
    return readFileSync(callLog, 'utf8');
  } catch {
    return '(no helper call yet)';
  }
};
const address = 'alice@example.test';
const m = info.mail.main;
const RUN_TIMEOUT_MS = 60_000;

type Run = { code: number; stdout: string; stderr: string };

export function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string; onStderr?: (all: string) => void } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    // A client that hangs (waiting for a prompt that never comes) fails the test, not the suite.
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      opts.onStderr?.(stderr);
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    // Keep stdin open for `script` (it ends the session at EOF) unless there is input to send.
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.on('exit', () => child.stdin.destroy());
  });
}

// The secrets live in the key-file store (`add --insecure-store`, remembered in the data dir),
// as in test/cli/cli-accounts.test.ts: the OS keyring is not what this test is about.
/** Run a full-screen client in a pseudo-terminal (`script`) until its screen shows `until`, then
 * close the terminal (the client gets SIGHUP). `timeout` inside bounds it if the hang-up is ignored. */
export function runTui(command: string, until: RegExp, env: NodeJS.ProcessEnv): Promise<{ shown: boolean; screen: string }> {
  return new Promise((resolve, reject) => {
    // --foreground: without it `timeout` moves the client into a process group of its own, a
    // background group of the pseudo-terminal, and its first terminal read stops it (SIGTTIN);
    // whether that bites depended on $SHELL (bash started `script`'s command differently than dash).
    const child = spawn('script', ['-qec', `stty cols 120 rows 40; timeout --foreground -s KILL 60 ${command}`, '/dev/null'], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    let shown = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      screen += d;
      if (!shown && until.test(screen)) {
        shown = true;
        child.kill('SIGTERM');
      }
    });
    child.on('error', reject);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve({ shown, screen });
    });
  });
}

const cliEnv = { MAIL_OAUTH_DATA_DIR: dataDir };
const mailOauth = (args: string[], onStderr?: (all: string) => void): Promise<Run> =>
  run(process.execPath, [cli, ...args], { env: cliEnv, ...(onStderr ? { onStderr } : {}) });

/** A fresh HOME with only the client's settings; PATH starts with the `mail-oauth` wrapper. */
export function home(): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = mkdtempSync(join(tmpdir(), 'moa-clients-home-'));
  return {
    dir,
    env: {
      HOME: dir,
      PATH: `${binDir}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      XDG_CONFIG_HOME: join(dir, '.config'),
      TERM: 'xterm',
      LANG: 'C.UTF-8',
    },
  };
}

export async function clientConfig(client: string): Promise<string> {
  const r = await mailOauth(['client-config', address, '--client', client]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /mail-oauth token alice@example\.test/, 'the helper line names the installed command and the account');
  assert.ok(r.stdout.includes(join(dataDir, 'ca')), "the client's CA setting names the account's CA, written to a file");
  return r.stdout;
}

export function write(path: string, text: string, mode = 0o600): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text, { mode });
}

/** The current access token expires (3 s client) before the next run: wait for that state. */
async function expireCurrentToken(): Promise<string> {
  const t = await mailOauth(['token', address]);
  assert.equal(t.code, 0, t.stderr);
  const token = t.stdout.trim();
  const deadline = Date.now() + 30_000;
  while ((await introspect(token)).active === true) {
    if (Date.now() > deadline) throw new Error('the short-lived access token did not expire within 30 s');
    await new Promise((r) => setTimeout(r, 250));
  }
  return token;
}

/** Run a check, let the token expire, run it again: both must pass. */
export async function twice(check: (round: number) => Promise<void>): Promise<void> {
  await check(1);
  const expired = await expireCurrentToken();
  await check(2);
  // Round 2 passed although the token current after round 1 is dead: the client asked the helper
  // again and got a refreshed one.
  assert.equal((await introspect(expired)).active, false);
}

export const marker = (what: string): string => `${what}-${randomBytes(6).toString('hex')}`;
export const message = (subject: string): string =>
  `From: ${address}\r\nTo: bob@example.test\r\nSubject: ${subject}\r\nMessage-ID: <${subject}@example.test>\r\n\r\nsent by a real mail client with a token from mail-oauth\r\n`;

export async function expectInSink(subject: string): Promise<void> {
  const got = await waitForSinkMessage((x) => x.raw.includes(subject), 15_000);
  assert.deepEqual(got.rcptTo, ['bob@example.test']);
}

export const SEEDED = /Quarterly report|Lunch on Friday|Welcome to the test bench/;

/** Saves the account (bench client `native-short`) and signs in through the bench IdP, as a user would with the CLI. */
export async function setUpAccount(): Promise<void> {
  // The wrapper standing in for the installed `mail-oauth` (see the header comment): the CA and
  // the store choice were saved by `add`, so only the data dir differs from a user's install.
  // It also notes each call's start, end and exit code in helperCalls(): a client that says only
  // "unable to open mailbox" then shows whether its token call failed or was slow.
  writeFileSync(
    join(binDir, 'mail-oauth'),
    `#!/bin/sh\n# Test stand-in for the installed mail-oauth: this checkout's CLI with the test's data dir.\n` +
      `start=$(date +%T.%N)\n` +
      `out=$(MAIL_OAUTH_DATA_DIR='${dataDir}' '${process.execPath}' '${cli}' "$@"); rc=$?\n` +
      `echo "$start-$(date +%T.%N) mail-oauth $1 $2: exit $rc, $(printf %s "$out" | wc -c) bytes on stdout" >> '${callLog}'\n` +
      `[ -n "$out" ] && printf '%s\\n' "$out"\n` +
      `exit $rc\n`,
  );
  chmodSync(join(binDir, 'mail-oauth'), 0o755);

  const add = await mailOauth([
    'add',
    '--insecure-store',
    // The account's own CA (the bench's): the IdP, and the CA setting of every generated config.
    '--ca-file', info.ca.path,
    '--address', address,
    '--provider', 'generic',
    '--issuer', info.issuer,
    '--client-id', 'native-short',
    '--scopes', `openid email offline_access ${info.scopes.imap} ${info.scopes.pop3} ${info.scopes.smtp}`,
    '--imap', `localhost:${m.imap.tls.port}:tls`,
    '--pop', `localhost:${m.pop3.tls.port}:tls`,
    '--smtp', `localhost:${m.smtp.starttls.port}:starttls`,
  ]);
  assert.equal(add.code, 0, add.stderr);
  const user = benchUser(address);
  let completing: Promise<void> | undefined;
  const auth = await mailOauth(['authorize', address], (stderr) => {
    const url = /Open this URL in your browser to sign in:\n\s+(\S+)/.exec(stderr)?.[1];
    if (url && !completing) {
      completing = loginWithHttp(url, { user: user.address, password: user.password }).then(async (redirect) => {
        await fetch(redirect);
      });
    }
  });
  await completing;
  assert.equal(auth.code, 0, auth.stderr);
  assert.match(auth.stderr, /Refresh token: yes/);
}
