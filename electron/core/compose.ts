// The composition root of the core, shared by the Electron main process, the development web host
// and the CLI: the stores, the auth service (electron/core/services.ts) and the handlers, over
// the ports each shell provides.
import { createActivityLog } from './activity.ts';
import { createHandlers } from './handlers.ts';
import type { Emit, Handlers } from './ipc-dispatch.ts';
import { createCoreServices, type CoreServicesOptions, type CoreStores } from './services.ts';
import type { ClipboardPort } from './ports.ts';

export { openPreferences, type Preferences } from './services.ts';

export type CoreOptions = CoreServicesOptions & {
  clipboard?: ClipboardPort;
  dnsServers?: string[];
};

export type Core = CoreStores & {
  handlers(emit: Emit): Handlers;
};

export function createCore(o: CoreOptions): Core {
  const base = createCoreServices(o);
  const { accounts, secrets, auth, clock } = base;
  return {
    ...base,
    handlers(emit) {
      // Another process (the CLI, the app and the web host side by side) changed the accounts:
      // the UI reloads them instead of working on, and later saving, a stale list.
      accounts.onChange(() => emit('accounts:changed', {}));
      const activity = createActivityLog({ clock, onAdd: (e) => emit('activity:added', e) });
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
        secrets,
        rememberInsecureSecrets: () => base.rememberInsecureSecrets(),
        dataDir: o.dataDir,
      });
    },
  };
}
