// A small in-memory log of recent auth and test events for the dashboard. Messages are redacted
// here, once, so no caller can put a secret into it by accident.
import { randomUUID } from 'node:crypto';
import type { ActivityEntry } from '../../shared/ipc.ts';
import { redactText } from '../../shared/redact.ts';
import type { Clock } from './ports.ts';

export type ActivityLog = {
  add(entry: Omit<ActivityEntry, 'id' | 'at'>): ActivityEntry;
  list(): ActivityEntry[];
};

export function createActivityLog(options: { clock: Clock; limit?: number; onAdd?: (e: ActivityEntry) => void }): ActivityLog {
  const limit = options.limit ?? 100;
  const entries: ActivityEntry[] = [];
  return {
    add(entry) {
      const full: ActivityEntry = {
        ...entry,
        id: randomUUID(),
        at: options.clock.now(),
        message: redactText(entry.message).slice(0, 300),
      };
      entries.unshift(full);
      entries.length = Math.min(entries.length, limit);
      options.onAdd?.(full);
      return full;
    },
    list: () => [...entries],
  };
}
