// The composition root of the core, shared by the Electron main process, the development web host
// and the CLI: the stores, the auth service (electron/core/services.ts) and the handlers, over
// the ports each shell provides.
import { createActivityLog } from './activity.ts';
import { createBridgeControl } from './bridge-control.ts';
import { createHandlers, healthSender } from './handlers.ts';
import type { Emit, Handlers } from './ipc-dispatch.ts';
import { createCoreServices, type CoreServicesOptions, type CoreStores } from './services.ts';
import type { ClipboardPort } from './ports.ts';
import { createScheduler, nodeTimers, type Scheduler, type SchedulerConfig, type Timers } from '../health/scheduler.ts';
import { createScheduledWork } from '../health/scheduled-work.ts';
import { readTestSchedule, scheduleConfigFromEnv } from '../health/schedule-settings.ts';
import type { Alert } from '../health/ledger.ts';
import { describe } from '../../shared/diagnostics.ts';
import type { LoginItemPort } from './login-item.ts';

export { openPreferences, type Preferences } from './services.ts';

export type CoreOptions = CoreServicesOptions & {
  clipboard?: ClipboardPort;
  dnsServers?: string[];
  /** The background schedule (renewals, daily refresh, scheduled tests; electron/health/scheduler.ts)
   * starts with the handlers unless false (unit tests of the handlers). Never in the CLI. */
  schedule?: false | { config?: Partial<SchedulerConfig>; timers?: Timers };
  /** "Start at login" (the desktop app only). */
  loginItem?: LoginItemPort;
};

export type Core = CoreStores & {
  handlers(emit: Emit): Handlers;
  /** The background schedule, once handlers() started it. */
  scheduler?: Scheduler;
  /** New health problems found by the schedule, once per cause (the app's notifications). */
  onHealthAlerts(listener: (alerts: Alert[]) => void): () => void;
};

export function createCore(o: CoreOptions): Core {
  const base = createCoreServices(o);
  const { accounts, secrets, auth, clock } = base;
  const alertListeners = new Set<(alerts: Alert[]) => void>();
  const core: Core = {
    ...base,
    onHealthAlerts(listener) {
      alertListeners.add(listener);
      return () => void alertListeners.delete(listener);
    },
    handlers(emit) {
      // Another process (the CLI, the app and the web host side by side) changed the accounts:
      // the UI reloads them instead of working on, and later saving, a stale list.
      accounts.onChange(() => emit('accounts:changed', {}));
      const activity = createActivityLog({ clock, onAdd: (e) => emit('activity:added', e) });
      // The handlers' changes and the schedule's jobs send the banner's health through one
      // sequence: the latest computation started wins, from either side.
      const healthTicket = healthSender(emit);
      if (o.schedule !== false && core.scheduler === undefined) {
        const work = createScheduledWork({
          accounts,
          auth,
          clock,
          dataDir: o.dataDir,
          ...(o.ca ? { ca: o.ca } : {}),
          onHealth: () => {
            // The job changed the account (its last test) or its token: the rows reload too.
            emit('accounts:changed', {});
            return healthTicket();
          },
          onAlerts: (alerts) => {
            for (const l of alertListeners) l(alerts);
          },
        });
        core.scheduler = createScheduler({
          clock,
          timers: o.schedule?.timers ?? nodeTimers,
          work,
          testSchedule: () => readTestSchedule(base.preferences),
          config: { ...scheduleConfigFromEnv(process.env.MAIL_OAUTH_SCHEDULE_MS), ...o.schedule?.config },
          onJob: (e) => {
            if (e.kind === 'test' || !e.outcome.ok) {
              activity.add({ accountId: e.accountId, kind: e.kind === 'test' ? 'test' : 'token', ok: e.outcome.ok, message: jobMessage(e.kind, e.outcome.code) });
            }
          },
        });
        core.scheduler.start();
      }
      const bridge = createBridgeControl({
        preferences: base.preferences,
        accounts,
        secrets,
        auth,
        clock,
        dataDir: o.dataDir,
        activity,
        onChange: (s) => emit('bridge:changed', s),
      });
      // The app and the web host run the bridge from the start when the user left it on with
      // "start with the app"; a port in use shows on the dashboard and in the activity log.
      void bridge.autoStart().catch(() => undefined);
      return createHandlers({
        shell: o.shell,
        version: o.version,
        platform: o.platform ?? process.platform,
        secretBox: o.secretBox,
        browser: o.browser,
        clock,
        accounts,
        auth,
        activity,
        emit,
        ...(o.clipboard ? { clipboard: o.clipboard } : {}),
        ...(o.ca ? { ca: o.ca } : {}),
        ...(o.dnsServers ? { dnsServers: o.dnsServers } : {}),
        ...(o.loginItem ? { loginItem: o.loginItem } : {}),
        secrets,
        rememberInsecureSecrets: () => base.rememberInsecureSecrets(),
        dataDir: o.dataDir,
        preferences: base.preferences,
        ...(core.scheduler ? { scheduler: core.scheduler } : {}),
        bridge,
        healthTicket,
      });
    },
  };
  return core;
}

/** The activity log's line for a scheduled job (successful renewals are too many to list). */
function jobMessage(kind: 'renew' | 'refresh' | 'test', code: string | undefined): string {
  const what = kind === 'test' ? 'Scheduled connection test' : kind === 'renew' ? 'Scheduled token renewal' : 'Daily token refresh';
  return code === undefined ? `${what} passed` : `${what} failed: ${describe(code).title} (${code})`;
}
