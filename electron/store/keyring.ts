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
import type { AsyncEntry } from '@napi-rs/keyring';
import { appError, AppFailure } from '../../shared/app-error.ts';
import { describe } from '../../shared/diagnostics.ts';

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

/** The entry for one data directory (several data dirs on one machine keep separate keys). */
export function osKeyringEntry(account: string, platform: NodeJS.Platform = process.platform): KeyringEntry {
  const backend = keyringName(platform);
  let entry: AsyncEntry | undefined;
  const open = async (): Promise<AsyncEntry> => {
    if (entry) return entry;
    // The native library is loaded on first use: a store on a key file (no keyring) never pays
    // for it, and `token` starts that much sooner (issue 10).
    const { AsyncEntry: Entry } = await import('@napi-rs/keyring');
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
