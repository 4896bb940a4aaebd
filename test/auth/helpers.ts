// Shared set-up of the auth tests against the bench's OpenID provider: a real AccountStore (conf)
// and SecretStore in a temp dir, an AuthService trusting the bench CA through `httpsCa` (never a
// global), and a BrowserOpener that drives the provider's pages over HTTP (the bench's
// loginWithHttp) the way a user's browser would, delivering the redirect to our listener.
//
// The SecretBox is createEphemeralSecretBox(): real AES-256-GCM with a random in-process key, a
// legitimate implementation of the SecretBox port for tests (not a mock).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { benchCa, benchInfo, loginWithHttp, type LoginOptions } from '../bench/client.ts';
import { AuthService, type AuthServiceOptions } from '../../electron/auth/auth-service.ts';
import { openNodeAccountStore, type AccountStore } from '../../electron/store/account-store.ts';
import { createSecretStore, type SecretStore } from '../../electron/store/secret-store.ts';
import { createEphemeralSecretBox } from '../../electron/store/aes-secret-box.ts';
import type { BrowserOpener, SecretBox } from '../../electron/core/ports.ts';
import type { Account, AuthSettings } from '../../shared/account.ts';
import type { ProviderEntry } from '../../shared/providers.ts';

const base = {
  domains: [],
  mxSuffixes: [],
  protocolScopes: { imap: ['imap'], pop: ['pop'], smtp: ['smtp'] },
  mechanisms: ['OAUTHBEARER', 'XOAUTH2'],
  servers: {},
  deviceFlowForMail: true,
  notes: [],
} as const;

/** Catalog entries describing the bench's provider (data, like the real catalog's). */
export const BENCH_PROVIDERS: ProviderEntry[] = [
  { ...base, id: 'bench-oidc', label: 'Bench OIDC', adapter: 'oidc', baseScopes: ['openid', 'email', 'offline_access'], clientSecretRequired: false },
  {
    ...base,
    // Google-like: secret required, offline access parameters from the catalog.
    id: 'google',
    label: 'Bench as Google',
    adapter: 'oidc',
    baseScopes: ['openid', 'email'],
    clientSecretRequired: true,
    deviceFlowForMail: false,
    authParams: { access_type: 'offline', prompt: 'consent' },
  },
  {
    ...base,
    id: 'bench-ms',
    label: 'Bench as Microsoft',
    adapter: 'msal',
    baseScopes: ['offline_access', 'openid', 'email', 'profile'],
    clientSecretRequired: false,
    // oidc-provider grants offline_access only with prompt=consent (TEST-BENCH-NOTES.md), and
    // MSAL asks for offline_access on every refresh: without it the refresh is invalid_scope.
    // Entra grants it without; the real Microsoft catalog entries carry no authParams.
    authParams: { prompt: 'consent' },
  },
];

export type Harness = {
  dir: string;
  box: SecretBox;
  accounts: AccountStore;
  secrets: SecretStore;
  auth: AuthService;
  opened: string[];
  logs: string[];
  browser: { user: string; options: LoginOptions; fail?: boolean; hang?: boolean };
};

/** `share`: another harness's data dir and key (a second process on the same store). */
export function harness(extra: Partial<AuthServiceOptions> = {}, share?: Harness): Harness {
  const dir = share?.dir ?? mkdtempSync(join(tmpdir(), 'moa-auth-'));
  const box = share?.box ?? createEphemeralSecretBox();
  const accounts = openNodeAccountStore({ cwd: dir });
  const secrets = extra.secrets ?? createSecretStore({ box, dir: join(dir, 'secrets') });
  const opened: string[] = [];
  const logs: string[] = [];
  const browser: Harness['browser'] = { user: 'alice@example.test', options: {} };
  const opener: BrowserOpener = {
    open: async (url) => {
      opened.push(url);
      if (browser.fail) throw new Error('no browser');
      // A closed tab: the browser opened, the user never finished.
      if (browser.hang) return;
      await loginWithHttp(url, { deliver: true, user: browser.user, ...browser.options });
    },
  };
  const auth = new AuthService({
    accounts,
    secrets,
    browser: opener,
    providers: BENCH_PROVIDERS,
    httpsCa: benchCa(),
    log: (l) => logs.push(l),
    ...extra,
  });
  return { dir, box, accounts, secrets, auth, opened, logs, browser };
}

export function oidcAuth(clientId: string, flow: 'delegated' | 'app-only' = 'delegated', issuer = benchInfo().issuer): AuthSettings {
  return { adapter: 'oidc', issuer, clientId, flow, authParams: {} };
}

export function msalAuth(clientId: string, flow: 'delegated' | 'app-only' = 'delegated'): AuthSettings {
  return { adapter: 'msal', authority: benchInfo().issuer, clientId, flow, oidcMode: true };
}

const on = (port: number) => ({ enabled: true, host: '127.0.0.1', port, security: 'tls' as const });

export function addAccount(h: Harness, opts: { providerId: string; auth: AuthSettings; address?: string; scopes?: string[]; pop?: boolean }): Account {
  const now = Date.now();
  const servers = benchInfo().mail.main;
  return h.accounts.put({
    id: `acc-${randomBytes(4).toString('hex')}`,
    label: 'test',
    address: opts.address ?? 'alice@example.test',
    providerId: opts.providerId,
    auth: opts.auth,
    scopes: opts.scopes ?? [],
    servers: {
      imap: on(servers.imap.tls.port),
      smtp: on(servers.smtp.tls.port),
      ...(opts.pop ? { pop: on(servers.pop3.tls.port) } : {}),
    },
    createdAt: now,
    updatedAt: now,
  });
}

export function unwrap<T>(r: { ok: true; value: T } | { ok: false; error: { code: string; message: string; detail?: string } }): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message} ${r.error.detail ?? ''}`);
  return r.value;
}

export function errorCode(r: { ok: boolean; error?: { code: string } }): string {
  return r.ok ? 'ok' : (r.error?.code ?? '?');
}
