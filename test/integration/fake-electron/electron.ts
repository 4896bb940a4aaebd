// FAKE of the `electron` module. NOT Electron.
//
// Why a fake: the Electron binary is downloaded from outside the npm registry, which these
// machines cannot reach, and the `electron` npm package without it only exports the binary's
// path. test/integration/electron-main.test.ts still wants to execute the BUILT main process
// (out/main/index.js) and see what it asks Electron to do, so this module stands in for
// `electron` in a plain Node child process (hooks.ts maps the specifier here). It implements only
// what the main process and electron-store call, records every call, and lets the test drive the
// events Electron would deliver (an IPC request, a navigation, a click on a notification or a
// tray menu item) over the child's IPC channel. Where the real binary exists,
// test/e2e/electron-app.test.ts runs the real app.
import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Fn = (...args: unknown[]) => unknown;
type MenuItem = { label?: string; type?: string; checked?: boolean; enabled?: boolean; click?: (item: { checked: boolean }) => void };

/** Everything the main process asked for, as plain data (sent to the test after each change). */
const rec = {
  singleInstanceLockRequests: 0,
  quit: 0,
  exit: [] as number[],
  windows: [] as { options: Json; loaded: string[]; shown: number; focused: number; sent: { channel: string; payload: Json }[]; closed: boolean }[],
  ipcHandle: [] as string[],
  ipcOn: [] as string[],
  session: { permissionRequestHandler: false, permissionCheckHandler: false, headersReceived: false, beforeRequest: false, willDownload: false },
  notifications: [] as { title: string; body: string; urgency?: string; shown: number }[],
  trays: [] as { tooltip: string; images: Json[]; menu: Json[] }[],
  loginItemSettings: [] as Json[],
  errorBoxes: [] as { title: string; content: string }[],
  openExternal: [] as string[],
  clipboard: 0,
  warnings: [] as string[],
  /** powerMonitor events the main process listens to. */
  powerEvents: [] as string[],
};

const send = (msg: unknown): void => {
  process.send?.(msg);
};
const changed = (): void => send({ type: 'state', state: rec });

// What the main process said on the console (a failed alert is a console.warn): the test shows it.
const warn = console.warn.bind(console);
console.warn = (...args: unknown[]) => {
  rec.warnings.push(args.map(String).join(' '));
  warn(...args);
  changed();
};

const userData = mkdtempSync(join(tmpdir(), 'moa-fake-electron-userdata-'));

class FakeApp extends EventEmitter {
  requestSingleInstanceLock(): boolean {
    rec.singleInstanceLockRequests++;
    changed();
    return process.env.FAKE_ELECTRON_LOCK_TAKEN !== '1';
  }
  quit(): void {
    rec.quit++;
    changed();
  }
  exit(code = 0): void {
    rec.exit.push(code);
    changed();
  }
  whenReady(): Promise<void> {
    return Promise.resolve();
  }
  getVersion(): string {
    return '0.0.0-fake';
  }
  getName(): string {
    return 'Mail OAuth Assistant';
  }
  getPath(_name: string): string {
    return userData;
  }
  setLoginItemSettings(settings: Json): void {
    rec.loginItemSettings.push(settings);
    changed();
  }
  getLoginItemSettings(): { openAtLogin: boolean } {
    return { openAtLogin: false };
  }
  isPackaged = false;
}
export const app = new FakeApp();

const windowOpenHandlers: Fn[] = [];
const webContentsList: FakeWebContents[] = [];

class FakeWebContents extends EventEmitter {
  readonly index: number;
  constructor(index: number) {
    super();
    this.index = index;
  }
  setWindowOpenHandler(fn: Fn): void {
    windowOpenHandlers[this.index] = fn;
  }
  send(channel: string, payload: Json): void {
    rec.windows[this.index]?.sent.push({ channel, payload });
    changed();
  }
  isDestroyed(): boolean {
    return rec.windows[this.index]?.closed ?? true;
  }
}

export class BrowserWindow extends EventEmitter {
  readonly webContents: FakeWebContents;
  readonly index: number;
  constructor(options: Json) {
    super();
    this.index = rec.windows.length;
    rec.windows.push({ options, loaded: [], shown: 0, focused: 0, sent: [], closed: false });
    this.webContents = new FakeWebContents(this.index);
    webContentsList[this.index] = this.webContents;
    windows[this.index] = this;
    // As Electron does: every new web contents is announced before the window is used.
    app.emit('web-contents-created', {}, this.webContents);
    changed();
  }
  async loadURL(url: string): Promise<void> {
    rec.windows[this.index]?.loaded.push(url);
    changed();
    setImmediate(() => {
      this.webContents.emit('did-finish-load');
      this.emit('ready-to-show');
    });
  }
  show(): void {
    const w = rec.windows[this.index];
    if (w) w.shown++;
    changed();
  }
  focus(): void {
    const w = rec.windows[this.index];
    if (w) w.focused++;
    changed();
  }
  isMinimized(): boolean {
    return false;
  }
  restore(): void {}
  close(): void {
    const w = rec.windows[this.index];
    if (w) w.closed = true;
    this.emit('closed');
    changed();
  }
}
const windows: BrowserWindow[] = [];

const ipcHandlers = new Map<string, Fn>();
export const ipcMain = {
  handle(channel: string, fn: Fn): void {
    rec.ipcHandle.push(channel);
    ipcHandlers.set(channel, fn);
    changed();
  },
  on(channel: string, _fn: Fn): void {
    rec.ipcOn.push(channel);
    changed();
  },
  removeHandler(channel: string): void {
    ipcHandlers.delete(channel);
  },
};

let headersReceived: Fn | undefined;
let beforeRequest: Fn | undefined;
let permissionRequest: Fn | undefined;
export const session = {
  defaultSession: {
    setPermissionRequestHandler(fn: Fn): void {
      permissionRequest = fn;
      rec.session.permissionRequestHandler = true;
      changed();
    },
    setPermissionCheckHandler(_fn: Fn): void {
      rec.session.permissionCheckHandler = true;
      changed();
    },
    webRequest: {
      onHeadersReceived(fn: Fn): void {
        headersReceived = fn;
        rec.session.headersReceived = true;
        changed();
      },
      onBeforeRequest(fn: Fn): void {
        beforeRequest = fn;
        rec.session.beforeRequest = true;
        changed();
      },
    },
    on(event: string, _fn: Fn): void {
      if (event === 'will-download') rec.session.willDownload = true;
      changed();
    },
  },
};

export const safeStorage = {
  isEncryptionAvailable: (): boolean => false,
  encryptString: (): never => {
    throw new Error('fake safeStorage: no encryption');
  },
  decryptString: (): never => {
    throw new Error('fake safeStorage: no encryption');
  },
};

export const shell = {
  async openExternal(url: string): Promise<void> {
    rec.openExternal.push(url);
    changed();
  },
  async openPath(_path: string): Promise<string> {
    return '';
  },
};

export const dialog = {
  showErrorBox(title: string, content: string): void {
    rec.errorBoxes.push({ title, content });
    changed();
  },
};

// Only counted: a value written here could be a token, and the state goes over IPC to the test.
export const clipboard = {
  writeText(_text: string): void {
    rec.clipboard++;
    changed();
  },
};

const notificationObjects: FakeNotification[] = [];
class FakeNotification extends EventEmitter {
  static isSupported(): boolean {
    return true;
  }
  readonly index: number;
  constructor(o: { title: string; body: string; urgency?: string }) {
    super();
    this.index = rec.notifications.length;
    rec.notifications.push({ title: o.title, body: o.body, ...(o.urgency ? { urgency: o.urgency } : {}), shown: 0 });
    notificationObjects.push(this);
    changed();
  }
  show(): void {
    const n = rec.notifications[this.index];
    if (n) n.shown++;
    changed();
  }
}
export { FakeNotification as Notification };

/** A native image as data: its size and the colour of its centre pixel (how the test tells the
 * ok / attention / broken icons apart). */
type FakeImage = { kind: string; width?: number; height?: number; centre?: number[] };
export const nativeImage = {
  createFromBitmap(buffer: Buffer, o: { width: number; height: number }): FakeImage {
    const i = (Math.floor(o.height / 2) * o.width + Math.floor(o.width / 2)) * 4;
    return { kind: 'bitmap', width: o.width, height: o.height, centre: [...buffer.subarray(i, i + 4)] };
  },
  createFromPath(path: string): FakeImage {
    return { kind: `path:${path}` };
  },
  createEmpty(): FakeImage {
    return { kind: 'empty' };
  },
};

type FakeMenu = { items: MenuItem[] };
export const Menu = {
  buildFromTemplate(items: MenuItem[]): FakeMenu {
    return { items };
  },
  setApplicationMenu(_menu: unknown): void {},
};

const trayObjects: FakeTray[] = [];
class FakeTray extends EventEmitter {
  readonly index: number;
  menu: FakeMenu | undefined;
  constructor(image: FakeImage) {
    super();
    this.index = rec.trays.length;
    rec.trays.push({ tooltip: '', images: [image as Json], menu: [] });
    trayObjects.push(this);
    changed();
  }
  setImage(image: FakeImage): void {
    rec.trays[this.index]?.images.push(image as Json);
    changed();
  }
  setToolTip(text: string): void {
    const t = rec.trays[this.index];
    if (t) t.tooltip = text;
    changed();
  }
  setContextMenu(menu: FakeMenu): void {
    this.menu = menu;
    const t = rec.trays[this.index];
    if (t) t.menu = menu.items.map((m) => ({ label: m.label ?? null, type: m.type ?? 'normal', checked: m.checked ?? null, enabled: m.enabled ?? true }));
    changed();
  }
}
export { FakeTray as Tray };

// ---- The test drives Electron's side over the child's IPC channel. ----
type Command = { id: number; cmd: string; [k: string]: unknown };

async function run(c: Command): Promise<unknown> {
  switch (c.cmd) {
    case 'state':
      return rec;
    case 'invoke': {
      // An `ipcRenderer.invoke('ipc', channel, input)` from a frame at `url` (parent: an iframe).
      const handler = ipcHandlers.get(String(c.ipcChannel ?? 'ipc'));
      if (!handler) return { noHandler: true };
      const event = { senderFrame: { url: c.url, parent: c.iframe === true ? {} : null } };
      return await (handler as (...a: unknown[]) => Promise<unknown>)(event, c.channel, c.input);
    }
    case 'navigate': {
      // Electron's will-navigate / will-redirect on every web contents: was it prevented?
      const wc = webContentsList[Number(c.window ?? 0)];
      let prevented = false;
      wc?.emit(String(c.event ?? 'will-navigate'), { preventDefault: () => void (prevented = true) }, c.url);
      return { prevented };
    }
    case 'window-open':
      return windowOpenHandlers[Number(c.window ?? 0)]?.({ url: c.url }) ?? { noHandler: true };
    case 'headers':
      return await new Promise((resolve) => {
        if (!headersReceived) return resolve({ noHandler: true });
        headersReceived({ url: c.url, responseHeaders: {} } as never, resolve as never);
      });
    case 'before-request':
      return await new Promise((resolve) => {
        if (!beforeRequest) return resolve({ noHandler: true });
        beforeRequest({ url: c.url } as never, resolve as never);
      });
    case 'permission':
      return await new Promise((resolve) => {
        if (!permissionRequest) return resolve({ noHandler: true });
        permissionRequest({} as never, c.permission as never, ((granted: boolean) => resolve({ granted })) as never);
      });
    case 'notification-click':
      notificationObjects[Number(c.index)]?.emit('click');
      return { clicked: true };
    case 'menu-click': {
      // The user clicks a tray menu item: a checkbox flips before its click handler runs.
      const tray = trayObjects[Number(c.tray ?? 0)];
      const item = tray?.menu?.items.find((m) => m.label === c.label);
      if (!item?.click) return { found: false };
      const checked = item.type === 'checkbox' ? !item.checked : Boolean(item.checked);
      item.click({ checked });
      return { found: true };
    }
    case 'tray-click':
      trayObjects[Number(c.tray ?? 0)]?.emit('click');
      return { clicked: true };
    case 'close-window': {
      windows[Number(c.window ?? 0)]?.close();
      // Electron: the last window closed.
      if (rec.windows.every((w) => w.closed)) app.emit('window-all-closed');
      return { closed: true };
    }
    case 'second-instance':
      app.emit('second-instance', {}, [], process.cwd());
      return { emitted: true };
    case 'power':
      // Electron's powerMonitor: the computer woke up ('resume'), and so on.
      return { listeners: powerMonitor.emit(String(c.event)) };
    default:
      throw new Error(`fake electron: unknown command ${c.cmd}`);
  }
}

process.on('message', (c: Command) => {
  run(c).then(
    (value) => send({ type: 'reply', id: c.id, value }),
    (error: unknown) => send({ type: 'reply', id: c.id, error: String(error) }),
  );
});

class FakePowerMonitor extends EventEmitter {
  override on(event: string, listener: (...args: unknown[]) => void): this {
    rec.powerEvents.push(event);
    changed();
    return super.on(event, listener);
  }
}
export const powerMonitor = new FakePowerMonitor();

const electron = { app, BrowserWindow, powerMonitor, ipcMain, session, safeStorage, shell, dialog, clipboard, Notification: FakeNotification, nativeImage, Menu, Tray: FakeTray };
export default electron;
