// Electron safeStorage has one role left: reading the secrets of app versions before the shared
// store, once, for the migration (electron/store/migrate.ts asks for a decryptor; only the app
// can provide it). New secrets use the shared master key in the OS keyring instead
// (electron/store/node-secret-box.ts), because safeStorage's key is Electron's own keyring entry,
// which the CLI cannot read, and it protects nothing where no keyring exists (Linux `basic_text`
// is a hard-coded key); on macOS and Windows the keyring it would fall back on always exists.
import { safeStorage } from 'electron';

/** Decrypts what earlier app versions encrypted with safeStorage (usable only after `ready`). */
export async function legacySafeStorageDecryptor(): Promise<(data: Buffer) => string> {
  if (!safeStorage.isEncryptionAvailable()) {
    throw new Error('Electron safeStorage cannot decrypt here (is the keyring locked?)');
  }
  return (data) => safeStorage.decryptString(data);
}
