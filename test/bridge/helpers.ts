// Shared set-up of the bridge tests: an account saved and signed in with the real CLI against the
// bench (as a user would: `add` + `authorize`, the browser step done by the bench's login
// helper), then the bridge started in this process on the same data dir with the same core the
// CLI uses (openCliCore), with port 0 listeners. The mail server behind it is the bench's Dovecot;
// `countingRelay` puts a TCP relay before it that counts connections, so tests can prove that
// nothing reaches the server before the local sign-in succeeded.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchInfo } from '../bench/client.ts';
import { authorize, run, storeFlags } from '../cli/store-helpers.ts';
import { openCliCore } from '../../electron/cli/cli-core.ts';
import { newBridgePassword, startBridge, type BridgeConfig, type BridgeEvent, type BridgeHandle } from '../../electron/bridge/index.ts';
import type { CliCore } from '../../electron/cli/cli-core.ts';

export type Server = `${string}:${number}:${'tls' | 'starttls'}`;

export type BridgeAccount = { dataDir: string; id: string; address: string; core: CliCore };

/** `add` + `authorize` through the CLI (child processes), then the same stores opened here. */
export async function setUpAccount(o: { address?: string; clientId?: string; imap?: Server; pop?: Server; smtp?: Server; dataDir?: string; scopes?: string } = {}): Promise<BridgeAccount> {
  const info = benchInfo();
  const m = info.mail.main;
  const dataDir = o.dataDir ?? mkdtempSync(join(tmpdir(), 'moa-bridge-'));
  const address = o.address ?? 'alice@example.test';
  const add = await run([
    'add', ...storeFlags(dataDir),
    '--address', address,
    '--provider', 'generic',
    '--issuer', info.issuer,
    '--client-id', o.clientId ?? 'native-app',
    '--scopes', o.scopes ?? `openid email offline_access ${info.scopes.imap} ${info.scopes.pop3} ${info.scopes.smtp}`,
    '--imap', o.imap ?? `localhost:${m.imap.tls.port}:tls`,
    '--pop', o.pop ?? `localhost:${m.pop3.starttls.port}:starttls`,
    '--smtp', o.smtp ?? `localhost:${m.smtp.starttls.port}:starttls`,
  ]);
  if (add.code !== 0) throw new Error(`add failed: ${add.stderr}`);
  const id = add.stdout.trim();
  await authorize(dataDir, id, address);
  const core = await openCore(dataDir);
  return { dataDir, id, address, core };
}

export async function openCore(dataDir: string): Promise<CliCore> {
  const quiet = { write: () => true } as unknown as NodeJS.WritableStream;
  return openCliCore({ stdout: quiet, stderr: quiet, env: process.env, signal: new AbortController().signal }, { dataDir, insecureStore: true });
}

export type Running = { handle: BridgeHandle; events: BridgeEvent[]; password: string };

export async function startTestBridge(a: BridgeAccount, config: Partial<BridgeConfig> = {}): Promise<Running> {
  const events: BridgeEvent[] = [];
  const password = await newBridgePassword(a.core, a.id);
  const handle = await startBridge(
    { ...a.core, dataDir: a.dataDir, onEvent: (e) => events.push(e) },
    { ports: { imap: 0, pop: 0, smtp: 0 }, tls: false, ...config },
  );
  return { handle, events, password };
}

export type Proc = { code: number; stdout: string; stderr: string };

/** A command (curl) with a time limit: a hang fails the test instead of the suite. */
export function exec(cmd: string, args: string[], input?: string | Buffer): Promise<Proc> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.setEncoding('latin1').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    child.stdin.end(input);
  });
}

/** A TCP relay in front of a server that counts the connections it relays. */
export async function countingRelay(target: { host: string; port: number }): Promise<{ port: number; count(): number; close(): Promise<void> }> {
  let n = 0;
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    n++;
    const up = net.connect(target.port, target.host);
    open.add(client);
    open.add(up);
    client.on('error', () => up.destroy());
    up.on('error', () => client.destroy());
    client.on('close', () => (up.destroy(), open.delete(client)));
    up.on('close', () => (client.destroy(), open.delete(up)));
    client.pipe(up);
    up.pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    count: () => n,
    close: () =>
      new Promise<void>((r) => {
        for (const s of open) s.destroy();
        server.close(() => r());
      }),
  };
}

/** A raw client: send lines, wait for a line matching a pattern (no sleeps). */
export class RawClient {
  readonly socket: net.Socket;
  text = '';
  #waiters: Array<() => void> = [];
  closed = false;
  constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      this.text += d;
      for (const w of this.#waiters.splice(0)) w();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.#waiters.splice(0)) w();
    });
  }
  static connect(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, host);
      s.once('connect', () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }
  send(data: string | Buffer): void {
    this.socket.write(typeof data === 'string' ? `${data}\r\n` : data);
  }
  /** Waits until the received text (from `from` on) matches; returns the match. */
  async waitFor(re: RegExp, from = 0, timeoutMs = 60_000): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = re.exec(this.text.slice(from));
      if (m) return m;
      if (this.closed) throw new Error(`closed before ${re}: ${JSON.stringify(this.text.slice(-500))}`);
      if (Date.now() > deadline) throw new Error(`no ${re} within ${timeoutMs} ms: ${JSON.stringify(this.text.slice(-500))}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 1000);
        this.#waiters.push(() => (clearTimeout(t), r()));
      });
    }
  }
  /** Resolves when the bridge closed the connection. */
  async waitClosed(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('still open');
      await new Promise<void>((r) => {
        const t = setTimeout(r, 1000);
        this.#waiters.push(() => (clearTimeout(t), r()));
      });
    }
  }
  close(): void {
    this.socket.destroy();
  }
}

export const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
export const plainAuth = (user: string, pass: string): string => b64(`\0${user}\0${pass}`);
