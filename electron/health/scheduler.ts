// The app's schedule of background work per account (issue 13): renew the access token before it
// ends for accounts in use, a light daily refresh that keeps the grant alive and finds a revoked
// one early, and a connection test on the user's schedule (off / daily / hourly).
//
// Plain Node with the clock AND the timers injected (the unit tests move time by hand). The work
// itself is a port (scheduled-work.ts does it through AuthService, whose refresh takes the
// account's cross-process lock, so the CLI and the app never race on a rotating refresh token).
//
// Why a short periodic tick and not one timer per job: timers run on a monotonic clock that stops
// while the machine sleeps, so a timer set for "in 1 hour" fires an hour after waking, not at the
// wall-clock time. Each tick compares the wall clock with the last tick instead: much more time
// than the tick interval means the machine slept (or the clock was set), and the work that fell
// due meanwhile is spread over `spreadMs` and runs once, not once per missed interval and not all
// at the same moment. Jobs run one at a time, so there is never a burst of parallel refreshes.
import type { Clock } from '../core/ports.ts';
import type { TestSchedule } from '../../shared/health.ts';

export type Timers = {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
};

/** Node's timers, unref'd: the schedule never keeps a process alive by itself. */
export const nodeTimers: Timers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export type JobKind = 'renew' | 'refresh' | 'test';

/** What the schedule needs to know about an account (scheduled-work.ts reads it without network). */
export type ScheduledAccount = {
  id: string;
  /** Ready and holding a grant that is not known dead: the only accounts with work to do. */
  signedIn: boolean;
  hasRefreshToken: boolean;
  accessTokenExpiresAt?: number;
  /** Last successful renewal of the grant (or the sign-in). */
  lastRefreshAt?: number;
  lastTestAt?: number;
  /** When a mail client (mail-oauth token) or the bridge last took a token. */
  lastUsedAt?: number;
  /** Changes when the account's settings or sign-in change: its plans start over. */
  version: string;
};

export type JobOutcome = { ok: boolean; code?: string };

export interface SchedulerWork {
  accounts(): Promise<ScheduledAccount[]>;
  run(kind: JobKind, accountId: string): Promise<JobOutcome>;
}

export type SchedulerConfig = {
  /** How often the wall clock is looked at. */
  tickMs: number;
  /** Renew an account in use this long before its access token ends (more than `token`'s 5-minute
   * margin, so a mail client's `mail-oauth token` keeps answering from the saved token). */
  renewBeforeMs: number;
  /** "In use": a token was handed out within this time. */
  inUseWithinMs: number;
  /** The light refresh that keeps a grant alive (refresh tokens die unused: 90 days Microsoft). */
  refreshEveryMs: number;
  testEveryMs: Record<Exclude<TestSchedule, 'off'>, number>;
  /** First retry after a failure; doubles per failure up to backoffMaxMs (and never later than
   * the job's regular interval: a failing test is not tested less often than a passing one). */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Overdue work (at start, after sleep) is spread over this window. */
  spreadMs: number;
  /** A tick arriving more than this many tick intervals late means the machine slept. */
  jumpFactor: number;
};

const MIN = 60_000;
const HOUR = 60 * MIN;
export const DEFAULT_SCHEDULER_CONFIG: SchedulerConfig = {
  tickMs: MIN,
  renewBeforeMs: 10 * MIN,
  inUseWithinMs: 24 * HOUR,
  refreshEveryMs: 24 * HOUR,
  testEveryMs: { hourly: HOUR, daily: 24 * HOUR },
  backoffBaseMs: MIN,
  backoffMaxMs: 6 * HOUR,
  spreadMs: 10 * MIN,
  jumpFactor: 3,
};

export type SchedulerEvent = { kind: JobKind; accountId: string; at: number; outcome: JobOutcome };

export type SchedulerDeps = {
  clock: Clock;
  timers: Timers;
  work: SchedulerWork;
  /** The user's connection-test schedule, read at each tick (a change applies at once). */
  testSchedule: () => TestSchedule;
  config?: Partial<SchedulerConfig>;
  /** [0, 1): jitter and spread (tests pass a seeded one). */
  random?: () => number;
  /** After each job (the history and the banner are updated by the work itself). */
  onJob?: (e: SchedulerEvent) => void;
  /** A failure of the schedule's own bookkeeping (reading the accounts): logged, never thrown. */
  onError?: (error: unknown) => void;
};

export type Scheduler = {
  start(): void;
  stop(): Promise<void>;
  /** Look now (the app's power-resume event, a changed preference) instead of at the next tick. */
  nudge(): void;
  /** Resolves when no job is running (tests). */
  idle(): Promise<void>;
  /** The next time each planned job runs (tests, diagnostics). */
  plans(): Array<{ kind: JobKind; accountId: string; due: number; failures: number }>;
};

type Plan = {
  kind: JobKind;
  accountId: string;
  /** When the job would run by its regular schedule. */
  next: number;
  /** Not before this (backoff after a failure, spreading of overdue work, a just-done renewal). */
  notBefore: number;
  failures: number;
  version: string;
};

const due = (p: Plan): number => Math.max(p.next, p.notBefore);

export function createScheduler(deps: SchedulerDeps): Scheduler {
  const cfg: SchedulerConfig = { ...DEFAULT_SCHEDULER_CONFIG, ...deps.config };
  const random = deps.random ?? Math.random;
  const plans = new Map<string, Plan>();
  let timer: unknown;
  let lastTick: number | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;
  let lastSchedule: TestSchedule | undefined;

  const key = (kind: JobKind, id: string): string => `${kind}:${id}`;

  /** Exponential backoff with jitter (0.8x to 1.2x, so failing accounts drift apart), capped. */
  const backoff = (failures: number, cap: number): number => {
    const raw = cfg.backoffBaseMs * 2 ** Math.min(failures - 1, 30) * (0.8 + 0.4 * random());
    return Math.round(Math.min(raw, cfg.backoffMaxMs, cap));
  };

  const intervalOf = (kind: JobKind): number => {
    if (kind === 'refresh') return cfg.refreshEveryMs;
    if (kind === 'renew') return cfg.renewBeforeMs;
    const s = deps.testSchedule();
    return s === 'off' ? cfg.testEveryMs.daily : cfg.testEveryMs[s];
  };

  /** Bring the plans in line with the accounts and the schedule; returns the plans that are
   * overdue as soon as they exist (to be spread, not run all at once). */
  async function plan(now: number): Promise<Plan[]> {
    const accounts = await deps.work.accounts();
    const schedule = deps.testSchedule();
    const scheduleChanged = lastSchedule !== undefined && schedule !== lastSchedule;
    lastSchedule = schedule;
    const seen = new Set<string>();
    const fresh: Plan[] = [];
    const upsert = (kind: JobKind, a: ScheduledAccount, next: number, replan: boolean): void => {
      const k = key(kind, a.id);
      seen.add(k);
      const p = plans.get(k);
      if (p && p.version === a.version && !replan) {
        if (kind === 'renew') p.next = next; // follows the token (the CLI may have renewed it)
        return;
      }
      const n: Plan = { kind, accountId: a.id, next, notBefore: -Infinity, failures: 0, version: a.version };
      plans.set(k, n);
      if (due(n) <= now) fresh.push(n);
    };
    for (const a of accounts) {
      if (!a.signedIn) continue;
      upsert('refresh', a, (a.lastRefreshAt ?? -Infinity) + cfg.refreshEveryMs, false);
      if (schedule !== 'off') upsert('test', a, (a.lastTestAt ?? -Infinity) + cfg.testEveryMs[schedule], scheduleChanged);
      const inUse = a.lastUsedAt !== undefined && now - a.lastUsedAt <= cfg.inUseWithinMs;
      if (a.hasRefreshToken && a.accessTokenExpiresAt !== undefined && inUse) {
        upsert('renew', a, a.accessTokenExpiresAt - cfg.renewBeforeMs, false);
      }
    }
    for (const k of [...plans.keys()]) if (!seen.has(k)) plans.delete(k);
    return fresh;
  }

  /** Give each overdue plan its own moment within the spread window, in their order. */
  function spread(list: Plan[], now: number): void {
    const sorted = [...list].sort((a, b) => due(a) - due(b));
    const slot = cfg.spreadMs / Math.max(sorted.length, 1);
    sorted.forEach((p, i) => {
      p.notBefore = now + Math.round((i + random()) * slot);
    });
  }

  async function runOne(p: Plan): Promise<void> {
    const started = deps.clock.now();
    let outcome: JobOutcome;
    try {
      outcome = await deps.work.run(p.kind, p.accountId);
    } catch (error) {
      deps.onError?.(error);
      outcome = { ok: false, code: 'INTERNAL' };
    }
    const now = deps.clock.now();
    const current = plans.get(key(p.kind, p.accountId));
    if (current === p) {
      if (outcome.ok) {
        p.failures = 0;
        if (p.kind === 'renew') p.notBefore = now + Math.min(cfg.renewBeforeMs / 2, cfg.backoffMaxMs);
        else {
          p.next = started + intervalOf(p.kind);
          p.notBefore = -Infinity;
        }
      } else {
        p.failures += 1;
        p.notBefore = now + backoff(p.failures, intervalOf(p.kind === 'renew' ? 'refresh' : p.kind));
      }
    }
    deps.onJob?.({ kind: p.kind, accountId: p.accountId, at: now, outcome });
  }

  async function drain(): Promise<void> {
    while (!stopped) {
      const now = deps.clock.now();
      try {
        spread(await plan(now), now);
      } catch (error) {
        deps.onError?.(error);
        return;
      }
      const next = [...plans.values()].filter((p) => due(p) <= now).sort((a, b) => due(a) - due(b))[0];
      if (!next) return;
      await runOne(next);
    }
  }

  function tick(): void {
    timer = undefined;
    if (stopped) return;
    const now = deps.clock.now();
    // Slept (or the clock was set): everything that fell due meanwhile runs once, spread out.
    const jumped = lastTick !== undefined && (now - lastTick > cfg.tickMs * cfg.jumpFactor || now < lastTick);
    lastTick = now;
    if (jumped) {
      spread(
        [...plans.values()].filter((p) => due(p) <= now),
        now,
      );
    }
    if (!running) {
      running = drain().finally(() => {
        running = undefined;
      });
    }
    timer = deps.timers.setTimeout(tick, cfg.tickMs);
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      lastTick = undefined;
      tick();
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) deps.timers.clearTimeout(timer);
      timer = undefined;
      await running;
    },
    nudge() {
      if (stopped) return;
      if (timer !== undefined) deps.timers.clearTimeout(timer);
      tick();
    },
    idle: async () => {
      while (running) await running;
    },
    plans: () => [...plans.values()].map((p) => ({ kind: p.kind, accountId: p.accountId, due: due(p), failures: p.failures })),
  };
}
