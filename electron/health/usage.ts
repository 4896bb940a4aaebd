// "Is this account in use?": when a mail client last asked `mail-oauth token` for it (or the
// bridge took a token). The app's schedule renews the access token ahead of its end only for
// accounts in use, so that `token` keeps answering from its fast path instead of refreshing
// while the mail client waits; an account nobody uses gets only the light daily refresh.
//
// The record is the modification time of an empty file per account in <data dir>/usage/: one
// utimes() after the token was written to stdout (a few microseconds, no lock: the last writer
// wins and any writer is right), and no content to keep secret. Kept free of imports beyond
// node:fs so that `token`'s fast path loads nothing more.
import { closeSync, mkdirSync, openSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { fileName } from '../store/secret-file.ts';

const usagePath = (dataDir: string, accountId: string): string => join(dataDir, 'usage', fileName(accountId).replace(/\.secrets$/, '.used'));

/** Remember that a token of the account was just handed out. Never throws: a usage mark is not
 * worth failing (or slowing) the token it follows. */
export function recordTokenUse(dataDir: string, accountId: string, now: number = Date.now()): void {
  const path = usagePath(dataDir, accountId);
  const t = now / 1000;
  try {
    utimesSync(path, t, t);
  } catch {
    try {
      mkdirSync(join(dataDir, 'usage'), { recursive: true, mode: 0o700 });
      closeSync(openSync(path, 'a', 0o600));
      utimesSync(path, t, t);
    } catch {
      // A read-only data dir: the account just counts as not in use (daily refresh only).
    }
  }
}

/** When a token of the account was last handed out (ms), or undefined if never. */
export function lastTokenUse(dataDir: string, accountId: string): number | undefined {
  try {
    return statSync(usagePath(dataDir, accountId)).mtimeMs;
  } catch {
    return undefined;
  }
}
