// The provider catalog: everything that differs between providers, as data (../shared/PROVIDERS.md).
// Logic never branches on a provider id; it reads these fields.
// No zod here: the CLI's early connection to a token endpoint (electron/cli/warm-token.ts) reads
// this catalog before anything else loads, and zod costs it ~8 ms (issue 10). The enums' schemas
// are in providers.ts, which every other module imports.

/** The enums' values, in order; providers.ts builds their zod schemas from these. */
export const PROTOCOL_NAMES = ['imap', 'pop', 'smtp'] as const;
export type Protocol = (typeof PROTOCOL_NAMES)[number];
export const PROTOCOLS: readonly Protocol[] = PROTOCOL_NAMES;

/** `tls`: implicit TLS from the first byte; `starttls`: upgrade after the greeting (never downgraded);
 * `none`: plaintext, only for local test servers and refused for OAuth unless the user insists. */
export const SECURITY_NAMES = ['tls', 'starttls', 'none'] as const;
export type Security = (typeof SECURITY_NAMES)[number];

export const SASL_MECHANISM_NAMES = ['XOAUTH2', 'OAUTHBEARER'] as const;
export type SaslMechanism = (typeof SASL_MECHANISM_NAMES)[number];

export type ServerDefault = { host: string; port: number; security: Security };

export type MicrosoftCloud = {
  id: string;
  label: string;
  /** Authority host, e.g. https://login.microsoftonline.com */
  authorityHost: string;
  /** Resource host of the Outlook scopes, e.g. https://outlook.office.com */
  scopeResource: string;
  /** Resource of the app-only `.default` scope. */
  appOnlyResource: string;
  imapHost: string;
  popHost: string;
  smtpHost: string;
};

export type ProviderEntry = {
  id: string;
  label: string;
  /** Which adapter authorizes: MSAL for Microsoft, openid-client for everything else. */
  adapter: 'msal' | 'oidc';
  /** Email domains that identify the provider directly. */
  domains: readonly string[];
  /** MX host suffixes that identify the provider for custom domains. */
  mxSuffixes: readonly string[];
  /** Scopes per protocol, requested only for enabled protocols (least privilege). */
  protocolScopes: Readonly<Record<Protocol, readonly string[]>>;
  /** Scopes always added (refresh token, identity). */
  baseScopes: readonly string[];
  /** SASL mechanisms the servers accept, in order of preference. */
  mechanisms: readonly SaslMechanism[];
  servers: Readonly<Partial<Record<Protocol, ServerDefault>>>;
  /** OpenID issuer for discovery, when the provider has one we can use. */
  issuer?: string;
  endpoints?: { authorization: string; token: string; revocation?: string; deviceAuthorization?: string };
  /** Extra authorization request parameters (Google: offline access needs these). */
  authParams?: Readonly<Record<string, string>>;
  /** The provider issues a client secret even to desktop apps and requires it. */
  clientSecretRequired: boolean;
  /** Microsoft tenant default (`common`, `organizations`, `consumers`). */
  defaultTenant?: string;
  /** The device flow cannot grant the mail scope (Google). */
  deviceFlowForMail: boolean;
  /** Where the user registers an app, shown in the wizard (https only; opened by the main process). */
  registrationUrl?: string;
  /** Notes shown in the wizard: defaults that break mail (protocol switched off, 7-day expiry). */
  notes: readonly string[];
  /** Notes that matter only when that protocol is enabled (a POP switch is noise for IMAP users). */
  protocolNotes?: Readonly<Partial<Record<Protocol, readonly string[]>>>;
  /** How long the provider keeps a refresh token alive (electron/health/ warns before these dates).
   * `unusedDays`: it dies after this long without a refresh; `testingDays`: lifetime of every
   * refresh token while the app's consent screen is in "Testing" (Google). */
  refreshTokenLimits?: { unusedDays?: number; testingDays?: number };
};

const MS_SCOPES = (resource: string) => ({
  imap: [`${resource}/IMAP.AccessAsUser.All`],
  pop: [`${resource}/POP.AccessAsUser.All`],
  smtp: [`${resource}/SMTP.Send`],
});

export const MICROSOFT_CLOUDS: readonly MicrosoftCloud[] = [
  {
    id: 'global',
    label: 'Microsoft global cloud',
    authorityHost: 'https://login.microsoftonline.com',
    scopeResource: 'https://outlook.office.com',
    appOnlyResource: 'https://outlook.office365.com',
    imapHost: 'outlook.office365.com',
    popHost: 'outlook.office365.com',
    smtpHost: 'smtp.office365.com',
  },
  {
    id: 'usgov',
    label: 'Microsoft 365 GCC High / DoD',
    authorityHost: 'https://login.microsoftonline.us',
    scopeResource: 'https://outlook.office365.us',
    appOnlyResource: 'https://outlook.office365.us',
    imapHost: 'outlook.office365.us',
    popHost: 'outlook.office365.us',
    smtpHost: 'smtp.office365.us',
  },
  {
    id: 'china',
    label: 'Microsoft 365 operated by 21Vianet',
    authorityHost: 'https://login.chinacloudapi.cn',
    scopeResource: 'https://partner.outlook.cn',
    appOnlyResource: 'https://partner.outlook.cn',
    imapHost: 'partner.outlook.cn',
    popHost: 'partner.outlook.cn',
    smtpHost: 'smtp.partner.outlook.cn',
  },
];

export const PROVIDERS: readonly ProviderEntry[] = [
  {
    id: 'microsoft-365',
    label: 'Microsoft 365 (work or school)',
    adapter: 'msal',
    domains: [],
    mxSuffixes: ['.mail.protection.outlook.com', '.mail.protection.outlook.de'],
    protocolScopes: MS_SCOPES('https://outlook.office.com'),
    baseScopes: ['offline_access', 'openid', 'email', 'profile'],
    mechanisms: ['XOAUTH2'],
    servers: {
      imap: { host: 'outlook.office365.com', port: 993, security: 'tls' },
      pop: { host: 'outlook.office365.com', port: 995, security: 'tls' },
      smtp: { host: 'smtp.office365.com', port: 587, security: 'starttls' },
    },
    clientSecretRequired: false,
    defaultTenant: 'organizations',
    // Refresh tokens live 90 days and are replaced at each use (not configurable).
    refreshTokenLimits: { unusedDays: 90 },
    deviceFlowForMail: true,
    registrationUrl: 'https://entra.microsoft.com/#view/Microsoft_AAD_RegisteredApps/ApplicationsListBlade',
    notes: [],
    // Set-CASMailbox and Set-TransportConfig exist only in an Exchange Online PowerShell session:
    // without Connect-ExchangeOnline first they fail with "not recognized as the name of a cmdlet".
    protocolNotes: {
      smtp: [
        'New tenants have SMTP AUTH switched off. In PowerShell, as an Exchange admin: Install-Module ExchangeOnlineManagement, then Connect-ExchangeOnline. For the whole tenant: Set-TransportConfig -SmtpClientAuthenticationDisabled $false; or for one mailbox: Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false.',
      ],
      imap: [
        'IMAP can be switched off per mailbox. After Connect-ExchangeOnline (ExchangeOnlineManagement module): Set-CASMailbox -Identity <mailbox> -ImapEnabled $true.',
      ],
      pop: [
        'POP can be switched off per mailbox. After Connect-ExchangeOnline (ExchangeOnlineManagement module): Set-CASMailbox -Identity <mailbox> -PopEnabled $true.',
      ],
    },
  },
  {
    id: 'outlook-com',
    label: 'Outlook.com (personal Microsoft account)',
    adapter: 'msal',
    domains: ['outlook.com', 'hotmail.com', 'live.com', 'msn.com', 'outlook.de', 'outlook.fr', 'hotmail.co.uk', 'live.co.uk'],
    mxSuffixes: ['.olc.protection.outlook.com'],
    protocolScopes: MS_SCOPES('https://outlook.office.com'),
    baseScopes: ['offline_access', 'openid', 'email', 'profile'],
    mechanisms: ['XOAUTH2'],
    servers: {
      imap: { host: 'outlook.office365.com', port: 993, security: 'tls' },
      pop: { host: 'outlook.office365.com', port: 995, security: 'tls' },
      smtp: { host: 'smtp-mail.outlook.com', port: 587, security: 'starttls' },
    },
    clientSecretRequired: false,
    defaultTenant: 'consumers',
    refreshTokenLimits: { unusedDays: 90 },
    deviceFlowForMail: true,
    registrationUrl: 'https://entra.microsoft.com/#view/Microsoft_AAD_RegisteredApps/ApplicationsListBlade',
    protocolNotes: {
      pop: ['POP is off by default: Outlook.com > Settings > Mail > Forwarding and IMAP > Let devices and apps use POP.'],
      imap: ['IMAP can be switched off: Outlook.com > Settings > Mail > Forwarding and IMAP.'],
    },
    notes: [
      'The app registration must allow personal Microsoft accounts (audience “Accounts in any organizational directory and personal Microsoft accounts”).',
    ],
  },
  {
    id: 'google',
    label: 'Google (Gmail or Google Workspace)',
    adapter: 'oidc',
    domains: ['gmail.com', 'googlemail.com'],
    mxSuffixes: ['.google.com', '.googlemail.com'],
    protocolScopes: {
      imap: ['https://mail.google.com/'],
      pop: ['https://mail.google.com/'],
      smtp: ['https://mail.google.com/'],
    },
    baseScopes: ['openid', 'email'],
    mechanisms: ['OAUTHBEARER', 'XOAUTH2'],
    servers: {
      imap: { host: 'imap.gmail.com', port: 993, security: 'tls' },
      pop: { host: 'pop.gmail.com', port: 995, security: 'tls' },
      smtp: { host: 'smtp.gmail.com', port: 465, security: 'tls' },
    },
    issuer: 'https://accounts.google.com',
    endpoints: {
      authorization: 'https://accounts.google.com/o/oauth2/v2/auth',
      token: 'https://oauth2.googleapis.com/token',
      revocation: 'https://oauth2.googleapis.com/revoke',
      deviceAuthorization: 'https://oauth2.googleapis.com/device/code',
    },
    authParams: { access_type: 'offline', prompt: 'consent' },
    // 6 months unused; 7 days for every token of an app whose consent screen is in "Testing".
    refreshTokenLimits: { unusedDays: 180, testingDays: 7 },
    clientSecretRequired: true,
    deviceFlowForMail: false,
    registrationUrl: 'https://console.cloud.google.com/apis/credentials',
    notes: [
      'Apps in “Testing” publishing status get refresh tokens that expire after 7 days.',
      'The Gmail scope is restricted: keep the app Internal (Workspace) or in Testing with your address as a test user.',
    ],
  },
  {
    id: 'yahoo',
    label: 'Yahoo Mail',
    adapter: 'oidc',
    domains: ['yahoo.com', 'ymail.com', 'rocketmail.com'],
    mxSuffixes: ['.yahoodns.net'],
    protocolScopes: { imap: ['mail-w'], pop: ['mail-w'], smtp: ['mail-w'] },
    baseScopes: ['openid'],
    mechanisms: ['XOAUTH2', 'OAUTHBEARER'],
    servers: {
      imap: { host: 'imap.mail.yahoo.com', port: 993, security: 'tls' },
      pop: { host: 'pop.mail.yahoo.com', port: 995, security: 'tls' },
      smtp: { host: 'smtp.mail.yahoo.com', port: 465, security: 'tls' },
    },
    issuer: 'https://api.login.yahoo.com',
    clientSecretRequired: true,
    deviceFlowForMail: false,
    registrationUrl: 'https://developer.yahoo.com/apps/',
    notes: ['Yahoo grants mail access only to approved apps with their own client registration.'],
  },
  {
    id: 'generic',
    label: 'Other provider (OpenID Connect / OAuth 2.0)',
    adapter: 'oidc',
    domains: [],
    mxSuffixes: [],
    protocolScopes: { imap: [], pop: [], smtp: [] },
    baseScopes: ['openid', 'email', 'offline_access'],
    mechanisms: ['OAUTHBEARER', 'XOAUTH2'],
    servers: {},
    clientSecretRequired: false,
    deviceFlowForMail: true,
    notes: ['Enter the provider’s discovery URL (issuer) and the scopes its mail servers require.'],
  },
];

export function providerById(id: string): ProviderEntry | undefined {
  return PROVIDERS.find((p) => p.id === id);
}

/** The notes for the protocols in use: the provider's general notes, then each enabled protocol's. */
export function notesFor(provider: ProviderEntry, protocols: readonly Protocol[]): string[] {
  const out = [...provider.notes];
  for (const p of PROTOCOLS) if (protocols.includes(p)) out.push(...(provider.protocolNotes?.[p] ?? []));
  return [...new Set(out)];
}

/** Provider by the address's domain, or undefined (then try MX, see electron/discover/). */
export function providerByDomain(address: string): ProviderEntry | undefined {
  const domain = address.split('@').pop()?.toLowerCase() ?? '';
  return PROVIDERS.find((p) => p.domains.includes(domain));
}

/** Provider by an MX host name (e.g. contoso-com.mail.protection.outlook.com -> Microsoft 365). */
export function providerByMx(mxHost: string): ProviderEntry | undefined {
  const host = mxHost.toLowerCase().replace(/\.$/, '');
  return PROVIDERS.find((p) => p.mxSuffixes.some((s) => host.endsWith(s)));
}
