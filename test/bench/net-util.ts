// Small network helpers for the bench: free ports, readiness checks. Every wait has a deadline.
import { readFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';

/** A port that was free a moment ago on `host` (the OS picks it; we close and hand it on). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('no port'))));
    });
  });
}

function ephemeralRange(): [number, number] {
  try {
    const [lo, hi] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (lo && hi) return [lo, hi];
  } catch {
    // not Linux: assume the IANA range
  }
  return [49152, 65535];
}

function tryBind(port: number, host: string): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(undefined));
    srv.listen({ port, host, exclusive: true }, () => resolve(srv));
  });
}

/**
 * Distinct free ports for servers that cannot be handed a bound socket (Dovecot binds itself a
 * moment later). Taken BELOW the ephemeral range: an outgoing connection of any process (even
 * our own readiness probes) gets its source port from that range and could occupy a port we
 * picked there before Dovecot binds it. All candidates are held open together while chosen.
 */
export async function freePorts(n: number, host = '127.0.0.1'): Promise<number[]> {
  const [lo] = ephemeralRange();
  const min = 10_000;
  const max = Math.min(lo - 1, 32_767);
  const held: Server[] = [];
  const ports: number[] = [];
  try {
    for (let tries = 0; ports.length < n && tries < n * 50; tries += 1) {
      const port = max > min + n * 4 ? min + Math.floor(Math.random() * (max - min)) : 0;
      if (port !== 0 && ports.includes(port)) continue;
      const srv = await tryBind(port, host);
      if (!srv) continue;
      held.push(srv);
      const a = srv.address();
      ports.push(typeof a === 'object' && a ? a.port : port);
    }
  } finally {
    await Promise.all(held.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
  if (ports.length < n) throw new Error(`could not find ${n} free ports on ${host}`);
  return ports;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function tryConnect(host: string, port: number, timeoutMs: number): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const timer = setTimeout(() => {
      s.destroy();
      resolve(undefined);
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      resolve(s);
    });
    s.once('error', () => {
      clearTimeout(timer);
      s.destroy();
      resolve(undefined);
    });
  });
}

/** Resolves once something accepts TCP connections on host:port; throws after `deadline`. */
export async function waitForPort(host: string, port: number, deadline: number): Promise<void> {
  for (;;) {
    const s = await tryConnect(host, port, 500);
    if (s) {
      s.destroy();
      return;
    }
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port}`);
    await sleep(15);
  }
}

/** Resolves once a plaintext greeting starting with `prefix` arrives on host:port. */
export async function waitForGreeting(host: string, port: number, prefix: string, deadline: number): Promise<string> {
  let last = '';
  for (;;) {
    const s = await tryConnect(host, port, 500);
    if (s) {
      const line = await new Promise<string>((resolve) => {
        let buf = '';
        const done = (v: string): void => {
          clearTimeout(timer);
          s.destroy();
          resolve(v);
        };
        const timer = setTimeout(() => done(buf), Math.max(100, Math.min(2000, deadline - Date.now())));
        s.on('data', (c: Buffer) => {
          buf += c.toString('latin1');
          const i = buf.indexOf('\n');
          if (i >= 0) done(buf.slice(0, i).trim());
        });
        s.once('error', () => done(buf));
        s.once('close', () => done(buf));
      });
      if (line.startsWith(prefix)) return line;
      last = line;
    }
    if (Date.now() > deadline) throw new Error(`no "${prefix}" greeting on ${host}:${port} (last: ${JSON.stringify(last)})`);
    await sleep(15);
  }
}
