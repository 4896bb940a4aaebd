// The one-click test as users run it from a terminal: `mail-oauth test --account <id>` as a child
// process, for a saved account whose access token has expired (client `native-short`: 3 s tokens,
// inside the refresh margin, so every run refreshes), every connection (identity provider and
// mail servers) through the latency relays. Set-up goes through the CLI too (`add`, `authorize`).
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchInfo } from '../bench/types.ts';

const root = join(import.meta.dirname, '..', '..');
const cli = join(root, 'electron', 'cli.ts');

export type CliRun = {
  /** spawn to the first byte on stdout */
  firstOutputMs: number;
  /** spawn to exit */
  totalMs: number;
  /** the probe's own duration and its token step, as the report prints them */
  probeMs: number;
  tokenMs: number;
  /** round trips to the identity provider during the run, counted at its relay */
  idpRoundTrips: number;
  stdout: string;
};

/** A duration as the CLI prints it (shared/format-time.ts): `123 ms`, or `1.2 s` from a second on. */
const duration = (text: string | undefined): number =>
  text === undefined ? NaN : text.endsWith(' ms') ? Number(text.slice(0, -3)) : Number(text.slice(0, -2)) * 1000;

type Exec = { code: number; stdout: string; stderr: string; firstOutputMs: number; totalMs: number };

function exec(args: string[], env: NodeJS.ProcessEnv, onStderr?: (all: string) => void): Promise<Exec> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let first = NaN;
    const child = spawn(process.execPath, [cli, ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (Number.isNaN(first)) first = performance.now() - t0;
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      onStderr?.(stderr);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr, firstOutputMs: first, totalMs: performance.now() - t0 }));
  });
}

export async function cliOneClickRuns(o: {
  info: BenchInfo;
  /** host:port:security per protocol, through the relays */
  imap: string;
  pop: string;
  smtp: string;
  runs: number;
  login: (url: string) => Promise<void>;
  /** the IdP relay's round-trip counter */
  idpRoundTrips: () => number;
}): Promise<CliRun[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'moa-speed-cli-'));
  const env = { MAIL_OAUTH_DATA_DIR: dataDir, MAIL_OAUTH_INSECURE_STORE: '1', ...(process.env.MOA_CLI_TRACE === '1' ? { NODE_OPTIONS: `--import ${join(import.meta.dirname, 'cli-trace.ts')}` } : {}) };
  const { info } = o;
  const add = await exec(
    [
      'add', '--address', 'alice@example.test', '--provider', 'generic', '--issuer', info.issuer, '--client-id', 'native-short',
      '--scopes', `openid email offline_access ${info.scopes.imap} ${info.scopes.pop3} ${info.scopes.smtp}`,
      '--imap', o.imap, '--pop', o.pop, '--smtp', o.smtp,
      // The bench CA, saved with the account: `test --account` trusts it for the IdP and the servers.
      '--ca-file', info.ca.path,
    ],
    env,
  );
  if (add.code !== 0) throw new Error(`mail-oauth add failed: ${add.stderr}`);
  const id = add.stdout.trim();
  let completing: Promise<void> | undefined;
  const auth = await exec(['authorize', id], env, (stderr) => {
    const url = /Open this URL in your browser to sign in:\n\s+(\S+)/.exec(stderr)?.[1];
    if (url && !completing) completing = o.login(url);
  });
  await completing;
  if (auth.code !== 0) throw new Error(`mail-oauth authorize failed: ${auth.stderr}`);
  const runs: CliRun[] = [];
  for (let i = 0; i < o.runs; i++) {
    const trips = o.idpRoundTrips();
    const r = await exec(['test', '--account', id], env);
    const idpRoundTrips = o.idpRoundTrips() - trips;
    if (r.code !== 0) throw new Error(`mail-oauth test failed (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
    const probeMs = duration(/All checks passed \((\d+ ms|\d+\.\d s)\)/.exec(r.stdout)?.[1]);
    const tokenMs = duration(/TOKEN\s+\S+\s+token\s+(\d+ ms|\d+\.\d s)/.exec(r.stdout)?.[1]);
    if (process.env.MOA_CLI_TRACE === '1') process.stderr.write(`--- run ${i}\n${r.stderr}`);
    runs.push({ firstOutputMs: r.firstOutputMs, totalMs: r.totalMs, probeMs, tokenMs, idpRoundTrips, stdout: r.stdout });
  }
  return runs;
}
