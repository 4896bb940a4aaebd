// `mail-oauth token` when the saved access token is still good: the common case of a mail client
// asking on every connection. It reads what the full path reads (the accounts file, the key, the
// account's secret file), validated the same way, and loads none of what a refresh needs
// (openid-client, conf and ajv, the migration, the auth service): issue 10, fast start.
//
// It only reads (but for a usage mark, electron/health/usage.ts, and a validity mark, below) and
// answers only when everything is exactly as the full path expects. Anything else (no such file,
// a read or permission error, a record that fails the schema, an old schema version, a leftover
// temp file, a secret file that does not decrypt, a Microsoft account, a token close to expiry,
// a pending move of an old store) returns undefined, and the caller runs
// the full path, which reports, repairs or refreshes as it always did. So a read error is never
// taken for "no accounts" or "no token" here.
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import type { Account } from '../../shared/account.ts';
import { defaultDataDir, legacyDirs } from '../core/data-dir.ts';
import { cliVersion } from './version.ts';
import { isFresh } from '../core/ports.ts';
import { createNodeSecretBox, type NodeSecretBox } from '../store/node-secret-box.ts';
import { fileName } from '../store/secret-file.ts';
import type { CliIO } from './command.ts';
import { findAccount, resolveDataDir } from './locate.ts';
import { recordTokenUse } from '../health/usage.ts';

/** The accounts file's schema version that account-store.ts writes (it rewrites older ones). */
const ACCOUNTS_SCHEMA = 2;
/** preferences.json's key for "keep secrets without OS encryption" (core/services.ts). */
const INSECURE_SECRETS = 'keepSecretsWithoutOsEncryption';

const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The old CLI store still waiting to be moved in (migrate.ts nodeLegacySources): the full path
 * moves it and says so, even from `token`. */
function legacyStoreWaits(dataDir: string, env: NodeJS.ProcessEnv): boolean {
  if (env.MAIL_OAUTH_DATA_DIR || resolve(dataDir) !== resolve(defaultDataDir({ env }))) return false;
  return existsSync(join(legacyDirs({ env }).cli, 'accounts.json'));
}

/**
 * "These exact bytes passed the schema": an empty file <data dir>/cache/accounts-<hash>.valid,
 * where the hash covers the accounts file's content, its schema version and this build's version.
 * Building the Account schema (zod and the schemas it is made of) is the largest part of a cached
 * `token` (~15-25 ms), and the file changes far less often than mail clients ask: the first call
 * after a change validates it, the next ones find the mark (one stat). It is a cache: a missing or
 * unwritable one only means validating again, and any process that writes it is right.
 */
function validMark(dataDir: string, bytes: Buffer): string {
  const hash = createHash('sha256').update(`${ACCOUNTS_SCHEMA}\0${cliVersion()}\0`).update(bytes).digest('hex');
  return join(dataDir, 'cache', `accounts-${hash.slice(0, 40)}.valid`);
}

function markValid(mark: string): void {
  try {
    const dir = join(mark, '..');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    closeSync(openSync(mark, 'a', 0o600));
    // Marks of earlier contents are of no more use.
    for (const n of readdirSync(dir)) if (n.startsWith('accounts-') && n.endsWith('.valid') && join(dir, n) !== mark) unlinkSync(join(dir, n));
  } catch {
    // A read-only data dir or a race with another writer: the next call validates again.
  }
}

/** Every record of the accounts file, each valid under the Account schema, or undefined; `valid`:
 * the mark to leave once the answer is out (a failed call leaves the data dir as it was). */
async function readAccounts(dataDir: string): Promise<{ list: Account[]; valid?: string } | undefined> {
  const bytes = readFileSync(join(dataDir, 'accounts.json'));
  const data: unknown = JSON.parse(bytes.toString('utf8'));
  if (!isRecord(data) || data.schemaVersion !== ACCOUNTS_SCHEMA || !isRecord(data.accounts)) return undefined;
  const records = Object.entries(data.accounts);
  const mark = validMark(dataDir, bytes);
  if (!existsSync(mark)) {
    const { Account } = await import('../../shared/account.ts');
    let asParsed = true;
    for (const [id, value] of records) {
      const parsed = Account.safeParse(value);
      if (!parsed.success || parsed.data.id !== id) return undefined;
      // Marked only when the schema changes nothing (no default to fill, no address to
      // lower-case): then the records as read ARE what parsing returns, with or without the mark.
      asParsed &&= JSON.stringify(parsed.data) === JSON.stringify(value);
    }
    if (!asParsed) return { list: records.map(([, v]) => Account.parse(v)).sort((a, b) => a.createdAt - b.createdAt) };
    return { list: sorted(records), valid: mark };
  }
  return { list: sorted(records) };
}

const sorted = (records: Array<[string, unknown]>): Account[] => (records.map(([, v]) => v) as Account[]).sort((a, b) => a.createdAt - b.createdAt);

/**
 * The saved account `ref` names, read as the full path would read it (the accounts file, every
 * record valid under the schema), without opening the store: undefined whenever the full path
 * could see anything else (a file to repair or to move in, no such account, an ambiguous name),
 * so the caller then runs the full path. Throws what reading throws (the callers decline then).
 */
export async function readSavedAccount(dataDir: string, ref: string, env: NodeJS.ProcessEnv): Promise<{ account: Account; markValid: () => void } | undefined> {
  const found = await findSaved(dataDir, ref, env);
  if (!found) return undefined;
  const { valid } = found;
  // For the caller to leave the accounts file's validity mark once it has its answer.
  return { account: found.account, markValid: () => void (valid !== undefined && markValid(valid)) };
}

async function findSaved(dataDir: string, ref: string, env: NodeJS.ProcessEnv): Promise<{ account: Account; accounts: Account[]; valid?: string } | undefined> {
  if (legacyStoreWaits(dataDir, env)) return undefined;
  const read = await readAccounts(dataDir);
  if (!read) return undefined;
  const accounts = read.list;
  try {
    return { account: findAccount({ accounts: { list: () => accounts } }, ref), accounts, ...(read.valid ? { valid: read.valid } : {}) };
  } catch {
    return undefined; // the full path says which accounts exist, or that the name is ambiguous
  }
}

/** The grant's fields the answer depends on, checked by hand (OidcGrant in oidc-token-provider.ts
 * is the full schema; a grant it would refuse is not answered here). */
function cachedAccessToken(raw: string | undefined, now: number): string | undefined {
  if (raw === undefined) return undefined;
  const g: unknown = JSON.parse(raw);
  if (!isRecord(g) || typeof g.accessToken !== 'string' || typeof g.grantIssuedAt !== 'number') return undefined;
  if (!Array.isArray(g.scopes) || !g.scopes.every((s) => typeof s === 'string')) return undefined;
  if (g.expiresAt !== undefined && typeof g.expiresAt !== 'number') return undefined;
  const expiresAt = g.expiresAt as number | undefined;
  return isFresh(expiresAt === undefined ? {} : { expiresAt }, now) ? g.accessToken : undefined;
}

/** What the fast path leaves the full path when it declines. */
export type FastPathHandover = {
  /** The data directory's key, opened before declining: the full path uses it instead of asking
   * the keyring a second time (a refresh is exactly that case). */
  box?: NodeSecretBox;
  /** Set when the accounts file was just checked against the schema here: leaves its validity
   * mark, for the caller to run once the full path has answered (a refresh then leaves it too, so
   * the next call's early connection to the token endpoint waits for no schema). */
  markValid?: () => void;
};

/**
 * The saved access token of `ref` when it can be handed out as it is, else undefined (run the full
 * path, with what `opened` gets). Throws only what the full path would throw first for the same
 * input (a bad --data-dir).
 */
export async function cachedToken(ref: string, dataDirFlag: string | undefined, io: CliIO, opened?: FastPathHandover): Promise<string | undefined> {
  const dataDir = resolveDataDir(io, dataDirFlag);
  const secretsDir = join(dataDir, 'secrets');
  let file: string;
  let accountId: string;
  let target: Account;
  let valid: string | undefined;
  try {
    const found = await findSaved(dataDir, ref, io.env);
    if (!found) return undefined;
    let account = found.account;
    valid = found.valid;
    const mark = valid;
    if (opened && mark !== undefined) opened.markValid = () => markValid(mark);
    // A shared mailbox reusing a delegate's sign-in: the token is in the owner's file (never copied).
    if (account.grantFrom !== undefined) {
      const owner = found.accounts.find((a) => a.id === account.grantFrom);
      if (!owner || owner.grantFrom !== undefined) return undefined; // the full path explains
      account = owner;
    }
    if (account.auth.adapter !== 'oidc') return undefined; // MSAL keeps its own token cache
    file = fileName(account.id);
    accountId = account.id;
    target = account;
    // A temp file beside it is an interrupted write: the full path's store deals with it.
    if (readdirSync(secretsDir).some((n) => n.startsWith(`${file}.`) && n.endsWith('.tmp'))) return undefined;
  } catch {
    return undefined;
  }
  // Outside the catch: the key is the first thing the full path opens, so a keyring that is
  // locked or lost is reported from here as it would be there (without asking the keyring twice).
  const box = await createNodeSecretBox({ dataDir });
  if (opened) opened.box = box;
  try {
    if (!box.available) {
      // Without an OS keyring the store keeps secrets on disk only when the user chose so.
      const insecure = io.env.MAIL_OAUTH_INSECURE_STORE === '1' || (readJson(join(dataDir, 'preferences.json')) as Record<string, unknown> | null)?.[INSECURE_SECRETS] === true;
      if (!insecure) return undefined;
    }
    const entries: unknown = JSON.parse(box.decrypt(readFileSync(join(secretsDir, file))));
    if (!isRecord(entries) || !Object.values(entries).every((v) => typeof v === 'string')) return undefined;
    const token = cachedAccessToken(entries['oauth-grant'] as string | undefined, Date.now());
    // The writes, once there is an answer: a usage mark (one utimes) that tells the app's schedule
    // this account is in use, so it renews the token before it ends and the next call is answered
    // from here too; and the accounts file's validity mark when it was just checked.
    if (token !== undefined) {
      recordTokenUse(dataDir, accountId);
      if (valid !== undefined) markValid(valid);
    }
    // Too old: the full path refreshes it. Its connection to the token endpoint opens now, while
    // that path loads (the fast path does not take --ca-file, so the account's CA is all).
    else await (await import('./warm-token.ts')).warmTokenServer(target, undefined);
    return token;
  } catch {
    return undefined;
  }
}
