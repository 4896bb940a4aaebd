// The background schedule (issue 13) with a fake wall clock and fake timers: renewal before
// expiry for accounts in use, the daily refresh, the scheduled test, backoff on failures and
// recovery, sleep/wake (the overdue work runs once, spread out), and alerts once per cause.
// The work port is a scripted stand-in here (this file tests the timing); the same scheduler
// with the real work against the bench is test/integration/health-schedule.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createScheduler, type JobKind, type JobOutcome, type ScheduledAccount, type SchedulerConfig, type Timers } from '../../electron/health/scheduler.ts';
import { evaluateHealth } from '../../electron/health/rules.ts';
import { newAlerts, type Alert } from '../../electron/health/ledger.ts';
import { appendHistory, HISTORY_LIMIT, readHealthFile, updateHealthFile } from '../../electron/health/health-file.ts';
import { scheduleConfigFromEnv } from '../../electron/health/schedule-settings.ts';
import type { TestSchedule } from '../../shared/health.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 0, 5, 8);

/** Wall clock and monotonic timers apart, as on a real machine: during sleep the wall clock
 * moves and the timers do not (they fire after waking). */
function world() {
  let wall = T0;
  let mono = 0;
  let nextId = 1;
  const pending = new Map<number, { fn: () => void; at: number }>();
  const timers: Timers = {
    setTimeout(fn, ms) {
      const id = nextId++;
      pending.set(id, { fn, at: mono + ms });
      return id;
    },
    clearTimeout(h) {
      pending.delete(h as number);
    },
  };
  return {
    clock: { now: () => wall },
    timers,
    pendingTimers: () => pending.size,
    /** Let time pass awake: every timer fires at its moment; `settle` lets the work finish. */
    async advance(ms: number, settle: () => Promise<void>) {
      const end = mono + ms;
      for (;;) {
        let first: [number, { fn: () => void; at: number }] | undefined;
        for (const e of pending) if (e[1].at <= end && (!first || e[1].at < first[1].at)) first = e;
        if (!first) break;
        wall += first[1].at - mono;
        mono = first[1].at;
        pending.delete(first[0]);
        first[1].fn();
        await settle();
      }
      wall += end - mono;
      mono = end;
    },
    /** The machine sleeps: the wall clock jumps, the timers stand still. */
    sleep(ms: number) {
      wall += ms;
    },
  };
}

type Call = { kind: JobKind; id: string; at: number };

/** The accounts and their work, scripted: renewals extend the token by an hour. */
function fakeWork(w: ReturnType<typeof world>, accounts: ScheduledAccount[], result: (kind: JobKind, id: string) => JobOutcome = () => ({ ok: true })) {
  const calls: Call[] = [];
  return {
    calls,
    accounts,
    work: {
      accounts: async () => accounts.map((a) => ({ ...a })),
      async run(kind: JobKind, id: string): Promise<JobOutcome> {
        const now = w.clock.now();
        calls.push({ kind, id, at: now });
        const r = result(kind, id);
        const a = accounts.find((x) => x.id === id);
        if (a && r.ok && kind !== 'test') {
          a.lastRefreshAt = now;
          a.accessTokenExpiresAt = now + HOUR;
        }
        if (a && kind === 'test') a.lastTestAt = now;
        return r;
      },
    },
  };
}

const account = (id: string, over: Partial<ScheduledAccount> = {}): ScheduledAccount => ({
  id,
  signedIn: true,
  hasRefreshToken: true,
  accessTokenExpiresAt: T0 + HOUR,
  lastRefreshAt: T0,
  lastTestAt: T0,
  version: 'v1',
  ...over,
});

const CONFIG: Partial<SchedulerConfig> = { tickMs: MIN, spreadMs: 10 * MIN };

function setup(accounts: ScheduledAccount[], o: { schedule?: TestSchedule; result?: (kind: JobKind, id: string) => JobOutcome; config?: Partial<SchedulerConfig> } = {}) {
  const w = world();
  const f = fakeWork(w, accounts, o.result);
  let schedule: TestSchedule = o.schedule ?? 'off';
  let seed = 1;
  const s = createScheduler({
    clock: w.clock,
    timers: w.timers,
    work: f.work,
    testSchedule: () => schedule,
    config: { ...CONFIG, ...o.config },
    // A seeded generator: the spread is random in production, repeatable here.
    random: () => {
      seed = (seed * 16807) % 2147483647;
      return (seed - 1) / 2147483646;
    },
  });
  const settle = () => s.idle();
  return {
    w,
    s,
    f,
    setSchedule: (x: TestSchedule) => (schedule = x),
    advance: (ms: number) => w.advance(ms, settle),
    of: (kind: JobKind, id?: string) => f.calls.filter((c) => c.kind === kind && (id === undefined || c.id === id)),
  };
}

test('an account in use is renewed before its access token ends, every time; one not in use is not', async () => {
  const t = setup([account('used', { lastUsedAt: T0 }), account('idle')]);
  t.s.start();
  for (let h = 0; h < 4; h++) {
    const expiry = t.f.accounts[0]?.accessTokenExpiresAt as number;
    await t.advance(HOUR);
    const renewals = t.of('renew', 'used').filter((c) => c.at > expiry - HOUR);
    assert.equal(renewals.length, 1, `hour ${h}: one renewal per token`);
    const at = renewals[0]?.at as number;
    assert.ok(at < expiry && at >= expiry - 10 * MIN, `renewed within the 10 minutes before the end (${(expiry - at) / MIN} min before)`);
    t.f.accounts[0]!.lastUsedAt = t.w.clock.now(); // the mail client keeps calling `token`
  }
  assert.deepEqual(t.of('renew', 'idle'), [], 'nobody uses it: no renewal (the daily refresh keeps it alive)');
  await t.s.stop();
});

test('the daily refresh runs once a day per signed-in account; a signed-out one gets nothing', async () => {
  const t = setup([account('a'), account('b', { lastRefreshAt: T0 - 12 * HOUR }), account('out', { signedIn: false })]);
  t.s.start();
  await t.advance(3 * DAY + 30 * MIN);
  const a = t.of('refresh', 'a').map((c) => c.at - T0);
  const b = t.of('refresh', 'b').map((c) => c.at - T0);
  assert.equal(a.length, 3);
  assert.equal(b.length, 3);
  for (const [i, at] of a.entries()) assert.ok(Math.abs(at - (i + 1) * DAY) <= MIN, `a: refresh ${i + 1} at day ${at / DAY}`);
  for (const [i, at] of b.entries()) assert.ok(Math.abs(at - (i * DAY + 12 * HOUR)) <= MIN, `b: its last refresh was 12 h before, so 12 h in first: ${at / HOUR} h`);
  assert.deepEqual(t.f.calls.filter((c) => c.id === 'out'), []);
  assert.deepEqual(t.of('test'), [], 'the test schedule is off');
  await t.s.stop();
});

test('scheduled tests: off, then hourly (an untested account first within the spread window), then daily', async () => {
  const t = setup([account('a', { lastTestAt: undefined })]);
  t.s.start();
  await t.advance(2 * HOUR);
  assert.deepEqual(t.of('test'), []);
  t.setSchedule('hourly');
  t.s.nudge();
  await t.advance(5 * HOUR);
  const at = t.of('test').map((c) => c.at);
  assert.ok(at[0]! - (T0 + 2 * HOUR) <= 10 * MIN, 'the first test within the spread window');
  assert.equal(at.length, 5);
  for (let i = 1; i < at.length; i++) assert.ok(Math.abs(at[i]! - at[i - 1]! - HOUR) <= MIN, `hourly: gap ${(at[i]! - at[i - 1]!) / MIN} min`);
  t.setSchedule('daily');
  const before = t.of('test').length;
  await t.advance(2 * DAY);
  assert.equal(t.of('test').length - before, 2, 'daily');
  await t.s.stop();
});

test('a failing test backs off exponentially (capped at its interval) and returns to the schedule after it passes', async () => {
  let failing = true;
  const t = setup([account('a')], { schedule: 'hourly', result: (k) => (k === 'test' && failing ? { ok: false, code: 'CONNECTION_REFUSED' } : { ok: true }) });
  t.s.start();
  await t.advance(HOUR + 30 * MIN); // the first (regular) test fails at T0 + 1 h
  await t.advance(4 * HOUR);
  const at = t.of('test').map((c) => c.at);
  const gaps = at.slice(1).map((x, i) => x - at[i]!);
  // 1, 2, 4, 8, 16, 32 minutes (jitter 0.8x-1.2x, one-minute ticks), then capped at the hour.
  assert.ok(gaps.length >= 7, `retries: ${gaps.map((g) => g / MIN)}`);
  for (let i = 0; i < 6; i++) {
    const want = 2 ** i * MIN;
    assert.ok(gaps[i]! >= want * 0.8 - MIN && gaps[i]! <= want * 1.2 + MIN, `retry ${i + 1}: ${gaps[i]! / MIN} min, about ${want / MIN}`);
  }
  for (const g of gaps.slice(7)) assert.ok(g <= HOUR + MIN, `never less often than the schedule: ${g / MIN} min`);
  assert.ok(t.s.plans().find((p) => p.kind === 'test')!.failures >= 7);

  failing = false;
  const fixedAt = t.w.clock.now();
  await t.advance(4 * HOUR);
  const after = t.of('test').filter((c) => c.at > fixedAt).map((c) => c.at);
  assert.equal(t.s.plans().find((p) => p.kind === 'test')!.failures, 0, 'recovered');
  const regular = after.slice(1).map((x, i) => x - after[i]!);
  for (const g of regular) assert.ok(Math.abs(g - HOUR) <= MIN, `hourly again after recovery: ${g / MIN} min`);
  await t.s.stop();
});

test('a refresh that fails for now is retried with backoff; success resets it', async () => {
  let fail = 3;
  const t = setup([account('a', { lastRefreshAt: T0 - DAY + 5 * MIN })], {
    result: (k) => (k === 'refresh' && fail-- > 0 ? { ok: false, code: 'NETWORK_UNREACHABLE' } : { ok: true }),
  });
  t.s.start();
  await t.advance(HOUR);
  const at = t.of('refresh').map((c) => c.at);
  assert.equal(at.length, 4, '3 failures then a success, then nothing until tomorrow');
  const gaps = at.slice(1).map((x, i) => (x - at[i]!) / MIN);
  assert.ok(gaps[0]! <= 2 && gaps[1]! >= 1 && gaps[1]! <= 4 && gaps[2]! >= 3 && gaps[2]! <= 6, `backoff: ${gaps}`);
  await t.advance(DAY);
  assert.equal(t.of('refresh').length, 5);
  await t.s.stop();
});

test('sleep and wake: 10 hours asleep, the overdue work runs once per job, spread out, not once per missed interval', async () => {
  const ids = ['a', 'b', 'c', 'd'];
  const t = setup(
    ids.map((id) => account(id, { lastUsedAt: T0 })),
    { schedule: 'hourly' },
  );
  t.s.start();
  await t.advance(2 * HOUR);
  for (const a of t.f.accounts) a.lastUsedAt = t.w.clock.now();
  const beforeSleep = t.f.calls.length;
  t.w.sleep(10 * HOUR);
  const wake = t.w.clock.now();
  await t.advance(20 * MIN);
  const afterWake = t.f.calls.slice(beforeSleep);
  for (const id of ids) {
    assert.equal(afterWake.filter((c) => c.id === id && c.kind === 'test').length, 1, `${id}: one test, not ten`);
    assert.equal(afterWake.filter((c) => c.id === id && c.kind === 'renew').length, 1, `${id}: one renewal`);
  }
  assert.equal(afterWake.length, 8);
  const times = afterWake.map((c) => c.at - wake);
  assert.ok(Math.max(...times) <= 10 * MIN + MIN, 'all within the spread window (and a tick)');
  assert.ok(new Set(times).size >= 6, `spread over the window, not at one moment: ${times.map((x) => Math.round(x / 1000))} s`);
  // The next hour is back to one test per account.
  const n = t.f.calls.length;
  await t.advance(HOUR);
  assert.equal(t.f.calls.slice(n).filter((c) => c.kind === 'test').length, 4);
  await t.s.stop();
});

test('a clock set backwards is not a storm either', async () => {
  const t = setup([account('a')], { schedule: 'hourly' });
  t.s.start();
  await t.advance(90 * MIN);
  const n = t.f.calls.length;
  t.w.sleep(-3 * HOUR);
  await t.advance(30 * MIN);
  assert.ok(t.f.calls.length - n <= 1);
  await t.s.stop();
});

test('a failing scheduled test alerts once per cause, not at every retry; again only after it recovered and broke again', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'moa-sched-'));
  let failing = true;
  const alerts: Alert[] = [];
  const w = world();
  const a = account('a');
  const s = createScheduler({
    clock: w.clock,
    timers: w.timers,
    testSchedule: () => 'hourly',
    config: CONFIG,
    work: {
      accounts: async () => [{ ...a }],
      async run(kind) {
        const now = w.clock.now();
        if (kind !== 'test') return { ok: true };
        a.lastTestAt = now;
        const codes = failing ? ['AUTH_SASL_REJECTED'] : [];
        // What scheduled-work.ts does after a job: the rules, then the ledger in health.json.
        const health = evaluateHealth({ accountId: 'a', ready: true, appOnly: false, hasRefreshToken: true, grantIssuedAt: T0, lastTest: { at: now, ok: !failing, codes } }, undefined, now);
        const fresh = await updateHealthFile(dataDir, (data) => {
          const r = newAlerts(data.alerted.app ?? {}, [health], now);
          data.alerted.app = r.ledger;
          appendHistory(data, 'a', { at: now, kind: 'test', ok: !failing, by: 'schedule', ...(failing ? { code: codes[0] } : {}) });
          return r.alerts;
        });
        alerts.push(...fresh);
        return failing ? { ok: false, code: 'AUTH_SASL_REJECTED' } : { ok: true };
      },
    },
  });
  s.start();
  await w.advance(6 * HOUR, () => s.idle());
  const history = (await readHealthFile(dataDir)).history.a ?? [];
  assert.ok(history.filter((e) => !e.ok).length >= 8, `retried ${history.length} times`);
  assert.deepEqual(alerts.map((x) => x.key), ['test-failed:broken:AUTH_SASL_REJECTED'], 'one alert for the cause');
  failing = false;
  await w.advance(2 * HOUR, () => s.idle());
  failing = true;
  await w.advance(2 * HOUR, () => s.idle());
  assert.equal(alerts.length, 2, 'the cause came back after a passing test: announced again');
  await s.stop();
  assert.equal(w.pendingTimers(), 0, 'stop() leaves no timer behind');
});

test('the history keeps the newest entries only', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'moa-sched-'));
  await updateHealthFile(dataDir, (data) => {
    for (let i = 0; i < HISTORY_LIMIT + 20; i++) appendHistory(data, 'a', { at: i, kind: 'refresh', ok: true, by: 'schedule' });
  });
  const h = (await readHealthFile(dataDir)).history.a ?? [];
  assert.equal(h.length, HISTORY_LIMIT);
  assert.equal(h[0]?.at, 20);
  assert.equal(h.at(-1)?.at, HISTORY_LIMIT + 19);
});

test('MAIL_OAUTH_SCHEDULE_MS shortens the timings; a malformed value is refused with the key named', () => {
  assert.deepEqual(scheduleConfigFromEnv('tick=200, hourly=3000,spread=100'), { tickMs: 200, spreadMs: 100, testEveryMs: { hourly: 3000, daily: 86_400_000 } });
  assert.deepEqual(scheduleConfigFromEnv(undefined), {});
  assert.throws(() => scheduleConfigFromEnv('tick=fast'), /"tick=fast" is not key=milliseconds/);
  assert.throws(() => scheduleConfigFromEnv('often=5'), /unknown key "often"/);
});
