// The CLI's core: the same stores and auth service as the app, opened in plain Node (without the
// IPC handlers, so that `token` loads no discovery or probe code).
//
// Where things live: `--data-dir`, else $MAIL_OAUTH_DATA_DIR, else the one data directory that the
// desktop app and `npm run dev:web` use too (electron/core/data-dir.ts). Secrets are encrypted with
// the master key the OS keyring keeps (electron/store/node-secret-box.ts), the same for all shells.
// Without an OS keyring the CLI refuses to persist secrets unless told to (`--insecure-store` or
// MAIL_OAUTH_INSECURE_STORE=1), which keeps the key in a 0600 file beside the data; the choice is
// remembered in the data directory, so a mail client's helper line is just `mail-oauth token <acct>`.
import { createCoreServices, type CoreStores } from '../core/services.ts';
import type { BrowserOpener } from '../core/ports.ts';
import { createNodeSecretBox, type NodeSecretBox } from '../store/node-secret-box.ts';
import { appStoreWaiting, migrateLegacyStores, nodeLegacySources } from '../store/migrate.ts';
import { describe } from '../../shared/diagnostics.ts';
import type { CliIO } from './command.ts';
import type { StoreOptions } from './args.ts';
import { resolveDataDir } from './locate.ts';

// Kept in locate.ts (no zod, no stores) for `token`'s fast path; re-exported for the commands.
export { accountRef, findAccount, resolveDataDir } from './locate.ts';
// Kept in ca-file.ts so that `test` can check --ca-file before (and without) loading the core.
export { readCaFile } from './ca-file.ts';
import { readCaFile } from './ca-file.ts';

export type CliCoreOptions = StoreOptions & {
  /** Print the one-time notes about where secrets go (add, authorize): never from `token`, whose
   * stderr every mail client shows on each connection. */
  notes?: boolean;
  /** The data directory's key, already opened by this process (token's fast path): not opened again. */
  secretBox?: NodeSecretBox;
};

export type CliCore = CoreStores & { dataDir: string; ca?: string };

export async function openCliCore(io: CliIO, o: CliCoreOptions = {}): Promise<CliCore> {
  const dataDir = resolveDataDir(io, o.dataDir);
  const ca = o.caFile === undefined ? undefined : readCaFile('ca-file', o.caFile);
  const insecure = o.insecureStore === true || io.env.MAIL_OAUTH_INSECURE_STORE === '1';
  // Throws (KEYRING_LOCKED, KEYRING_KEY_MISSING...) rather than ever starting on a new key. Without
  // a keyring, the key file is only created if secrets are kept anyway (--insecure-store, or the
  // same choice made earlier and remembered in the data directory's preferences).
  const secretBox = o.secretBox ?? (await createNodeSecretBox({ dataDir }));
  // The CLI's "system browser": print the URL (stderr keeps stdout clean for `token`).
  const browser: BrowserOpener = {
    async open(url) {
      io.stderr.write(`Open this URL in your browser to sign in:\n  ${url}\n`);
    },
  };
  const core = createCoreServices({
    shell: 'web-host',
    version: '0',
    dataDir,
    secretBox,
    browser,
    ...(ca ? { ca } : {}),
    ...(insecure ? { allowInsecureSecrets: true } : {}),
  });
  if (o.insecureStore === true) core.rememberInsecureSecrets();
  for (const p of core.accounts.problems) io.stderr.write(`warning: ${p.message}${p.detail ? ` (${p.detail})` : ''}\n`);
  // Once: the store of earlier CLI versions moves into the shared one (no new sign-in). Said even
  // by `token`: it happens once, and a failure matters (the accounts are not there yet).
  const migration = await migrateLegacyStores({ dataDir, sources: nodeLegacySources(dataDir, io.env), accounts: core.accounts, secrets: core.secrets });
  for (const m of migration.moved) {
    io.stderr.write(`Moved ${m.moved.length} account(s) from ${m.source} into ${dataDir}; the old folder can be deleted.${m.skipped.length ? ` Not readable, left there: ${m.skipped.join(', ')}.` : ''}\n`);
  }
  for (const f of migration.failed) io.stderr.write(`warning: ${f.code}: ${f.message}: ${f.detail ?? ''} Next: ${describe(f.code).fix[0] ?? ''}\n`);
  if (o.notes === true) {
    const appWaiting = appStoreWaiting(dataDir, io.env);
    if (appWaiting) io.stderr.write(`note: ${appWaiting}\n`);
    if (!secretBox.available && !core.secrets.status.persistent) {
      io.stderr.write('note: no OS keyring: tokens are kept in memory for this command only. Use --insecure-store to keep them in a key file.\n');
    } else if (!secretBox.available) {
      io.stderr.write(`note: secrets are encrypted with a key file in ${dataDir} (no OS keyring): protect that directory.\n`);
    }
  }
  return { ...core, dataDir, ...(ca ? { ca } : {}) };
}
