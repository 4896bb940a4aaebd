// The user's connection-test schedule (a preference) and the schedule's timings from the
// environment: MAIL_OAUTH_SCHEDULE_MS="tick=200,hourly=2000,spread=300" shortens them so the
// end-to-end tests can watch a scheduled test happen (keys below; unknown keys are refused).
import { TestSchedule } from '../../shared/health.ts';
import type { SchedulerConfig } from './scheduler.ts';

export const TEST_SCHEDULE_KEY = 'healthTestSchedule';

type Prefs = { get(key: string): unknown; set(key: string, value: unknown): void };

/** The saved choice; anything else (nothing saved, a hand-edited value) is off. */
export function readTestSchedule(prefs: Prefs): TestSchedule {
  const v = TestSchedule.safeParse(prefs.get(TEST_SCHEDULE_KEY));
  return v.success ? v.data : 'off';
}

const KEYS = {
  tick: 'tickMs',
  renew: 'renewBeforeMs',
  inUse: 'inUseWithinMs',
  refresh: 'refreshEveryMs',
  backoff: 'backoffBaseMs',
  backoffMax: 'backoffMaxMs',
  spread: 'spreadMs',
} as const;

/** The timings MAIL_OAUTH_SCHEDULE_MS overrides; throws a clear error for a malformed value. */
export function scheduleConfigFromEnv(value: string | undefined): Partial<SchedulerConfig> {
  if (value === undefined || value.trim() === '') return {};
  const out: Partial<SchedulerConfig> = {};
  const tests: Partial<SchedulerConfig['testEveryMs']> = {};
  for (const part of value.split(',')) {
    const [k, v] = part.split('=').map((x) => x.trim());
    const ms = Number(v);
    if (!k || !Number.isInteger(ms) || ms <= 0) throw new Error(`MAIL_OAUTH_SCHEDULE_MS: "${part}" is not key=milliseconds`);
    if (k === 'hourly' || k === 'daily') tests[k] = ms;
    else if (k in KEYS) out[KEYS[k as keyof typeof KEYS]] = ms;
    else throw new Error(`MAIL_OAUTH_SCHEDULE_MS: unknown key "${k}" (${[...Object.keys(KEYS), 'hourly', 'daily'].join(', ')})`);
  }
  if (tests.hourly !== undefined || tests.daily !== undefined) {
    out.testEveryMs = { hourly: tests.hourly ?? 3_600_000, daily: tests.daily ?? 86_400_000 };
  }
  return out;
}
