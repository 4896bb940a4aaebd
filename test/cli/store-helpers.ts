// Shared by the CLI tests that run `node electron/cli.ts` as real child processes against the
// bench: run a command, add + authorize an account (the browser step completed by the bench's
// login helper), and ask the bench's IdP about a grant.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchControl, benchInfo, benchUser, introspect, loginWithHttp } from '../bench/client.ts';
import { withFileLock } from '../../electron/store/lock.ts';
import assert from 'node:assert/strict';
import { cliEntry } from './cli-helpers.ts';

export const root = join(import.meta.dirname, '..', '..');
/** The CLI these tests run: the bundle when it is fresh, else the sources (cli-helpers.ts). The
 * concurrency tests start 50 processes per file; from the sources each start type-strips and loads
 * the core (~0.5 s idle, 5-10 s at load 60-90), and two of those files ran past the runner's
 * 300 s limit in the loaded runs of issue 16. The bundle is also what mail clients really run. */
export const cli = cliEntry;

export type Run = { code: number; stdout: string; stderr: string };

/** The store flags of a test's own data dir (key file, the bench CA). */
export const storeFlags = (dataDir: string): string[] => ['--data-dir', dataDir, '--insecure-store', '--ca-file', benchInfo().ca.path];

export function start(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess & { out: { stdout: string; stderr: string } } {
  const child = spawn(process.execPath, [cli, ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out.stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out.stderr += d));
  return Object.assign(child, { out });
}

export function finished(child: ReturnType<typeof start>): Promise<Run> {
  return new Promise((resolve) => {
    const done = (): void => resolve({ code: child.exitCode ?? 1, stdout: child.out.stdout, stderr: child.out.stderr });
    if (child.exitCode !== null || child.signalCode !== null) done();
    else child.once('close', done);
  });
}

export function run(args: string[], onStderr?: (text: string) => void, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const child = start(args, env);
  if (onStderr) child.stderr?.on('data', () => onStderr(child.out.stderr));
  return finished(child);
}

/** Resolves when the child's stderr holds `text`; rejects when it exits first. */
export function stderrShows(child: ReturnType<typeof start>, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (child.out.stderr.includes(text)) {
        child.stderr?.off('data', check);
        child.off('close', gone);
        resolve();
      }
    };
    const gone = (): void => {
      if (!child.out.stderr.includes(text)) reject(new Error(`exited (${child.exitCode}) before printing "${text}": ${child.out.stderr}`));
    };
    child.stderr?.on('data', check);
    child.once('close', gone);
    check();
  });
}

/** A saved account at the bench's IdP: an OpenID one, or with `msal` a Microsoft one whose
 * authority is the bench (MSAL in OIDC mode, as for a Microsoft-style authority that is not Microsoft's). */
export async function addAccount(dataDir: string, o: { address?: string; clientId?: string; msal?: boolean } = {}): Promise<string> {
  const info = benchInfo();
  const m = info.mail.main;
  const add = await run([
    'add', ...storeFlags(dataDir),
    '--address', o.address ?? 'alice@example.test',
    ...(o.msal ? ['--provider', 'microsoft-365', '--authority', info.issuer] : ['--provider', 'generic', '--issuer', info.issuer]),
    '--client-id', o.clientId ?? 'native-app',
    '--scopes', `openid email offline_access ${info.scopes.imap} ${info.scopes.smtp}`,
    '--imap', `localhost:${m.imap.tls.port}:tls`,
    '--smtp', `localhost:${m.smtp.starttls.port}:starttls`,
  ]);
  if (add.code !== 0) throw new Error(`add failed: ${add.stderr}`);
  return add.stdout.trim();
}

export async function authorize(dataDir: string, id: string, address = 'alice@example.test'): Promise<void> {
  const user = benchUser(address);
  let completing: Promise<void> | undefined;
  const r = await run(['authorize', id, ...storeFlags(dataDir)], (stderr) => {
    const url = /Open this URL in your browser to sign in:\n\s+(\S+)/.exec(stderr)?.[1];
    if (url && !completing) {
      // deliver: the bench's login helper hands the answer to the CLI's loopback listener as a
      // browser would (a redirect for OpenID, the auto-submitted form_post for MSAL).
      completing = loginWithHttp(url, { user: user.address, password: user.password, deliver: true }).then(() => undefined);
    }
  });
  await completing;
  if (r.code !== 0) throw new Error(`authorize failed: ${r.stderr}`);
}

export type GrantInfo = { grantId: string; refreshes: number; revoked: boolean };

/** What the bench's IdP knows about the grant of an access token it issued. */
export async function grantOf(accessToken: string): Promise<GrantInfo> {
  const g = (await benchControl('idp-grant', { accessToken })) as GrantInfo | null;
  if (!g) throw new Error('the IdP does not know this access token');
  return g;
}

/** Every file under `dir` with its bytes (to prove that nothing on disk changed). */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      const st = statSync(p);
      if (st.isDirectory()) {
        out[`${p}/`] = `dir ${(st.mode & 0o777).toString(8)}`;
        walk(p);
      } else out[p] = `${(st.mode & 0o777).toString(8)} ${readFileSync(p).toString('base64')}`;
    }
  };
  walk(dir);
  return out;
}

/** One round: 10 `token` processes queued behind the account's lock (held here while they start,
 * released once each of them has read the grant and waits), then let go together. */
export async function tokenRound(dataDir: string, id: string, extra: string[], n = 10, flags = storeFlags(dataDir)): Promise<Run[]> {
  const lock = join(dataDir, 'secrets', `${id}.secrets.lock`);
  const kids = await withFileLock(lock, async () => {
    const started = Array.from({ length: n }, () => start(['token', id, ...flags, ...extra], { MAIL_OAUTH_DEBUG_LOCKS: '1' }));
    await Promise.all(started.map((k) => stderrShows(k, 'waiting for lock')));
    return started;
  });
  return Promise.all(kids.map(finished));
}

/** `rounds` rounds of 10 processes forcing a refresh: each round one refresh at the IdP, every
 * process prints the one new token, the grant stays alive. */
export async function forcedRefreshRounds(address: string, rounds: number, o: { msal?: boolean } = {}): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'moa-cli-conc-'));
  const id = await addAccount(dataDir, { address, ...(o.msal ? { msal: true } : {}) });
  await authorize(dataDir, id, address);
  const first = await run(['token', id, ...storeFlags(dataDir)]);
  assert.equal(first.code, 0, first.stderr);
  let previous = first.stdout.trim();
  const g0 = await grantOf(previous);
  for (let r = 1; r <= rounds; r++) {
    const results = await tokenRound(dataDir, id, ['--force-refresh']);
    for (const x of results) assert.equal(x.code, 0, `round ${r}: ${x.stderr}`);
    const tokens = new Set(results.map((x) => x.stdout.trim()));
    assert.equal(tokens.size, 1, `round ${r}: every process prints the one new token`);
    const [token = ''] = tokens;
    assert.notEqual(token, previous, `round ${r}: a new token`);
    const g = await grantOf(token);
    assert.equal(g.grantId, g0.grantId, 'the same grant');
    assert.equal(g.revoked, false, `round ${r}: the grant is alive`);
    assert.equal(g.refreshes, g0.refreshes + r, `round ${r}: exactly one refresh per round`);
    previous = token;
  }
  assert.equal((await introspect(previous)).active, true);
}
