// Speed benchmark of the local bridge (`npm run bench:bridge`, issue 12): the real bench's Dovecot
// behind the loopback latency relay (25 ms each way, as `npm run bench`), measured side by side in
// one run, alternating:
//   - session: connect, greeting, sign-in, SELECT INBOX, LOGOUT. Direct = implicit TLS to the
//     relay and AUTHENTICATE XOAUTH2 with the cached token; through the bridge = plain TCP to the
//     bridge on 127.0.0.1 and LOGIN with the bridge password (the bridge does the TLS + XOAUTH2
//     upstream, its token cached too). Target: the bridge adds <= 1 RTT.
//   - throughput: UID FETCH BODY.PEEK[] of one 20 MB message, after a session is signed in.
//     Target: through the bridge >= 80 % of direct.
// Figures are printed, never asserted (speed is not a test).
//
//   node test/speed/bridge.ts [--delay 25] [--runs 7] [--size-mb 20]
import { parseArgs } from 'node:util';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startBench } from '../bench/bench.ts';
import { latencyProxy, type LatencyProxy } from './latency-proxy.ts';
import { AuthService } from '../../electron/auth/auth-service.ts';
import { openNodeAccountStore } from '../../electron/store/account-store.ts';
import { createSecretStore } from '../../electron/store/secret-store.ts';
import { createEphemeralSecretBox } from '../../electron/store/aes-secret-box.ts';
import { systemClock } from '../../electron/core/ports.ts';
import { newBridgePassword, startBridge } from '../../electron/bridge/index.ts';

const { values } = parseArgs({
  options: {
    delay: { type: 'string', default: '25' },
    runs: { type: 'string', default: '7' },
    'size-mb': { type: 'string', default: '20' },
  },
});
const DELAY = Number(values.delay);
const RTT = 2 * DELAY;
const RUNS = Number(values.runs);
const SIZE = Math.round(Number(values['size-mb']) * 1024 * 1024);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const fmt = (ms: number): string => `${ms.toFixed(0).padStart(6)} ms  ${(ms / RTT).toFixed(1).padStart(5)} RTT`;

/** A minimal IMAP client over a socket: tagged commands, literals skipped by their length (a 20 MB
 * FETCH is counted, not kept as a string). */
class Imap {
  readonly #socket: net.Socket;
  #buf = Buffer.alloc(0);
  #literal = 0;
  #lines: string[] = [];
  #wake: (() => void) | undefined;
  #ended = false;
  #tag = 0;
  /** Literal bytes received (the FETCH body). */
  literalBytes = 0;

  constructor(socket: net.Socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    const end = (): void => {
      this.#ended = true;
      this.#wake?.();
    };
    socket.on('close', end);
    socket.on('error', end);
  }

  #onData(chunk: Buffer): void {
    let data = chunk;
    while (data.length > 0) {
      if (this.#literal > 0) {
        const n = Math.min(this.#literal, data.length);
        this.#literal -= n;
        this.literalBytes += n;
        data = data.subarray(n);
        continue;
      }
      const nl = data.indexOf(10);
      if (nl < 0) {
        this.#buf = Buffer.concat([this.#buf, data]);
        return;
      }
      const line = Buffer.concat([this.#buf, data.subarray(0, nl + 1)]).toString('latin1');
      this.#buf = Buffer.alloc(0);
      data = data.subarray(nl + 1);
      const lit = /\{(\d+)\}\r\n$/.exec(line);
      if (lit) this.#literal = Number(lit[1]);
      this.#lines.push(line.trimEnd());
      this.#wake?.();
    }
  }

  /** The next line matching `re` (earlier lines are dropped). */
  async line(re: RegExp): Promise<string> {
    for (;;) {
      const i = this.#lines.findIndex((l) => re.test(l));
      if (i >= 0) {
        const l = this.#lines[i] as string;
        this.#lines.splice(0, i + 1);
        return l;
      }
      if (this.#ended) throw new Error(`connection closed waiting for ${re}; last lines: ${this.#lines.slice(-3).join(' | ')}`);
      await new Promise<void>((r) => (this.#wake = r));
    }
  }

  /** Sends a command and waits for its tagged answer; anything but OK throws. */
  async command(text: string): Promise<string> {
    const tag = `a${++this.#tag}`;
    this.#socket.write(`${tag} ${text}\r\n`);
    const done = await this.line(new RegExp(`^${tag} `));
    if (!done.startsWith(`${tag} OK`)) throw new Error(`${text.split(' ')[0]}: ${done}`);
    return done;
  }

  /** APPEND with a synchronizing literal. */
  async append(mailbox: string, message: Buffer): Promise<string> {
    const tag = `a${++this.#tag}`;
    this.#socket.write(`${tag} APPEND ${mailbox} {${message.length}}\r\n`);
    await this.line(/^\+/);
    this.#socket.write(message);
    this.#socket.write('\r\n');
    const done = await this.line(new RegExp(`^${tag} `));
    if (!done.startsWith(`${tag} OK`)) throw new Error(`APPEND: ${done}`);
    return done;
  }

  close(): void {
    this.#socket.destroy();
  }
}

function connectTls(port: number, ca: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, ca, minVersion: 'TLSv1.2' }, () => resolve(s));
    s.once('error', reject);
  });
}

function connectPlain(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => resolve(s));
    s.once('error', reject);
  });
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const proxies: LatencyProxy[] = [];
  const bench = await startBench();
  const info = bench.info;
  const dir = mkdtempSync(join(tmpdir(), 'moa-speed-bridge-'));
  const infoFile = join(dir, 'bench.json');
  writeFileSync(infoFile, JSON.stringify(info));
  process.env.MOA_BENCH_INFO = infoFile;
  const { loginWithHttp } = await import('../bench/client.ts');
  let closeBridge: (() => Promise<void>) | undefined;
  try {
    console.log(`bench up in ${Date.now() - t0} ms; latency ${DELAY} ms each way (RTT ${RTT} ms) before Dovecot; the bridge on 127.0.0.1 has none`);
    const relay = await latencyProxy(info.mail.main.imap.tls, DELAY);
    proxies.push(relay);
    const ca = info.ca.pem;
    const address = 'alice@example.test';

    // The product's stores and AuthService over an ephemeral key; the account's servers are the
    // relay (so the bridge pays the same latency upstream as the direct client), its CA the bench's.
    const dataDir = mkdtempSync(join(tmpdir(), 'moa-speed-bridge-store-'));
    const accounts = openNodeAccountStore({ cwd: dataDir });
    const secrets = createSecretStore({ box: createEphemeralSecretBox(), dir: join(dataDir, 'secrets') });
    const auth = new AuthService({
      accounts,
      secrets,
      httpsCa: ca,
      browser: { open: async (url) => void (await loginWithHttp(url, { user: address, deliver: true })) },
    });
    const now = Date.now();
    const account = accounts.put({
      id: 'speed-bridge', label: address, address, providerId: 'generic',
      auth: { adapter: 'oidc', issuer: info.issuer, clientId: 'native-app', flow: 'delegated', authParams: {} },
      scopes: ['openid', 'offline_access', info.scopes.imap],
      servers: { imap: { enabled: true, host: '127.0.0.1', port: relay.port, security: 'tls' } },
      caPem: ca,
      status: 'ready', createdAt: now, updatedAt: now,
    });
    const signedIn = await auth.authorize(account.id, 'browser');
    if (!signedIn.ok) throw new Error(`sign-in failed: ${signedIn.error.code}`);
    const cached = async (): Promise<string> => {
      const r = await auth.getAccessToken(account.id);
      if (!r.ok) throw new Error(`token: ${r.error.code}`);
      return r.value.token;
    };
    const xoauth2 = (token: string): string => Buffer.from(`user=${address}\x01auth=Bearer ${token}\x01\x01`).toString('base64');

    const password = await newBridgePassword({ secrets, accounts }, account.id);
    const bridge = await startBridge({ accounts, secrets, auth, clock: systemClock, dataDir }, { ports: { imap: 0, pop: null, smtp: null }, tls: false });
    closeBridge = () => bridge.close();
    const bridgePort = bridge.ports.imap;
    if (!bridgePort) throw new Error('the bridge bound no IMAP port');
    const quoted = (s: string): string => `"${s.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;

    /** A signed-in session, direct (TLS + XOAUTH2 through the relay) or through the bridge. */
    const open = async (via: 'direct' | 'bridge'): Promise<Imap> => {
      if (via === 'direct') {
        const token = await cached();
        const c = new Imap(await connectTls(relay.port, ca));
        await c.line(/^\* OK/);
        await c.command(`AUTHENTICATE XOAUTH2 ${xoauth2(token)}`);
        return c;
      }
      const c = new Imap(await connectPlain(bridgePort));
      await c.line(/^\* OK/);
      await c.command(`LOGIN ${quoted(address)} ${quoted(password)}`);
      return c;
    };

    // The 20 MB message: base64 lines of random bytes (incompressible, like an attachment).
    const body = randomBytes(Math.ceil((SIZE * 3) / 4)).toString('base64').replace(/.{76}/g, '$&\r\n');
    const message = Buffer.from(`From: ${address}\r\nTo: ${address}\r\nSubject: bench-bridge 20 MB\r\nMIME-Version: 1.0\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n${body}\r\n`);
    const setup = await open('direct');
    const appended = await setup.append('INBOX', message);
    const uid = /APPENDUID \d+ (\d+)/.exec(appended)?.[1];
    if (!uid) throw new Error(`no APPENDUID in ${appended}`);
    await setup.command('LOGOUT').catch(() => undefined);
    setup.close();
    console.log(`a ${(message.length / 1048576).toFixed(1)} MB message appended (UID ${uid})`);

    const session = async (via: 'direct' | 'bridge'): Promise<number> => {
      const t = performance.now();
      const c = await open(via);
      await c.command('SELECT INBOX');
      await c.command('LOGOUT');
      const ms = performance.now() - t;
      c.close();
      return ms;
    };
    const fetch = async (via: 'direct' | 'bridge'): Promise<number> => {
      const c = await open(via);
      await c.command('SELECT INBOX');
      const t = performance.now();
      await c.command(`UID FETCH ${uid} BODY.PEEK[]`);
      const ms = performance.now() - t;
      if (c.literalBytes !== message.length) throw new Error(`${via}: fetched ${c.literalBytes} bytes of ${message.length}`);
      await c.command('LOGOUT').catch(() => undefined);
      c.close();
      return ms;
    };

    // Warm-up (JIT, TLS code paths, the bridge's first upstream connection), not timed.
    await session('direct');
    await session('bridge');
    await fetch('direct');
    await fetch('bridge');

    const times = { direct: [] as number[], bridge: [] as number[], fetchDirect: [] as number[], fetchBridge: [] as number[] };
    const rt = { direct: 0, bridge: 0 };
    for (let i = 0; i < RUNS; i++) {
      // Alternating, so a burst of load from the other engineers' processes hits both sides.
      for (const via of i % 2 === 0 ? (['direct', 'bridge'] as const) : (['bridge', 'direct'] as const)) {
        const r0 = relay.roundTrips();
        times[via].push(await session(via));
        rt[via] += relay.roundTrips() - r0;
      }
      for (const via of i % 2 === 0 ? (['direct', 'bridge'] as const) : (['bridge', 'direct'] as const)) {
        (via === 'direct' ? times.fetchDirect : times.fetchBridge).push(await fetch(via));
      }
    }

    const d = median(times.direct);
    const b = median(times.bridge);
    const extra = b - d;
    const extraTrips = (rt.bridge - rt.direct) / RUNS;
    console.log('');
    console.log(`Session (median of ${RUNS}; connect, greeting, sign-in, SELECT INBOX, LOGOUT; token cached):`);
    console.log(`  direct OAuth (TLS + XOAUTH2 to the server)       ${fmt(d)}   round trips at the relay ${(rt.direct / RUNS).toFixed(1)}`);
    console.log(`  through the bridge (LOGIN on 127.0.0.1)          ${fmt(b)}   round trips at the relay ${(rt.bridge / RUNS).toFixed(1)}`);
    console.log(`  added by the bridge                              ${fmt(extra)}   round trips added (counted) ${extraTrips.toFixed(1)}   target <= 1 RTT: ${extra / RTT <= 1 ? 'met' : 'NOT met'}`);
    const mb = message.length / 1048576;
    const fd = median(times.fetchDirect);
    const fb = median(times.fetchBridge);
    const ratio = fd / fb;
    console.log('');
    console.log(`${mb.toFixed(1)} MB UID FETCH BODY.PEEK[] (median of ${RUNS}, signed-in session):`);
    console.log(`  direct                  ${fd.toFixed(0).padStart(6)} ms   ${(mb / (fd / 1000)).toFixed(1).padStart(6)} MB/s`);
    console.log(`  through the bridge      ${fb.toFixed(0).padStart(6)} ms   ${(mb / (fb / 1000)).toFixed(1).padStart(6)} MB/s`);
    console.log(`  bridge / direct         ${(ratio * 100).toFixed(0).padStart(6)} %                 target >= 80 %: ${ratio >= 0.8 ? 'met' : 'NOT met'}`);
    if (process.env.MOA_SPEED_VERBOSE) console.log(JSON.stringify(times));
  } finally {
    await closeBridge?.();
    for (const p of proxies) await p.close();
    await bench.stop();
  }
}

try {
  await main();
  process.exit(0);
} catch (error) {
  console.error('bridge benchmark failed:', error instanceof Error ? error.message : error);
  process.exit(1);
}
