// The desktop side of the health alerts (issue 13): an OS notification per new problem, once per
// cause, and a tray icon with the overall state. What to show is decided by plain functions
// (electron/health/alerts.ts, unit-tested); this file only draws it with Electron.
import { Menu, Notification, Tray, nativeImage, type MenuItemConstructorOptions, type NativeImage } from 'electron';
import type { AccountHealth, HealthLevel } from '../../shared/health.ts';
import { APP_ALERT_CHANNEL, APP_NAME, alertsFor, notificationFor, trayIconBitmap, trayState, type AlertAccount, type AlertNotification, type TrayState } from '../health/alerts.ts';
import type { Alert } from '../health/ledger.ts';
import { updateHealthFile } from '../health/health-file.ts';
import type { LoginItemPort } from '../core/login-item.ts';
import type { Clock } from '../core/ports.ts';

export type DesktopAlertsOptions = {
  dataDir: string;
  clock: Clock;
  accounts: () => AlertAccount[];
  loginItem: LoginItemPort;
  /** Show the window, on that account when given. */
  show: (accountId?: string) => void;
  quit: () => void;
  /** A failure to draw or record an alert must not stop the app: it is reported here. */
  onError: (error: unknown) => void;
};

export type DesktopAlerts = {
  /** Whether the app lives on in the tray when its window closes. */
  readonly hasTray: boolean;
  /** A new health list (the core's `health:changed`, or computed at start). */
  update(health: readonly AccountHealth[]): Promise<void>;
  /** Alerts the schedule already recorded in the ledger (core.onHealthAlerts): shown as they are. */
  announce(alerts: readonly Alert[]): void;
  /** Redraw the menu (the login item changed from the dashboard). */
  refreshMenu(): void;
};

const ICON_SIZE = 32;

function icon(level: HealthLevel): NativeImage {
  // 32 px drawn at scale 2: a sharp 16 pt icon on high-density screens and a normal one elsewhere.
  return nativeImage.createFromBitmap(trayIconBitmap(level, ICON_SIZE), { width: ICON_SIZE, height: ICON_SIZE, scaleFactor: 2 });
}

export function createDesktopAlerts(o: DesktopAlertsOptions): DesktopAlerts {
  let tray: Tray | undefined;
  // Until the first health list arrives the tray claims nothing.
  let state: TrayState = { level: 'ok', tooltip: APP_NAME, problems: [] };
  try {
    tray = new Tray(icon('ok'));
    tray.on('click', () => o.show());
  } catch (error) {
    // Some Linux desktops have no status area: the app then works without a tray (and quits
    // when its window closes, as before).
    o.onError(error);
  }
  // Electron drops a notification's click handler when the object is garbage-collected: keep
  // each one until it is closed or clicked.
  const live = new Set<Notification>();
  let chain: Promise<void> = Promise.resolve();

  const menu = (): Menu => {
    const items: MenuItemConstructorOptions[] = [{ label: `Open ${APP_NAME}`, click: () => o.show() }];
    if (state.problems.length > 0) {
      items.push({ type: 'separator' });
      for (const p of state.problems) items.push({ label: p.label, click: () => o.show(p.accountId) });
    }
    const login = o.loginItem.get();
    items.push(
      { type: 'separator' },
      {
        label: 'Start at login',
        type: 'checkbox',
        checked: login.openAtLogin,
        enabled: login.supported,
        click: (item) => {
          try {
            o.loginItem.set(item.checked);
          } catch (error) {
            o.onError(error);
          }
          draw();
        },
      },
      { type: 'separator' },
      { label: 'Quit', click: () => o.quit() },
    );
    return Menu.buildFromTemplate(items);
  };

  const draw = (): void => {
    if (!tray) return;
    tray.setImage(icon(state.level));
    tray.setToolTip(state.tooltip);
    tray.setContextMenu(menu());
  };
  draw();

  const notify = async (health: readonly AccountHealth[]): Promise<void> => {
    const accounts = o.accounts();
    try {
      // The ledger is in health.json (shared with `mail-oauth check`, under its lock): an alert
      // shown once is not shown again after a restart, and comes back only with its cause.
      const notifications = await updateHealthFile(o.dataDir, (data) => {
        const r = alertsFor(data.alerted[APP_ALERT_CHANNEL] ?? {}, health, accounts, o.clock.now());
        data.alerted[APP_ALERT_CHANNEL] = r.ledger;
        return r.notifications;
      });
      if (Notification.isSupported()) for (const n of notifications) show(n);
    } finally {
      // The tray follows the health even when the ledger could not be written; it is drawn
      // last, so a drawn state means this update's notifications are out.
      state = trayState(health, accounts);
      draw();
    }
  };

  const show = (n: AlertNotification): void => {
    const shown = new Notification({ title: n.title, body: n.body, urgency: n.level === 'broken' ? 'critical' : 'normal' });
    live.add(shown);
    shown.on('click', () => {
      live.delete(shown);
      o.show(n.accountId);
    });
    shown.on('close', () => live.delete(shown));
    shown.show();
  };

  return {
    get hasTray() {
      return tray !== undefined;
    },
    update(health) {
      // One update at a time, in order: two quick changes must not both announce the same cause.
      chain = chain.then(() => notify(health)).catch(o.onError);
      return chain;
    },
    announce(alerts) {
      if (!Notification.isSupported()) return;
      const byId = new Map(o.accounts().map((a) => [a.id, a]));
      for (const a of alerts) show(notificationFor(a, byId.get(a.accountId)));
    },
    refreshMenu: draw,
  };
}
