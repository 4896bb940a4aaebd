// The name of an account's secret file, apart from secret-store.ts so that `token`'s read-only
// fast path (electron/cli/token-fast.ts) finds the file without loading the store and its locks.
import { createHash } from 'node:crypto';

/** File name for an account id: readable when safe, otherwise a hash (ids come from our store). */
export function fileName(accountId: string): string {
  return /^[A-Za-z0-9_-]{1,80}$/.test(accountId)
    ? `${accountId}.secrets`
    : `${createHash('sha256').update(accountId).digest('hex').slice(0, 40)}.secrets`;
}
