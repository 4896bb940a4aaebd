// The Electron main process: single instance, hardened window, IPC registered from the contract.
// Everything else is the core (electron/core, auth, store, probe, discover), shared with the CLI
// and the development web host; this file only provides the Electron implementations of its ports.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { app, clipboard, dialog, ipcMain, powerMonitor, type BrowserWindow } from 'electron';
import Store from 'electron-store';
import { createCore, openPreferences } from '../core/compose.ts';
import { dispatch, type Emit } from '../core/ipc-dispatch.ts';
import { openAccountStore } from '../store/account-store.ts';
import { appError, AppFailure } from '../../shared/result.ts';
import { describe } from '../../shared/diagnostics.ts';
import type { AccountHealth } from '../../shared/health.ts';
import { nodeDataDir } from '../core/data-dir.ts';
import { createNodeSecretBox } from '../store/node-secret-box.ts';
import { migrateLegacyStores, nodeLegacySources, type LegacySource } from '../store/migrate.ts';
import { isTrustedSender } from './policy.ts';
import { legacySafeStorageDecryptor } from './safe-storage-box.ts';
import { shellOpener } from './shell-opener.ts';
import { createMainWindow, hardenWebContents, installSessionPolicy, rendererOrigin } from './window.ts';
import { createDesktopAlerts, type DesktopAlerts } from './alerts.ts';
import { createLoginItem, HIDDEN_ARG } from '../core/login-item.ts';
import { healthOfAccounts } from '../health/list.ts';

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let mainWindow: BrowserWindow | null = null;
  let alerts: DesktopAlerts | undefined;
  let ready = false;
  const origin = rendererOrigin();

  /** Show the window (made again if it was closed while the app lived on in the tray), and the
   * account when given: the dashboard scrolls to it (`app:show-account`). */
  const show = (accountId?: string): void => {
    if (!ready) return;
    if (!mainWindow) {
      const win = createMainWindow(origin);
      mainWindow = win;
      win.on('closed', () => {
        if (mainWindow === win) mainWindow = null;
      });
      if (accountId !== undefined) win.webContents.once('did-finish-load', () => win.webContents.send('event:app:show-account', { accountId }));
      return;
    }
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.show();
    mainWindow.focus();
    if (accountId !== undefined) mainWindow.webContents.send('event:app:show-account', { accountId });
  };

  app.on('second-instance', () => show());
  app.on('web-contents-created', (_e, contents) => hardenWebContents(contents));
  // With a tray the app stays to watch the accounts' health (Quit is in the tray menu).
  app.on('window-all-closed', () => {
    if (!alerts?.hasTray) app.quit();
  });

  void app.whenReady().then(async () => {
    installSessionPolicy();
    // One data dir and one master key for the app, the web host and the CLI (data-dir.ts,
    // node-secret-box.ts): an account added here is usable by `mail-oauth token` at once.
    const dataDir = nodeDataDir();
    let secretBox: Awaited<ReturnType<typeof createNodeSecretBox>>;
    try {
      secretBox = await createNodeSecretBox({ dataDir });
    } catch (error) {
      if (!(error instanceof AppFailure)) throw error;
      // Keyring locked, key gone: say what and how to fix; never start over on a new key.
      const d = describe(error.appError.code);
      dialog.showErrorBox(d.title, [d.explanation, error.appError.detail ?? '', ...d.fix.map((f, i) => `${i + 1}. ${f}`)].filter(Boolean).join('\n\n'));
      app.exit(d.temporary === true ? 4 : 1);
      return;
    }
    const preferences = openPreferences(
      () => new Store<Record<string, unknown>>({ name: 'preferences', cwd: dataDir, clearInvalidConfig: true, configFileMode: 0o600 }),
    );
    const loginItem = createLoginItem({
      platform: process.platform,
      preferences,
      system: (settings) => app.setLoginItemSettings(settings),
      // An AppImage runs from a temporary mount: start the image itself.
      command: process.env.APPIMAGE ?? process.execPath,
      xdgConfigHome: process.env.XDG_CONFIG_HOME || join(homedir(), '.config'),
      onChange: () => alerts?.refreshMenu(),
    });
    try {
      loginItem.apply();
    } catch (error) {
      console.warn(`Start at login could not be applied: ${String(error)}`);
    }
    const core = createCore({
      shell: 'electron',
      version: app.getVersion(),
      dataDir,
      secretBox,
      browser: shellOpener,
      clipboard: { writeText: (text) => clipboard.writeText(text) },
      // electron-store on the same file and schema as the CLI's conf store.
      accounts: openAccountStore(
        () => new Store<Record<string, unknown>>({ name: 'accounts', cwd: dataDir, clearInvalidConfig: false, configFileMode: 0o600 }),
        join(dataDir, 'accounts.json'),
      ),
      interactiveFallback: true,
      preferences,
      loginItem,
    });
    // Once: the app's own store of earlier versions (safeStorage, in userData) and the old CLI
    // store move into the shared one. A failure leaves them untouched and is shown in a dialog.
    const sources: LegacySource[] = process.env.MAIL_OAUTH_DATA_DIR
      ? []
      : [{ kind: 'app', dir: app.getPath('userData'), decryptor: legacySafeStorageDecryptor }, ...nodeLegacySources(dataDir)];
    const migration = await migrateLegacyStores({ dataDir, sources, accounts: core.accounts, secrets: core.secrets });
    for (const f of migration.failed) {
      const d = describe(f.code);
      dialog.showErrorBox(d.title, [d.explanation, f.detail ?? '', ...d.fix.map((x, i) => `${i + 1}. ${x}`)].filter(Boolean).join('\n\n'));
    }
    alerts = createDesktopAlerts({
      dataDir,
      clock: core.clock,
      accounts: () => core.accounts.list().map((a) => ({ id: a.id, address: a.address, label: a.label })),
      loginItem,
      show,
      quit: () => app.quit(),
      onError: (error) => console.warn(`Health alert failed: ${String(error)}`),
    });
    const healthNow = (): void => {
      healthOfAccounts({ ...core, dataDir }).then((h) => alerts?.update(h), (error: unknown) => console.warn(`Health check failed: ${String(error)}`));
    };
    const emit: Emit = (event, payload) => {
      mainWindow?.webContents.send(`event:${event}`, payload);
      // Every health change the core announces (a test, a sign-in, the schedule) reaches the
      // notifications and the tray too.
      if (event === 'health:changed') void alerts?.update((payload as { accounts: AccountHealth[] }).accounts);
    };
    const handlers = core.handlers(emit);
    ipcMain.handle('ipc', async (event, channel: unknown, input: unknown) => {
      if (!isTrustedSender(event.senderFrame, origin)) {
        return { ok: false, error: appError('FORBIDDEN_SENDER', 'Request from an untrusted page refused.') };
      }
      return dispatch(handlers, channel, input);
    });
    ready = true;
    // Started by the login item: only the tray, unless there is none to come back from.
    if (!(process.argv.includes(HIDDEN_ARG) && alerts.hasTray)) show();
    // The accounts' health as it stands at start, and after another process (`mail-oauth check`
    // from cron, the CLI) changed the accounts.
    healthNow();
    core.accounts.onChange(healthNow);
    // The schedule's checks record their new alerts in the same ledger (health.json, channel
    // `app`) after telling the health change; either path announces a cause, never both.
    core.onHealthAlerts((found) => alerts?.announce(found));
    // Woken from sleep: the schedule looks at once (renewals that fell due while asleep) instead of
    // at its next tick, which a suspended timer may have pushed far out.
    powerMonitor.on('resume', () => core.scheduler?.nudge());
  });
}
