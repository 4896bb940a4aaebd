// The one hardened window: sandboxed, isolated, no navigation, no new windows, CSP on every response.
import { BrowserWindow, session, type WebContents } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  RENDERER_CSP,
  allowNavigation,
  allowPermission,
  secureWebPreferences,
  type RendererOrigin,
} from './policy.ts';

export function rendererOrigin(): RendererOrigin {
  const devUrl = process.env.ELECTRON_RENDERER_URL;
  if (devUrl) return { kind: 'dev', origin: devUrl };
  return { kind: 'file', indexUrl: pathToFileURL(join(import.meta.dirname, '../renderer/index.html')).href };
}

/** Lock down every web contents the app ever creates (Electron security checklist 12-14). */
export function hardenWebContents(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!allowNavigation(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!allowNavigation(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

export function installSessionPolicy(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, permission, callback) => callback(allowPermission(permission)));
  ses.setPermissionCheckHandler((_wc, permission) => allowPermission(permission));
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [RENDERER_CSP] },
    });
  });
  // Downloads are only the renderer's own reports: ask where to save them.
  ses.on('will-download', (_event, item) => {
    item.setSaveDialogOptions({ title: 'Save the diagnostic report', defaultPath: item.getFilename() });
  });
  // No remote content: the renderer is local; anything else is refused.
  ses.webRequest.onBeforeRequest((details, callback) => {
    const url = details.url;
    // blob: is the renderer's own generated file (the diagnostic report download).
    const local = url.startsWith('file:') || url.startsWith('devtools:') || url.startsWith('data:') || url.startsWith('blob:') ||
      (process.env.ELECTRON_RENDERER_URL !== undefined && url.startsWith(process.env.ELECTRON_RENDERER_URL));
    callback({ cancel: !local });
  });
}

export function createMainWindow(origin: RendererOrigin): BrowserWindow {
  const win = new BrowserWindow({
    width: 1000,
    height: 720,
    minWidth: 900,
    minHeight: 650,
    show: false,
    title: 'Mail OAuth Assistant',
    backgroundColor: '#f6f7f9',
    webPreferences: secureWebPreferences(join(import.meta.dirname, '../preload/index.cjs')),
  });
  win.once('ready-to-show', () => win.show());
  if (origin.kind === 'dev') void win.loadURL(origin.origin);
  else void win.loadURL(origin.indexUrl);
  return win;
}
