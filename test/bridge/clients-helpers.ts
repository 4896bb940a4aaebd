// Shared set-up of the real mail clients through the bridge (issue 12): an account signed in
// against the bench (test/bridge/helpers.ts: CLI `add` + `authorize`, the bridge started in this
// process on port 0 listeners), a bridge password, and the settings block that
// `mail-oauth client-config --bridge` prints for the client, with the placeholder replaced by that
// password (what the user does by hand). The client then runs non-interactively with ONLY that
// password: it has no token, no helper, no OAuth; the bridge signs in to the bench's Dovecot.
//
// Each client runs in a temporary HOME with nothing but its settings, under
// `timeout --foreground` (a hang fails the test, not the suite). 127.0.0.1 only.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { BRIDGE_PASSWORD } from '../../shared/client-settings/index.ts';
import { waitForSinkMessage } from '../bench/client.ts';
import { run as runCli } from '../cli/store-helpers.ts';
import { setUpAccount, startTestBridge, type BridgeAccount, type Running } from './helpers.ts';

export const root = join(import.meta.dirname, '..', '..');
const RUN_TIMEOUT_S = 60;

export type Proc = { code: number; stdout: string; stderr: string };

/** A client with a time limit inside (`timeout --foreground`, as test/clients/ does) and outside. */
export function runClient(cmd: string, args: string[], o: { env: NodeJS.ProcessEnv; input?: string }): Promise<Proc> {
  return new Promise((resolve, reject) => {
    const child = spawn('timeout', ['--foreground', '-s', 'KILL', String(RUN_TIMEOUT_S), cmd, ...args], {
      cwd: o.env.HOME ?? root,
      env: o.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), (RUN_TIMEOUT_S + 10) * 1000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    if (o.input !== undefined) child.stdin.end(o.input);
    else child.stdin.end();
  });
}

/** A fresh HOME with nothing in it; no mail-oauth on PATH (the client has only a password). */
export function home(): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = mkdtempSync(join(tmpdir(), 'moa-bridge-home-'));
  return {
    dir,
    env: {
      HOME: dir,
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      XDG_CONFIG_HOME: join(dir, '.config'),
      TERM: 'xterm',
      LANG: 'C.UTF-8',
      USER: process.env.USER ?? 'root',
    },
  };
}

export function write(path: string, text: string, mode = 0o600): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text, { mode });
}

export type ClientBridge = BridgeAccount & Running & {
  /** The block `client-config --bridge` prints for the running bridge, with the password filled in. */
  config(client: string): Promise<string>;
};

/** The signed-in account and the running bridge (TLS towards the client on or off). */
export async function bridgeForClients(o: { tls: boolean }): Promise<ClientBridge> {
  const a = await setUpAccount();
  const running = await startTestBridge(a, { tls: o.tls });
  return {
    ...a,
    ...running,
    async config(client) {
      const p = running.handle.ports;
      const r = await runCli([
        'client-config', a.address, '--bridge', '--client', client, '--data-dir', a.dataDir,
        ...(p.imap ? ['--imap', String(p.imap)] : []),
        ...(p.pop ? ['--pop', String(p.pop)] : []),
        ...(p.smtp ? ['--smtp', String(p.smtp)] : []),
        ...(o.tls ? ['--tls'] : []),
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.stdout.includes(BRIDGE_PASSWORD), 'the block has the placeholder where the password goes');
      assert.doesNotMatch(r.stdout, /mail-oauth token/, 'no token helper: the client has only a password');
      return r.stdout.replaceAll(BRIDGE_PASSWORD, running.password);
    },
  };
}

export const marker = (what: string): string => `${what}-${randomBytes(6).toString('hex')}`;
export const message = (from: string, subject: string): string =>
  `From: ${from}\r\nTo: bob@example.test\r\nSubject: ${subject}\r\nMessage-ID: <${subject}@example.test>\r\n\r\nsent by a real mail client through the bridge with a password\r\n`;

export async function expectInSink(subject: string): Promise<void> {
  const got = await waitForSinkMessage((x) => x.raw.includes(subject), 15_000);
  assert.deepEqual(got.rcptTo, ['bob@example.test']);
}

/** The bench's seeded INBOX subjects (test/bench/README.md). */
export const SEEDED = /Quarterly report|Lunch on Friday|Welcome to the test bench/;
