// Secrets at rest (MSAL token cache, OAuth grants with refresh tokens, client secrets): one file
// per account, `<dir>/<account>.secrets`, holding the SecretBox-encrypted JSON of that account's
// entries, so neither values nor key names are readable on disk. Writes are atomic and durable
// (temp file in the same directory, fsync, rename, fsync of the directory) with mode 0600.
//
// Several processes share the directory (mail clients call `mail-oauth token` several at once,
// next to the app or the web host). So:
// - every read-modify-write of an account's file runs under that account's cross-process lock
//   (`<file>.lock`, lock.ts), and `withLock` lets a refresh hold it across "re-read the grant,
//   refresh, write the rotated refresh token" (re-entrant: set() inside it does not lock again);
// - the in-memory copy is re-validated on every read (a stat: another process's rename changes
//   the inode), so a process never writes from, or hands out, a stale grant;
// - a temp file left by a writer killed between fsync and rename holds the newest grant (the
//   provider already rotated the refresh token): under the lock, the newest leftover that
//   decrypts and is newer than the file replaces it; the others are deleted.
// A file that cannot be read (permissions, EISDIR) is an error with its path (LOCAL_FILE_DENIED, LOCAL_FILE_WRONG_TYPE, else STORE_UNREADABLE), never
// "no secrets", and is left alone. A file that does not decrypt (another key, damaged) is moved
// aside, never deleted; the account then needs a new sign-in.
//
// When the SecretBox is not available (Electron on Linux with `basic_text`, the CLI without a
// keyring) secrets stay in memory only and `status.problem` is SECRET_STORAGE_UNAVAILABLE, unless
// the user explicitly allowed insecure persistence (then the box's weak encryption is used, as
// Electron's basic_text does, and the status says so).
import { mkdirSync, promises as fs, type Stats } from 'node:fs';
import { fileName } from './secret-file.ts';
import { join } from 'node:path';
import { z } from 'zod';
import type { SecretBox } from '../core/ports.ts';
import { AppFailure, appError, type AppError } from '../../shared/result.ts';
import { describe } from '../../shared/diagnostics.ts';
import { readErrorCode } from './read-error.ts';
import { replaceFileSync, syncDirectory } from './replace-file.ts';
import { FileLockError, withFileLock, withProcessLock } from './lock.ts';

/** What is kept per account (`bridge-password`: only the salted scrypt hash, electron/bridge/password.ts; `bridge-tls-key`: the bridge certificate's key, electron/bridge/cert.ts). */
export type SecretKey = 'msal-cache' | 'oauth-grant' | 'client-secret' | 'bridge-password' | 'bridge-tls-key';

export type SecretStoreStatus = {
  /** Secrets survive a restart. */
  persistent: boolean;
  /** Encrypted with an OS-protected key. */
  secure: boolean;
  backend: string;
  problem?: AppError;
};

export interface SecretStore {
  readonly status: SecretStoreStatus;
  get(accountId: string, key: SecretKey): Promise<string | undefined>;
  /** Resolves once the value is durably written (or held in memory in memory-only mode). */
  set(accountId: string, key: SecretKey, value: string): Promise<void>;
  /** Delete one entry, or every secret of the account when `key` is omitted (then the account's
   * file is deleted from disk even in memory-only mode, where it may be left from an earlier run). */
  delete(accountId: string, key?: SecretKey): Promise<void>;
  /** Run `fn` holding the account's cross-process lock: get/set/delete inside see and write the
   * latest on disk, and no other process changes the account's secrets meanwhile. Throws
   * AppFailure STORE_BUSY when another process keeps the lock too long. */
  withLock<T>(accountId: string, fn: () => Promise<T>): Promise<T>;
  /** Memory-only mode: load the account's file if an earlier run left one (so `remove` can
   * revoke its refresh token). True when something was loaded. */
  adoptFromDisk(accountId: string): Promise<boolean>;
  /** The user chose to keep secrets on disk without OS-backed encryption: from now on they are
   * written (encrypted with the box's non-OS key), and what is held in memory is written at once. */
  enableInsecurePersistence(): Promise<void>;
}

export type SecretStoreOptions = {
  box: SecretBox;
  /** Directory of the secret files; omitted = memory only. */
  dir?: string;
  /** The user chose "store without OS encryption" (CLI `--insecure-store`). */
  allowInsecure?: boolean;
  /** How long to wait for another process's lock (ms); default 60 s. */
  lockTimeoutMs?: number;
};

const Entries = z.record(z.string(), z.string());

export { fileName } from './secret-file.ts';

function unreadable(path: string, e: unknown): AppFailure {
  const errno = (e as NodeJS.ErrnoException | undefined)?.code ?? (e instanceof Error ? e.name : 'error');
  const code = readErrorCode(errno);
  return new AppFailure(appError(code, `${describe(code).title} (${errno}): ${path}`, `${path}: ${errno}`), { cause: e });
}

const signature = (st: Stats | undefined): string => (st ? `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}` : 'none');

export function createSecretStore(options: SecretStoreOptions): SecretStore {
  const { box } = options;
  let persist = options.dir !== undefined && (box.available || options.allowInsecure === true);
  const status: SecretStoreStatus = {
    persistent: persist,
    secure: persist && box.available,
    backend: persist ? box.backend : 'memory',
  };
  if (!box.available && !persist) {
    status.problem = appError(
      'SECRET_STORAGE_UNAVAILABLE',
      describe('SECRET_STORAGE_UNAVAILABLE').title,
      `Secret backend "${box.backend}" is not secure; tokens are kept in memory only.`,
    );
  }
  const dir = options.dir;
  if (persist && dir !== undefined) mkdirSync(dir, { recursive: true, mode: 0o700 });

  /** Entries per account, with the signature of the file they were read from. */
  const cache = new Map<string, { entries: Record<string, string>; sig: string }>();
  const pathOf = (accountId: string): string => join(dir ?? '.', fileName(accountId));

  function withLock<T>(accountId: string, fn: () => Promise<T>): Promise<T> {
    if (!persist || dir === undefined) return withProcessLock(`secrets:${accountId}`, fn);
    return withFileLock(`${pathOf(accountId)}.lock`, fn, { timeoutMs: options.lockTimeoutMs ?? 60_000 }).catch((e: unknown) => {
      if (e instanceof FileLockError) throw new AppFailure(appError('STORE_BUSY', describe('STORE_BUSY').title, e.message), { cause: e });
      throw e;
    });
  }

  async function statFile(path: string): Promise<Stats | undefined> {
    try {
      return await fs.stat(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw unreadable(path, e);
    }
  }

  /** Leftover temp files of this account (a writer died before its rename). */
  async function leftovers(accountId: string): Promise<string[]> {
    if (dir === undefined) return [];
    const prefix = `${fileName(accountId)}.`;
    let names: string[];
    try {
      names = await fs.readdir(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw unreadable(dir, e);
    }
    return names.filter((n) => n.startsWith(prefix) && n.endsWith('.tmp')).map((n) => join(dir, n));
  }

  /** Under the lock (no live writer): keep the newest leftover that decrypts and is newer than the file. */
  async function recover(accountId: string): Promise<void> {
    await withLock(accountId, async () => {
      const path = pathOf(accountId);
      const tmps = await leftovers(accountId);
      if (tmps.length === 0) return;
      const main = await statFile(path);
      const candidates: Array<{ tmp: string; mtime: number }> = [];
      for (const tmp of tmps) {
        const st = await statFile(tmp);
        if (st) candidates.push({ tmp, mtime: st.mtimeMs });
      }
      candidates.sort((a, b) => b.mtime - a.mtime);
      let adopted = false;
      for (const c of candidates) {
        if (!adopted && (main === undefined || c.mtime >= main.mtimeMs)) {
          try {
            Entries.parse(JSON.parse(box.decrypt(await fs.readFile(c.tmp))));
            await fs.rename(c.tmp, path);
            syncDirectory(dir ?? '.');
            adopted = true;
            continue;
          } catch {
            // unfinished write (killed before fsync): not a grant, delete it below
          }
        }
        await fs.rm(c.tmp, { force: true });
      }
    });
  }

  async function load(accountId: string): Promise<Record<string, string>> {
    const hit = cache.get(accountId);
    if (!persist || dir === undefined) return hit?.entries ?? {};
    const path = pathOf(accountId);
    if ((await leftovers(accountId)).length > 0) await recover(accountId);
    const st = await statFile(path);
    const sig = signature(st);
    if (hit && hit.sig === sig) return hit.entries;
    let entries: Record<string, string> = {};
    if (st) {
      let data: Buffer | undefined;
      try {
        data = await fs.readFile(path);
      } catch (e) {
        // ENOENT: removed since the stat (remove by another process): no secrets.
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw unreadable(path, e);
      }
      if (data !== undefined) {
        try {
          entries = Entries.parse(JSON.parse(box.decrypt(data)));
        } catch (e) {
          if (e instanceof AppFailure) throw e; // the box itself is unusable (no key): not the file's fault
          // Another key (keyring reset, other machine) or a damaged file: keep it aside for the
          // user, never delete it; the account then needs a new sign-in.
          await fs.rename(path, `${path}.undecryptable-${Date.now()}`).catch(() => undefined);
          entries = {};
        }
      }
    }
    cache.set(accountId, { entries, sig });
    return entries;
  }

  async function save(accountId: string, entries: Record<string, string>): Promise<void> {
    if (!persist || dir === undefined) {
      cache.set(accountId, { entries, sig: 'memory' });
      return;
    }
    const path = pathOf(accountId);
    if (Object.keys(entries).length === 0) {
      await fs.rm(path, { force: true }).catch((e: unknown) => {
        throw unreadable(path, e);
      });
      cache.set(accountId, { entries, sig: 'none' });
      return;
    }
    try {
      replaceFileSync(path, box.encrypt(JSON.stringify(entries)), { mode: 0o600, syncDirectory: true });
    } catch (e) {
      if (e instanceof AppFailure) throw e;
      throw unreadable(path, e);
    }
    cache.set(accountId, { entries, sig: signature(await statFile(path)) });
  }

  return {
    status,
    withLock,
    async enableInsecurePersistence() {
      if (persist || dir === undefined) return;
      const held = [...cache.entries()];
      persist = true;
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      status.persistent = true;
      status.backend = box.backend;
      delete status.problem;
      cache.clear();
      for (const [accountId, { entries }] of held) {
        await withLock(accountId, async () => save(accountId, { ...(await load(accountId)), ...entries }));
      }
    },
    async adoptFromDisk(accountId) {
      if (persist || dir === undefined) return false;
      const path = pathOf(accountId);
      let data: Buffer;
      try {
        data = await fs.readFile(path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw unreadable(path, e);
      }
      try {
        const entries = Entries.parse(JSON.parse(box.decrypt(data)));
        cache.set(accountId, { entries: { ...entries, ...(cache.get(accountId)?.entries ?? {}) }, sig: 'memory' });
        return true;
      } catch {
        return false; // not decryptable here (no key): it is still deleted by delete(accountId)
      }
    },
    get: async (accountId, key) => (await load(accountId))[key],
    set: (accountId, key, value) =>
      withLock(accountId, async () => {
        const entries = { ...(await load(accountId)), [key]: value };
        await save(accountId, entries);
      }),
    delete: (accountId, key) =>
      withLock(accountId, async () => {
        if (key === undefined) {
          cache.set(accountId, { entries: {}, sig: 'memory' });
          if (dir !== undefined) {
            // Whatever mode this process runs in, an account's secrets never outlive it on disk.
            const path = pathOf(accountId);
            for (const p of [path, ...(await leftovers(accountId))]) {
              await fs.rm(p, { force: true }).catch((e: unknown) => {
                throw unreadable(p, e);
              });
            }
            if (persist) cache.set(accountId, { entries: {}, sig: 'none' });
          }
          return;
        }
        const entries = { ...(await load(accountId)) };
        delete entries[key];
        await save(accountId, entries);
      }),
  };
}
