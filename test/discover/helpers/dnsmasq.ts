// A real DNS server for the discovery tests: Debian's dnsmasq, started with its own command-line
// configuration on a free loopback port, no upstream servers, no /etc/hosts, no pid file. The
// test domains are declared `--local`, so anything not configured gets NXDOMAIN (an answer),
// and names outside them get REFUSED: nothing is ever forwarded to the internet.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { createServer, type Socket as TcpSocket } from 'node:net';
import { Resolver } from 'node:dns/promises';

const DNSMASQ = '/usr/sbin/dnsmasq';

export type DnsServer = { address: string; stop(): Promise<void> };

/** A port free for both UDP and TCP on 127.0.0.1 (dnsmasq binds both). */
async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => {
        const a = s.address();
        s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const u = createSocket('udp4');
      u.once('error', () => resolve(false));
      u.bind(port, '127.0.0.1', () => u.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
  throw new Error('no free port for dnsmasq');
}

/**
 * Start dnsmasq with `records` (dnsmasq options such as `--mx-host=...`, `--srv-host=...`,
 * `--host-record=...`); `localDomains` are answered authoritatively (NXDOMAIN when unknown).
 */
export async function startDnsmasq(records: readonly string[], localDomains: readonly string[] = ['test']): Promise<DnsServer> {
  const port = await freePort();
  const args = [
    '--no-daemon',
    `--port=${port}`,
    '--listen-address=127.0.0.1',
    '--bind-interfaces',
    '--no-resolv',
    '--no-hosts',
    '--conf-file=/dev/null',
    '--pid-file=',
    '--log-facility=-',
    // As root dnsmasq drops to "nobody"; it only needs the port it already bound.
    ...localDomains.map((d) => `--local=/${d}/`),
    ...records,
  ];
  const child = spawn(DNSMASQ, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const address = `127.0.0.1:${port}`;
  try {
    await waitUntilAnswering(child, address, () => output);
  } catch (error) {
    await stopChild(child, exited);
    throw error;
  }
  return { address, stop: () => stopChild(child, exited) };
}

async function waitUntilAnswering(child: ChildProcess, address: string, output: () => string): Promise<void> {
  const r = new Resolver({ timeout: 200, tries: 1 });
  r.setServers([address]);
  for (let i = 0; i < 50; i++) {
    if (child.exitCode !== null) throw new Error(`dnsmasq exited (${child.exitCode}): ${output()}`);
    try {
      await r.resolveMx('probe.invalid-zone.test');
      return;
    } catch (error) {
      const code = (error as { code?: string }).code;
      // Any DNS answer (even "no such name") means it is up.
      if (code === 'ENOTFOUND' || code === 'ENODATA' || code === 'EREFUSED') return;
    }
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`dnsmasq did not answer on ${address}: ${output()}`);
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await exited;
}

/** A "DNS server" that receives queries and never answers (UDP and TCP), for timeout tests. */
export async function startSilentDns(): Promise<DnsServer & { queries(): number }> {
  const port = await freePort();
  let queries = 0;
  const udp: Socket = createSocket('udp4');
  udp.on('message', () => queries++);
  await new Promise<void>((resolve) => udp.bind(port, '127.0.0.1', () => resolve()));
  const sockets = new Set<TcpSocket>();
  const tcp = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('data', () => queries++);
  });
  await new Promise<void>((resolve) => tcp.listen(port, '127.0.0.1', () => resolve()));
  return {
    address: `127.0.0.1:${port}`,
    queries: () => queries,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all([
        new Promise<void>((resolve) => udp.close(() => resolve())),
        new Promise<void>((resolve) => tcp.close(() => resolve())),
      ]);
    },
  };
}
