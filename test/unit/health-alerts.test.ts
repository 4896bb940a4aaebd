// The desktop alerts' decisions (electron/health/alerts.ts): which notification a health change
// gives (once per cause, again when the cause comes back), the tray's state and menu entries, and
// the tray icon's pixels. electron/app/alerts.ts only draws these (and the fake-electron test,
// test/integration/electron-main.test.ts, checks that it does).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertsFor, notificationFor, trayIconBitmap, trayState, TRAY_COLOURS, type AlertAccount } from '../../electron/health/alerts.ts';
import { evaluateHealth, type HealthFacts } from '../../electron/health/rules.ts';
import type { AlertLedger } from '../../electron/health/ledger.ts';
import { providerById } from '../../shared/providers.ts';
import type { AccountHealth } from '../../shared/health.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);
const microsoft = providerById('microsoft-365');
const google = providerById('google');

const facts = (id: string, over: Partial<HealthFacts> = {}): HealthFacts => ({
  accountId: id,
  ready: true,
  appOnly: false,
  hasRefreshToken: true,
  grantIssuedAt: T0,
  lastRefreshAt: T0,
  ...over,
});

const alice: AlertAccount = { id: 'a', address: 'alice@example.test', label: 'Work' };
const bob: AlertAccount = { id: 'b', address: 'bob@example.test' };

test('a revoked grant: one notification titled with the fix (Re-authorize), not again on the next change, again when it comes back', () => {
  const revoked = evaluateHealth(facts('a', { lastRefreshFailure: { at: T0 + DAY, code: 'AUTH_GRANT_REVOKED' } }), microsoft, T0 + DAY);
  assert.equal(revoked.level, 'broken');
  let ledger: AlertLedger = {};
  const first = alertsFor(ledger, [revoked], [alice], T0 + DAY);
  assert.equal(first.notifications.length, 1);
  const n = first.notifications[0];
  assert.ok(n);
  assert.equal(n.title, 'Work: Re-authorize');
  assert.equal(n.action, 'Re-authorize');
  assert.equal(n.level, 'broken');
  assert.equal(n.accountId, 'a');
  assert.match(n.body, /^Not working\. .+ Click to re-authorize\.$/);
  ledger = first.ledger;

  // The same cause on every later health change (a test, another process's write): silent.
  const again = alertsFor(ledger, [revoked], [alice], T0 + DAY + 60_000);
  assert.deepEqual(again.notifications, []);
  ledger = again.ledger;

  // Fixed (a new sign-in and a good refresh): forgotten; revoked again later: announced again.
  const ok = evaluateHealth(facts('a', { grantIssuedAt: T0 + 2 * DAY, lastRefreshAt: T0 + 2 * DAY }), microsoft, T0 + 2 * DAY);
  const fixed = alertsFor(ledger, [ok], [alice], T0 + 2 * DAY);
  assert.deepEqual(fixed.notifications, []);
  assert.deepEqual(fixed.ledger, {});
  const back = evaluateHealth(facts('a', { grantIssuedAt: T0 + 2 * DAY, lastRefreshFailure: { at: T0 + 3 * DAY, code: 'AUTH_GRANT_REVOKED' } }), microsoft, T0 + 3 * DAY);
  assert.equal(alertsFor(fixed.ledger, [back], [alice], T0 + 3 * DAY).notifications.length, 1);
});

test('a client secret: "Renew secret" when it is about to expire (attention), and once more when it has expired (broken)', () => {
  const end = T0 + 40 * DAY;
  const f = facts('b', { clientSecretExpiresAt: end });
  let ledger: AlertLedger = {};
  assert.deepEqual(alertsFor(ledger, [evaluateHealth(f, microsoft, T0)], [bob], T0).notifications, []);
  const soon = alertsFor(ledger, [evaluateHealth(f, microsoft, end - 5 * DAY)], [bob], end - 5 * DAY);
  assert.deepEqual(
    soon.notifications.map((n) => [n.title, n.level, n.action]),
    [['bob@example.test: Renew secret', 'attention', 'Renew secret']],
  );
  assert.match(soon.notifications[0]?.body ?? '', /^Needs attention\. The client secret expires in 5 days/);
  ledger = soon.ledger;
  assert.deepEqual(alertsFor(ledger, [evaluateHealth(f, microsoft, end - 4 * DAY)], [bob], end - 4 * DAY).notifications, []);
  const expired = alertsFor(ledger, [evaluateHealth(f, microsoft, end + 1)], [bob], end + 1);
  assert.deepEqual(expired.notifications.map((n) => [n.title, n.level]), [['bob@example.test: Renew secret', 'broken']]);
});

test('a Google app in Testing: the notification names the fix Open registration... or Re-authorize, as the diagnosis says', () => {
  const f = facts('a', { consentStatus: 'testing' });
  const h = evaluateHealth(f, google, T0 + 6 * DAY);
  const [n] = alertsFor({}, [h], [alice], T0 + 6 * DAY).notifications;
  assert.ok(n);
  const reason = h.reasons[0];
  assert.ok(reason);
  // The title carries the same words as the dashboard banner's button (shared/health.ts).
  const expected = reason.action === 'reauthorize' ? 'Re-authorize' : reason.action === 'edit-registration' ? 'Open registration' : undefined;
  assert.ok(expected, `unexpected action ${reason.action}`);
  assert.equal(n.title, `Work: ${expected}`);
});

test('accounts that are gone are dropped from the ledger and never alerted; others keep their entries', () => {
  const broken = evaluateHealth(facts('a', { lastRefreshFailure: { at: T0 + 1, code: 'AUTH_GRANT_REVOKED' } }), microsoft, T0 + 1);
  const gone: AccountHealth = { ...broken, accountId: 'gone' };
  const r = alertsFor({ gone: { 'x:broken:Y': T0 } }, [broken, gone], [alice], T0 + 1);
  assert.deepEqual(r.notifications.map((n) => n.accountId), ['a']);
  assert.deepEqual(Object.keys(r.ledger), ['a']);
});

test('drafts and healthy accounts give no notification', () => {
  const draft = evaluateHealth(facts('a', { ready: false, grantIssuedAt: undefined }), microsoft, T0);
  const fine = evaluateHealth(facts('b'), microsoft, T0);
  assert.deepEqual(alertsFor({}, [draft, fine], [alice, bob], T0).notifications, []);
});

test('notificationFor without an action says the state; without the account record it names the id', () => {
  const n = notificationFor(
    { accountId: 'zz', key: 'k', reason: { cause: 'test-failed', level: 'attention', code: 'X', message: 'Something.', action: 'none', fix: [] } },
    undefined,
  );
  assert.equal(n.title, 'zz: needs attention');
  assert.equal(n.body, 'Needs attention. Something.');
  assert.equal(n.action, undefined);
});

test('tray state: the worst level, a tooltip that counts, one menu entry per problem account, worst first', () => {
  const broken = evaluateHealth(facts('b', { lastRefreshFailure: { at: T0 + 1, code: 'AUTH_GRANT_REVOKED' } }), microsoft, T0 + 1);
  const attention = evaluateHealth(facts('a', { clientSecretExpiresAt: T0 + 10 * DAY }), microsoft, T0 + 1);
  assert.equal(attention.level, 'attention');
  const s = trayState([attention, broken], [alice, bob]);
  assert.equal(s.level, 'broken');
  assert.equal(s.tooltip, 'Mail OAuth Assistant: 1 not working, 1 needs attention');
  assert.deepEqual(s.problems, [
    { accountId: 'b', level: 'broken', label: 'bob@example.test: Re-authorize' },
    { accountId: 'a', level: 'attention', label: 'Work: Renew secret' },
  ]);
  assert.deepEqual(trayState([attention], [alice]).level, 'attention');
  const ok = evaluateHealth(facts('a'), microsoft, T0);
  assert.deepEqual(trayState([ok], [alice]), { level: 'ok', tooltip: 'Mail OAuth Assistant: the account works', problems: [] });
  assert.equal(trayState([ok, { ...ok, accountId: 'b' }], [alice, bob]).tooltip, 'Mail OAuth Assistant: all 2 accounts work');
  assert.equal(trayState([], []).tooltip, 'Mail OAuth Assistant: no accounts yet');
  // Health of an account removed meanwhile does not count.
  assert.equal(trayState([broken], [alice]).level, 'ok');
});

test('tray icons: a filled circle in the level colour on a transparent background, BGRA', () => {
  for (const level of ['ok', 'attention', 'broken'] as const) {
    const size = 32;
    const px = trayIconBitmap(level, size);
    assert.equal(px.length, size * size * 4);
    const at = (x: number, y: number) => [...px.subarray((y * size + x) * 4, (y * size + x) * 4 + 4)];
    const [r, g, b] = TRAY_COLOURS[level];
    assert.deepEqual(at(16, 16), [b, g, r, 255]);
    assert.deepEqual(at(0, 0), [0, 0, 0, 0]);
    assert.deepEqual(at(31, 31), [0, 0, 0, 0]);
  }
  assert.notDeepEqual(trayIconBitmap('ok'), trayIconBitmap('broken'));
});
