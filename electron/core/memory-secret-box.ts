// A SecretBox with no OS-backed encryption: `available` is false, so the stores keep secrets in
// memory only. Used where no keyring exists (and by the web host until told otherwise).
import type { SecretBox } from './ports.ts';

export const noEncryptionBox: SecretBox = {
  available: false,
  backend: 'none',
  encrypt: () => {
    throw new Error('No OS-backed encryption on this system');
  },
  decrypt: () => {
    throw new Error('No OS-backed encryption on this system');
  },
};
