// The SecretBox port on Electron's safeStorage (Keychain, DPAPI, libsecret/kwallet).
// On Linux, `basic_text` means no keyring: the "encryption" uses a hard-coded key, so we report it
// as unavailable and the store keeps secrets in memory only, unless the user explicitly chooses to
// keep them on disk anyway (then this obfuscation is all there is, and the UI says so).
import { safeStorage } from 'electron';
import type { SecretBox } from '../core/ports.ts';

export function createSafeStorageBox(platform: NodeJS.Platform = process.platform): SecretBox {
  const canEncrypt = safeStorage.isEncryptionAvailable();
  const backend = platform === 'linux' ? safeStorage.getSelectedStorageBackend() : platform === 'darwin' ? 'keychain' : 'dpapi';
  const available = canEncrypt && backend !== 'basic_text' && backend !== 'unknown';
  const refuse = (): never => {
    throw new Error('Encryption is not available on this system');
  };
  return {
    available,
    backend,
    encrypt: (plain) => (canEncrypt ? safeStorage.encryptString(plain) : refuse()),
    decrypt: (data) => (canEncrypt ? safeStorage.decryptString(data) : refuse()),
  };
}
