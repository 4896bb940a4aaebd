// The CLI's core: the same stores and auth service as the app, opened in plain Node.
//
// Where things live: `--data-dir`, else $MAIL_OAUTH_DATA_DIR, else ~/.config/mail-oauth-assistant/cli
// (shared with `npm run dev:web`, which uses the same directory by default through the same code).
// Secrets are encrypted with a key the OS keyring keeps (electron/store/node-secret-box.ts). The
// desktop app encrypts with Electron's safeStorage key instead, so the CLI and the app keep separate
// stores on a user's machine: set an account up in either, or authorize it again in the CLI.
// Without an OS keyring the CLI refuses to persist secrets unless told to (`--insecure-store` or
// MAIL_OAUTH_INSECURE_STORE=1), which keeps the key in a 0600 file beside the data, and says so.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCore, type Core } from '../core/compose.ts';
import { nodeDataDir } from '../core/data-dir.ts';
import type { BrowserOpener } from '../core/ports.ts';
import { createNodeSecretBox } from '../store/node-secret-box.ts';
import { probeInputForAccount } from '../probe/run-probe.ts';
import type { Account } from '../../shared/account.ts';
import { UsageError, type CliIO } from './command.ts';


export type CliCoreOptions = { dataDir?: string; insecureStore?: boolean; caFile?: string };

export async function openCliCore(io: CliIO, o: CliCoreOptions = {}): Promise<Core> {
  const dataDir = o.dataDir ?? nodeDataDir(io.env);
  const insecure = o.insecureStore === true || io.env.MAIL_OAUTH_INSECURE_STORE === '1';
  // The key file is only created if secrets are kept without a keyring (--insecure-store, or the
  // same choice made in the web host, remembered in the data directory's preferences).
  const secretBox = await createNodeSecretBox({ insecureKeyFile: join(dataDir, 'insecure-key') });
  let ca: string | undefined;
  if (o.caFile) {
    try {
      ca = readFileSync(o.caFile, 'utf8');
    } catch {
      throw new UsageError(`--ca-file: cannot read ${o.caFile}`);
    }
  }
  // The CLI's "system browser": print the URL (stderr keeps stdout clean for `token`).
  const browser: BrowserOpener = {
    async open(url) {
      io.stderr.write(`Open this URL in your browser to sign in:\n  ${url}\n`);
    },
  };
  const core = createCore({
    shell: 'web-host',
    version: '0',
    dataDir,
    secretBox,
    browser,
    ...(ca ? { ca } : {}),
    ...(insecure ? { allowInsecureSecrets: true } : {}),
  });
  for (const p of core.accounts.problems) io.stderr.write(`warning: ${p.message}${p.detail ? ` (${p.detail})` : ''}\n`);
  if (!secretBox.available && !core.secrets.status.persistent) {
    io.stderr.write(
      'note: no OS keyring: tokens are kept in memory for this command only. Use --insecure-store to keep them in a key file.\n',
    );
  } else if (!secretBox.available) {
    io.stderr.write(`note: secrets are encrypted with a key file in ${dataDir} (no OS keyring): protect that directory.\n`);
  }
  return core;
}

/** An account by id or by address (the address is what people remember). */
export function findAccount(core: Core, ref: string): Account {
  const list = core.accounts.list();
  const hit = list.find((a) => a.id === ref) ?? list.filter((a) => a.address === ref.toLowerCase());
  if (!Array.isArray(hit)) return hit;
  if (hit.length === 1 && hit[0]) return hit[0];
  if (hit.length > 1) throw new UsageError(`${ref} matches ${hit.length} accounts: use the id (mail-oauth accounts)`);
  throw new UsageError(`No saved account "${ref}" (mail-oauth accounts lists them)`);
}

/** `mail-oauth test --account <id|address>`: the saved account with its refreshing token source.
 * The store location comes from the environment (MAIL_OAUTH_DATA_DIR, MAIL_OAUTH_INSECURE_STORE). */
export function savedAccountResolver(io: CliIO) {
  return async (ref: string) => {
    const core = await openCliCore(io);
    const a = findAccount(core, ref);
    return probeInputForAccount(a, core.auth.tokenProvider(a.id));
  };
}
