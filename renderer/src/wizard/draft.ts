// The wizard's form state (a Draft) and its mapping to the contract's Account: everything typed
// lives here, so a failure or leaving the wizard never loses it. Provider differences come from
// the catalog (shared/providers.ts), never from branches on a provider id.
import { Email, enabledProtocols, type Account, type Servers } from '../../../shared/account.ts';
import { AccountInput } from '../../../shared/ipc.ts';
import {
  MICROSOFT_CLOUDS,
  PROTOCOLS,
  providerById,
  type MicrosoftCloud,
  type Protocol,
  type ProviderEntry,
  type Security,
} from '../../../shared/providers.ts';
import { formatDay, isGuid, isTenant, parseDay } from '../../../shared/registration-scripts.ts';

// The step names live in steps.ts: the dashboard needs them, and importing them from here would
// put the whole draft model (and what it imports) into the initial bundle.
import { type WizardStep } from './steps.ts';
export { ACTION_STEP, STEP_TITLES, STEPS, type WizardStep } from './steps.ts';

export type ServerForm = { enabled: boolean; host: string; port: string; security: Security };

export type Draft = {
  id?: string;
  status: 'draft' | 'ready';
  step: WizardStep;
  address: string;
  providerId: string;
  /** The user chose the provider themselves: detection no longer changes it. */
  providerPicked: boolean;
  flow: 'delegated' | 'app-only';
  /** A shared mailbox (info@, support@): someone else, the delegate, signs in. */
  shared: boolean;
  /** The delegate's own address (who signs in), when `shared`. */
  signInAs: string;
  cloudId: string;
  tenant: string;
  clientId: string;
  issuer: string;
  /** Generic providers: the mail scopes, space separated. */
  mailScopes: string;
  servers: Record<Protocol, ServerForm>;
  /** Google: the consent screen's publishing status ('' = not said). Testing ends sign-ins after 7 days. */
  consentStatus: '' | 'testing' | 'production';
  /** The client secret's end date, YYYY-MM-DD ('' = not said / does not end). */
  secretExpires: string;
  /** Kept as they were saved, not edited here: the name given with `mail-oauth add/edit --name`
   * (helper lines in mail clients use it), and the account whose sign-in this one reuses. */
  name?: string;
  grantFrom?: string;
  /** The scopes as saved, when they differ from what the wizard would choose (set elsewhere, e.g.
   * `mail-oauth edit --scopes`): kept while what decides the scopes (`basis`: provider, flow,
   * cloud, protocols, typed mail scopes) is as it was, so saving here never undoes that change. */
  keptScopes?: { scopes: string[]; basis: string };
  // Helpers of the register step, kept only in this window's storage (not secrets).
  checked: string[];
  spObjectId: string;
  mailbox: string;
  appName: string;
};

export const emptyServer = (enabled: boolean): ServerForm => ({ enabled, host: '', port: '', security: 'tls' });

export function newDraft(): Draft {
  return {
    status: 'draft',
    step: 'account',
    address: '',
    providerId: '',
    providerPicked: false,
    flow: 'delegated',
    shared: false,
    signInAs: '',
    cloudId: 'global',
    tenant: '',
    clientId: '',
    issuer: '',
    mailScopes: '',
    servers: { imap: emptyServer(true), pop: emptyServer(false), smtp: emptyServer(true) },
    consentStatus: '',
    secretExpires: '',
    checked: [],
    spObjectId: '',
    mailbox: '',
    appName: 'Mail OAuth Assistant',
  };
}

export const cloudOf = (d: Draft): MicrosoftCloud => MICROSOFT_CLOUDS.find((c) => c.id === d.cloudId) ?? (MICROSOFT_CLOUDS[0] as MicrosoftCloud);
export const providerOf = (d: Draft): ProviderEntry | undefined => providerById(d.providerId);
export const protocolsOf = (d: Draft): Protocol[] => PROTOCOLS.filter((p) => d.servers[p].enabled);
export const splitScopes = (s: string): string[] => s.split(/[\s,]+/).filter(Boolean);
const unique = (xs: readonly string[]): string[] => [...new Set(xs)];

/** The catalog's server defaults for a provider (national clouds swap the Microsoft hosts). */
export function catalogServers(d: Draft, provider: ProviderEntry): Record<Protocol, ServerForm> {
  const cloud = provider.adapter === 'msal' ? cloudOf(d) : undefined;
  const out = { ...d.servers };
  for (const p of PROTOCOLS) {
    const def = provider.servers[p];
    if (!def) continue;
    const host = cloud && cloud.id !== 'global' ? { imap: cloud.imapHost, pop: cloud.popHost, smtp: cloud.smtpHost }[p] : def.host;
    out[p] = { enabled: d.servers[p].enabled, host, port: String(def.port), security: def.security };
  }
  return out;
}

/** Choosing a provider resets what depends on it (tenant, issuer, catalog servers); typed ids stay. */
export function withProvider(d: Draft, provider: ProviderEntry, picked: boolean): Draft {
  const next: Draft = {
    ...d,
    providerId: provider.id,
    providerPicked: picked,
    tenant: provider.defaultTenant ?? '',
    issuer: provider.issuer ?? (provider.id === d.providerId ? d.issuer : ''),
    flow: provider.adapter === 'msal' ? d.flow : 'delegated',
  };
  if (Object.keys(provider.servers).length > 0) next.servers = catalogServers(next, provider);
  return next;
}

/** Scopes the account requests: the enabled protocols' scopes (or the user's, for generic
 * providers) plus the base scopes; app-only asks for the resource's `.default`. */
export function scopesOf(d: Draft): string[] {
  if (scopesKept(d)) return [...(d.keptScopes?.scopes ?? [])];
  return chosenScopes(d);
}

/** What decides the wizard's choice of scopes (see keptScopes). */
const scopeBasis = (d: Draft): string => JSON.stringify([d.providerId, d.flow, d.cloudId, protocolsOf(d), splitScopes(d.mailScopes)]);

/** The account keeps the scopes it was saved with (changed outside the wizard); changing the
 * provider, flow, cloud, protocols or mail scopes here chooses them again. */
export const scopesKept = (d: Draft): boolean => d.keptScopes !== undefined && d.keptScopes.basis === scopeBasis(d);

/** What the "Requests:" lines (register and sign-in steps) add when the saved scopes are kept. */
export const keptScopesNote = (d: Draft): string => (scopesKept(d) ? ' (as saved with the account; changing the protocols or the provider chooses them again)' : '');

function chosenScopes(d: Draft): string[] {
  const provider = providerOf(d);
  if (!provider) return [];
  if (provider.adapter === 'msal' && d.flow === 'app-only') return [`${cloudOf(d).appOnlyResource}/.default`];
  const catalogMail = protocolsOf(d).flatMap((p) => provider.protocolScopes[p]);
  const mail = catalogMail.length > 0 || !isUserScoped(provider) ? catalogMail : splitScopes(d.mailScopes);
  return unique([...mail, ...provider.baseScopes]);
}

/** The catalog has no mail scopes for this provider: the user enters them. */
export const isUserScoped = (p: ProviderEntry): boolean => PROTOCOLS.every((x) => p.protocolScopes[x].length === 0);

/** The issuer the register step checks: the OIDC issuer, or the Microsoft tenant's v2.0 issuer. */
export function issuerToCheck(d: Draft): string {
  const provider = providerOf(d);
  if (provider?.adapter === 'msal') return `${cloudOf(d).authorityHost}/${d.tenant.trim()}/v2.0`;
  return normalizeIssuer(d.issuer);
}

/** Accept the discovery document's URL too: the issuer is what precedes /.well-known/. */
export function normalizeIssuer(s: string): string {
  return s.trim().replace(/\/\.well-known\/(?:openid-configuration|oauth-authorization-server)\/?$/, '');
}

function serversOf(d: Draft): Servers {
  const out: Servers = {};
  for (const p of PROTOCOLS) {
    const s = d.servers[p];
    const port = Number(s.port);
    if (s.host.trim() !== '' && Number.isInteger(port) && port >= 1 && port <= 65535) {
      out[p] = { enabled: s.enabled, host: s.host.trim(), port, security: s.security };
    }
  }
  return out;
}

/** The provider has a consent screen whose "Testing" status limits sign-ins (Google). */
export const asksConsentStatus = (p: ProviderEntry | undefined): boolean => p?.refreshTokenLimits?.testingDays !== undefined;

/** The draft as the contract's AccountInput, or null while it is not yet complete enough to save
 * (an account needs at least the address, the provider and a client id). */
export function toAccountInput(d: Draft): AccountInput | null {
  const provider = providerOf(d);
  if (!provider) return null;
  const auth =
    provider.adapter === 'msal'
      ? { adapter: 'msal' as const, authority: `${cloudOf(d).authorityHost}/${d.tenant.trim()}`, clientId: d.clientId.trim(), flow: d.flow, oidcMode: false }
      : {
          adapter: 'oidc' as const,
          issuer: normalizeIssuer(d.issuer),
          clientId: d.clientId.trim(),
          flow: d.flow,
          authParams: { ...(provider.authParams ?? {}) },
        };
  const input = {
    ...(d.id ? { id: d.id } : {}),
    label: d.name ?? d.address.trim(),
    address: d.address.trim(),
    ...(sharedSigner(d) ? { signInAs: sharedSigner(d) } : {}),
    ...(d.grantFrom !== undefined ? { grantFrom: d.grantFrom } : {}),
    providerId: provider.id,
    auth,
    scopes: scopesOf(d),
    servers: serversOf(d),
    status: d.status,
    wizardStep: d.step,
    ...(d.consentStatus !== '' && asksConsentStatus(provider) ? { consentStatus: d.consentStatus } : {}),
    ...(parseDay(d.secretExpires) !== undefined ? { clientSecretExpiresAt: parseDay(d.secretExpires) } : {}),
  };
  const parsed = AccountInput.safeParse(input);
  return parsed.success ? input : null;
}

/** The delegate who signs in for a shared mailbox (delegated flow only), normalised, or undefined. */
export function sharedSigner(d: Draft): string | undefined {
  if (!d.shared || d.flow !== 'delegated') return undefined;
  const who = Email.safeParse(d.signInAs);
  return who.success && who.data !== d.address.trim().toLowerCase() ? who.data : undefined;
}

export type LocalExtras = Pick<Draft, 'checked' | 'spObjectId' | 'mailbox' | 'appName'> & { protocols: Protocol[] };

export function fromAccount(a: Account, extras?: Partial<LocalExtras>): Draft {
  const d = newDraft();
  const provider = providerById(a.providerId);
  d.id = a.id;
  d.status = a.status;
  d.step = a.wizardStep ?? (a.status === 'ready' ? 'done' : 'account');
  d.address = a.address;
  if (a.label !== a.address) d.name = a.label;
  if (a.grantFrom !== undefined) d.grantFrom = a.grantFrom;
  d.providerId = a.providerId;
  d.providerPicked = true;
  d.clientId = a.auth.clientId;
  d.flow = a.auth.flow;
  d.shared = a.signInAs !== undefined;
  d.signInAs = a.signInAs ?? '';
  if (a.auth.adapter === 'msal') {
    const url = new URL(a.auth.authority);
    d.cloudId = MICROSOFT_CLOUDS.find((c) => new URL(c.authorityHost).origin === url.origin)?.id ?? 'global';
    d.tenant = url.pathname.replace(/^\/+|\/+$/g, '');
  } else {
    d.issuer = a.auth.issuer;
  }
  if (a.consentStatus !== undefined) d.consentStatus = a.consentStatus;
  if (a.clientSecretExpiresAt !== undefined) d.secretExpires = formatDay(a.clientSecretExpiresAt);
  if (provider && isUserScoped(provider)) d.mailScopes = a.scopes.filter((s) => !provider.baseScopes.includes(s)).join(' ');
  const enabled = extras?.protocols ?? enabledProtocols(a.servers);
  for (const p of PROTOCOLS) {
    const s = a.servers[p];
    d.servers[p] = s
      ? { enabled: s.enabled, host: s.host, port: String(s.port), security: s.security }
      : { ...emptyServer(enabled.includes(p)) };
  }
  if (extras?.checked) d.checked = extras.checked;
  if (extras?.spObjectId) d.spObjectId = extras.spObjectId;
  if (extras?.mailbox) d.mailbox = extras.mailbox;
  if (extras?.appName) d.appName = extras.appName;
  const chosen = chosenScopes(d);
  if (a.scopes.length !== chosen.length || a.scopes.some((x) => !chosen.includes(x))) d.keptScopes = { scopes: [...a.scopes], basis: scopeBasis(d) };
  return d;
}

export const extrasOf = (d: Draft): LocalExtras => ({
  checked: d.checked,
  spObjectId: d.spObjectId,
  mailbox: d.mailbox,
  appName: d.appName,
  protocols: protocolsOf(d),
});

// ---------------------------------------------------------------- validation, per step

export type FieldErrors = Partial<Record<string, string>>;

export function accountErrors(d: Draft): FieldErrors {
  const e: FieldErrors = {};
  if (!Email.safeParse(d.address).success) e.address = 'Enter a full email address, like name@example.com.';
  if (!providerOf(d)) e.provider = 'Choose who provides this mailbox.';
  if (protocolsOf(d).length === 0) e.protocols = 'Choose at least one: reading (IMAP or POP) or sending (SMTP).';
  if (d.shared && d.flow === 'delegated') {
    if (!Email.safeParse(d.signInAs).success) e.signInAs = 'Enter the address of the person who signs in, like name@example.com.';
    else if (d.signInAs.trim().toLowerCase() === d.address.trim().toLowerCase()) {
      e.signInAs = 'That is the shared mailbox itself: enter the delegate’s own address (the person with Full Access).';
    }
  }
  return e;
}

export function registerErrors(d: Draft, opts: { secretStored: boolean }): FieldErrors {
  const e: FieldErrors = {};
  const provider = providerOf(d);
  if (!provider) return { provider: 'Choose a provider first.' };
  const clientId = d.clientId.trim();
  if (clientId === '') e.clientId = 'Paste the client ID from the registration.';
  else if (provider.adapter === 'msal' && !isGuid(clientId))
    e.clientId = 'The Application (client) ID is a GUID like 1a2b3c4d-1234-4abc-9def-0123456789ab (Overview page of the app).';
  else if (/\s/.test(clientId)) e.clientId = 'The client ID has no spaces: copy it again.';
  if (provider.adapter === 'msal') {
    if (!isTenant(d.tenant)) e.tenant = 'Enter the Directory (tenant) ID (a GUID), a verified domain, or organizations / common / consumers.';
    else if (d.flow === 'app-only' && ['common', 'organizations', 'consumers'].includes(d.tenant.trim().toLowerCase()))
      e.tenant = 'App-only access needs your own tenant: paste the Directory (tenant) ID.';
  } else {
    const issuer = normalizeIssuer(d.issuer);
    if (!/^https:\/\/[^\s/]+/i.test(issuer)) e.issuer = 'Enter the provider’s issuer or discovery URL, starting with https://.';
  }
  if (provider.adapter === 'oidc' && isUserScoped(provider) && splitScopes(d.mailScopes).length === 0)
    e.mailScopes = 'Enter the scope(s) your provider’s mail servers require.';
  const needsSecret = provider.clientSecretRequired || (provider.adapter === 'msal' && d.flow === 'app-only');
  if (needsSecret && !opts.secretStored) e.secret = 'Paste the client secret and store it.';
  if (d.secretExpires.trim() !== '' && parseDay(d.secretExpires) === undefined) e.secretExpires = 'A date like 2027-06-30, or leave it empty.';
  return e;
}

/** An example host per protocol for the field errors (an SMTP field is not "like imap..."). */
const HOST_EXAMPLE: Readonly<Record<Protocol, string>> = { imap: 'imap.example.com', pop: 'pop.example.com', smtp: 'smtp.example.com' };

export function serverErrors(d: Draft): FieldErrors {
  const e: FieldErrors = {};
  const enabled = protocolsOf(d);
  if (enabled.length === 0) e.protocols = 'Switch on at least one protocol.';
  for (const p of enabled) {
    const s = d.servers[p];
    if (!/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/i.test(s.host.trim())) e[`${p}.host`] = `Enter the server name, like ${HOST_EXAMPLE[p]}.`;
    const port = Number(s.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) e[`${p}.port`] = 'A port is a number from 1 to 65535.';
  }
  return e;
}
