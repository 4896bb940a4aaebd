// health.json in the data directory: what the health checks remember beside the account records
// (last refresh and its failure per account, the alerts already announced). Every read-modify-write
// runs under a cross-process lock (the app and cron's `mail-oauth check` share it), and the file is
// replaced atomically so a crash never leaves half a ledger.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { withFileLock } from '../store/lock.ts';
import type { AlertLedger } from './ledger.ts';
import type { RefreshRecord } from './facts.ts';
import { HistoryEntry } from '../../shared/health.ts';

const Failure = z.object({ at: z.number(), code: z.string() });
const HealthFile = z.object({
  version: z.literal(1),
  refresh: z.record(z.string(), z.object({ lastRefreshAt: z.number().optional(), lastRefreshFailure: Failure.optional() })).default({}),
  /** Per alert channel (`notify-cmd`, `app`): accountId -> alert key -> when announced. */
  alerted: z.record(z.string(), z.record(z.string(), z.record(z.string(), z.number()))).default({}),
  /** accountId -> its last tests and token renewals, oldest first (the dashboard's timeline). */
  history: z.record(z.string(), z.array(HistoryEntry)).default({}),
});
export type HealthFileData = {
  version: 1;
  refresh: Record<string, RefreshRecord>;
  alerted: Record<string, AlertLedger>;
  history: Record<string, HistoryEntry[]>;
};

/** How many entries an account's history keeps: enough for two days of hourly tests. */
export const HISTORY_LIMIT = 50;

/** Append to an account's history, keeping the newest HISTORY_LIMIT (no secrets: time, kind, code). */
export function appendHistory(data: HealthFileData, accountId: string, entry: HistoryEntry): void {
  const list = [...(data.history[accountId] ?? []), entry];
  data.history[accountId] = list.slice(-HISTORY_LIMIT);
}

export const healthFilePath = (dataDir: string): string => join(dataDir, 'health.json');
const lockPath = (dataDir: string): string => join(dataDir, 'health.lock');

const empty = (): HealthFileData => ({ version: 1, refresh: {}, alerted: {}, history: {} });

/** The file's content; a missing file is empty, an unreadable one is set aside (a health ledger
 * is not worth blocking checks for: the worst outcome is one repeated alert). */
export async function readHealthFile(dataDir: string): Promise<HealthFileData> {
  const path = healthFilePath(dataDir);
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return empty();
    throw e;
  }
  try {
    return HealthFile.parse(JSON.parse(text)) as HealthFileData;
  } catch {
    await fs.rename(path, `${path}.corrupt-${Date.now()}`).catch(() => undefined);
    return empty();
  }
}

/** Read, change and write health.json under the lock. */
export async function updateHealthFile<T>(dataDir: string, fn: (data: HealthFileData) => Promise<T> | T): Promise<T> {
  await fs.mkdir(dataDir, { recursive: true });
  return withFileLock(lockPath(dataDir), async () => {
    const data = await readHealthFile(dataDir);
    const result = await fn(data);
    const path = healthFilePath(dataDir);
    const tmp = `${path}.${process.pid}.tmp`;
    const fh = await fs.open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(`${JSON.stringify(data, null, 2)}\n`);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(tmp, path);
    return result;
  });
}
