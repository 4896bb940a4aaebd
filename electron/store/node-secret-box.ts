// The SecretBox of every shell (desktop app, web host, CLI): AES-256-GCM under one random 32-byte
// master key per data directory, kept by the OS keyring (keyring.ts). All shells read the same
// secret files with the same key, so an account signed in anywhere works everywhere.
//
// Why not Electron safeStorage: its key is Electron's own keyring entry, which the CLI (plain
// Node) cannot read, so secrets it encrypts are the app's alone. Where it would add protection
// (a machine without a keyring) it has none either: on Linux without a Secret Service it falls
// back to `basic_text`, a hard-coded key; on macOS and Windows the keyring always exists. It is
// therefore used only to read the stores of earlier app versions once (migrate.ts).
//
// What is on disk in the data directory:
//   master-key.json  which keyring entry holds the key and a key id (an HMAC of the key, not the
//                    key): proves that secrets exist under a keyring key, and that the entry
//                    still holds that key.
//   insecure-key     only when the user chose to keep secrets without OS encryption on a
//                    machine without a keyring (0600 file; protects against casual reading only).
//
// Never a new key over old secrets: a keyring that is locked, unreachable or refuses is an error
// (KEYRING_*); an entry that vanished or changed while master-key.json or secret files exist is
// an error (KEYRING_KEY_MISSING / _MISMATCH); an unreadable record or key file is an error
// (KEY_FILE_UNREADABLE). Only `resetMasterKey` (the user's explicit `mail-oauth reset-key`)
// starts over, and it moves the old secrets aside instead of deleting them.
//
// A new key is made under the data directory's cross-process lock, so two processes starting
// together on an empty directory agree on one key. Every keyring call runs under that same lock
// (keyring.ts guardedEntry: one process at a time, each call bounded), because GNOME Keyring
// wedges for good when several processes ask it at once to unlock (issue 15). The lock is applied
// here rather than inside osKeyringEntry because this is where the data directory, and so the
// lock's place, is known (one key per data dir, one lock per key), and because key creation and
// reset already hold this lock: the calls they make re-enter it instead of waiting on themselves.
// Any entry passed in (tests' stand-ins) is guarded the same way.
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import type * as FsPromises from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { SecretBox } from '../core/ports.ts';
import { appError, AppFailure } from '../../shared/app-error.ts';
import { describe } from '../../shared/diagnostics.ts';
import { aesGcmDecrypt, aesGcmEncrypt } from './aes-secret-box.ts';
import { guardedEntry, KEYRING_SERVICE, keyringTimeoutMs, osKeyringEntry, type KeyringEntry } from './keyring.ts';

export const KEY_RECORD = 'master-key.json';
export const INSECURE_KEY_FILE = 'insecure-key';
const LOCK = 'master-key.lock';
const SECRETS_DIR = 'secrets';

type KeyRecord = {
  version: 1;
  backend: 'os-keyring';
  /** The keyring's name when the key was made (for messages). */
  keyring: string;
  /** The entry's account name under the service KEYRING_SERVICE. */
  entry: string;
  /** keyId(key): which key the secrets were written with. */
  keyId: string;
  createdAt: string;
};

/** Checked by hand rather than with zod: this runs on every `token` call, and a zod schema's
 * first parse compiles it (milliseconds that the start-up budget does not have). */
function isKeyRecord(v: unknown): v is KeyRecord {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    r.version === 1 &&
    r.backend === 'os-keyring' &&
    typeof r.keyring === 'string' &&
    typeof r.entry === 'string' &&
    typeof r.keyId === 'string' &&
    /^[0-9a-f]{32}$/.test(r.keyId) &&
    typeof r.createdAt === 'string'
  );
}

export type NodeSecretBox = SecretBox & {
  /** Why no OS-protected key is in use (SECRET_STORAGE_UNAVAILABLE), when `available` is false. */
  readonly unavailableReason?: string;
};

export type NodeSecretBoxOptions = {
  dataDir: string;
  /** The keyring entry; default: the OS keyring's entry for this data dir. `null`: no keyring. */
  keyring?: KeyringEntry | null;
  /** Bound of each keyring call and of the wait for another process's; default keyringTimeoutMs(). */
  keyringTimeoutMs?: number;
};

/** The keyring entry's account name: the data directory, so separate set-ups keep separate keys. */
export const keyringAccount = (dataDir: string): string => resolve(dataDir);

/** Identifies a key without revealing it (HMAC, so the id is no hash of the key itself). */
export const keyId = (key: Buffer): string => createHmac('sha256', key).update('mail-oauth-assistant key id').digest('hex').slice(0, 32);

/** The cross-process lock (proper-lockfile, graceful-fs), loaded on first use: a store on a key
 * file never needs it. */
const lock = () => import('./lock.ts');

/** The keyring entry of `options`, every call under the data directory's lock (see the top). */
function openKeyring(options: NodeSecretBoxOptions): KeyringEntry | null {
  const entry = options.keyring === undefined ? osKeyringEntry(keyringAccount(options.dataDir)) : options.keyring;
  if (!entry) return null;
  return guardedEntry(entry, { lockPath: join(options.dataDir, LOCK), timeoutMs: options.keyringTimeoutMs ?? keyringTimeoutMs() });
}

/** Key creation and reset under the same lock; a lock not obtained in time is a keyring failure
 * (the holder is stuck in a keyring call), never a new key. */
async function underKeyLock<T>(dataDir: string, keyring: KeyringEntry | null, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const { withFileLock, FileLockError } = await lock();
  const lockPath = join(dataDir, LOCK);
  try {
    return await withFileLock(lockPath, fn, { timeoutMs });
  } catch (e) {
    if (!(e instanceof FileLockError) || e.lockPath !== lockPath) throw e;
    throw new AppFailure(
      appError('KEYRING_UNAVAILABLE', describe('KEYRING_UNAVAILABLE').title, `${keyring?.backend ?? 'the key store'}: ${e.message} Unlock the keyring, or restart it if it hangs.`),
      { cause: e },
    );
  }
}

const fail = (code: string, detail: string): AppFailure => new AppFailure(appError(code, describe(code).title, detail));

/** Read synchronously: a few hundred bytes on every `token` call, where the first asynchronous
 * file read of the process costs more than the read itself (it starts libuv's thread pool,
 * 1-5 ms measured by `npm run bench:keyring`) and nothing else runs meanwhile. */
function readRecord(dataDir: string): KeyRecord | undefined {
  const path = join(dataDir, KEY_RECORD);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fail('KEY_FILE_UNREADABLE', `${path}: ${(e as NodeJS.ErrnoException).code ?? 'read error'}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (!isKeyRecord(value)) throw fail('KEY_FILE_UNREADABLE', `${path}: not a key record (damaged)`);
  return value;
}

/** node:fs/promises, loaded where a key is made or reset: reading a key, what every `token` call
 * does, needs none of it, and loading it takes fs/promises with readline and the directory and
 * watcher classes (~2-3 ms). */
const fsPromises = (): Promise<typeof FsPromises> => import('node:fs/promises');

/** Written atomically (temp, fsync, rename): a half-written record would block every start. */
async function writeRecord(dataDir: string, record: KeyRecord): Promise<void> {
  const fs = await fsPromises();
  const path = join(dataDir, KEY_RECORD);
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await fs.open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(record, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(tmp, path);
}

function readKeyFile(path: string): Buffer | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fail('KEY_FILE_UNREADABLE', `${path}: ${(e as NodeJS.ErrnoException).code ?? 'read error'}`);
  }
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) throw fail('KEY_FILE_UNREADABLE', `${path}: not a 32-byte key (damaged)`);
  return key;
}

/** Create the key file exactly once across processes: write a temp file, then hard-link it into
 * place (fails with EEXIST if another process was first; then its key is used). */
function createKeyFile(path: string): Buffer {
  const key = randomBytes(32);
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(tmp, key.toString('base64'), { mode: 0o600, flag: 'wx' });
  try {
    linkSync(tmp, path);
    return key;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return readKeyFile(path) ?? key;
  } finally {
    rmSync(tmp, { force: true });
  }
}

const secretFiles = (dataDir: string): string[] => {
  try {
    return readdirSync(join(dataDir, SECRETS_DIR)).filter((n) => n.endsWith('.secrets'));
  } catch {
    return [];
  }
};

const aesBox = (key: Buffer, available: boolean, backend: string): NodeSecretBox => {
  const k = Buffer.from(key);
  return { available, backend, encrypt: (plain) => aesGcmEncrypt(k, plain), decrypt: (data) => aesGcmDecrypt(k, data) };
};

/** No OS-protected key: secrets stay in memory unless the user chose otherwise; then (first
 * encrypt) a key file is made beside the data. */
function unavailableBox(reason: string, keyFile: string): NodeSecretBox {
  let key: Buffer | undefined;
  const fileKey = (): Buffer => (key ??= readKeyFile(keyFile) ?? createKeyFile(keyFile));
  return {
    available: false,
    backend: 'key-file',
    unavailableReason: reason,
    encrypt: (plain) => aesGcmEncrypt(fileKey(), plain),
    decrypt: (data) => aesGcmDecrypt(fileKey(), data),
  };
}

function decryptsOne(dataDir: string, files: string[], key: Buffer): boolean {
  const first = files[0];
  if (first === undefined) return true;
  try {
    aesGcmDecrypt(key, readFileSync(join(dataDir, SECRETS_DIR, first)));
    return true;
  } catch {
    return false;
  }
}

/** The key of a store that already has one in the keyring: found and the same, or an error. */
async function existingKey(keyring: KeyringEntry, record: KeyRecord, dataDir: string): Promise<Buffer> {
  const key = await keyring.get();
  const where = `${keyring.backend}, entry “${KEYRING_SERVICE} / ${record.entry}” (key record ${join(dataDir, KEY_RECORD)})`;
  if (!key) throw fail('KEYRING_KEY_MISSING', where);
  if (keyId(key) !== record.keyId) throw fail('KEYRING_KEY_MISMATCH', where);
  return key;
}

const newRecord = (keyring: KeyringEntry, entry: string, key: Buffer): KeyRecord => ({
  version: 1,
  backend: 'os-keyring',
  keyring: keyring.backend,
  entry,
  keyId: keyId(key),
  createdAt: new Date().toISOString(),
});

/** Open the data directory's SecretBox. Throws AppFailure (KEYRING_*, KEY_FILE_UNREADABLE) rather
 * than ever replacing a key that secrets may depend on. */
export async function createNodeSecretBox(options: NodeSecretBoxOptions): Promise<NodeSecretBox> {
  const dataDir = options.dataDir;
  const entryName = keyringAccount(dataDir);
  const keyring = openKeyring(options);
  const keyFile = join(dataDir, INSECURE_KEY_FILE);

  // The usual path (every `token` call): one small file read and one keyring lookup.
  const record = readRecord(dataDir);
  if (record) {
    if (!keyring) throw fail('KEYRING_UNAVAILABLE', `The secrets were encrypted with a key in ${record.keyring}, which this platform does not offer.`);
    return aesBox(await existingKey(keyring, record, dataDir), true, keyring.backend);
  }
  // The user chose to keep secrets without a keyring earlier: stay with that key.
  const fromFile = readKeyFile(keyFile);
  if (fromFile) return aesBox(fromFile, false, 'key-file');
  if (!keyring) return unavailableBox('No OS keyring on this platform.', keyFile);

  const existingSecrets = secretFiles(dataDir);
  let found: Buffer | undefined;
  try {
    found = await keyring.get();
  } catch (e) {
    // No keyring service at all on a store without secrets: the same as a machine without a
    // keyring (memory only, or the user's explicit key-file choice). Locked or refused: the user
    // has a keyring and must unlock it; secrets present: they need that keyring's key.
    if (existingSecrets.length > 0 || !(e instanceof AppFailure) || e.appError.code !== 'KEYRING_UNAVAILABLE') throw e;
    return unavailableBox(e.appError.detail ?? e.message, keyFile);
  }
  if (existingSecrets.length > 0) {
    // Secrets but no record: the record was deleted, or the files came from elsewhere. Adopt the
    // keyring's key only if it really decrypts them.
    const where = `${keyring.backend}, entry “${KEYRING_SERVICE} / ${entryName}”; ${existingSecrets.length} secret file(s) in ${join(dataDir, SECRETS_DIR)} and no ${KEY_RECORD}`;
    if (!found) throw fail('KEYRING_KEY_MISSING', where);
    if (!decryptsOne(dataDir, existingSecrets, found)) throw fail('KEYRING_KEY_MISMATCH', where);
    await writeRecord(dataDir, newRecord(keyring, entryName, found));
    return aesBox(found, true, keyring.backend);
  }

  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = await underKeyLock(dataDir, keyring, options.keyringTimeoutMs ?? keyringTimeoutMs(), async () => {
    // Another process may have made the key while we waited: use it.
    const now = readRecord(dataDir);
    if (now) return existingKey(keyring, now, dataDir);
    let k = await keyring.get();
    if (!k) {
      await keyring.set(randomBytes(32));
      // Read back: proves the keyring keeps it (some accept a write and lose it).
      k = await keyring.get();
      if (!k) throw fail('KEYRING_UNAVAILABLE', `${keyring.backend} accepted the key but did not keep it.`);
    }
    await writeRecord(dataDir, newRecord(keyring, entryName, k));
    return k;
  });
  return aesBox(key, true, keyring.backend);
}

/** True when the store has secrets or a key that a reset would set aside. */
export const hasKeyMaterial = (dataDir: string): boolean =>
  existsSync(join(dataDir, KEY_RECORD)) || existsSync(join(dataDir, INSECURE_KEY_FILE)) || secretFiles(dataDir).length > 0;

/**
 * Start over with a new key, at the user's explicit request only (`mail-oauth reset-key`): the
 * secrets, the key record and any key file move to `<dataDir>/reset-<time>/` (kept, for a later
 * restore of the old keyring entry), the keyring entry is deleted; the next start makes a new
 * key. Accounts stay; each needs a new sign-in.
 */
export async function resetMasterKey(options: NodeSecretBoxOptions): Promise<{ movedTo?: string; deletedEntry: boolean; warning?: string }> {
  const dataDir = options.dataDir;
  const keyring = openKeyring(options);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  return underKeyLock(dataDir, keyring, options.keyringTimeoutMs ?? keyringTimeoutMs(), async () => {
    let movedTo: string | undefined;
    if (hasKeyMaterial(dataDir)) {
      const fs = await fsPromises();
      movedTo = join(dataDir, `reset-${new Date().toISOString().replace(/[:.]/g, '-')}`);
      await fs.mkdir(movedTo, { mode: 0o700 });
      for (const name of [SECRETS_DIR, KEY_RECORD, INSECURE_KEY_FILE]) {
        await fs.rename(join(dataDir, name), join(movedTo, name)).catch((e: NodeJS.ErrnoException) => {
          if (e.code !== 'ENOENT') throw e;
        });
      }
    }
    if (!keyring) return { ...(movedTo ? { movedTo } : {}), deletedEntry: false };
    try {
      return { ...(movedTo ? { movedTo } : {}), deletedEntry: await keyring.delete() };
    } catch (e) {
      // The old secrets are already aside: a keyring entry left behind is only adopted as the new
      // key on the next start (nothing depends on it any more), so this is a warning.
      const why = e instanceof AppFailure ? (e.appError.detail ?? e.message) : String(e);
      return { ...(movedTo ? { movedTo } : {}), deletedEntry: false, warning: `The old keyring entry was not deleted (${why}).` };
    }
  });
}
