// The composition root of the core, shared by the Electron main process, the development web host
// and the CLI: the stores, the auth service and the handlers, over the ports each shell provides.
import { join } from 'node:path';
import Conf from 'conf';
import { AuthService } from '../auth/auth-service.ts';
import { openNodeAccountStore, type AccountStore } from '../store/account-store.ts';
import { createSecretStore, type SecretStore } from '../store/secret-store.ts';
import { createActivityLog } from './activity.ts';
import { createHandlers, type CoreServices } from './handlers.ts';
import type { Emit, Handlers } from './ipc-dispatch.ts';
import { systemClock, type BrowserOpener, type ClipboardPort, type Clock, type SecretBox } from './ports.ts';

export type CoreOptions = {
  shell: CoreServices['shell'];
  version: string;
  platform?: string;
  /** Where account settings and encrypted secrets live. */
  dataDir: string;
  secretBox: SecretBox;
  browser: BrowserOpener;
  clipboard?: ClipboardPort;
  clock?: Clock;
  /** The app passes its electron-store-backed store; others get the conf one in dataDir. */
  accounts?: AccountStore;
  /** Extra trusted CA (PEM) for identity providers, mail servers and autoconfig. */
  ca?: string;
  dnsServers?: string[];
  /** The user chose to keep secrets without OS encryption (CLI --insecure-store). */
  allowInsecureSecrets?: boolean;
  /** Where the app remembers the user's choices (electron-store in the app; conf in dataDir otherwise). */
  preferences?: Preferences;
  /** Silent renewal that needs the user opens the browser (the app), instead of failing (the CLI). */
  interactiveFallback?: boolean;
};

export type Core = {
  accounts: AccountStore;
  secrets: SecretStore;
  auth: AuthService;
  handlers(emit: Emit): Handlers;
};

/** The part of conf / electron-store the preferences use. */
export type Preferences = { get(key: string): unknown; set(key: string, value: unknown): void };
const INSECURE_SECRETS = 'keepSecretsWithoutOsEncryption';

/** Preferences that never stop the app: a damaged file means defaults (the choice is asked again). */
export function openPreferences(create: () => Preferences): Preferences {
  try {
    return create();
  } catch {
    const memory = new Map<string, unknown>();
    return { get: (k) => memory.get(k), set: (k, v) => void memory.set(k, v) };
  }
}

export function createCore(o: CoreOptions): Core {
  const clock = o.clock ?? systemClock;
  const accounts = o.accounts ?? openNodeAccountStore({ cwd: o.dataDir, clock });
  const preferences: Preferences = o.preferences ?? openPreferences(() => new Conf<Record<string, unknown>>({ cwd: o.dataDir, configName: 'preferences', configFileMode: 0o600 }));
  const secrets = createSecretStore({
    box: o.secretBox,
    dir: join(o.dataDir, 'secrets'),
    ...(o.allowInsecureSecrets || preferences.get(INSECURE_SECRETS) === true ? { allowInsecure: true } : {}),
  });
  const auth = new AuthService({
    accounts,
    secrets,
    browser: o.browser,
    clock,
    ...(o.ca ? { httpsCa: o.ca } : {}),
    interactiveFallback: o.interactiveFallback ?? false,
  });
  return {
    accounts,
    secrets,
    auth,
    handlers(emit) {
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
        rememberInsecureSecrets: () => preferences.set(INSECURE_SECRETS, true),
      });
    },
  };
}
