// The account record: only non-secret facts. Tokens and client secrets live in the encrypted
// secret store (electron/store/), keyed by the account id.
import { z } from 'zod';
import { Security, type Protocol } from './providers.ts';

export const Email = z.string().trim().toLowerCase().email('Enter a full email address, like name@example.com');

export const ServerSettings = z.object({
  enabled: z.boolean(),
  host: z.string().trim().min(1, 'Enter the server name').max(253),
  port: z.number().int().min(1).max(65535),
  security: Security,
});
export type ServerSettings = z.infer<typeof ServerSettings>;

export const Servers = z.object({
  imap: ServerSettings.optional(),
  pop: ServerSettings.optional(),
  smtp: ServerSettings.optional(),
});
export type Servers = z.infer<typeof Servers>;

/** How the account gets its tokens. `msal`: Microsoft (MSAL Node); `oidc`: Google and any OpenID
 * Connect / OAuth 2.0 provider (openid-client). */
export const AuthSettings = z.discriminatedUnion('adapter', [
  z.object({
    adapter: z.literal('msal'),
    /** Authority URL: https://login.microsoftonline.com/<tenant> (or a national cloud host). */
    authority: z.string().url(),
    clientId: z.string().min(1),
    /** `delegated`: a user signs in; `app-only`: client credentials for a mailbox (admin consent). */
    flow: z.enum(['delegated', 'app-only']),
    /** Non-Microsoft authorities (tests, ADFS-like) need protocolMode OIDC + knownAuthorities. */
    oidcMode: z.boolean().default(false),
  }),
  z.object({
    adapter: z.literal('oidc'),
    issuer: z.string().url(),
    clientId: z.string().min(1),
    flow: z.enum(['delegated', 'app-only']).default('delegated'),
    /** Extra authorization parameters (Google: access_type=offline, prompt=consent). */
    authParams: z.record(z.string(), z.string()).default({}),
  }),
]);
export type AuthSettings = z.infer<typeof AuthSettings>;

/** What the last authorization established (from the token response; no token values). */
export const Identity = z.object({
  username: z.string().optional(),
  homeAccountId: z.string().optional(),
  grantedScopes: z.array(z.string()),
  expiresAt: z.number().optional(),
  hasRefreshToken: z.boolean(),
  authorizedAt: z.number(),
});
export type Identity = z.infer<typeof Identity>;

export const LastTest = z.object({
  at: z.number(),
  ok: z.boolean(),
  summary: z.string(),
  codes: z.array(z.string()),
});

export const Account = z.object({
  id: z.string().min(1),
  label: z.string().max(200),
  /** The mailbox: what mail servers are told (SASL user), what clients use as the login name. */
  address: Email,
  /** Who signs in, when that is not the mailbox itself: a delegate with Full Access to a shared
   * mailbox (Exchange Online: the delegate's own token opens the shared mailbox when the SASL user
   * is the shared address). Unset = the address signs in. The wrong-user check compares the
   * signed-in identity with this (signerOf). */
  signInAs: Email.optional(),
  /** Id of another account whose sign-in (grant) this account uses instead of its own: several
   * shared mailboxes opened by one delegate need one browser sign-in. The owner keeps the only
   * copy of the secrets and refreshes them under its own lock; this account stores none. One
   * level only (the owner has no grantFrom), same provider and auth settings as the owner. */
  grantFrom: z.string().min(1).optional(),
  providerId: z.string().min(1),
  auth: AuthSettings,
  /** Scopes the account requests (derived from the provider and enabled protocols, editable for generic). */
  scopes: z.array(z.string()),
  servers: Servers,
  /** PEM text of extra CA certificate(s) this account trusts (IdP, autoconfig, mail servers). */
  caPem: z.string().max(65536).optional(),
  /** Google consent-screen publishing status, asked in the wizard: "testing" apps get refresh
   * tokens that die after 7 days (electron/health/ warns before). Unset: not asked / not Google. */
  consentStatus: z.enum(['testing', 'production']).optional(),
  /** When the stored client secret expires (ms since epoch), as the registration script printed it. */
  clientSecretExpiresAt: z.number().int().positive().optional(),
  identity: Identity.optional(),
  lastTest: LastTest.optional(),
  /** `draft` while the setup wizard is not finished; the wizard resumes at `wizardStep`. */
  status: z.enum(['draft', 'ready']).default('draft'),
  wizardStep: z.enum(['account', 'register', 'authorize', 'configure', 'test', 'done']).optional(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type Account = z.infer<typeof Account>;

/** The SASL user (IMAP/POP/SMTP login name, bridge lookup, client settings): always the mailbox
 * address, also for a shared mailbox opened with a delegate's token (PROVIDERS.md). */
export const saslUser = (a: Pick<Account, 'address'>): string => a.address;

/** Who is expected to sign in: the delegate of a shared mailbox, else the mailbox itself. */
export const signerOf = (a: Pick<Account, 'address' | 'signInAs'>): string => a.signInAs ?? a.address;

/** A shared mailbox: someone other than the mailbox signs in. */
export const isSharedMailbox = (a: Pick<Account, 'address' | 'signInAs'>): boolean => a.signInAs !== undefined && a.signInAs !== a.address;

export const enabledProtocols = (servers: Servers): Protocol[] =>
  (['imap', 'pop', 'smtp'] as const).filter((p) => servers[p]?.enabled === true);

/**
 * Why `account` cannot use `owner`'s sign-in (grantFrom), or undefined when it can. The sign-in is
 * one grant with one set of scopes at one provider for one person: the owner must be that person
 * (its signer is the account's), at the same provider with the same app, and not itself borrow.
 */
export function grantProblem(account: Pick<Account, 'id' | 'address' | 'signInAs' | 'providerId' | 'auth'>, owner: Pick<Account, 'id' | 'address' | 'signInAs' | 'providerId' | 'auth' | 'grantFrom'> | undefined): string | undefined {
  if (!owner) return 'no such account to reuse the sign-in of';
  if (owner.id === account.id) return 'an account cannot reuse its own sign-in';
  if (owner.grantFrom !== undefined) return `${owner.address} itself reuses another account's sign-in; reuse that account's instead`;
  if (owner.auth.flow !== account.auth.flow) return `${owner.address} signs in another way (${owner.auth.flow})`;
  if (owner.providerId !== account.providerId || JSON.stringify(owner.auth) !== JSON.stringify(account.auth)) {
    return `${owner.address} uses another provider or app registration`;
  }
  if (account.auth.flow === 'delegated' && signerOf(owner) !== signerOf(account)) {
    return `${owner.address} signs in as ${signerOf(owner)}, not as ${signerOf(account)}`;
  }
  return undefined;
}
