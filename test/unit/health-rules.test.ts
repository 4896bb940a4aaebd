// The health rules walked through time with a fake clock (issue 13): each rule goes
// ok -> attention -> broken and back to ok after the fix; the ledger alerts once per cause.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateHealth, type HealthFacts } from '../../electron/health/rules.ts';
import { newAlerts, type AlertLedger } from '../../electron/health/ledger.ts';
import { providerById } from '../../shared/providers.ts';
import type { AccountHealth } from '../../shared/health.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);
const google = providerById('google');
const microsoft = providerById('microsoft-365');

/** A fake clock the test moves by hand. */
function fakeClock(start = T0) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms), set: (ms: number) => (t = ms) };
}

const base = (over: Partial<HealthFacts> = {}): HealthFacts => ({
  accountId: 'a1',
  ready: true,
  appOnly: false,
  hasRefreshToken: true,
  grantIssuedAt: T0,
  lastRefreshAt: T0,
  ...over,
});

const summary = (h: AccountHealth) => ({ level: h.level, code: h.reasons[0]?.code, cause: h.reasons[0]?.cause });

test('Google Testing app: ok for 5 days, attention with the expiry date, broken at 7 days, ok after a new sign-in', () => {
  const clock = fakeClock();
  const facts = base({ consentStatus: 'testing' });
  assert.deepEqual(summary(evaluateHealth(facts, google, clock.now())), { level: 'ok', code: undefined, cause: undefined });
  clock.advance(4 * DAY);
  assert.equal(evaluateHealth(facts, google, clock.now()).level, 'ok');
  clock.advance(1 * DAY + 1);
  const warn = evaluateHealth(facts, google, clock.now());
  assert.equal(warn.level, 'attention');
  assert.equal(warn.reasons[0]?.code, 'GOOGLE_TESTING_APP_EXPIRED');
  assert.equal(warn.reasons[0]?.date, T0 + 7 * DAY);
  assert.match(warn.reasons[0]?.message ?? '', /expires in 2 days: Google Testing app/);
  // Refreshing does not help: a Testing app's token dies 7 days after the sign-in.
  const refreshed = { ...facts, lastRefreshAt: clock.now() };
  clock.set(T0 + 7 * DAY);
  const broken = evaluateHealth(refreshed, google, clock.now());
  assert.deepEqual(summary(broken), { level: 'broken', code: 'GOOGLE_TESTING_APP_EXPIRED', cause: 'google-testing-expiry' });
  assert.equal(broken.reasons[0]?.action, 'reauthorize');
  assert.ok((broken.reasons[0]?.fix.length ?? 0) > 0);
  // A new sign-in starts another 7 days.
  assert.equal(evaluateHealth({ ...refreshed, grantIssuedAt: clock.now() }, google, clock.now()).level, 'ok');
  // Published apps do not have the 7-day limit.
  assert.equal(evaluateHealth({ ...facts, consentStatus: 'production' }, google, T0 + 30 * DAY).level, 'ok');
});

test('client secret expiry: attention 30 days before with the date, broken after, ok with a new secret', () => {
  const clock = fakeClock();
  const end = T0 + 100 * DAY;
  const facts = base({ clientSecretExpiresAt: end, lastRefreshAt: undefined });
  const at = (t: number, f = facts) => evaluateHealth({ ...f, lastRefreshAt: t }, microsoft, t);
  assert.equal(at(clock.now()).level, 'ok');
  clock.set(end - 30 * DAY - 1);
  assert.equal(at(clock.now()).level, 'ok');
  clock.set(end - 10 * DAY);
  const warn = at(clock.now());
  assert.deepEqual(summary(warn), { level: 'attention', code: 'AUTH_CLIENT_SECRET_EXPIRED', cause: 'client-secret-expiry' });
  assert.equal(warn.reasons[0]?.date, end);
  assert.equal(warn.reasons[0]?.action, 'edit-registration');
  assert.match(warn.reasons[0]?.message ?? '', /in 10 days/);
  clock.set(end);
  assert.equal(at(clock.now()).level, 'broken');
  assert.equal(at(clock.now(), { ...facts, clientSecretExpiresAt: end + 365 * DAY }).level, 'ok');
});

test('refresh failure with invalid_grant (revoked grant) is broken until a new sign-in; a later success clears it', () => {
  const clock = fakeClock(T0 + DAY);
  const failed = base({ lastRefreshFailure: { at: clock.now(), code: 'AUTH_GRANT_REVOKED' } });
  const h = evaluateHealth(failed, google, clock.now());
  assert.deepEqual(summary(h), { level: 'broken', code: 'AUTH_GRANT_REVOKED', cause: 'refresh-failed' });
  assert.equal(h.reasons[0]?.action, 'reauthorize');
  clock.advance(DAY);
  assert.equal(evaluateHealth(failed, google, clock.now()).level, 'broken', 'a revoked grant does not heal by waiting');
  // Re-authorized: the new grant is newer than the failure.
  assert.equal(evaluateHealth({ ...failed, grantIssuedAt: clock.now() }, google, clock.now()).level, 'ok');
  // invalid_grant for an expired token (Microsoft AADSTS700082) is broken too.
  const expired = base({ lastRefreshFailure: { at: T0 + DAY, code: 'AUTH_REFRESH_EXPIRED' } });
  assert.equal(evaluateHealth(expired, microsoft, T0 + DAY).level, 'broken');
});

test('a temporary refresh failure (IdP down) is attention and clears with the next successful refresh', () => {
  const clock = fakeClock(T0 + DAY);
  const f = base({ lastRefreshFailure: { at: clock.now(), code: 'IDP_UNAVAILABLE' } });
  assert.deepEqual(summary(evaluateHealth(f, google, clock.now())), { level: 'attention', code: 'IDP_UNAVAILABLE', cause: 'refresh-failed' });
  clock.advance(3_600_000);
  assert.equal(evaluateHealth({ ...f, lastRefreshAt: clock.now() }, google, clock.now()).level, 'ok');
});

test('refresh token unused: Microsoft 90 days -> attention 14 days before -> broken; a refresh keeps it alive', () => {
  const clock = fakeClock();
  const f = base();
  clock.set(T0 + 75 * DAY);
  assert.equal(evaluateHealth(f, microsoft, clock.now()).level, 'ok');
  clock.set(T0 + 80 * DAY);
  const warn = evaluateHealth(f, microsoft, clock.now());
  assert.deepEqual(summary(warn), { level: 'attention', code: 'AUTH_REFRESH_EXPIRED', cause: 'refresh-token-unused' });
  assert.equal(warn.reasons[0]?.date, T0 + 90 * DAY);
  clock.set(T0 + 90 * DAY);
  assert.equal(evaluateHealth(f, microsoft, clock.now()).level, 'broken');
  // Google's limit is 180 days: the same age is fine there.
  assert.equal(evaluateHealth(f, google, clock.now()).level, 'ok');
  // A refresh on day 80 moves the date.
  assert.equal(evaluateHealth({ ...f, lastRefreshAt: T0 + 80 * DAY }, microsoft, clock.now()).level, 'ok');
});

test('connection test regression: ok -> failed (broken with the code) -> passing again is ok; a temporary failure is attention', () => {
  const passed = base({ lastTest: { at: T0, ok: true, codes: [] } });
  assert.equal(evaluateHealth(passed, google, T0).level, 'ok');
  const failed = base({ lastTest: { at: T0 + DAY, ok: false, codes: ['MS_SMTP_AUTH_DISABLED'] } });
  const h = evaluateHealth(failed, microsoft, T0 + DAY);
  assert.equal(h.level, 'broken');
  assert.equal(h.reasons[0]?.cause, 'test-failed');
  assert.equal(h.reasons[0]?.code, 'MS_SMTP_AUTH_DISABLED');
  assert.equal(h.reasons[0]?.date, T0 + DAY);
  const again = base({ lastTest: { at: T0 + 2 * DAY, ok: true, codes: [] } });
  assert.equal(evaluateHealth(again, microsoft, T0 + 2 * DAY).level, 'ok');
  const down = base({ lastTest: { at: T0 + DAY, ok: false, codes: ['IDP_UNAVAILABLE'] } });
  assert.equal(evaluateHealth(down, microsoft, T0 + DAY).level, 'attention');
});

test('not signed in is broken; app-only accounts have no refresh token rules; drafts are not judged', () => {
  assert.equal(evaluateHealth(base({ grantIssuedAt: undefined, hasRefreshToken: false }), google, T0).reasons[0]?.code, 'AUTH_NOT_SIGNED_IN');
  assert.equal(evaluateHealth(base({ appOnly: true, grantIssuedAt: undefined, hasRefreshToken: false }), microsoft, T0 + 400 * DAY).level, 'ok');
  assert.equal(evaluateHealth(base({ ready: false, grantIssuedAt: undefined }), google, T0).level, 'ok');
  const noRt = base({ hasRefreshToken: false, accessTokenExpiresAt: T0 + 3_600_000 });
  assert.equal(evaluateHealth(noRt, google, T0).level, 'attention');
  assert.equal(evaluateHealth(noRt, google, T0 + 3_600_000).reasons[0]?.code, 'AUTH_NO_REFRESH_TOKEN');
});

test('the ledger alerts once per cause, again for attention -> broken, and again when a fixed cause comes back', () => {
  const clock = fakeClock();
  const facts = base({ consentStatus: 'testing' });
  let ledger: AlertLedger = {};
  const run = () => {
    const r = newAlerts(ledger, [evaluateHealth(facts, google, clock.now())], clock.now());
    ledger = r.ledger;
    return r.alerts.map((a) => `${a.reason.level}:${a.reason.code}`);
  };
  assert.deepEqual(run(), []);
  clock.set(T0 + 5 * DAY + 1);
  assert.deepEqual(run(), ['attention:GOOGLE_TESTING_APP_EXPIRED']);
  clock.advance(3_600_000);
  assert.deepEqual(run(), [], 'the same cause is not announced twice');
  clock.set(T0 + 7 * DAY);
  assert.deepEqual(run(), ['broken:GOOGLE_TESTING_APP_EXPIRED']);
  assert.deepEqual(run(), []);
  // Fixed (new sign-in), then the same problem a week later: announced again.
  facts.grantIssuedAt = clock.now();
  assert.deepEqual(run(), []);
  assert.deepEqual(ledger, {});
  clock.advance(7 * DAY);
  assert.deepEqual(run(), ['broken:GOOGLE_TESTING_APP_EXPIRED']);
  // Another account's check leaves this account's entries alone.
  const other = newAlerts(ledger, [evaluateHealth(base({ accountId: 'b2' }), google, clock.now())], clock.now());
  assert.deepEqual(Object.keys(other.ledger), ['a1']);
});
