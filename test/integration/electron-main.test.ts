// The desktop app's main process as built (out/main/index.js, from `npm run build`: `npm test`
// builds first), executed in a Node child process with a recording FAKE of the `electron` module
// (test/integration/fake-electron/: the Electron binary cannot be downloaded here; where it can,
// test/e2e/electron-app.test.ts runs the real app). Everything else is real: the core, the
// stores in a temp data dir, electron-store and conf, the IPC dispatch, the health rules and
// health.json. The test checks the wiring the security checklist and issue 13 ask for: the
// single-instance lock, the hardened window, the CSP, navigation and window.open denied, exactly
// the contract's channels served to the app's own page only, and the notifications and the tray
// that a broken account gives.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CHANNELS, type Channel } from '../../shared/ipc.ts';
import { openNodeAccountStore } from '../../electron/store/account-store.ts';
import { RENDERER_CSP } from '../../electron/app/policy.ts';
import { TRAY_COLOURS } from '../../electron/health/alerts.ts';
import { autostartPath } from '../../electron/core/login-item.ts';
import { healthFilePath } from '../../electron/health/health-file.ts';

const root = join(import.meta.dirname, '..', '..');
const mainBundle = join(root, 'out', 'main', 'index.js');
const register = join(import.meta.dirname, 'fake-electron', 'register.ts');
/** The renderer page the app loads: the only sender whose IPC is served. */
const rendererUrl = pathToFileURL(join(root, 'out', 'renderer', 'index.html')).href;
const DAY = 86_400_000;

type Rec = {
  singleInstanceLockRequests: number;
  quit: number;
  exit: number[];
  windows: { options: { webPreferences: Record<string, unknown> } & Record<string, unknown>; loaded: string[]; shown: number; focused: number; sent: { channel: string; payload: unknown }[]; closed: boolean }[];
  ipcHandle: string[];
  ipcOn: string[];
  session: Record<string, boolean>;
  notifications: { title: string; body: string; urgency?: string; shown: number }[];
  trays: { tooltip: string; images: { centre?: number[] }[]; menu: { label: string | null; type: string; checked: boolean | null; enabled: boolean }[] }[];
  loginItemSettings: unknown[];
  errorBoxes: { title: string; content: string }[];
  openExternal: string[];
  clipboard: number;
  warnings: string[];
  powerEvents: string[];
};
type IpcResult = { ok: true; value: Record<string, unknown> } | { ok: false; error: { code: string; message: string } };

/** The newest source the main bundle is built from: a bundle older than it tests old code. */
function newestSource(dir: string): number {
  let t = 0;
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    const s = statSync(full);
    t = Math.max(t, s.isDirectory() ? newestSource(full) : name.endsWith('.ts') ? s.mtimeMs : 0);
  }
  return t;
}

function checkBuild(): void {
  assert.ok(existsSync(mainBundle), `${mainBundle} is missing: run \`npm run build\` first (npm test does)`);
  const built = statSync(mainBundle).mtimeMs;
  const source = Math.max(newestSource(join(root, 'electron')), newestSource(join(root, 'shared')));
  assert.ok(built >= source, 'out/main/index.js is older than the sources under electron/ and shared/: run `npm run build` first');
}

/** The built main process in a child, with the fake electron; commands drive Electron's side. */
class MainProcess {
  readonly child: ChildProcess;
  state: Rec | undefined;
  private nextId = 1;
  private replies = new Map<number, (m: { value?: unknown; error?: string }) => void>();
  private waiters = new Set<() => void>();
  private exited = false;
  stderr = '';

  constructor(env: NodeJS.ProcessEnv, args: string[] = []) {
    this.child = fork(mainBundle, args, {
      cwd: root,
      execArgv: ['--import', register],
      env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.child.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.child.stdout?.resume();
    this.child.on('message', (m: { type: string; id?: number; state?: Rec; value?: unknown; error?: string }) => {
      if (m.type === 'state' && m.state) {
        this.state = m.state;
        for (const w of [...this.waiters]) w();
      } else if (m.type === 'reply' && m.id !== undefined) {
        this.replies.get(m.id)?.(m);
        this.replies.delete(m.id);
      }
    });
    this.child.on('exit', () => {
      this.exited = true;
      for (const w of [...this.waiters]) w();
    });
  }

  command<T>(cmd: string, args: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.replies.set(id, (m) => (m.error !== undefined ? reject(new Error(m.error)) : resolve(m.value as T)));
      this.child.send({ id, cmd, ...args });
    });
  }

  /** Call the app over its `ipc` handler as the renderer's preload does, from the page at `url`. */
  ipc(channel: unknown, input: unknown, o: { url?: string; iframe?: boolean } = {}): Promise<IpcResult> {
    return this.command<IpcResult>('invoke', { channel, input, url: o.url ?? rendererUrl, iframe: o.iframe === true });
  }

  /** Wait until the recorded state satisfies `pred` (each change of the fake's record is pushed).
   * The limit is a hang guard that names what never happened, not a speed check. */
  waitFor(what: string, pred: (s: Rec) => boolean, limitMs = 60_000): Promise<Rec> {
    return new Promise((resolve, reject) => {
      const done = (): void => {
        this.waiters.delete(check);
        clearTimeout(timer);
      };
      const check = (): void => {
        if (this.state && pred(this.state)) {
          done();
          resolve(this.state);
        } else if (this.exited) {
          done();
          reject(new Error(`main process exited while waiting for ${what}; stderr:\n${this.stderr}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`never saw ${what}; last state:\n${JSON.stringify(this.state, null, 1).slice(0, 4000)}\nstderr:\n${this.stderr}`));
      }, limitMs);
      this.waiters.add(check);
      check();
    });
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise((r) => this.child.once('exit', r));
    this.child.kill();
    await gone;
  }
}

const running: MainProcess[] = [];
after(async () => {
  for (const p of running) await p.stop();
});

function envFor(dataDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  // test/run.ts removed the session bus: no keyring, so the secret store is memory-only (the
  // seeded accounts have no secrets). XDG_CONFIG_HOME: the Linux autostart entry goes there.
  const { ELECTRON_RENDERER_URL: _dev, ...env } = process.env;
  return { ...env, MAIL_OAUTH_DATA_DIR: dataDir, XDG_CONFIG_HOME: join(dataDir, 'xdg'), ...extra };
}

function start(dataDir: string, extra: NodeJS.ProcessEnv = {}, args: string[] = []): MainProcess {
  const p = new MainProcess(envFor(dataDir, extra), args);
  running.push(p);
  return p;
}

/** A finished (ready) account whose client secret expired yesterday and that was never signed in:
 * broken twice over (Renew secret, Re-authorize). Nothing in it is ever contacted. */
function brokenAccount(id: string, address: string, now: number) {
  return {
    id,
    label: '',
    address,
    providerId: 'generic',
    auth: { adapter: 'oidc' as const, issuer: 'https://127.0.0.1:9/', clientId: 'desktop-secret', flow: 'delegated' as const, authParams: {} },
    scopes: ['imap', 'offline_access'],
    servers: { imap: { enabled: true, host: '127.0.0.1', port: 9, security: 'tls' as const } },
    clientSecretExpiresAt: now - DAY,
    status: 'ready' as const,
    wizardStep: 'done' as const,
    createdAt: now - 30 * DAY,
    updatedAt: now - 30 * DAY,
  };
}

/** accounts:save's input for a broken account (the main process sets the dates). */
function saveInput(id: string, address: string) {
  const { createdAt: _c, updatedAt: _u, ...input } = brokenAccount(id, address, Date.now());
  return input;
}

function seededDataDir(): string {
  const dataDir = mkdtempSync(join(tmpdir(), 'moa-electron-main-'));
  openNodeAccountStore({ cwd: dataDir }).put(brokenAccount('acct-seeded', 'seeded@example.test', Date.now()));
  return dataDir;
}

/** What each channel is called with to run its handler for real, and what it must answer: a
 * value, or the error the handler itself gives (NOT_FOUND for an account that does not exist:
 * proof the call reached the handler, with nothing sent anywhere). Channels added later without
 * an entry here are still checked for a handler by the generic probe below. */
const calls: Partial<Record<Channel, { input: unknown; expect: 'ok' | string }>> = {
  'app:info': { input: {}, expect: 'ok' },
  'links:open': { input: { link: 'project-help' }, expect: 'ok' },
  'app:keep-secrets-without-os-encryption': { input: { confirm: true }, expect: 'ok' },
  'app:login-item': { input: {}, expect: 'ok' },
  'accounts:list': { input: {}, expect: 'ok' },
  'accounts:save': { input: { account: saveInput('acct-table', 'table@example.test') }, expect: 'ok' },
  'accounts:remove': { input: { id: 'no-such-account' }, expect: 'NOT_FOUND' },
  'accounts:set-client-secret': { input: { id: 'no-such-account', secret: 'not-a-real-secret' }, expect: 'NOT_FOUND' },
  'accounts:token-state': { input: { id: 'acct-seeded' }, expect: 'ok' },
  'ca:inspect': { input: { pem: 'not a certificate' }, expect: 'CA_NOT_PEM' },
  'accounts:trust-ca': { input: { id: 'no-such-account', pem: '' }, expect: 'NOT_FOUND' },
  'discover:servers': { input: { address: 'someone@example.invalid' }, expect: 'ok' },
  // A closed port on this machine (set below): refused at once, the issuer check's own diagnosis.
  'auth:check-issuer': { input: { issuer: 'https://127.0.0.1:{closed}/' }, expect: 'IDP_UNAVAILABLE' },
  'auth:start': { input: { id: 'no-such-account', flow: 'browser' }, expect: 'NOT_FOUND' },
  'auth:cancel': { input: { id: 'no-such-account' }, expect: 'ok' },
  'auth:open-device-page': { input: { id: 'no-such-account' }, expect: 'NOT_FOUND' },
  'probe:run': { input: { id: 'no-such-account', runId: 'run-1' }, expect: 'NOT_FOUND' },
  'probe:cancel': { input: { runId: 'run-1' }, expect: 'ok' },
  'tokens:copy': { input: { id: 'no-such-account' }, expect: 'NOT_FOUND' },
  'report:build': { input: { id: 'acct-seeded' }, expect: 'ok' },
  'activity:list': { input: {}, expect: 'ok' },
  'health:list': { input: {}, expect: 'ok' },
  'health:history': { input: { id: 'acct-seeded' }, expect: 'ok' },
  'health:schedule': { input: {}, expect: 'ok' },
  'health:set-schedule': { input: { test: 'off' }, expect: 'ok' },
  'clients:config': { input: { id: 'no-such-account', client: 'neomutt' }, expect: 'NOT_FOUND' },
};

const code = (r: IpcResult): string => (r.ok ? 'ok' : r.error.code);

/** A loopback port nothing listens on: bound to port 0, then closed again. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

test('the built main process: lock, hardened window, CSP, no navigation, the contract served to its own page only, alerts and tray for a broken account', async (t) => {
  checkBuild();
  const dataDir = seededDataDir();
  const app = start(dataDir);

  await t.test('single-instance lock, one hardened window loading the packaged page', async () => {
    const s = await app.waitFor('the window and the tray', (r) => (r.windows[0]?.loaded.length ?? 0) > 0 && r.trays.length === 1 && r.ipcHandle.length > 0);
    assert.equal(s.singleInstanceLockRequests, 1);
    assert.equal(s.quit, 0);
    assert.deepEqual(s.exit, []);
    assert.deepEqual(s.errorBoxes, []);
    const w = s.windows[0];
    assert.ok(w);
    assert.deepEqual(w.loaded, [rendererUrl]);
    const wp = w.options.webPreferences;
    assert.equal(wp.contextIsolation, true);
    assert.equal(wp.sandbox, true);
    assert.equal(wp.nodeIntegration, false);
    assert.equal(wp.nodeIntegrationInWorker, false);
    assert.equal(wp.nodeIntegrationInSubFrames, false);
    assert.equal(wp.webSecurity, true);
    assert.equal(wp.allowRunningInsecureContent, false);
    assert.equal(wp.webviewTag, false);
    assert.equal(wp.preload, join(root, 'out', 'preload', 'index.cjs'));
    assert.ok(existsSync(String(wp.preload)), 'the preload the window names was built');
    await app.waitFor('the window shown', (r) => (r.windows[0]?.shown ?? 0) > 0);
  });

  await t.test('session: CSP on every response, remote requests and permissions refused', async () => {
    const s = app.state;
    assert.ok(s);
    assert.deepEqual(s.session, { permissionRequestHandler: true, permissionCheckHandler: true, headersReceived: true, beforeRequest: true, willDownload: true });
    const h = await app.command<{ responseHeaders: Record<string, string[]> }>('headers', { url: rendererUrl });
    assert.deepEqual(h.responseHeaders['Content-Security-Policy'], [RENDERER_CSP]);
    assert.match(RENDERER_CSP, /default-src 'none'/);
    assert.deepEqual(await app.command('before-request', { url: 'https://example.com/tracker.js' }), { cancel: true });
    assert.deepEqual(await app.command('before-request', { url: rendererUrl }), { cancel: false });
    assert.deepEqual(await app.command('permission', { permission: 'notifications' }), { granted: false });
  });

  await t.test('navigation, redirects and window.open denied', async () => {
    for (const url of ['https://evil.example/', rendererUrl, 'file:///etc/passwd']) {
      assert.deepEqual(await app.command('navigate', { url }), { prevented: true }, url);
      assert.deepEqual(await app.command('navigate', { url, event: 'will-redirect' }), { prevented: true }, url);
      assert.deepEqual(await app.command('window-open', { url }), { action: 'deny' }, url);
    }
  });

  await t.test('IPC: one `ipc` handler, a handler for every channel of the contract, unknown channels and untrusted senders refused', async () => {
    const s = app.state;
    assert.ok(s);
    assert.deepEqual(s.ipcHandle, ['ipc']);
    // electron-store's own listener (for a renderer-side store, which this app's sandboxed preload never uses).
    assert.deepEqual(
      s.ipcOn.filter((c) => c !== 'electron-store-get-data'),
      [],
    );
    // Every channel: a non-object input reaches dispatch's handler check first, so a channel whose
    // handler is missing answers "No handler serves", one that has a handler VALIDATION_FAILED.
    for (const channel of CHANNELS) {
      const r = await app.ipc(channel, 42);
      assert.equal(code(r), 'VALIDATION_FAILED', `${channel}: ${JSON.stringify(r)}`);
    }
    // And each known channel run for real.
    const missing = CHANNELS.filter((c) => calls[c] === undefined);
    if (missing.length > 0) t.diagnostic(`channels checked by the generic probe only: ${missing.join(', ')}`);
    const closed = String(await closedPort());
    for (const channel of CHANNELS) {
      const c = calls[channel];
      if (!c) continue;
      const r = await app.ipc(channel, JSON.parse(JSON.stringify(c.input).replaceAll('{closed}', closed)));
      assert.equal(code(r), c.expect, `${channel}: ${JSON.stringify(r)}`);
    }
    for (const bad of ['nope:nothing', '__proto__', 'constructor', 42, null]) {
      assert.equal(code(await app.ipc(bad, {})), 'UNKNOWN_CHANNEL', String(bad));
    }
    // Not the app's page, or an iframe in it: refused before anything runs.
    for (const o of [{ url: 'https://evil.example/' }, { url: 'file:///tmp/other.html' }, { iframe: true }]) {
      const r = await app.ipc('app:info', {}, o);
      assert.equal(code(r), 'FORBIDDEN_SENDER', JSON.stringify(o));
    }
    const info = await app.ipc('app:info', {});
    assert.equal(info.ok && info.value.shell, 'electron');
    // links:open went out through shell.openExternal, https only.
    const opened = (await app.waitFor('openExternal', (r) => r.openExternal.length > 0)).openExternal;
    assert.ok(opened.every((u) => u.startsWith('https://')), opened.join(' '));
  });

  await t.test('a broken account at start: one notification per cause titled with its fix, and the tray turns broken', async () => {
    const s = await app.waitFor('the seeded account\'s notifications', (r) => r.notifications.filter((n) => n.title.startsWith('seeded@')).length >= 2);
    const seeded = s.notifications.filter((n) => n.title.startsWith('seeded@'));
    assert.deepEqual(seeded.map((n) => n.title).sort(), ['seeded@example.test: Re-authorize', 'seeded@example.test: Renew secret']);
    assert.ok(seeded.every((n) => n.shown === 1 && n.urgency === 'critical'));
    const tray = s.trays[0];
    assert.ok(tray);
    assert.deepEqual(tray.images.at(-1)?.centre, [...TRAY_COLOURS.broken].reverse().concat(255));
    assert.match(tray.tooltip, /not working/);
    const labels = tray.menu.map((m) => m.label);
    assert.equal(labels[0], 'Open Mail OAuth Assistant');
    assert.ok(labels.includes('seeded@example.test: Re-authorize'), labels.join(' | '));
    assert.ok(labels.includes('Start at login'));
    assert.equal(labels.at(-1), 'Quit');
  });

  await t.test('an account saved over IPC is announced once, and the seeded one not again', async () => {
    assert.equal(code(await app.ipc('accounts:save', { account: saveInput('acct-second', 'second@example.test') })), 'ok');
    const s = await app.waitFor('the second account\'s notifications', (r) => r.notifications.filter((n) => n.title.startsWith('second@')).length >= 2);
    // The window heard the health change too (the dashboard banner's event).
    assert.ok(s.windows[0]?.sent.some((m) => m.channel === 'event:health:changed'));
    // Another health change (an edit): nothing new is announced (checked again at the end, after
    // every later update had time to show a duplicate).
    const draws = s.trays[0]?.images.length ?? 0;
    const r = await app.ipc('accounts:trust-ca', { id: 'acct-seeded', pem: '' });
    assert.equal(code(r), 'ok');
    // The tray is drawn after each update's notifications (electron/app/alerts.ts).
    const s2 = await app.waitFor('the edit\'s health update drawn', (x) => (x.trays[0]?.images.length ?? 0) > draws);
    assert.equal(s2.notifications.length, s.notifications.length);
    const ledger = JSON.parse(readFileSync(healthFilePath(dataDir), 'utf8')) as { alerted: Record<string, Record<string, unknown>> };
    assert.deepEqual(Object.keys(ledger.alerted.app ?? {}).sort(), ['acct-second', 'acct-seeded', 'acct-table']);
  });

  await t.test('clicking a notification shows the window on that account', async () => {
    const s = app.state;
    assert.ok(s);
    const i = s.notifications.findIndex((n) => n.title === 'seeded@example.test: Renew secret');
    const focused = s.windows[0]?.focused ?? 0;
    await app.command('notification-click', { index: i });
    const after = await app.waitFor('the account shown', (r) => r.windows[0]?.sent.some((m) => m.channel === 'event:app:show-account') === true);
    assert.deepEqual(after.windows[0]?.sent.filter((m) => m.channel === 'event:app:show-account').map((m) => m.payload), [{ accountId: 'acct-seeded' }]);
    assert.ok((after.windows[0]?.focused ?? 0) > focused);
  });

  await t.test('start at login: the tray checkbox and app:login-item are one setting (XDG autostart entry on Linux)', async () => {
    assert.deepEqual(await app.ipc('app:login-item', {}), { ok: true, value: { supported: true, openAtLogin: false } });
    assert.deepEqual(await app.command('menu-click', { label: 'Start at login' }), { found: true });
    const s = await app.waitFor('the checkbox ticked', (r) => r.trays[0]?.menu.find((m) => m.label === 'Start at login')?.checked === true);
    assert.ok(s);
    const entry = autostartPath(join(dataDir, 'xdg'));
    if (process.platform === 'linux') assert.match(readFileSync(entry, 'utf8'), /^Exec=".+" --hidden$/m);
    else assert.ok(s.loginItemSettings.length > 0);
    assert.deepEqual(await app.ipc('app:login-item', {}), { ok: true, value: { supported: true, openAtLogin: true } });
    assert.deepEqual(await app.ipc('app:login-item', { openAtLogin: false }), { ok: true, value: { supported: true, openAtLogin: false } });
    await app.waitFor('the checkbox cleared', (r) => r.trays[0]?.menu.find((m) => m.label === 'Start at login')?.checked === false);
    if (process.platform === 'linux') assert.equal(existsSync(entry), false);
  });

  await t.test('woken from sleep, the schedule looks at once (the app listens to powerMonitor "resume") and the app answers as before', async () => {
    assert.deepEqual(app.state?.powerEvents, ['resume']);
    assert.deepEqual(await app.command('power', { event: 'resume' }), { listeners: true });
    assert.equal(code(await app.ipc('health:schedule', {})), 'ok');
    assert.deepEqual(app.state?.warnings.filter((w) => /schedul|resume/i.test(w)), []);
  });

  await t.test('closing the window keeps the app in the tray; Open makes a new window; Quit quits', async () => {
    await app.command('close-window', { window: 0 });
    assert.equal(app.state?.quit, 0);
    assert.deepEqual(await app.command('menu-click', { label: 'Open Mail OAuth Assistant' }), { found: true });
    const s = await app.waitFor('a new window', (r) => r.windows.length === 2);
    assert.deepEqual(s.windows[1]?.options.webPreferences, s.windows[0]?.options.webPreferences);
    await app.command('second-instance');
    await app.waitFor('the window brought forward', (r) => (r.windows[1]?.focused ?? 0) > 0);
    await app.command('menu-click', { label: 'Quit' });
    await app.waitFor('quit', (r) => r.quit === 1);
  });

  await app.stop();
  // Once per cause over the whole run: two causes per account, each announced once.
  const titles = app.state?.notifications.map((n) => n.title) ?? [];
  assert.deepEqual([...titles].sort(), [
    'second@example.test: Re-authorize',
    'second@example.test: Renew secret',
    'seeded@example.test: Re-authorize',
    'seeded@example.test: Renew secret',
    'table@example.test: Re-authorize',
    'table@example.test: Renew secret',
  ]);

  await t.test('after a restart: causes already announced are not announced again', async () => {
    const again = start(dataDir);
    // The tray is drawn after the update's notifications (if any) were shown.
    const s = await again.waitFor('the tray turned broken', (r) => r.trays[0]?.tooltip.includes('not working') === true);
    assert.deepEqual(s.notifications, []);
    assert.deepEqual(s.errorBoxes, []);
    await again.stop();
  });
});

test('a second instance does not start: it asks for the lock, quits, and creates nothing', async () => {
  checkBuild();
  const p = start(mkdtempSync(join(tmpdir(), 'moa-electron-main-')), { FAKE_ELECTRON_LOCK_TAKEN: '1' });
  const s = await p.waitFor('quit', (r) => r.quit === 1);
  assert.equal(s.singleInstanceLockRequests, 1);
  assert.deepEqual(s.windows, []);
  assert.deepEqual(s.ipcHandle, []);
  assert.deepEqual(s.trays, []);
  await p.stop();
});

test('started by the login item (--hidden): the tray only, no window until Open', async () => {
  checkBuild();
  const p = start(seededDataDir(), {}, ['--hidden']);
  const s = await p.waitFor('the tray drawn with the health', (r) => r.trays[0]?.tooltip.includes('not working') === true);
  assert.deepEqual(s.windows, []);
  assert.deepEqual(s.ipcHandle, ['ipc']);
  assert.deepEqual(await p.command('menu-click', { label: 'Open Mail OAuth Assistant' }), { found: true });
  await p.waitFor('the window made on Open', (r) => r.windows.length === 1 && (r.windows[0]?.loaded.length ?? 0) === 1);
  await p.stop();
});
