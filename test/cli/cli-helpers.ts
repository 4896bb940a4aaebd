// Running the CLI as a child process the way a user or a mail client does, and signing a saved
// account in through the bench's login helper (a "person" in the browser).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { benchInfo, benchUser, loginWithHttp } from '../bench/client.ts';

export const root = join(import.meta.dirname, '..', '..');
/** The CLI from the sources (what `node electron/cli.ts` runs). */
export const cliSource = join(root, 'electron', 'cli.ts');
/** The built bundle (`npm run build`). */
export const cliBundle = join(root, 'out', 'cli', 'mail-oauth.cjs');

function newestSource(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    newest = Math.max(newest, s.isDirectory() ? newestSource(p) : s.mtimeMs);
  }
  return newest;
}

/**
 * What the tests run: the bundle when it is newer than every source file (after `npm run build`,
 * as in `npm test`: it starts several times faster, which matters on a loaded machine), else the
 * sources, so a test never checks a stale build.
 */
export const cliEntry: string = (() => {
  if (!existsSync(cliBundle)) return cliSource;
  const built = statSync(cliBundle).mtimeMs;
  const fresh = [join(root, 'electron'), join(root, 'shared')].every((d) => newestSource(d) < built);
  return fresh ? cliBundle : cliSource;
})();

export type Run = { code: number; stdout: string; stderr: string };

/** Run `[node] <entry> args`; `entry` is a file run with this Node, or an executable (PATH form). */
export function runCli(
  args: readonly string[],
  o: { entry?: string; executable?: boolean; env?: NodeJS.ProcessEnv; onStderr?: (text: string) => void } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const [file, argv] = o.executable === true && o.entry ? [o.entry, [...args]] : [process.execPath, [o.entry ?? cliEntry, ...args]];
    const child = spawn(file, argv, { cwd: root, env: { ...process.env, NO_COLOR: '1', ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      o.onStderr?.(stderr);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** The bench's scopes for all three protocols plus OpenID's. */
export const allScopes = (): string => {
  const info = benchInfo();
  return `openid email offline_access ${info.scopes.imap} ${info.scopes.pop3} ${info.scopes.smtp}`;
};

/** `authorize <ref>` completed in the "browser" by the bench's login helper. */
export async function authorizeWithBrowser(ref: string, extra: readonly string[], address = 'alice@example.test', entry?: string): Promise<Run> {
  const user = benchUser(address);
  let completing: Promise<void> | undefined;
  const r = await runCli(['authorize', ref, ...extra], {
    ...(entry ? { entry } : {}),
    onStderr: (stderr) => {
      const url = /Open this URL in your browser to sign in:\n\s+(\S+)\n/.exec(stderr)?.[1];
      if (url && !completing) {
        completing = loginWithHttp(url, { user: user.address, password: user.password }).then(async (redirect) => {
          await fetch(redirect);
        });
      }
    },
  });
  await completing;
  return r;
}
