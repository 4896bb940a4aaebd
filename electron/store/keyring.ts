// The OS keyring through @napi-rs/keyring (a native library with prebuilt binaries in the npm
// package; no install script): Secret Service on Linux and the BSDs (GNOME Keyring, KWallet),
// the login Keychain on macOS, Credential Manager on Windows. It replaces the spawned tools of
// earlier versions (secret-tool, `security` with the key in argv, a PowerShell start per call):
// a lookup is one D-Bus / system call in-process (~1-5 ms instead of ~39 ms per spawn).
//
// On Linux the entry is pinned to the Secret Service: the library's default falls back to the
// kernel keyring (keyutils), which forgets everything at reboot, and a key that vanishes at
// reboot is exactly the "new key over old secrets" this store must never risk.
//
// Errors are classified into diagnosis codes here (diagnostics/keyring.ts), from the library's
// texts, which are the only thing it exposes (its error `code` is always GenericFailure).
//
// One caller at a time, and never forever (guardedEntry): GNOME Keyring without a prompter (a
// headless machine, an SSH session) wedges when several processes ask at once to unlock a locked
// collection: some "prompt dismissed" answers never come, and from then on every lookup of every
// process waits forever (issue 15; five bare lookups in parallel processes were enough, one after
// another never hung). Mail clients run `mail-oauth token` several at a time (neomutt, mbsync and
// msmtp together), so every call of the store goes through a cross-process lock, and a call the
// keyring does not answer fails after a bound instead of hanging the mail client.
import { createRequire } from 'node:module';
import type { AsyncEntry } from '@napi-rs/keyring';
import { appError, AppFailure } from '../../shared/app-error.ts';
import { describe } from '../../shared/diagnostics.ts';
import { nativeCallAbandoned } from '../core/exit-process.ts';

/** One keyring entry holding a 32-byte key. `get` resolves undefined when there is no entry. */
export type KeyringEntry = {
  /** What to call the keyring in messages ("Secret Service", "macOS Keychain"...). */
  readonly backend: string;
  get(): Promise<Buffer | undefined>;
  set(key: Buffer): Promise<void>;
  /** True when an entry was deleted. */
  delete(): Promise<boolean>;
};

export const KEYRING_SERVICE = 'Mail OAuth Assistant';

export function keyringName(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return 'macOS Keychain';
  if (platform === 'win32') return 'Windows Credential Manager';
  return 'Secret Service';
}

/** Map a keyring library error to an AppFailure naming the backend and what to do. */
export function keyringFailure(error: unknown, backend: string, doing: string): AppFailure {
  if (error instanceof AppFailure) return error;
  const text = error instanceof Error ? error.message : String(error);
  // Secret Service: "unlock prompt was dismissed" (no prompter, or the user pressed Cancel), "locked".
  // macOS: errSecInteractionNotAllowed ("User interaction is not allowed") on a locked keychain.
  const code = /prompt was dismissed|is locked|\blocked\b|interaction is not allowed/i.test(text)
    ? 'KEYRING_LOCKED'
    : /denied|not permitted|authoriz|errSecAuthFailed/i.test(text)
      ? 'KEYRING_ACCESS_DENIED'
      : 'KEYRING_UNAVAILABLE';
  // The library's text names the cause (D-Bus, service unknown...) and never holds the secret.
  return new AppFailure(appError(code, describe(code).title, `${backend}: ${doing} failed: ${oneLine(text)}`), { cause: error });
}

const oneLine = (s: string): string => s.replace(/\s+/g, ' ').trim().slice(0, 300);

/** How long one keyring call may take (and, before it, the wait for another process's call). */
export const KEYRING_TIMEOUT_MS = 25_000;
const TIMEOUT_ENV = 'MAIL_OAUTH_KEYRING_TIMEOUT_MS';

/** The bound of a keyring call: KEYRING_TIMEOUT_MS, or MAIL_OAUTH_KEYRING_TIMEOUT_MS (tests). */
export function keyringTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[TIMEOUT_ENV];
  if (raw === undefined || raw === '') return KEYRING_TIMEOUT_MS;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 100 || ms > 600_000) {
    throw new Error(`${TIMEOUT_ENV} must be a whole number of milliseconds from 100 to 600000, not “${oneLine(raw).slice(0, 40)}”.`);
  }
  return ms;
}

export type GuardOptions = {
  /** The cross-process lock (a path for lock.ts withFileLock) that every call runs under. */
  lockPath: string;
  /** Bound of one call, and of the wait for the lock before it; default keyringTimeoutMs(). */
  timeoutMs?: number;
};

/**
 * `entry` with every call run under the cross-process lock `lockPath` (one call per lock, released
 * right after it; lock.ts: queued in memory within a process, re-entrant inside a caller that
 * already holds the same lock, a dead holder reaped at once) and bounded by `timeoutMs`: a keyring
 * that does not answer (the wedge above, a hung D-Bus) or a lock held that long by another
 * process fails with KEYRING_UNAVAILABLE naming the backend. The unanswered native call is left
 * behind (it cannot be cancelled); the CLI exits anyway, and a long-running host's next call
 * meets the same bound.
 */
export function guardedEntry(entry: KeyringEntry, o: GuardOptions): KeyringEntry {
  const backend = entry.backend;
  const guard = async <T>(doing: string, call: () => Promise<T>): Promise<T> => {
    const timeoutMs = o.timeoutMs ?? keyringTimeoutMs();
    const seconds = Math.round(timeoutMs / 100) / 10;
    const unanswered = (): AppFailure =>
      new AppFailure(
        appError(
          'KEYRING_UNAVAILABLE',
          describe('KEYRING_UNAVAILABLE').title,
          // An unlock window left open also ends here: the user is told what the next try needs.
          `${backend}: ${doing} got no answer within ${seconds} s: the keyring service hangs (GNOME Keyring does after several programs asked at once to unlock it) or waits for an unlock window; unlock it, or restart it`,
        ),
      );
    // Loaded on first use, as the keyring library is: `token` starts sooner without it (issue 10).
    const { withFileLock, FileLockError } = await import('./lock.ts');
    try {
      // The wait for the lock and the call each get the bound: a healthy keyring answers in
      // milliseconds, so a waiter only meets its bound behind a call that meets its own.
      return await withFileLock(o.lockPath, () => bounded(call(), timeoutMs, unanswered), { timeoutMs });
    } catch (e) {
      if (!(e instanceof FileLockError)) throw e;
      const why = e.reason === 'timeout' ? `another program has been waiting for the keyring for more than ${seconds} s` : `the keyring lock was lost (${e.reason})`;
      throw new AppFailure(
        appError('KEYRING_UNAVAILABLE', describe('KEYRING_UNAVAILABLE').title, `${backend}: ${doing} not tried: ${why} (lock ${o.lockPath}); unlock the keyring, or restart it if it hangs`),
        { cause: e },
      );
    }
  };
  return {
    backend,
    get: () => guard('reading the key', () => entry.get()),
    set: (key) => guard('storing the key', () => entry.set(key)),
    delete: () => guard('deleting the key', () => entry.delete()),
  };
}

/** `p`, or the error of `timedOut()` once `ms` passed without an answer. A call given up on is
 * recorded (core/exit-process.ts): its thread blocks a normal exit until it returns. */
function bounded<T>(p: Promise<T>, ms: number, timedOut: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const abandoned = nativeCallAbandoned();
      p.then(abandoned.released, abandoned.released);
      reject(timedOut());
    }, ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

const requireNative = createRequire(import.meta.url);

/** The entry for one data directory (several data dirs on one machine keep separate keys). */
export function osKeyringEntry(account: string, platform: NodeJS.Platform = process.platform): KeyringEntry {
  const backend = keyringName(platform);
  let entry: AsyncEntry | undefined;
  const open = async (): Promise<AsyncEntry> => {
    if (entry) return entry;
    // The native library is loaded on first use: a store on a key file (no keyring) never pays
    // for it, and `token` starts that much sooner (issue 10). Required, not imported: it is
    // CommonJS, and importing it from ESM first scans its 700-line loader for export names
    // (cjs-module-lexer, ~10 ms of every `token` call that opens the key; `npm run bench:keyring`).
    const { AsyncEntry: Entry } = requireNative('@napi-rs/keyring') as { AsyncEntry: typeof AsyncEntry };
    // The constructor already connects (D-Bus on Linux) and throws when there is no session bus.
    entry ??= new Entry(KEYRING_SERVICE, account, platform === 'linux' ? { linux: { store: 'secret-service' } } : undefined);
    return entry;
  };
  return {
    backend,
    async get() {
      let secret: string | null;
      try {
        secret = await (await open()).getPassword();
      } catch (e) {
        throw keyringFailure(e, backend, 'reading the key');
      }
      if (secret === null) return undefined;
      const key = Buffer.from(secret, 'base64');
      if (key.length !== 32) {
        throw new AppFailure(
          appError('KEY_FILE_UNREADABLE', describe('KEY_FILE_UNREADABLE').title, `${backend}: the entry “${KEYRING_SERVICE} / ${account}” does not hold a 32-byte key.`),
        );
      }
      return key;
    },
    async set(key) {
      try {
        // Base64 text rather than raw bytes: the entry stays a normal password item that keyring
        // UIs can show and back up.
        await (await open()).setPassword(key.toString('base64'));
      } catch (e) {
        throw keyringFailure(e, backend, 'storing the key');
      }
    },
    async delete() {
      try {
        return await (await open()).deleteCredential();
      } catch (e) {
        throw keyringFailure(e, backend, 'deleting the key');
      }
    },
  };
}
