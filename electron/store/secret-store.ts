// Secrets at rest (MSAL token cache, OAuth grants with refresh tokens, client secrets): one file
// per account, `<dir>/<account>.secrets`, holding the SecretBox-encrypted JSON of that account's
// entries, so neither values nor key names are readable on disk. Writes are atomic (temp file in
// the same directory, fsync, rename) with mode 0600, and serialized per account so a rotated
// refresh token can never be overwritten by an older write.
//
// When the SecretBox is not available (Electron on Linux with `basic_text`, the CLI without a
// keyring) secrets stay in memory only and `status.problem` is SECRET_STORAGE_UNAVAILABLE, unless
// the user explicitly allowed insecure persistence (then the box's weak encryption is used, as
// Electron's basic_text does, and the status says so).
import { mkdirSync, promises as fs } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import type { SecretBox } from '../core/ports.ts';
import { appError, type AppError } from '../../shared/result.ts';
import { describe } from '../../shared/diagnostics.ts';

/** What is kept per account. */
export type SecretKey = 'msal-cache' | 'oauth-grant' | 'client-secret';

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
  /** Delete one entry, or every secret of the account when `key` is omitted. */
  delete(accountId: string, key?: SecretKey): Promise<void>;
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
};

const Entries = z.record(z.string(), z.string());

/** File name for an account id: readable when safe, otherwise a hash (ids come from our store). */
export function fileName(accountId: string): string {
  return /^[A-Za-z0-9_-]{1,80}$/.test(accountId)
    ? `${accountId}.secrets`
    : `${createHash('sha256').update(accountId).digest('hex').slice(0, 40)}.secrets`;
}

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

  const cache = new Map<string, Record<string, string>>();
  const queues = new Map<string, Promise<unknown>>();

  /** Run per-account operations one after another (read-modify-write of one file). */
  function serial<T>(accountId: string, op: () => Promise<T>): Promise<T> {
    const prev = queues.get(accountId) ?? Promise.resolve();
    const next = prev.then(op, op);
    queues.set(accountId, next.catch(() => undefined));
    return next;
  }

  async function load(accountId: string): Promise<Record<string, string>> {
    const hit = cache.get(accountId);
    if (hit) return hit;
    let entries: Record<string, string> = {};
    if (persist && dir !== undefined) {
      const path = join(dir, fileName(accountId));
      let data: Buffer | undefined;
      try {
        data = await fs.readFile(path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
      if (data !== undefined) {
        try {
          entries = Entries.parse(JSON.parse(box.decrypt(data)));
        } catch {
          // Another key (keyring reset, other machine) or a damaged file: keep it aside for the
          // user, never delete it; the account then needs a new sign-in.
          await fs.rename(path, `${path}.undecryptable-${Date.now()}`).catch(() => undefined);
          entries = {};
        }
      }
    }
    cache.set(accountId, entries);
    return entries;
  }

  async function save(accountId: string, entries: Record<string, string>): Promise<void> {
    cache.set(accountId, entries);
    if (!persist || dir === undefined) return;
    const path = join(dir, fileName(accountId));
    if (Object.keys(entries).length === 0) {
      await fs.rm(path, { force: true });
      return;
    }
    const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await fs.open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(box.encrypt(JSON.stringify(entries)));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, path);
  }

  return {
    status,
    async enableInsecurePersistence() {
      if (persist || dir === undefined) return;
      persist = true;
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      status.persistent = true;
      status.backend = box.backend;
      delete status.problem;
      for (const [accountId, entries] of cache) await serial(accountId, () => save(accountId, entries));
    },
    get: (accountId, key) => serial(accountId, async () => (await load(accountId))[key]),
    set: (accountId, key, value) =>
      serial(accountId, async () => {
        const entries = { ...(await load(accountId)), [key]: value };
        await save(accountId, entries);
      }),
    delete: (accountId, key) =>
      serial(accountId, async () => {
        if (key === undefined) {
          await save(accountId, {});
          return;
        }
        const entries = { ...(await load(accountId)) };
        delete entries[key];
        await save(accountId, entries);
      }),
  };
}
