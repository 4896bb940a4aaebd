// The non-secret account records (shared/account.ts) behind a small port. The Node implementation
// sits on json-file.ts (conf's JSON file format and atomic writes, without conf's start-up cost);
// the Electron app passes an electron-store instance instead (same API; electron-store is built on conf), through
// `openAccountStore(() => new Store({...}), path)`, since only electron/app/ may import it.
//
// On every open the file is validated with zod. A file that is not JSON or not our shape is moved
// aside to `<name>.corrupt-<timestamp>.json` and reported as SETTINGS_CORRUPT: the user never
// silently loses accounts, and the app never crashes on a damaged file. Records that fail the
// schema are dropped from the live store only after the whole file was copied aside. A file that
// cannot be READ (permissions, a directory in its place) is not damaged: that is LOCAL_FILE_* (read-error.ts)
// with the path, and nothing on disk is touched.
//
// Several processes share the file (the CLI, the web host, the desktop app): every put/remove is
// a read-modify-write under a cross-process lock (`<file>.lock`, lock.ts) that re-reads the file
// inside it and changes only the one record, so a writer never puts back its stale copy over
// another's change. list()/get() re-read the file when its stat changed (another process wrote),
// and `onChange` tells a long-lived process (app, web host) so its UI can reload. Writes are
// atomic (temp file, fsync, rename: json-file.ts, and conf's `atomically` in the app).
import { copyFileSync, existsSync, renameSync, statSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { z } from 'zod';
import { Account } from '../../shared/account.ts';
import { AppFailure, appError, type AppError } from '../../shared/result.ts';
import { FileLockError, withFileLockSync } from './lock.ts';
import { describe } from '../../shared/diagnostics.ts';
import { readErrorCode } from './read-error.ts';
import { systemClock, type Clock } from '../core/ports.ts';
import { openJsonFile } from './json-file.ts';

export interface AccountStore {
  list(): Account[];
  get(id: string): Account | undefined;
  /** Insert or replace (validated, schema defaults applied; throws a zod error on an invalid record).
   * `ifUpdatedAt`: replace only the record with that `updatedAt`, checked under the lock on the
   * file as it is now (AppFailure ACCOUNT_CHANGED_ELSEWHERE, or NOT_FOUND when it was removed). */
  put(account: z.input<typeof Account>, options?: { ifUpdatedAt?: number }): Account;
  /** Change one record as the file holds it now, read under the lock (a sign-in's identity, a
   * test's result, a trusted CA): a copy read before the work began never goes back over what
   * another process wrote meanwhile. Returns the record written, or undefined when there is no
   * such account or its record cannot be read (nothing written). */
  update(id: string, change: (account: Account) => z.input<typeof Account>): Account | undefined;
  remove(id: string): boolean;
  /** Problems found while opening (SETTINGS_CORRUPT with the backup path in `detail`). */
  readonly problems: readonly AppError[];
  /** Call `listener` when another process changed the file (polls its stat); returns the stop function. */
  onChange(listener: () => void): () => void;
}

/** The part of conf / electron-store this store uses. */
export type ConfLike = {
  readonly path: string;
  get(key: string): unknown;
  set(key: string, value: unknown): void;
};

export const SCHEMA_VERSION = 2;

// v1 kept accounts as an array; v2 keys them by id (stable updates, no duplicates).
const migrateV1 = (raw: Record<string, unknown>): Record<string, unknown> => {
  const list = Array.isArray(raw.accounts) ? (raw.accounts as unknown[]) : [];
  const byId: Record<string, unknown> = {};
  for (const a of list) {
    if (a && typeof a === 'object' && typeof (a as { id?: unknown }).id === 'string') byId[(a as { id: string }).id] = a;
  }
  return { ...raw, accounts: byId, schemaVersion: 2 };
};

/** Migrations from version N to N+1, on raw data (before validation). */
const MIGRATIONS: Readonly<Record<number, (raw: Record<string, unknown>) => Record<string, unknown>>> = { 1: migrateV1 };

const Raw = z.object({ schemaVersion: z.number().int().min(1).optional(), accounts: z.unknown().optional() });

function corruptName(path: string, clock: Clock): string {
  const ext = extname(path) || '.json';
  const stamp = new Date(clock.now()).toISOString().replace(/[:.]/g, '-');
  return join(dirname(path), `${basename(path, ext)}.corrupt-${stamp}${ext}`);
}

function corrupt(detail: string): AppError {
  return appError('SETTINGS_CORRUPT', describe('SETTINGS_CORRUPT').title, detail);
}

/** Read errors that mean "cannot read", not "damaged": the file stays as it is. */
export function storeUnreadable(path: string, e: unknown): AppFailure {
  const errno = (e as NodeJS.ErrnoException | undefined)?.code ?? (e instanceof Error ? e.name : 'error');
  const code = readErrorCode(errno);
  return new AppFailure(appError(code, `${describe(code).title} (${errno}): ${path}`, `${path}: ${errno}`), { cause: e });
}

export function storeBusy(e: FileLockError): AppFailure {
  return new AppFailure(appError('STORE_BUSY', describe('STORE_BUSY').title, e.message), { cause: e });
}

/** JSON that does not parse (conf/electron-store throw a SyntaxError): the only "damaged" read. */
const isParseError = (e: unknown): boolean => e instanceof Error && e.name === 'SyntaxError';

type Parsed = { accounts: Map<string, Account>; dropped: number; shapeOk: boolean; version: number };

/** Migrate and validate what conf read (no writes, no backups). */
function parseData(schemaVersion: unknown, rawAccounts: unknown): Parsed {
  const raw = Raw.safeParse({ schemaVersion, accounts: rawAccounts });
  let data: Record<string, unknown> = raw.success ? { ...raw.data } : {};
  let version = raw.success ? (raw.data.schemaVersion ?? (Array.isArray(raw.data.accounts) ? 1 : SCHEMA_VERSION)) : SCHEMA_VERSION;
  const original = version;
  const clamped = Math.min(version, SCHEMA_VERSION);
  version = clamped;
  while (version < SCHEMA_VERSION) {
    const migrate = MIGRATIONS[version];
    if (!migrate) break;
    data = migrate(data);
    version += 1;
  }
  const accounts = new Map<string, Account>();
  const list = data.accounts;
  let dropped = 0;
  if (list !== undefined && (typeof list !== 'object' || list === null || Array.isArray(list))) {
    dropped += 1;
  } else if (list) {
    for (const [id, value] of Object.entries(list as Record<string, unknown>)) {
      const parsed = Account.safeParse(value);
      if (parsed.success && parsed.data.id === id) accounts.set(id, parsed.data);
      else dropped += 1;
    }
  }
  return { accounts, dropped, shapeOk: raw.success, version: original };
}

/** What identifies one version of the file (an atomic rename changes the inode). */
function signature(st: Stats | undefined): string {
  return st ? `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}` : 'none';
}

/**
 * Open an account store over a conf-like store. `create` is called again after a corrupt file was
 * moved aside (conf and electron-store throw a SyntaxError from their constructor on bad JSON).
 * Throws AppFailure LOCAL_FILE_* / STORE_UNREADABLE when the file cannot be read, STORE_BUSY when another
 * process kept the lock too long.
 */
export function openAccountStore(create: () => ConfLike, filePath: string, clock: Clock = systemClock): AccountStore {
  const problems: AppError[] = [];
  const lockPath = `${filePath}.lock`;
  const stat = (): Stats | undefined => {
    try {
      return statSync(filePath, { throwIfNoEntry: false });
    } catch (e) {
      throw storeUnreadable(filePath, e);
    }
  };
  const locked = <T>(fn: () => T): T => {
    try {
      return withFileLockSync(lockPath, fn);
    } catch (e) {
      throw e instanceof FileLockError ? storeBusy(e) : e;
    }
  };
  /** conf reads the file on every get: read both keys, mapping errors. */
  const readRaw = (s: ConfLike): { schemaVersion: unknown; accounts: unknown } => {
    try {
      return { schemaVersion: s.get('schemaVersion'), accounts: s.get('accounts') };
    } catch (e) {
      if (isParseError(e)) throw new AppFailure(corrupt(`${filePath} is not valid JSON (written by something else?); nothing was changed.`), { cause: e });
      throw storeUnreadable(filePath, e);
    }
  };

  let store!: ConfLike;
  let accounts = new Map<string, Account>();
  let seen = 'none';

  /** Open, migrate, validate, repair. Repairs write: they run again under the lock. */
  const open = (mayWrite: boolean): boolean => {
    try {
      store = create();
    } catch (e) {
      if (!isParseError(e)) throw storeUnreadable(filePath, e);
      if (!existsSync(filePath)) throw e;
      if (!mayWrite) return false;
      const aside = corruptName(filePath, clock);
      renameSync(filePath, aside);
      problems.push(corrupt(`The file was not readable (${e instanceof Error ? e.name : 'error'}); it was moved to ${aside}.`));
      store = create();
    }
    const before = stat();
    const raw = readRaw(store);
    const parsed = parseData(raw.schemaVersion, raw.accounts);
    const repair = parsed.dropped > 0 || !parsed.shapeOk || (before !== undefined && raw.schemaVersion !== SCHEMA_VERSION);
    const backupNeeded = !parsed.shapeOk || parsed.version > SCHEMA_VERSION || parsed.dropped > 0;
    if (!mayWrite && (repair || backupNeeded)) return false;
    const backup = (why: string): void => {
      const aside = corruptName(store.path, clock);
      if (existsSync(store.path)) copyFileSync(store.path, aside);
      problems.push(corrupt(`${why} A copy of the file was kept at ${aside}.`));
    };
    if (!parsed.shapeOk) backup('The settings did not have the expected shape.');
    // Written by a newer version of the app: keep it, and work on a copy of what we understand.
    if (parsed.version > SCHEMA_VERSION) backup(`The settings were written by a newer version (schema ${parsed.version}).`);
    if (parsed.dropped > 0 && parsed.shapeOk) backup(`${parsed.dropped} account record(s) could not be read and were left out.`);
    accounts = parsed.accounts;
    if (repair) {
      store.set('accounts', Object.fromEntries(accounts));
      store.set('schemaVersion', SCHEMA_VERSION);
    }
    seen = signature(before && !repair ? before : stat());
    return true;
  };
  // The common case (a healthy file) takes no lock: only a repair writes.
  if (!open(false)) locked(() => open(true));

  /** Pick up another process's write (cheap: one stat unless the file changed). */
  const current = (): Map<string, Account> => {
    const sig = signature(stat());
    if (sig === seen) return accounts;
    const raw = readRaw(store);
    // Records another version wrote that we cannot read are left out of the view, not the file.
    accounts = parseData(raw.schemaVersion, raw.accounts).accounts;
    seen = sig;
    return accounts;
  };

  /** Read-modify-write of the raw records under the lock: records we do not touch (or cannot
   * read: another version's) are written back exactly as they were. */
  const modify = (change: (records: Record<string, unknown>) => boolean): boolean =>
    locked(() => {
      const raw = readRaw(store);
      let records: Record<string, unknown>;
      if (raw.accounts === undefined) records = {};
      else if (Array.isArray(raw.accounts)) records = migrateV1({ accounts: raw.accounts }).accounts as Record<string, unknown>;
      else if (typeof raw.accounts === 'object' && raw.accounts !== null) records = { ...(raw.accounts as Record<string, unknown>) };
      else throw new AppFailure(corrupt(`${filePath}: the accounts are not a list any more; nothing was changed.`));
      const changed = change(records);
      if (changed) {
        store.set('accounts', records);
        if (raw.schemaVersion !== SCHEMA_VERSION) store.set('schemaVersion', SCHEMA_VERSION);
      }
      accounts = parseData(SCHEMA_VERSION, records).accounts;
      seen = signature(stat());
      return changed;
    });

  return {
    problems,
    list: () => [...current().values()].sort((a, b) => a.createdAt - b.createdAt),
    get: (id) => current().get(id),
    put: (account, options = {}) => {
      const valid = Account.parse(account);
      modify((records) => {
        if (options.ifUpdatedAt !== undefined) unchangedSince(filePath, records[valid.id], options.ifUpdatedAt);
        records[valid.id] = valid;
        return true;
      });
      return valid;
    },
    update: (id, change) => {
      let written: Account | undefined;
      modify((records) => {
        const now = Object.hasOwn(records, id) ? Account.safeParse(records[id]) : undefined;
        if (!now?.success) return false;
        written = Account.parse(change(now.data));
        records[id] = written;
        return true;
      });
      return written;
    },
    remove: (id) =>
      modify((records) => {
        if (!Object.hasOwn(records, id)) return false;
        delete records[id];
        return true;
      }),
    onChange: (listener) => {
      // watchFile polls stat (works for atomic renames, unlike fs.watch on the file itself).
      const onStat = (): void => {
        const before = seen;
        try {
          current();
        } catch {
          return; // unreadable right now: the next list() reports it
        }
        if (seen !== before) listener();
      };
      watchFile(filePath, { interval: 1000, persistent: false }, onStat);
      return () => unwatchFile(filePath, onStat);
    },
  };
}

/** Throws unless `record` (raw, as the file holds it now) is still the version of `updatedAt`. */
function unchangedSince(filePath: string, record: unknown, updatedAt: number): void {
  if (record === undefined) {
    throw new AppFailure(appError('NOT_FOUND', 'This account was removed elsewhere', `It is no longer in ${filePath}; nothing was saved.`));
  }
  const now = typeof record === 'object' && record !== null ? (record as { updatedAt?: unknown }).updatedAt : undefined;
  if (now !== updatedAt) {
    const when = typeof now === 'number' ? ` at ${new Date(now).toISOString()}` : '';
    throw new AppFailure(appError('ACCOUNT_CHANGED_ELSEWHERE', describe('ACCOUNT_CHANGED_ELSEWHERE').title, `The saved record was changed${when}, after this copy was loaded; nothing was saved.`));
  }
}

/** The Node (CLI, web host, tests) implementation: `<cwd>/<name>.json`, mode 0600, through
 * json-file.ts (conf's file format and atomic writes, without loading conf and ajv). */
export function openNodeAccountStore(options: { cwd: string; name?: string; clock?: Clock }): AccountStore {
  const path = join(options.cwd, `${options.name ?? 'accounts'}.json`);
  return openAccountStore(() => openJsonFile(path, { mode: 0o600 }), path, options.clock);
}
