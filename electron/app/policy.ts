// The desktop app's security policy as plain functions (Electron's security checklist), so unit
// tests cover the decisions without an Electron binary. window.ts and main.ts apply them.
// This file must not import 'electron'.

/** Content-Security-Policy of the renderer: only our own bundle, no inline script, no remote content. */
export const RENDERER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/** webPreferences for every window: isolated, sandboxed, no Node. */
export function secureWebPreferences(preloadPath: string) {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
  } as const;
}

/** Where the renderer comes from: the packaged file, or the dev server during `npm run dev`. */
export type RendererOrigin = { kind: 'file'; indexUrl: string } | { kind: 'dev'; origin: string };

/** Whether a URL is the app's own renderer page (for navigation and IPC sender checks). */
export function isRendererUrl(url: string, origin: RendererOrigin): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (origin.kind === 'file') {
    const expected = new URL(origin.indexUrl);
    return parsed.protocol === 'file:' && parsed.pathname === expected.pathname;
  }
  const dev = new URL(origin.origin);
  return parsed.origin === dev.origin && (dev.hostname === 'localhost' || dev.hostname === '127.0.0.1');
}

/** IPC is accepted only from the top frame of our own renderer page (no iframes, no other pages). */
export function isTrustedSender(
  frame: { url: string; parent: unknown } | null | undefined,
  origin: RendererOrigin,
): boolean {
  return !!frame && frame.parent === null && isRendererUrl(frame.url, origin);
}

/** In-app navigation: never. The renderer is a single page; links go out through links:open. */
export function allowNavigation(_url: string): boolean {
  return false;
}

/** `shell.openExternal` only for https URLs (built by the main process: the link table, or an
 * authorization URL from the auth layer). No credentials in the URL, no other schemes. */
export function isSafeExternalUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === 'https:' && parsed.username === '' && parsed.password === '' && parsed.hostname !== '';
}

/** Permission requests (camera, notifications, ...): the app needs none. */
export function allowPermission(_permission: string): boolean {
  return false;
}
