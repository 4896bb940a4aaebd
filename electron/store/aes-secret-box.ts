// AES-256-GCM with a caller-held key: the cipher under NodeSecretBox (key kept by the OS keyring),
// and a legitimate in-process SecretBox for tests (random key, lives as long as the process).
// Format: 0x01 | 12-byte IV | 16-byte tag | ciphertext. A fresh IV per message (NIST SP 800-38D:
// never reuse an IV with one key); the tag authenticates, so a tampered file fails to decrypt.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SecretBox } from '../core/ports.ts';

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export function aesGcmEncrypt(key: Buffer, plain: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
}

export function aesGcmDecrypt(key: Buffer, data: Buffer): string {
  if (data.length < 1 + IV_BYTES + TAG_BYTES || data[0] !== VERSION) throw new Error('not an encrypted secret (unknown format)');
  const iv = data.subarray(1, 1 + IV_BYTES);
  const tag = data.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(data.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
}

/** A SecretBox over a 32-byte key. `available` says whether the key is protected by the OS. */
export function createAesSecretBox(key: Buffer, meta: { available: boolean; backend: string }): SecretBox {
  if (key.length !== 32) throw new Error('AES-256 needs a 32-byte key');
  const k = Buffer.from(key);
  return {
    available: meta.available,
    backend: meta.backend,
    encrypt: (plain) => aesGcmEncrypt(k, plain),
    decrypt: (data) => aesGcmDecrypt(k, data),
  };
}

/** In-process SecretBox with a random key that never leaves memory (tests, throwaway sessions). */
export const createEphemeralSecretBox = (): SecretBox =>
  createAesSecretBox(randomBytes(32), { available: true, backend: 'ephemeral-aes-gcm' });
