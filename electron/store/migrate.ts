// Moving the stores of earlier versions into the one shared data directory, once, on first start,
// without a new sign-in:
//   - the CLI / web host store (~/.config/mail-oauth-assistant/cli): accounts.json (conf) and
//     secrets/ encrypted with the old CLI key (a `secret-tool` entry, the macOS `security` item, or
//     the `insecure-key` file of --insecure-store);
//   - the desktop app's store (Electron userData): accounts.json (electron-store) and secrets/
//     encrypted with Electron safeStorage, which only the app can decrypt: it passes a decryptor
//     (the port `decrypt`), and plain Node never sees safeStorage.
//
// Everything is read and decrypted first; only when all of it could be read are the secrets and
// then the accounts written into the shared store (through its own stores: atomic writes, locks),
// and the source recorded in migrated.json so it is never moved twice. A failure leaves the old
// files exactly as they were and is reported as STORE_MIGRATION_FAILED with the cause and the
// file; the next start tries again. Old files are never deleted: the note tells the user they can go.
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { Account } from '../../shared/account.ts';
import { appError, AppFailure, type AppError } from '../../shared/result.ts';
import { describe } from '../../shared/diagnostics.ts';
import { defaultDataDir, legacyDirs } from '../core/data-dir.ts';
import type { AccountStore } from './account-store.ts';
import { aesGcmDecrypt } from './aes-secret-box.ts';
import { withFileLock } from './lock.ts';
import { fileName, type SecretKey, type SecretStore } from './secret-store.ts';

export type LegacySource = {
  kind: 'cli' | 'app';
  dir: string;
  /** How to read that store's secret files; called only when there is something to move. */
  decryptor(): Promise<(data: Buffer) => string>;
};

export type MigrationReport = { source: string; kind: LegacySource['kind']; moved: string[]; skipped: string[] };

const MARKER = 'migrated.json';
const Marker = z.object({ sources: z.array(z.object({ dir: z.string(), kind: z.string(), at: z.string(), accounts: z.array(z.string()) })) });
const Entries = z.record(z.string(), z.string());
const SECRET_KEYS: readonly SecretKey[] = ['msal-cache', 'oauth-grant', 'client-secret'];

const failure = (detail: string): AppFailure => new AppFailure(appError('STORE_MIGRATION_FAILED', describe('STORE_MIGRATION_FAILED').title, detail));

async function readMarker(dataDir: string): Promise<z.infer<typeof Marker>> {
  try {
    return Marker.parse(JSON.parse(await fs.readFile(join(dataDir, MARKER), 'utf8')));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { sources: [] };
    throw failure(`${join(dataDir, MARKER)} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'damaged'}); fix or delete it.`);
  }
}

/** Whether a source still has to be moved (two stats and, rarely, one small read: every start). */
export function pendingSources(dataDir: string, sources: readonly LegacySource[]): LegacySource[] {
  const candidates = sources.filter((s) => existsSync(join(s.dir, 'accounts.json')));
  if (candidates.length === 0) return [];
  let done: string[] = [];
  try {
    done = Marker.parse(JSON.parse(readFileSync(join(dataDir, MARKER), 'utf8'))).sources.map((s) => s.dir);
  } catch {
    // No marker yet (or an unreadable one: migrateLegacyStores reports that).
  }
  return candidates.filter((s) => !done.includes(s.dir));
}

type Loaded = { accounts: Account[]; secrets: Map<string, Record<string, string>>; skipped: string[] };

/** Read and decrypt everything of one source, or throw: nothing is written before this succeeds. */
async function load(source: LegacySource): Promise<Loaded> {
  const path = join(source.dir, 'accounts.json');
  let raw: unknown;
  try {
    raw = JSON.parse(await fs.readFile(path, 'utf8'));
  } catch (e) {
    throw failure(`${path}: ${(e as NodeJS.ErrnoException).code ?? 'not JSON'}.`);
  }
  const list = (raw as { accounts?: unknown })?.accounts;
  // Schema 1 kept an array, schema 2 a record by id (account-store.ts).
  const values = Array.isArray(list) ? list : list && typeof list === 'object' ? Object.values(list) : [];
  const accounts: Account[] = [];
  const skipped: string[] = [];
  for (const v of values) {
    const parsed = Account.safeParse(v);
    if (parsed.success) accounts.push(parsed.data);
    else skipped.push(String((v as { address?: unknown })?.address ?? (v as { id?: unknown })?.id ?? 'an unreadable record'));
  }
  const secrets = new Map<string, Record<string, string>>();
  let decrypt: ((data: Buffer) => string) | undefined;
  for (const a of accounts) {
    const file = join(source.dir, 'secrets', fileName(a.id));
    let data: Buffer;
    try {
      data = await fs.readFile(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue; // never signed in there
      throw failure(`${file}: ${(e as NodeJS.ErrnoException).code ?? 'read error'}.`);
    }
    try {
      decrypt ??= await source.decryptor();
    } catch (e) {
      throw failure(`The key of the old ${source.kind === 'app' ? 'app' : 'command-line'} store in ${source.dir} is not available: ${messageOf(e)}`);
    }
    try {
      secrets.set(a.id, Entries.parse(JSON.parse(decrypt(data))));
    } catch {
      throw failure(`${file} cannot be decrypted with the old store's key.`);
    }
  }
  return { accounts, secrets, skipped };
}

const messageOf = (e: unknown): string => (e instanceof AppFailure ? (e.appError.detail ?? e.message) : e instanceof Error ? e.message : String(e));

/**
 * Move every pending source into the shared store. Returns what was moved and the failures
 * (each STORE_MIGRATION_FAILED, old files untouched); never throws for a source's failure.
 */
export async function migrateLegacyStores(o: {
  dataDir: string;
  sources: readonly LegacySource[];
  accounts: AccountStore;
  secrets: SecretStore;
}): Promise<{ moved: MigrationReport[]; failed: AppError[] }> {
  const moved: MigrationReport[] = [];
  const failed: AppError[] = [];
  if (pendingSources(o.dataDir, o.sources).length === 0) return { moved, failed };
  if (!o.secrets.status.persistent) {
    // Moving sign-ins into a memory-only store would lose them at exit: wait for a keyring.
    failed.push(failure('The shared store cannot keep secrets on disk here (no OS keyring), so your old sign-ins stay where they are.').appError);
    return { moved, failed };
  }
  await fs.mkdir(o.dataDir, { recursive: true, mode: 0o700 });
  // Two processes starting together must not both move (and duplicate) the same store.
  await withFileLock(join(o.dataDir, 'migrate.lock'), async () => {
    for (const source of pendingSources(o.dataDir, o.sources)) {
      try {
        const data = await load(source);
        const done: string[] = [];
        for (const account of data.accounts) {
          // Already in the shared store (an earlier, interrupted run): the shared copy is newer.
          if (o.accounts.get(account.id)) continue;
          const entries = data.secrets.get(account.id) ?? {};
          for (const key of SECRET_KEYS) {
            const value = entries[key];
            if (value !== undefined) await o.secrets.set(account.id, key, value);
          }
          // The account last: it never appears without its sign-in.
          o.accounts.put(account);
          done.push(account.address);
        }
        const marker = await readMarker(o.dataDir);
        marker.sources.push({ dir: source.dir, kind: source.kind, at: new Date().toISOString(), accounts: data.accounts.map((a) => a.id) });
        const path = join(o.dataDir, MARKER);
        await fs.writeFile(`${path}.tmp`, `${JSON.stringify(marker, null, 2)}\n`, { mode: 0o600 });
        await fs.rename(`${path}.tmp`, path);
        moved.push({ source: source.dir, kind: source.kind, moved: done, skipped: data.skipped });
      } catch (e) {
        failed.push(e instanceof AppFailure ? e.appError : failure(`${source.dir}: ${messageOf(e)}`).appError);
      }
    }
  });
  return { moved, failed };
}

// --- The old CLI store's key -------------------------------------------------------------------

const LEGACY_SERVICE = 'mail-oauth-assistant';
const LEGACY_ACCOUNT = 'master-key';

async function runTool(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string }> {
  // Loaded here, for the one move that needs it: every `mail-oauth token` refresh opens the store,
  // and node:child_process (with dgram and the child-process internals) is ~6 ms to load alone.
  const { execFile } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    execFile(file, args, { env, timeout: 10_000, windowsHide: true }, (error, stdout) => {
      if (error && typeof (error as NodeJS.ErrnoException).code === 'string') return reject(error);
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout: String(stdout) });
    });
  });
}

/**
 * The key of the old CLI store: its `insecure-key` file, else the entry the old versions kept with
 * `secret-tool` (Linux) or `security` (macOS). Spawning those tools is acceptable here: it runs
 * once, for the move, and only reads (the key never goes into argv). Old Windows CLIs had no
 * keyring backend, only the key file.
 */
export function legacyCliDecryptor(dir: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform) {
  return async (): Promise<(data: Buffer) => string> => {
    const keyFile = join(dir, 'insecure-key');
    let text: string | undefined;
    if (existsSync(keyFile)) text = await fs.readFile(keyFile, 'utf8');
    else if (platform === 'darwin') {
      const r = await runTool('security', ['find-generic-password', '-s', LEGACY_SERVICE, '-a', LEGACY_ACCOUNT, '-w'], env);
      if (r.code !== 0) throw new Error('the old Keychain item “mail-oauth-assistant / master-key” was not found or not readable (unlock the keychain)');
      text = r.stdout;
    } else if (platform !== 'win32') {
      const r = await runTool('secret-tool', ['lookup', 'application', LEGACY_SERVICE, 'kind', LEGACY_ACCOUNT], env).catch((e: Error) => {
        throw new Error(`secret-tool is needed to read the old key once (${e.message}); install libsecret-tools`);
      });
      if (r.code !== 0) throw new Error('the old keyring entry (application=mail-oauth-assistant kind=master-key) was not found, or the keyring is locked: unlock it');
      text = r.stdout;
    }
    const key = text === undefined ? undefined : Buffer.from(text.trim(), 'base64');
    if (!key || key.length !== 32) throw new Error(`no readable old key (${keyFile} or the OS keyring)`);
    return (data) => aesGcmDecrypt(key, data);
  };
}

/** What the Node shells (CLI, web host) can move: the old CLI store, when they use the default
 * data directory (an explicit --data-dir / MAIL_OAUTH_DATA_DIR is a separate set-up). */
export function nodeLegacySources(dataDir: string, env: NodeJS.ProcessEnv = process.env): LegacySource[] {
  if (env.MAIL_OAUTH_DATA_DIR || resolve(dataDir) !== resolve(defaultDataDir({ env }))) return [];
  const dir = legacyDirs({ env }).cli;
  return [{ kind: 'cli', dir, decryptor: legacyCliDecryptor(dir, env) }];
}

/** The desktop app's old store waits for the app (only it can decrypt safeStorage): say so. */
export function appStoreWaiting(dataDir: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.MAIL_OAUTH_DATA_DIR || resolve(dataDir) !== resolve(defaultDataDir({ env }))) return undefined;
  const dir = legacyDirs({ env }).app;
  const pending = pendingSources(dataDir, [{ kind: 'app', dir, decryptor: async () => (d) => d.toString() }]);
  return pending.length > 0 ? `The desktop app's accounts in ${dir} move to the shared store when you start the app once.` : undefined;
}
