// The Electron main process: single instance, hardened window, IPC registered from the contract.
// Everything else is the core (electron/core, auth, store, probe, discover), shared with the CLI
// and the development web host; this file only provides the Electron implementations of its ports.
import { join } from 'node:path';
import { app, clipboard, dialog, ipcMain, type BrowserWindow } from 'electron';
import Store from 'electron-store';
import { createCore, openPreferences } from '../core/compose.ts';
import { dispatch, type Emit } from '../core/ipc-dispatch.ts';
import { openAccountStore } from '../store/account-store.ts';
import { appError, AppFailure } from '../../shared/result.ts';
import { describe } from '../../shared/diagnostics.ts';
import { nodeDataDir } from '../core/data-dir.ts';
import { createNodeSecretBox } from '../store/node-secret-box.ts';
import { migrateLegacyStores, nodeLegacySources, type LegacySource } from '../store/migrate.ts';
import { isTrustedSender } from './policy.ts';
import { legacySafeStorageDecryptor } from './safe-storage-box.ts';
import { shellOpener } from './shell-opener.ts';
import { createMainWindow, hardenWebContents, installSessionPolicy, rendererOrigin } from './window.ts';

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let mainWindow: BrowserWindow | null = null;
  const origin = rendererOrigin();

  app.on('second-instance', () => {
    if (mainWindow) {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.focus();
    }
  });
  app.on('web-contents-created', (_e, contents) => hardenWebContents(contents));
  app.on('window-all-closed', () => app.quit());

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
      preferences: openPreferences(
        () => new Store<Record<string, unknown>>({ name: 'preferences', cwd: dataDir, clearInvalidConfig: true, configFileMode: 0o600 }),
      ),
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
    const emit: Emit = (event, payload) => {
      mainWindow?.webContents.send(`event:${event}`, payload);
    };
    const handlers = core.handlers(emit);
    ipcMain.handle('ipc', async (event, channel: unknown, input: unknown) => {
      if (!isTrustedSender(event.senderFrame, origin)) {
        return { ok: false, error: appError('FORBIDDEN_SENDER', 'Request from an untrusted page refused.') };
      }
      return dispatch(handlers, channel, input);
    });
    mainWindow = createMainWindow(origin);
    mainWindow.on('closed', () => {
      mainWindow = null;
    });
  });
}
