// The non-secret account records (shared/account.ts) behind a small port. The Node implementation
// sits on `conf` (atomic writes via write-file-atomic semantics, JSON file); the Electron app
// passes an electron-store instance instead (same API; electron-store is built on conf), through
// `openAccountStore(() => new Store({...}), path)`, since only electron/app/ may import it.
//
// On every open the file is validated with zod. A file that is not JSON or not our shape is moved
// aside to `<name>.corrupt-<timestamp>.json` and reported as SETTINGS_CORRUPT: the user never
// silently loses accounts, and the app never crashes on a damaged file. Records that fail the
// schema are dropped from the live store only after the whole file was copied aside.
import { copyFileSync, existsSync, renameSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import Conf from 'conf';
import { z } from 'zod';
import { Account } from '../../shared/account.ts';
import { appError, type AppError } from '../../shared/result.ts';
import { describe } from '../../shared/diagnostics.ts';
import { systemClock, type Clock } from '../core/ports.ts';

export interface AccountStore {
  list(): Account[];
  get(id: string): Account | undefined;
  /** Insert or replace (validated, schema defaults applied; throws a zod error on an invalid record). */
  put(account: z.input<typeof Account>): Account;
  remove(id: string): boolean;
  /** Problems found while opening (SETTINGS_CORRUPT with the backup path in `detail`). */
  readonly problems: readonly AppError[];
}

/** The part of conf / electron-store this store uses. */
export type ConfLike = {
  readonly path: string;
  get(key: string): unknown;
  set(key: string, value: unknown): void;
};

export const SCHEMA_VERSION = 2;

/** Migrations from version N to N+1, on raw data (before validation). */
const MIGRATIONS: Readonly<Record<number, (raw: Record<string, unknown>) => Record<string, unknown>>> = {
  // v1 kept accounts as an array; v2 keys them by id (stable updates, no duplicates).
  1: (raw) => {
    const list = Array.isArray(raw.accounts) ? (raw.accounts as unknown[]) : [];
    const byId: Record<string, unknown> = {};
    for (const a of list) {
      if (a && typeof a === 'object' && typeof (a as { id?: unknown }).id === 'string') byId[(a as { id: string }).id] = a;
    }
    return { ...raw, accounts: byId, schemaVersion: 2 };
  },
};

const Raw = z.object({ schemaVersion: z.number().int().min(1).optional(), accounts: z.unknown().optional() });

function corruptName(path: string, clock: Clock): string {
  const ext = extname(path) || '.json';
  const stamp = new Date(clock.now()).toISOString().replace(/[:.]/g, '-');
  return join(dirname(path), `${basename(path, ext)}.corrupt-${stamp}${ext}`);
}

function corrupt(detail: string): AppError {
  return appError('SETTINGS_CORRUPT', describe('SETTINGS_CORRUPT').title, detail);
}

/**
 * Open an account store over a conf-like store. `create` is called again after a corrupt file was
 * moved aside (conf and electron-store throw a SyntaxError from their constructor on bad JSON).
 */
export function openAccountStore(create: () => ConfLike, filePath: string, clock: Clock = systemClock): AccountStore {
  const problems: AppError[] = [];
  let store: ConfLike;
  try {
    store = create();
  } catch (e) {
    if (!existsSync(filePath)) throw e;
    const aside = corruptName(filePath, clock);
    renameSync(filePath, aside);
    problems.push(corrupt(`The file was not readable (${e instanceof Error ? e.name : 'error'}); it was moved to ${aside}.`));
    store = create();
  }

  // Read, migrate, validate.
  const raw = Raw.safeParse({ schemaVersion: store.get('schemaVersion'), accounts: store.get('accounts') });
  let data: Record<string, unknown> = raw.success ? { ...raw.data } : {};
  let version = raw.success ? (raw.data.schemaVersion ?? (Array.isArray(raw.data.accounts) ? 1 : SCHEMA_VERSION)) : SCHEMA_VERSION;
  const backup = (why: string): void => {
    const aside = corruptName(store.path, clock);
    if (existsSync(store.path)) copyFileSync(store.path, aside);
    problems.push(corrupt(`${why} A copy of the file was kept at ${aside}.`));
  };
  if (!raw.success) {
    backup('The settings did not have the expected shape.');
    data = {};
  }
  if (version > SCHEMA_VERSION) {
    // Written by a newer version of the app: keep it, and work on a copy of what we understand.
    backup(`The settings were written by a newer version (schema ${version}).`);
    version = SCHEMA_VERSION;
  }
  while (version < SCHEMA_VERSION) {
    const migrate = MIGRATIONS[version];
    if (!migrate) break;
    data = migrate(data);
    version += 1;
  }
  const accounts = new Map<string, Account>();
  const rawAccounts = data.accounts;
  let dropped = 0;
  if (rawAccounts !== undefined && (typeof rawAccounts !== 'object' || rawAccounts === null || Array.isArray(rawAccounts))) {
    dropped += 1;
  } else if (rawAccounts) {
    for (const [id, value] of Object.entries(rawAccounts as Record<string, unknown>)) {
      const parsed = Account.safeParse(value);
      if (parsed.success && parsed.data.id === id) accounts.set(id, parsed.data);
      else dropped += 1;
    }
  }
  if (dropped > 0 && raw.success) backup(`${dropped} account record(s) could not be read and were left out.`);

  const write = (): void => {
    store.set('accounts', Object.fromEntries(accounts));
    store.set('schemaVersion', SCHEMA_VERSION);
  };
  if (dropped > 0 || !raw.success || store.get('schemaVersion') !== SCHEMA_VERSION) write();

  return {
    problems,
    list: () => [...accounts.values()].sort((a, b) => a.createdAt - b.createdAt),
    get: (id) => accounts.get(id),
    put: (account) => {
      const valid = Account.parse(account);
      accounts.set(valid.id, valid);
      write();
      return valid;
    },
    remove: (id) => {
      const had = accounts.delete(id);
      if (had) write();
      return had;
    },
  };
}

/** The Node (CLI, tests) implementation: `<cwd>/<name>.json` through conf, mode 0600. */
export function openNodeAccountStore(options: { cwd: string; name?: string; clock?: Clock }): AccountStore {
  const name = options.name ?? 'accounts';
  const create = (): ConfLike =>
    new Conf<Record<string, unknown>>({ cwd: options.cwd, configName: name, clearInvalidConfig: false, configFileMode: 0o600 });
  return openAccountStore(create, join(options.cwd, `${name}.json`), options.clock);
}
