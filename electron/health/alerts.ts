// What the desktop app shows for the accounts' health (issue 13): which OS notification a new
// problem gets, and the tray's state and menu entries. Plain functions over the health list, so
// the decisions are unit-tested without Electron; electron/app/alerts.ts only draws them.
import { healthActionLabel, worstLevel, type AccountHealth, type HealthLevel } from '../../shared/health.ts';
import { newAlerts, pruneLedger, type Alert, type AlertLedger } from './ledger.ts';
import { APP_ALERTS } from './scheduled-work.ts';

/** The alert channel of the desktop app in health.json (`mail-oauth check --notify-cmd` has its
 * own). The schedule (scheduled-work.ts) records its alerts in the same one, under the same lock,
 * so whichever of the two sees a new cause first announces it and the other does not. */
export const APP_ALERT_CHANNEL = APP_ALERTS;

/** The account as the alerts name it. */
export type AlertAccount = { id: string; address: string; label?: string };

export type AlertNotification = {
  accountId: string;
  /** The ledger key (cause:level:code): one notification per key until the cause goes away. */
  key: string;
  title: string;
  body: string;
  /** The fix's name (Re-authorize, Open registration, Renew secret...), when there is one. */
  action?: string;
  level: 'attention' | 'broken';
};

const nameOf = (a: AlertAccount | undefined, id: string): string => (a ? a.label?.trim() || a.address : id);

/** The notification of one new alert: who, what state, what happened, and what to do. */
export function notificationFor(alert: Alert, account: AlertAccount | undefined): AlertNotification {
  const r = alert.reason;
  const action = healthActionLabel(r);
  const state = r.level === 'broken' ? 'not working' : 'needs attention';
  return {
    accountId: alert.accountId,
    key: alert.key,
    title: action ? `${nameOf(account, alert.accountId)}: ${action}` : `${nameOf(account, alert.accountId)}: ${state}`,
    body: `${capitalise(state)}. ${r.message}${action ? ` Click to ${action.toLowerCase()}.` : ''}`,
    ...(action ? { action } : {}),
    level: r.level,
  };
}

const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** The notifications a new health list calls for, and the ledger to keep. Accounts that are gone
 * are dropped from the ledger; a cause that went away is forgotten (ledger.ts), so it is
 * announced again if it comes back. Drafts (the wizard not finished) have no reasons at all. */
export function alertsFor(
  ledger: AlertLedger,
  health: readonly AccountHealth[],
  accounts: readonly AlertAccount[],
  now: number,
): { notifications: AlertNotification[]; ledger: AlertLedger } {
  const byId = new Map(accounts.map((a) => [a.id, a]));
  const known = health.filter((h) => byId.has(h.accountId));
  const r = newAlerts(pruneLedger(ledger, accounts.map((a) => a.id)), known, now);
  return { notifications: r.alerts.map((a) => notificationFor(a, byId.get(a.accountId))), ledger: r.ledger };
}

export type TrayProblem = { accountId: string; level: 'attention' | 'broken'; label: string };

export type TrayState = {
  level: HealthLevel;
  tooltip: string;
  /** One menu entry per account with a problem, worst first; clicking shows that account. */
  problems: TrayProblem[];
};

export const APP_NAME = 'Mail OAuth Assistant';

/** The tray icon's state from the health list: the worst level, a tooltip that counts, and the
 * problem entries of the menu. */
export function trayState(health: readonly AccountHealth[], accounts: readonly AlertAccount[]): TrayState {
  const byId = new Map(accounts.map((a) => [a.id, a]));
  const bad = health.filter((h): h is AccountHealth & { level: 'attention' | 'broken' } => h.level !== 'ok' && byId.has(h.accountId));
  bad.sort((a, b) => (a.level === b.level ? 0 : a.level === 'broken' ? -1 : 1));
  const problems = bad.map((h) => {
    const r = h.reasons[0];
    const action = r ? healthActionLabel(r) : undefined;
    const what = action ?? (h.level === 'broken' ? 'not working' : 'needs attention');
    return { accountId: h.accountId, level: h.level, label: `${nameOf(byId.get(h.accountId), h.accountId)}: ${what}` };
  });
  const level = worstLevel(bad.map((h) => h.level));
  const broken = bad.filter((h) => h.level === 'broken').length;
  const attention = bad.length - broken;
  const parts = [broken > 0 ? `${broken} not working` : '', attention > 0 ? `${attention} need${attention === 1 ? 's' : ''} attention` : ''].filter(Boolean);
  const count = byId.size;
  const tooltip =
    parts.length > 0
      ? `${APP_NAME}: ${parts.join(', ')}`
      : `${APP_NAME}: ${count === 0 ? 'no accounts yet' : count === 1 ? 'the account works' : `all ${count} accounts work`}`;
  return { level, tooltip, problems };
}

/** The tray icon as raw pixels (BGRA, what nativeImage.createFromBitmap takes): a filled circle in
 * the level's colour with a transparent background. Drawn in code so the app ships no image
 * files per state and the three states cannot go out of sync with the levels. */
export const TRAY_COLOURS: Record<HealthLevel, readonly [r: number, g: number, b: number]> = {
  ok: [0x2e, 0x9e, 0x5b],
  attention: [0xe0, 0x9b, 0x12],
  broken: [0xd1, 0x35, 0x35],
};

export function trayIconBitmap(level: HealthLevel, size = 32): Buffer {
  const [r, g, b] = TRAY_COLOURS[level];
  const buf = Buffer.alloc(size * size * 4);
  const c = (size - 1) / 2;
  const radius = size * 0.42;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x - c, y - c);
      // A one-pixel soft edge instead of jagged steps.
      const alpha = Math.max(0, Math.min(1, radius - d + 0.5));
      if (alpha === 0) continue;
      const i = (y * size + x) * 4;
      buf[i] = b;
      buf[i + 1] = g;
      buf[i + 2] = r;
      buf[i + 3] = Math.round(alpha * 255);
    }
  }
  return buf;
}
