// The Electron main process: single instance, hardened window, IPC registered from the contract.
// Everything else is the core (electron/core, auth, store, probe, discover), shared with the CLI
// and the development web host; this file only provides the Electron implementations of its ports.
import { join } from 'node:path';
import { app, clipboard, ipcMain, type BrowserWindow } from 'electron';
import Store from 'electron-store';
import { createCore, openPreferences } from '../core/compose.ts';
import { dispatch, type Emit } from '../core/ipc-dispatch.ts';
import { openAccountStore } from '../store/account-store.ts';
import { appError } from '../../shared/result.ts';
import { isTrustedSender } from './policy.ts';
import { createSafeStorageBox } from './safe-storage-box.ts';
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

  void app.whenReady().then(() => {
    installSessionPolicy();
    const dataDir = app.getPath('userData');
    const core = createCore({
      shell: 'electron',
      version: app.getVersion(),
      dataDir,
      // safeStorage is usable only after `ready`.
      secretBox: createSafeStorageBox(),
      browser: shellOpener,
      clipboard: { writeText: (text) => clipboard.writeText(text) },
      accounts: openAccountStore(
        () => new Store<Record<string, unknown>>({ name: 'accounts', clearInvalidConfig: false }),
        join(dataDir, 'accounts.json'),
      ),
      interactiveFallback: true,
      preferences: openPreferences(() => new Store<Record<string, unknown>>({ name: 'preferences', clearInvalidConfig: true })),
    });
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
