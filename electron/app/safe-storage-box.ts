// The SecretBox port on Electron's safeStorage (Keychain, DPAPI, libsecret/kwallet).
// On Linux, `basic_text` means no keyring: the "encryption" uses a hard-coded key, so we treat it
// as unavailable and the store keeps secrets in memory only (issue: secure token storage).
import { safeStorage } from 'electron';
import type { SecretBox } from '../core/ports.ts';

export function createSafeStorageBox(platform: NodeJS.Platform = process.platform): SecretBox {
  const osAvailable = safeStorage.isEncryptionAvailable();
  const backend = platform === 'linux' ? safeStorage.getSelectedStorageBackend() : platform === 'darwin' ? 'keychain' : 'dpapi';
  const available = osAvailable && backend !== 'basic_text' && backend !== 'unknown';
  return {
    available,
    backend,
    encrypt: (plain) => {
      if (!available) throw new Error('OS-backed encryption is not available');
      return safeStorage.encryptString(plain);
    },
    decrypt: (data) => {
      if (!available) throw new Error('OS-backed encryption is not available');
      return safeStorage.decryptString(data);
    },
  };
}
