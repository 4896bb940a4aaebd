// The core's stores and auth service without the IPC handlers: what every shell needs, and all
// that the CLI's `token` needs. Kept apart from compose.ts (which adds the handlers, and with them
// discovery and the probe engine) so that printing a token does not load imapflow or nodemailer.
import { join } from 'node:path';
import { AuthService } from '../auth/auth-service.ts';
import { openNodeAccountStore, type AccountStore } from '../store/account-store.ts';
import { createSecretStore, type SecretStore } from '../store/secret-store.ts';
import { openJsonFile } from '../store/json-file.ts';
import type { CoreServices } from './handlers.ts';
import { systemClock, type BrowserOpener, type Clock, type SecretBox } from './ports.ts';

export type CoreServicesOptions = {
  shell: CoreServices['shell'];
  version: string;
  platform?: string;
  /** Where account settings and encrypted secrets live. */
  dataDir: string;
  secretBox: SecretBox;
  browser: BrowserOpener;
  clock?: Clock;
  /** The app passes its electron-store-backed store; others get accounts.json in dataDir (json-file.ts). */
  accounts?: AccountStore;
  /** Extra trusted CA (PEM) for identity providers, mail servers and autoconfig. */
  ca?: string;
  /** The user chose to keep secrets without OS encryption (CLI --insecure-store). */
  allowInsecureSecrets?: boolean;
  /** Where the app remembers the user's choices (electron-store in the app; preferences.json in dataDir otherwise). */
  preferences?: Preferences;
  /** Silent renewal that needs the user opens the browser (the app), instead of failing (the CLI). */
  interactiveFallback?: boolean;
};

export type CoreStores = {
  accounts: AccountStore;
  secrets: SecretStore;
  auth: AuthService;
  clock: Clock;
  /** The user's choices (conf / electron-store in the data dir; the bridge settings live here too:
   * electron/core/bridge-settings.ts). */
  preferences: Preferences;
  /** Remember "keep secrets without OS encryption" with the data (asked once, not per command). */
  rememberInsecureSecrets(): void;
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

export function createCoreServices(o: CoreServicesOptions): CoreStores {
  const clock = o.clock ?? systemClock;
  const accounts = o.accounts ?? openNodeAccountStore({ cwd: o.dataDir, clock });
  const preferences: Preferences = o.preferences ?? openPreferences(() => openJsonFile(join(o.dataDir, 'preferences.json'), { mode: 0o600 }));
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
    clock,
    preferences,
    rememberInsecureSecrets: () => {
      if (preferences.get(INSECURE_SECRETS) !== true) preferences.set(INSECURE_SECRETS, true);
    },
  };
}
