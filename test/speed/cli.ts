// `npm run bench:cli`: start-up cost of the installed command (bin/mail-oauth.cjs + the bundle in
// out/cli, built by `npm run build`), each figure as ms and as a ratio to `node -e 0` measured in
// the same run, interleaved so that all of them see the same machine load. Peak RSS from
// /usr/bin/time (GNU time, `%M`). Figures are printed, never asserted.
//
//   node test/speed/cli.ts [--runs 15] [--delay 25]
//
// 1. token with a cached token, token with a refresh (bench client with a 3 s token lifetime, so
//    every call refreshes), --help, node -e 0, and the cached token again with the key in a real
//    OS keyring (a private GNOME Keyring; issue 15: the figures must hold with the keyring);
// 2. end to end at 2 x delay ms RTT (latency relays in front of the IdP and Dovecot):
//    `mail-oauth test --account` with a refresh vs neomutt's `mutt_oauth2.py --test` (Debian's
//    neomutt package ships it; patched copy: bench ports, no gpg) doing the same refresh + IMAP,
//    POP3 and SMTP sign-in, beside the checks' own part (the same three checks run from this
//    process: what `test --account` adds is the rest); and `token` with a refresh from the IdP
//    that far away, beside the IdP's own part at that distance.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startBench } from '../bench/bench.ts';
import { latencyProxy, type LatencyProxy } from './latency-proxy.ts';
import { startSecretService } from '../store/secret-service.ts';
import type { BenchInfo } from '../bench/types.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' }, delay: { type: 'string', default: '25' } } });
const RUNS = Number(values.runs);
const DELAY = Number(values.delay);
const root = join(import.meta.dirname, '..', '..');
const launcher = join(root, 'bin', 'mail-oauth.cjs');
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

if (!existsSync(join(root, 'out', 'cli', 'mail-oauth.cjs'))) {
  console.error('out/cli/mail-oauth.cjs is missing: run `npm run build` first.');
  process.exit(2);
}

type Sample = { ms: number; rssKiB?: number; code: number };

/** One run: wall time around the process, peak RSS from GNU time when available. Asynchronous:
 * the latency proxies live in this process and must keep relaying while the child runs. */
function measure(cmd: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Sample> {
  const [file, args] = TIME ? [TIME, ['-f', '@@rss %M', ...cmd]] : [cmd[0] ?? 'node', cmd.slice(1)];
  return new Promise((resolve) => {
    const t0 = performance.now();
    // stdout a pipe, read to the end: what a mail client gives the helper it runs.
    const child = spawn(file, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.resume();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      const rss = /@@rss (\d+)/.exec(stderr)?.[1];
      resolve({ ms, code: code ?? 1, ...(rss ? { rssKiB: Number(rss) } : {}) });
    });
  });
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
};

function cli(args: readonly string[], o: { env?: NodeJS.ProcessEnv; onStderr?: (s: string) => void } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [launcher, ...args], { env: { ...process.env, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      o.onStderr?.(stderr);
    });
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

// The identity provider is reachable only through a relay (its issuer names the relay's port), so
// the CLI child processes pay the latency without any rewriting; 0 ms for the start-up figures.
const proxies: LatencyProxy[] = [];
const stops: Array<() => Promise<void>> = [];
let idpRelay: LatencyProxy | undefined;
const bench = await startBench({
  idpFront: async (listenPort) => {
    idpRelay = await latencyProxy({ host: '127.0.0.1', port: listenPort }, 0);
    proxies.push(idpRelay);
    return idpRelay.port;
  },
});
try {
  const infoFile = join(mkdtempSync(join(tmpdir(), 'moa-bench-cli-')), 'bench.json');
  writeFileSync(infoFile, JSON.stringify(bench.info));
  process.env.MOA_BENCH_INFO = infoFile;
  const { benchInfo, benchUser, loginWithHttp, mintToken, refreshTokens } = await import('../bench/client.ts');
  const info = benchInfo();
  const m = info.mail.main;
  const scopes = `openid email offline_access ${info.scopes.imap} ${info.scopes.pop3} ${info.scopes.smtp}`;
  const user = benchUser('alice@example.test');

  /** An authorized account in `dataDir`; `env` given: its key in that keyring (else a key file). */
  async function setUp(dataDir: string, clientId: string, servers: { imap: number; pop: number; smtp: number }, env?: NodeJS.ProcessEnv): Promise<void> {
    const dd = ['--data-dir', dataDir];
    const add = await cli(['add', ...dd, ...(env ? [] : ['--insecure-store']), '--ca-file', info.ca.path, '--address', user.address, '--issuer', info.issuer, '--client-id', clientId, '--scopes', scopes,
      '--imap', `localhost:${servers.imap}:tls`, '--pop', `localhost:${servers.pop}:tls`, '--smtp', `localhost:${servers.smtp}:starttls`], { ...(env ? { env } : {}) });
    if (add.code !== 0) throw new Error(`add failed: ${add.stderr}`);
    let done: Promise<void> | undefined;
    const auth = await cli(['authorize', user.address, ...dd], {
      ...(env ? { env } : {}),
      onStderr: (s) => {
        const url = /Open this URL in your browser to sign in:\n\s+(\S+)/.exec(s)?.[1];
        if (url && !done) done = loginWithHttp(url, { user: user.address, password: user.password }).then(async (r) => void (await fetch(r)));
      },
    });
    await done;
    if (auth.code !== 0) throw new Error(`authorize failed: ${auth.stderr}`);
    if (env && !existsSync(join(dataDir, 'master-key.json'))) throw new Error(`the keyring data dir ${dataDir} did not get its key in the keyring`);
  }

  // 1. Start-up, no added latency.
  const cached = mkdtempSync(join(tmpdir(), 'moa-bench-cli-cached-'));
  const refreshing = mkdtempSync(join(tmpdir(), 'moa-bench-cli-refresh-'));
  const direct = { imap: m.imap.tls.port, pop: m.pop3.tls.port, smtp: m.smtp.starttls.port };
  await setUp(cached, 'native-app', direct);
  await setUp(refreshing, 'native-short', direct);
  const cases: Array<{ name: string; cmd: string[]; env?: NodeJS.ProcessEnv }> = [
    { name: 'node -e 0', cmd: [process.execPath, '-e', '0'] },
    { name: 'mail-oauth --help', cmd: [process.execPath, launcher, '--help'] },
    { name: 'mail-oauth token (cached token)', cmd: [process.execPath, launcher, 'token', user.address, '--data-dir', cached] },
    { name: 'mail-oauth token (refresh, loopback)', cmd: [process.execPath, launcher, 'token', user.address, '--data-dir', refreshing] },
  ];
  // The same cached token with the key in a real OS keyring (GNOME Keyring's Secret Service on a
  // private bus, as in the keyring tests): the key lookup, its lock and the library in the path.
  const keyringName = 'mail-oauth token (cached token, OS keyring)';
  const secretService = await startSecretService().catch((e: unknown) => {
    console.log(`(no Secret Service for the keyring case: ${e instanceof Error ? e.message : String(e)})`);
    return undefined;
  });
  if (secretService) {
    stops.push(() => secretService.stop());
    const keyringDir = mkdtempSync(join(tmpdir(), 'moa-bench-cli-keyring-'));
    await setUp(keyringDir, 'native-app', direct, secretService.env);
    cases.push({ name: keyringName, cmd: [process.execPath, launcher, 'token', user.address, '--data-dir', keyringDir], env: secretService.env });
  }
  // Warm the compile cache and the OS file cache once (what a mail client sees after its first call).
  for (const c of cases) await measure(c.cmd, c.env);
  const samples = new Map<string, Sample[]>(cases.map((c) => [c.name, []]));
  // The identity provider's own share of a refresh: the same request (new TCP and TLS connection,
  // POST /token) from this already running process, so "token (refresh)" minus it is what the
  // command adds (target: <= 100 ms + the IdP's round trips).
  const idpName = "the IdP's part: same refresh from a running process";
  let rt = (await mintToken({ client: 'native-short', scope: scopes })).refresh_token;
  const idpSamples: Sample[] = [];
  const idpRefresh = async (): Promise<Sample> => {
    if (rt === undefined) throw new Error('the bench gave no refresh token');
    const t0 = performance.now();
    const next = await refreshTokens(rt, 'native-short');
    rt = next.refresh_token ?? rt;
    return { ms: performance.now() - t0, code: 0 };
  };
  await idpRefresh();
  for (let i = 0; i < RUNS; i++) {
    for (const c of cases) samples.get(c.name)?.push(await measure(c.cmd, c.env));
    idpSamples.push(await idpRefresh());
  }

  const base = median((samples.get('node -e 0') ?? []).map((s) => s.ms));
  const row = (name: string, xs: readonly Sample[], baseline: number): string => {
    const ms = median(xs.map((s) => s.ms));
    const rss = xs.map((s) => s.rssKiB).filter((r): r is number => r !== undefined);
    const failed = xs.filter((s) => s.code !== 0).length;
    return `  ${name.padEnd(42)} ${ms.toFixed(0).padStart(6)} ms  ${(ms / baseline).toFixed(2).padStart(5)}x node -e 0` +
      `${rss.length ? `  peak RSS ${(median(rss) / 1024).toFixed(1)} MiB (max ${(Math.max(...rss) / 1024).toFixed(1)})` : ''}${failed ? `  (${failed} runs FAILED)` : ''}`;
  };
  console.log(`Start-up (median of ${RUNS}, interleaved, node ${process.version}; GNU time ${TIME ? 'yes' : 'missing: no RSS'}):`);
  for (const c of cases) console.log(row(c.name, samples.get(c.name) ?? [], base));
  console.log(row(idpName, idpSamples, base));
  const refreshMs = median((samples.get('mail-oauth token (refresh, loopback)') ?? []).map((s) => s.ms));
  console.log(`  token (refresh) without the IdP's part         ${(refreshMs - median(idpSamples.map((s) => s.ms))).toFixed(0).padStart(6)} ms`);

  // 2. End to end through latency proxies.
  const via = async (port: number): Promise<number> => {
    const p = await latencyProxy({ host: '127.0.0.1', port }, DELAY);
    proxies.push(p);
    return p.port;
  };
  idpRelay?.setDelay(DELAY);
  const slow = { imap: await via(m.imap.tls.port), pop: await via(m.pop3.tls.port), smtp: await via(m.smtp.starttls.port) };
  const e2eDir = mkdtempSync(join(tmpdir(), 'moa-bench-cli-e2e-'));
  await setUp(e2eDir, 'native-short', slow);
  const ours = [process.execPath, launcher, 'test', '--account', user.address, '--data-dir', e2eDir, '--json'];
  const e2e: Array<{ name: string; cmd: string[]; env?: NodeJS.ProcessEnv; before?: () => void }> = [
    { name: 'node -e 0', cmd: [process.execPath, '-e', '0'] },
    { name: 'mail-oauth test --account (refresh + 3 protocols)', cmd: ours },
  ];
  const mutt = await muttSetUp(info, slow, scopes, user);
  if (mutt) e2e.push({ name: 'mutt_oauth2.py --test (refresh + 3 protocols)', cmd: mutt.cmd, env: mutt.env, before: mutt.expire });
  // The refresh again, now with the identity provider DELAY ms away each way: its three round trips
  // (TCP, TLS, POST) are what a real refresh waits for, and the command's early connection
  // overlaps the first two with its own start (the IdP's part is measured the same way as above).
  const tokenAtRtt = `mail-oauth token (refresh, IdP at ${2 * DELAY} ms RTT)`;
  e2e.push({ name: tokenAtRtt, cmd: [process.execPath, launcher, 'token', user.address, '--data-dir', refreshing] });
  const run = (c: (typeof e2e)[number]): Promise<Sample> => {
    c.before?.();
    return measure(c.cmd, c.env);
  };
  // The protocols' own share of `test --account`, as the IdP's part is the refresh's: the same
  // three checks through the same relays from this already running process (the engine loaded, a
  // token in hand), so the command's figure minus it is what the process adds: its start-up and
  // loading, the refresh, and the checks waiting on each other's work in one thread.
  const { runProbe } = await import('../../electron/probe/run-probe.ts');
  const { staticToken } = await import('../../electron/core/ports.ts');
  const probeToken = (await mintToken({ client: 'native-app', scope: scopes })).access_token;
  const probeServers = {
    imap: { enabled: true, host: 'localhost', port: slow.imap, security: 'tls' as const },
    pop: { enabled: true, host: 'localhost', port: slow.pop, security: 'tls' as const },
    smtp: { enabled: true, host: 'localhost', port: slow.smtp, security: 'starttls' as const },
  };
  const checksInProcess = async (): Promise<Sample> => {
    const t0 = performance.now();
    const report = await runProbe({ address: user.address, servers: probeServers, mechanisms: ['OAUTHBEARER', 'XOAUTH2'], token: staticToken(probeToken) }, { ca: info.ca.pem });
    return { ms: performance.now() - t0, code: report.ok ? 0 : 1 };
  };
  for (const c of e2e) await run(c);
  await checksInProcess();
  const e2eSamples = new Map<string, Sample[]>(e2e.map((c) => [c.name, []]));
  const idpAtRtt: Sample[] = [];
  const checksAtRtt: Sample[] = [];
  await idpRefresh();
  for (let i = 0; i < RUNS; i++) {
    for (const c of e2e) e2eSamples.get(c.name)?.push(await run(c));
    idpAtRtt.push(await idpRefresh());
    checksAtRtt.push(await checksInProcess());
  }
  const e2eMedian = (name: string | undefined): number => median((e2eSamples.get(name ?? '') ?? []).map((s) => s.ms));
  const base2 = e2eMedian('node -e 0');
  const testMs = e2eMedian(e2e[1]?.name);
  console.log(`\nEnd to end at ${2 * DELAY} ms RTT (median of ${RUNS}, interleaved):`);
  for (const c of e2e) console.log(row(c.name, e2eSamples.get(c.name) ?? [], base2));
  if (mutt) {
    console.log(`  mail-oauth is ${(e2eMedian(e2e[2]?.name) / testMs).toFixed(2)}x faster than mutt_oauth2.py --test`);
  } else {
    console.log('  (mutt_oauth2.py not found: apt-get install neomutt for the comparison)');
  }
  const checksName = `the 3 checks' part at ${2 * DELAY} ms RTT (same checks, running process)`;
  console.log(row(checksName, checksAtRtt, base2));
  console.log(`  test --account beyond the checks' part at ${2 * DELAY} ms RTT ${(testMs - median(checksAtRtt.map((s) => s.ms))).toFixed(0).padStart(6)} ms`);
  console.log(row(`the IdP's part at ${2 * DELAY} ms RTT (3 round trips + its work)`, idpAtRtt, base2));
  console.log(`  token (refresh) beyond the IdP's part at ${2 * DELAY} ms RTT ${(e2eMedian(tokenAtRtt) - median(idpAtRtt.map((s) => s.ms))).toFixed(0).padStart(6)} ms`);
} finally {
  for (const p of proxies) await p.close();
  for (const stop of stops) await stop();
  await bench.stop();
}

/** neomutt's mutt_oauth2.py, as Debian ships it, with the bench as a registration: its fixed
 * ports replaced by the proxies' and gpg by cat (the token file is then plain JSON in a temp
 * dir, which is what the script does without gpg). Python trusts the bench CA via SSL_CERT_FILE. */
async function muttSetUp(
  info: BenchInfo,
  ports: { imap: number; pop: number; smtp: number },
  scopes: string,
  user: { address: string },
): Promise<{ cmd: string[]; env: NodeJS.ProcessEnv; expire: () => void } | undefined> {
  const gz = '/usr/share/doc/neomutt/oauth2/mutt_oauth2.py.gz';
  if (!existsSync(gz) || spawnSync('python3', ['--version']).status !== 0) return undefined;
  const { gunzipSync } = await import('node:zlib');
  const { readFileSync, chmodSync } = await import('node:fs');
  const { mintToken } = await import('../bench/client.ts');
  let py = gunzipSync(readFileSync(gz)).toString('utf8');
  const tokenUrl = new URL(info.endpoints.token); // the relay's port already
  const replace = (from: string, to: string): void => {
    if (!py.includes(from)) throw new Error(`mutt_oauth2.py changed: "${from}" not found`);
    py = py.split(from).join(to);
  };
  replace("ENCRYPTION_PIPE = ['gpg', '--encrypt', '--recipient', 'YOUR_GPG_IDENTITY']", "ENCRYPTION_PIPE = ['cat']");
  replace("DECRYPTION_PIPE = ['gpg', '--decrypt']", "DECRYPTION_PIPE = ['cat']");
  replace('registrations = {', `registrations = {
    'bench': {
        'authorize_endpoint': '${info.endpoints.authorization}',
        'devicecode_endpoint': '${info.endpoints.deviceAuthorization}',
        'token_endpoint': '${tokenUrl.href}',
        'redirect_uri': 'http://127.0.0.1/callback',
        'imap_endpoint': 'localhost',
        'pop_endpoint': 'localhost',
        'smtp_endpoint': 'localhost',
        'sasl_method': 'OAUTHBEARER',
        'scope': '${scopes}',
        'client_id': 'native-short',
        'client_secret': '',
    },`);
  replace("imaplib.IMAP4_SSL(registration['imap_endpoint'])", `imaplib.IMAP4_SSL(registration['imap_endpoint'], ${ports.imap})`);
  replace("poplib.POP3_SSL(registration['pop_endpoint'])", `poplib.POP3_SSL(registration['pop_endpoint'], ${ports.pop})`);
  replace("smtplib.SMTP(registration['smtp_endpoint'], 587)", `smtplib.SMTP(registration['smtp_endpoint'], ${ports.smtp})`);
  const dir = mkdtempSync(join(tmpdir(), 'moa-mutt-'));
  const script = join(dir, 'mutt_oauth2.py');
  writeFileSync(script, py);
  // A signed-in token file (as after `--authorize`): a refresh token from the bench, an expired access token.
  const t = await mintToken({ client: 'native-short', scope: scopes });
  const tokenFile = join(dir, 'token.json');
  writeFileSync(tokenFile, JSON.stringify({ registration: 'bench', authflow: 'localhostauthcode', email: user.address, access_token: '', access_token_expiration: '', refresh_token: t.refresh_token ?? '' }));
  chmodSync(tokenFile, 0o600);
  // Every run refreshes, as ours does: forget the access token, keep the (rotated) refresh token.
  const expire = (): void => {
    const saved = JSON.parse(readFileSync(tokenFile, 'utf8')) as Record<string, unknown>;
    writeFileSync(tokenFile, JSON.stringify({ ...saved, access_token: '', access_token_expiration: '' }));
  };
  return { cmd: ['python3', script, '--test', tokenFile], env: { SSL_CERT_FILE: info.ca.path }, expire };
}
