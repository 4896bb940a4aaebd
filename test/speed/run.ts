// Speed benchmark of the one-click connection test (`npm run bench`): the real bench behind a loopback latency proxy (25 ms each way, per chunk, both
// directions) in front of Dovecot's listeners and the identity provider. Figures are printed and
// compared in one run, never asserted.
//
//   node test/speed/run.ts [--delay 25] [--accounts 50] [--concurrency 25] [--runs 3]
import net from 'node:net';
import { parseArgs } from 'node:util';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBench } from '../bench/bench.ts';
import type { TokenSource } from '../../electron/core/ports.ts';
import { AuthService } from '../../electron/auth/auth-service.ts';
import { createHttpFetch, type HttpFetch } from '../../electron/auth/http.ts';
import { openNodeAccountStore } from '../../electron/store/account-store.ts';
import { createSecretStore } from '../../electron/store/secret-store.ts';
import { createEphemeralSecretBox } from '../../electron/store/aes-secret-box.ts';
import type { ProviderEntry } from '../../shared/providers.ts';
import { staticToken } from '../../electron/core/ports.ts';
import { runProbe } from '../../electron/probe/run-probe.ts';
import type { Servers } from '../../shared/account.ts';
import type { ProbeReport } from '../../shared/probe.ts';

const { values } = parseArgs({
  options: {
    delay: { type: 'string', default: '25' },
    accounts: { type: 'string', default: '50' },
    concurrency: { type: 'string', default: '25' },
    runs: { type: 'string', default: '3' },
  },
});
const DELAY = Number(values.delay);
const RTT = 2 * DELAY;
const ACCOUNTS = Number(values.accounts);
const CONCURRENCY = Number(values.concurrency);
const RUNS = Number(values.runs);

type Proxy = { port: number; close(): Promise<void> };

/** A TCP relay that delays every chunk by `delay` ms in both directions (order kept: equal
 * delays fire in order). The end of a stream is delayed the same way. */
function latencyProxy(target: { host: string; port: number }, delay: number): Promise<Proxy> {
  const sockets = new Set<net.Socket>();
  const pipeDelayed = (from: net.Socket, to: net.Socket): void => {
    from.on('data', (chunk: Buffer) => {
      setTimeout(() => {
        if (!to.destroyed) to.write(chunk);
      }, delay);
    });
    from.on('end', () => setTimeout(() => to.end(), delay));
    from.on('error', () => setTimeout(() => to.destroy(), delay));
    // end (not destroy) so that data still queued for `to` is flushed first
    from.on('close', () => setTimeout(() => to.end(), delay));
  };
  const server = net.createServer((client) => {
    client.setNoDelay(true);
    const upstream = net.connect(target);
    upstream.setNoDelay(true);
    sockets.add(client).add(upstream);
    client.on('close', () => sockets.delete(client));
    upstream.on('close', () => sockets.delete(upstream));
    // The TCP handshake to the proxy itself is a loopback one: delay the first byte path by
    // one RTT (connect) so a new connection costs what it costs on a real network.
    client.pause();
    setTimeout(() => {
      client.resume();
    }, RTT);
    pipeDelayed(client, upstream);
    pipeDelayed(upstream, client);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      resolve({
        port,
        close: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const fmt = (ms: number): string => `${ms.toFixed(0).padStart(6)} ms  ${(ms / RTT).toFixed(1).padStart(5)} RTT`;

async function main(): Promise<void> {
  const t0 = Date.now();
  const bench = await startBench();
  const info = bench.info;
  const dir = mkdtempSync(join(tmpdir(), 'moa-speed-'));
  const infoFile = join(dir, 'bench.json');
  writeFileSync(infoFile, JSON.stringify(info));
  process.env.MOA_BENCH_INFO = infoFile;
  const { loginWithHttp } = await import('../bench/client.ts');
  const proxies: Proxy[] = [];
  try {
    console.log(`bench up in ${Date.now() - t0} ms; latency ${DELAY} ms each way (RTT ${RTT} ms)`);
    const m = info.mail.main;
    const via = async (l: { host: string; port: number }): Promise<number> => {
      const p = await latencyProxy(l, DELAY);
      proxies.push(p);
      return p.port;
    };
    const servers: Servers = {
      imap: { enabled: true, host: '127.0.0.1', port: await via(m.imap.tls), security: 'tls' },
      pop: { enabled: true, host: '127.0.0.1', port: await via(m.pop3.tls), security: 'tls' },
      smtp: { enabled: true, host: '127.0.0.1', port: await via(m.smtp.tls), security: 'tls' },
    };
    const starttlsServers: Servers = {
      imap: { enabled: true, host: '127.0.0.1', port: await via(m.imap.starttls), security: 'starttls' },
      pop: { enabled: true, host: '127.0.0.1', port: await via(m.pop3.starttls), security: 'starttls' },
      smtp: { enabled: true, host: '127.0.0.1', port: await via(m.smtp.starttls), security: 'starttls' },
    };
    const issuer = new URL(info.issuer);
    const idpPort = await via({ host: '127.0.0.1', port: Number(issuer.port) });
    const address = 'alice@example.test';
    const ca = info.ca.pem;

    // The product's own token path: AuthService + OidcTokenProvider (openid-client), its secret
    // store and its HTTP client. The only test-only piece is the network: requests to the IdP go
    // through the latency proxy (same host name, so TLS verifies against the test CA as usual).
    const dataDir = mkdtempSync(join(tmpdir(), 'moa-speed-store-'));
    const accounts = openNodeAccountStore({ cwd: dataDir });
    const secrets = createSecretStore({ box: createEphemeralSecretBox(), dir: join(dataDir, 'secrets') });
    const viaProxy = (): HttpFetch => {
      const direct = createHttpFetch({ ca });
      return (url, init) => {
        const u = new URL(url);
        if (u.hostname === issuer.hostname && u.port === issuer.port) u.port = String(idpPort);
        return direct(u.href, init);
      };
    };
    // Catalog-style entry with the endpoints known (as for Google): no discovery round trip.
    const provider: ProviderEntry = {
      id: 'speed-oidc', label: 'bench', adapter: 'oidc', domains: [], mxSuffixes: [],
      protocolScopes: { imap: [info.scopes.imap], pop: [info.scopes.pop3], smtp: [info.scopes.smtp] },
      baseScopes: ['openid', 'offline_access'], mechanisms: ['XOAUTH2'], servers: {},
      issuer: info.issuer,
      endpoints: { authorization: info.endpoints.authorization, token: info.endpoints.token, revocation: info.endpoints.revocation },
      clientSecretRequired: false, deviceFlowForMail: true, notes: [],
    };
    const authService = (): AuthService =>
      new AuthService({
        accounts,
        secrets,
        providers: [provider],
        fetch: viaProxy(),
        browser: { open: async (url) => void (await loginWithHttp(url, { user: address, deliver: true })) },
      });
    const setup = authService();
    let n = 0;
    /** A signed-in account; its timed token source is a fresh AuthService (cold connections, as
     * after idle) asked to refresh (the token is "near expiry"). */
    const newSource = async (): Promise<TokenSource> => {
      const now = Date.now();
      const account = accounts.put({
        id: `speed-${n++}`, label: address, address, providerId: provider.id,
        auth: { adapter: 'oidc', issuer: info.issuer, clientId: 'native-app', flow: 'delegated', authParams: {} },
        scopes: ['openid', 'offline_access', info.scopes.imap, info.scopes.pop3, info.scopes.smtp],
        servers, status: 'ready', createdAt: now, updatedAt: now,
      });
      const r = await setup.authorize(account.id, 'browser');
      if (!r.ok) throw new Error(`authorization failed: ${r.error.code}`);
      const tokens = authService().tokenProvider(account.id);
      return { getAccessToken: (o) => tokens.getAccessToken({ ...o, forceRefresh: true }) };
    };
    const check = (r: ProbeReport, what: string): ProbeReport => {
      if (!r.ok) {
        const bad = r.protocols.filter((p) => !p.ok).map((p) => ({ protocol: p.protocol, code: p.code, step: p.steps.find((x) => x.status === 'failed'), tail: p.transcript.slice(-6) }));
        throw new Error(`${what} failed: ${JSON.stringify(bad, null, 1)} token ${r.token.code ?? r.token.status}`);
      }
      return r;
    };
    const oneClick = async (srv: Servers, source: TokenSource): Promise<ProbeReport> =>
      check(await runProbe({ address, servers: srv, mechanisms: ['XOAUTH2'], token: source }, { ca }), 'one-click test');

    // warm-up (JIT, TLS session code paths), not timed
    await oneClick(servers, await newSource());

    const parallel: number[] = [];
    const parallelStarttls: number[] = [];
    const sequential: number[] = [];
    const perProtocol: Record<string, number[]> = { refresh: [], imap: [], pop: [], smtp: [] };
    for (let i = 0; i < RUNS; i++) {
      const s1 = await newSource();
      let t = performance.now();
      const r1 = await oneClick(servers, s1);
      parallel.push(performance.now() - t);
      if (i === 0 && process.env.MOA_SPEED_VERBOSE) {
        console.log(`token ${fmt(r1.token.ms ?? 0)}`);
        for (const pr of r1.protocols) console.log(pr.protocol, pr.steps.map((x) => `${x.step}=${((x.ms ?? 0) / RTT).toFixed(1)}`).join(' '));
      }

      const s2 = await newSource();
      t = performance.now();
      await oneClick(starttlsServers, s2);
      parallelStarttls.push(performance.now() - t);

      // sequential baseline: refresh, then IMAP, then POP3, then SMTP, one after another
      const s3 = await newSource();
      const start = performance.now();
      t = start;
      const token = await s3.getAccessToken();
      perProtocol.refresh?.push(performance.now() - t);
      for (const protocol of ['imap', 'pop', 'smtp'] as const) {
        t = performance.now();
        await oneClick({ [protocol]: servers[protocol] }, staticToken(token.token));
        perProtocol[protocol]?.push(performance.now() - t);
      }
      sequential.push(performance.now() - start);
    }

    const p = median(parallel);
    const s = median(sequential);
    console.log('');
    console.log(`One-click test (median of ${RUNS}; token refresh through the IdP proxy + IMAP + POP3 + SMTP, implicit TLS):`);
    console.log(`  parallel (engine)        ${fmt(p)}   target <= 9 RTT: ${p / RTT <= 9 ? 'met' : 'NOT met'}`);
    console.log(`  sequential baseline      ${fmt(s)}`);
    console.log(`  speed-up                 ${(s / p).toFixed(2)}x           target >= 2.5x: ${s / p >= 2.5 ? 'met' : 'NOT met'}`);
    console.log(`  parallel, STARTTLS ports ${fmt(median(parallelStarttls))}`);
    console.log('  per step of the baseline:');
    for (const [k, v] of Object.entries(perProtocol)) console.log(`    ${k.padEnd(8)} ${fmt(median(v))}`);

    // many accounts: each its own grant, bounded concurrency
    const sources: TokenSource[] = [];
    for (let i = 0; i < ACCOUNTS; i++) sources.push(await newSource());
    const single = await newSource();
    let t = performance.now();
    await oneClick(servers, single);
    const one = performance.now() - t;
    const cpu0 = process.cpuUsage();
    t = performance.now();
    let next = 0;
    const worker = async (): Promise<void> => {
      for (;;) {
        const i = next++;
        const src = sources[i];
        if (!src) return;
        await oneClick(servers, src);
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, ACCOUNTS) }, worker));
    const many = performance.now() - t;
    const cpu = process.cpuUsage(cpu0);
    // The bench's servers (Dovecot, the IdP) share this machine's cores with the client: show
    // how much of the wall time the client itself (this process) spent on CPU.
    const clientCpu = (cpu.user + cpu.system) / 1000;
    console.log('');
    console.log(`Many accounts (${ACCOUNTS} accounts, concurrency ${CONCURRENCY}):`);
    console.log(`  one account              ${fmt(one)}`);
    console.log(`  ${String(ACCOUNTS).padStart(2)} accounts              ${fmt(many)}   ${(many / one).toFixed(2)}x one   target <= 4x: ${many / one <= 4 ? 'met' : 'NOT met'}`);
    console.log(`  client CPU (this process) ${clientCpu.toFixed(0).padStart(5)} ms for ${ACCOUNTS} accounts, ${(clientCpu / ACCOUNTS).toFixed(1)} ms each; the rest of the wall time is the servers on the same ${availableParallelism()} cores and the network`);
  } finally {
    for (const pr of proxies) await pr.close();
    await bench.stop();
  }
}

try {
  await main();
  process.exit(0);
} catch (error) {
  console.error('speed benchmark failed:', error instanceof Error ? error.message : error);
  process.exit(1);
}
