// The app's control of the local bridge (issue 12): its settings in the preferences store, starting
// and stopping it (at start when enabled + "start with the app", and from the dashboard), the
// status the UI shows (state, bound ports, live session count, certificate), bridge passwords, and
// the bridge's events in the activity log with the catalog's fix. The bridge itself is
// electron/bridge/ (loaded only when first needed: a core that never bridges never loads it).
import type { Account } from '../../shared/account.ts';
import { bridgeServers, type ClientServer } from '../../shared/client-settings/index.ts';
import { type BridgeConfigureInput, type BridgeSettings, type BridgeStatus } from '../../shared/bridge.ts';
import { describe } from '../../shared/diagnostics.ts';
import { AppFailure, appError, type AppError } from '../../shared/result.ts';
import type { Protocol } from '../../shared/providers.ts';
import type { AuthService } from '../auth/auth-service.ts';
import type { BridgeEvent, BridgeHandle } from '../bridge/index.ts';
import type { AccountStore } from '../store/account-store.ts';
import type { SecretStore } from '../store/secret-store.ts';
import type { ActivityLog } from './activity.ts';
import { bridgeCertificateFile, loadBridgeSettings, saveBridgeSettings } from './bridge-settings.ts';
import { toAppError } from './errors.ts';
import type { Clock } from './ports.ts';
import type { Preferences } from './services.ts';

export type BridgeControlDeps = {
  preferences: Preferences;
  accounts: AccountStore;
  secrets: SecretStore;
  auth: AuthService;
  clock: Clock;
  dataDir: string;
  activity: ActivityLog;
  /** Every status change (state, ports, session count): the `bridge:changed` event. */
  onChange: (status: BridgeStatus) => void;
};

export type BridgeControl = {
  status(): Promise<BridgeStatus>;
  /** Changes the settings (saved at once) and starts, restarts or stops the bridge to match. */
  configure(input: BridgeConfigureInput): Promise<BridgeStatus>;
  /** A new bridge password for the account, returned once (the old one stops working). */
  newPassword(accountId: string): Promise<string>;
  /** At the start of the app or web host: runs the bridge if it is enabled and "start with the app" is on. */
  autoStart(): Promise<BridgeStatus>;
  /** The listeners a mail client connects to (bound ports while on, else the saved ones), and the
   * certificate file to trust when TLS is on. */
  clientServers(): { servers: Partial<Record<Protocol, ClientServer>>; certFile?: string };
  close(): Promise<void>;
};

const NAMES: Readonly<Record<Protocol, string>> = { imap: 'IMAP', pop: 'POP3', smtp: 'SMTP' };
/** A client that polls (fetchmail, mbsync every few minutes) must not fill the activity log with
 * one line per session: each account and protocol is logged at most this often. */
const SESSION_LOG_INTERVAL_MS = 10 * 60 * 1000;

export function createBridgeControl(d: BridgeControlDeps): BridgeControl {
  let handle: BridgeHandle | undefined;
  let state: BridgeStatus['state'] = 'off';
  let error: AppError | undefined;
  /** configure/autoStart/close one at a time: a second click waits for the first restart. */
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(job: () => Promise<T>): Promise<T> => {
    const run = queue.then(job, job);
    queue = run.catch(() => undefined);
    return run;
  };
  const lastSessionLog = new Map<string, number>();

  const bridgeModule = () => import('../bridge/index.ts');
  const deps = () => ({ accounts: d.accounts, secrets: d.secrets, auth: d.auth, clock: d.clock, dataDir: d.dataDir });

  const status = async (): Promise<BridgeStatus> => {
    const settings = loadBridgeSettings(d.preferences);
    const accounts = d.accounts.list().filter((a: Account) => a.status === 'ready');
    const { hasBridgePassword } = await bridgeModule();
    const has = await Promise.all(accounts.map((a) => hasBridgePassword({ secrets: d.secrets }, a.id).catch(() => false)));
    return {
      settings,
      state,
      ports: handle ? { ...handle.ports } : { imap: null, pop: null, smtp: null },
      sessions: handle ? handle.sessions() : 0,
      ...(handle?.certificatePem ? { certificatePem: handle.certificatePem } : {}),
      ...(error ? { error } : {}),
      accounts: accounts.map((a, i) => ({ id: a.id, address: a.address, hasPassword: has[i] === true })),
    };
  };

  // Session counts change in bursts (50 clients connecting at once): one event per burst.
  let pending: ReturnType<typeof setTimeout> | undefined;
  const changed = (): void => {
    if (pending) return;
    pending = setTimeout(() => {
      pending = undefined;
      status().then(d.onChange, () => undefined);
    }, 100);
    pending.unref?.();
  };

  const onEvent = (e: BridgeEvent): void => {
    if (e.kind === 'session-start' || e.kind === 'session-end') changed();
    const who = e.address ?? 'an unknown account';
    if (e.kind === 'session-start') {
      const key = `${e.accountId ?? e.address ?? ''}/${e.protocol}`;
      const last = lastSessionLog.get(key);
      if (last !== undefined && e.at - last < SESSION_LOG_INTERVAL_MS) return;
      lastSessionLog.set(key, e.at);
      d.activity.add({ kind: 'bridge', ok: true, ...(e.accountId ? { accountId: e.accountId } : {}), message: `Bridge: ${NAMES[e.protocol]} session for ${who}` });
      return;
    }
    if (e.kind === 'local-auth-failed' || e.kind === 'upstream-failed') {
      const diag = e.code ? describe(e.code) : undefined;
      const fix = diag?.fix[0];
      d.activity.add({
        kind: 'bridge',
        ok: false,
        ...(e.accountId ? { accountId: e.accountId } : {}),
        // The bridge's line first (it names the account and what was refused), the catalog's title
        // only when the line does not already say it, then the fix.
        message: `Bridge ${NAMES[e.protocol]}: ${e.message.replace(/\.$/, '')}${diag && diag.code !== 'INTERNAL' && !e.message.includes(diag.title) ? ` (${diag.title})` : ''}${fix ? `. Fix: ${fix}` : ''}`,
      });
    }
  };

  const stop = async (): Promise<void> => {
    const h = handle;
    handle = undefined;
    state = 'off';
    if (h) await h.close();
  };

  const start = async (settings: BridgeSettings): Promise<boolean> => {
    state = 'starting';
    error = undefined;
    changed();
    try {
      const { startBridge } = await bridgeModule();
      handle = await startBridge({ ...deps(), onEvent }, { ports: settings.ports, tls: settings.tls });
      state = 'on';
      const on = (['imap', 'pop', 'smtp'] as const).filter((p) => handle?.ports[p] != null).map((p) => `${NAMES[p]} ${handle?.ports[p]}`);
      d.activity.add({ kind: 'bridge', ok: true, message: `Bridge on at 127.0.0.1: ${on.join(', ') || 'no listener'}${settings.tls ? ' (STARTTLS)' : ''}` });
      return true;
    } catch (e) {
      state = 'failed';
      error = toAppError(e);
      const diag = describe(error.code);
      d.activity.add({ kind: 'bridge', ok: false, message: `Bridge could not start: ${error.message}${diag.fix[0] ? `. Fix: ${diag.fix[0]}` : ''}` });
      return false;
    }
  };

  return {
    status,

    configure: (input) =>
      serial(async () => {
        const old = loadBridgeSettings(d.preferences);
        const next: BridgeSettings = {
          enabled: input.enabled ?? old.enabled,
          ports: { ...old.ports, ...input.ports },
          tls: input.tls ?? old.tls,
          startWithApp: input.startWithApp ?? old.startWithApp,
        };
        const listenersChanged = JSON.stringify([next.ports, next.tls]) !== JSON.stringify([old.ports, old.tls]);
        if (!next.enabled) {
          if (handle) {
            await stop();
            d.activity.add({ kind: 'bridge', ok: true, message: 'Bridge off' });
          }
          state = 'off';
          error = undefined;
          saveBridgeSettings(d.preferences, next);
        } else if (!handle || listenersChanged || state !== 'on') {
          await stop();
          // Saved before the start so that a port in use loses nothing the user typed; "on" is
          // saved only when it did start (a failed start is not a bridge that starts with the app).
          saveBridgeSettings(d.preferences, { ...next, enabled: false });
          const ok = await start(next);
          saveBridgeSettings(d.preferences, { ...next, enabled: ok });
        } else {
          saveBridgeSettings(d.preferences, next);
        }
        const s = await status();
        d.onChange(s);
        return s;
      }),

    async newPassword(accountId) {
      const a = d.accounts.get(accountId);
      if (!a) throw new AppFailure(appError('NOT_FOUND', 'That account no longer exists.'));
      const { newBridgePassword } = await bridgeModule();
      const password = await newBridgePassword({ secrets: d.secrets, accounts: d.accounts }, accountId);
      d.activity.add({ kind: 'bridge', ok: true, accountId, message: `New bridge password for ${a.address} (any older one no longer works)` });
      changed();
      return password;
    },

    autoStart: () =>
      serial(async () => {
        const settings = loadBridgeSettings(d.preferences);
        if (settings.enabled && settings.startWithApp && !handle) {
          // A port taken at start: the bridge stays enabled (it is the user's choice) and the
          // dashboard shows why it is not running; the next start tries again.
          await start(settings);
          const s = await status();
          d.onChange(s);
          return s;
        }
        return status();
      }),

    clientServers() {
      const settings = loadBridgeSettings(d.preferences);
      const servers = bridgeServers(handle ? handle.ports : settings.ports, settings.tls);
      return settings.tls ? { servers, certFile: bridgeCertificateFile(d.dataDir) } : { servers };
    },

    close: () => serial(stop),
  };
}
