// The one IPC contract between the renderer and the main process (DESIGN.md "Boundaries").
// Every channel is `domain:verb` with a zod schema for its input and its output; progress travels
// on typed event channels. The preload builds the renderer's API from this object, the main
// process registers its handlers from it, and the development web host carries the same calls.
import { z } from 'zod';
import { AppErrorSchema, resultSchema, type Result } from './result.ts';
import { ProbeProgress, ProbeReport } from './probe.ts';
import { Account } from './account.ts';
import { AuthFlow, AuthOutcome, AuthProgress } from './auth-outcome.ts';
import { DiscoveryResult } from './discovery.ts';
import { HealthList, HistoryEntry, TestSchedule } from './health.ts';
import { BridgeConfigureInput, BridgeStatus } from './bridge.ts';
import { BRIDGE_KEY, type ChannelName, type EventNameOnly } from './ipc-names.ts';

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  /** `electron` in the desktop app, `web-host` in the development web host. */
  shell: z.enum(['electron', 'web-host']),
  platform: z.string(),
  /** `available`: OS-backed encryption; `persisted`: secrets survive a restart (OS encryption, or
   * the user's explicit choice to keep them on disk without it). */
  secretStorage: z.object({ available: z.boolean(), backend: z.string(), persisted: z.boolean() }),
});
export type AppInfo = z.infer<typeof AppInfo>;

/** External pages the UI may ask the main process to open. The renderer names a page; the main
 * process builds the https URL itself (openExternal only for URLs we built). */
export const LinkId = z.enum([
  'entra-app-registrations',
  'google-credentials',
  'google-consent-screen',
  'google-new-project',
  'exchange-admin-mailboxes',
  'outlook-com-imap-settings',
  'project-help',
]);
export type LinkId = z.infer<typeof LinkId>;

const Empty = z.object({}).strict();
const AccountRef = z.object({ id: z.string().min(1).max(100) }).strict();

/** What the wizard saves: the account without the fields the main process owns. */
export const AccountInput = Account.omit({ createdAt: true, updatedAt: true, identity: true, lastTest: true }).extend({
  id: z.string().min(1).max(100).optional(),
  /** The `updatedAt` of the saved record this input was edited from. Given, the save is refused
   * (ACCOUNT_CHANGED_ELSEWHERE, nothing written) when the record has changed since: another
   * process (the CLI's `edit`, another window) wrote it, and this copy would undo that change. */
  baseUpdatedAt: z.number().optional(),
});
export type AccountInput = z.input<typeof AccountInput>;

/** The token state of an account, as the dashboard shows it. Never a token value. */
export const TokenState = z.object({
  accountId: z.string(),
  state: z.enum(['none', 'valid', 'expired', 'needs-reauth']),
  expiresAt: z.number().optional(),
  hasRefreshToken: z.boolean(),
  hasClientSecret: z.boolean(),
  /** False: secrets are in memory only (no OS encryption) and are lost at exit. */
  persisted: z.boolean(),
});
export type TokenState = z.infer<typeof TokenState>;

export const ActivityEntry = z.object({
  id: z.string(),
  at: z.number(),
  accountId: z.string().optional(),
  kind: z.enum(['account', 'auth', 'token', 'test', 'bridge']),
  ok: z.boolean(),
  /** The user stopped it: not a failure (shown neutral, not red). */
  cancelled: z.boolean().optional(),
  /** Redacted, one line. */
  message: z.string(),
});
export type ActivityEntry = z.infer<typeof ActivityEntry>;

/** The discovery document of an issuer, as the register step shows it. */
export const IssuerCheck = z.object({
  issuer: z.string(),
  authorizationEndpoint: z.string(),
  tokenEndpoint: z.string(),
  deviceAuthorizationEndpoint: z.string().optional(),
  revocationEndpoint: z.string().optional(),
  scopesSupported: z.array(z.string()).optional(),
});
export type IssuerCheck = z.infer<typeof IssuerCheck>;

/** One certificate of a CA file, as the "Trust a certificate authority" confirmation shows it. */
export const CaCertificateInfo = z.object({
  subject: z.string(),
  issuer: z.string(),
  /** SHA-256 fingerprint, "AB:CD:..." (compare it with what the CA's owner publishes). */
  sha256: z.string(),
  validFrom: z.number(),
  validTo: z.number(),
  /** basicConstraints CA:TRUE: a certificate authority, not a server's own certificate. */
  isCa: z.boolean(),
});
export type CaCertificateInfo = z.infer<typeof CaCertificateInfo>;
const CaPemText = z.string().min(1).max(65536);

/** The settings for one mail client and one account, as the "Use in a mail client" panel shows
 * them (shared/client-settings/). No secret: the block names the token command, never a token. */
export const ClientConfigView = z.object({
  client: z.string(),
  label: z.string(),
  kind: z.enum(['config', 'guidance', 'unsupported', 'bridge']),
  /** The block to paste (or the guidance to read). */
  text: z.string(),
  /** One line: where the block goes (`~/.msmtprc`...). */
  where: z.string(),
  /** Which SASL mechanism each protocol uses, and why a combination cannot work. */
  mechanismNote: z.string(),
});
export type ClientConfigView = z.infer<typeof ClientConfigView>;

export const contract = {
  'app:info': { input: Empty, output: AppInfo },
  'links:open': { input: z.object({ link: LinkId }).strict(), output: z.object({ opened: z.boolean() }) },
  /** Without OS encryption, the user explicitly chooses to keep secrets on disk anyway (remembered). */
  'app:keep-secrets-without-os-encryption': { input: z.object({ confirm: z.literal(true) }).strict(), output: AppInfo },
  /** "Start at login" of the desktop app: read it (no input) or set it. The web host has none
   * (supported: false). */
  'app:login-item': {
    input: z.object({ openAtLogin: z.boolean().optional() }).strict(),
    output: z.object({ supported: z.boolean(), openAtLogin: z.boolean() }),
  },

  'accounts:list': {
    input: Empty,
    output: z.object({
      accounts: z.array(Account),
      /** Set when the settings file was damaged and moved aside (SETTINGS_CORRUPT). */
      notice: AppErrorSchema.optional(),
    }),
  },
  'accounts:save': { input: z.object({ account: AccountInput }).strict(), output: Account },
  'accounts:remove': {
    input: AccountRef,
    output: z.object({
      revoked: z.boolean(),
      /** Why access was or was not revoked at the provider ('failed' comes with revokeError). */
      revocation: z.enum(['revoked', 'unsupported', 'nothing-to-revoke', 'failed']).optional(),
      revokeError: z.string().optional(),
      secretsDeleted: z.boolean(),
    }),
  },
  /** The client secret goes straight to the secret store; the renderer clears its field. */
  'accounts:set-client-secret': {
    input: z.object({ id: z.string().min(1), secret: z.string().min(1).max(4096) }).strict(),
    output: z.object({ stored: z.boolean(), persisted: z.boolean() }),
  },
  'accounts:token-state': { input: AccountRef, output: TokenState },

  /** Reads a picked CA file's text (nothing is saved): its certificates, or CA_NOT_PEM. */
  'ca:inspect': { input: z.object({ pem: CaPemText }).strict(), output: z.object({ certificates: z.array(CaCertificateInfo) }) },
  /** Saves the CA with the account (`caPem`; empty pem = trust no extra CA): used for its
   * identity provider, autoconfig and mail servers from then on. */
  'accounts:trust-ca': {
    input: z.object({ id: z.string().min(1).max(100), pem: z.string().max(65536) }).strict(),
    output: z.object({ account: Account, certificates: z.array(CaCertificateInfo) }),
  },

  /** `id`: the account being set up, whose saved CA (if any) is trusted for the lookup. */
  'discover:servers': { input: z.object({ address: z.string().email(), id: z.string().min(1).max(100).optional() }).strict(), output: DiscoveryResult },
  'auth:check-issuer': { input: z.object({ issuer: z.string().url().max(2048), id: z.string().min(1).max(100).optional() }).strict(), output: IssuerCheck },

  /** Long-running: progress arrives on `auth:progress`; ends with the outcome or an AppError. */
  'auth:start': { input: z.object({ id: z.string().min(1), flow: AuthFlow }).strict(), output: AuthOutcome },
  'auth:cancel': { input: AccountRef, output: z.object({ cancelled: z.boolean() }) },
  /** Opens the device-code sign-in page the provider gave for the account's running device flow
   * (the main process opens the URL it received itself, never one from the renderer). */
  'auth:open-device-page': { input: AccountRef, output: z.object({ opened: z.boolean() }) },

  /** Long-running: progress arrives on `probe:progress` with this runId. */
  'probe:run': {
    input: z.object({ id: z.string().min(1), runId: z.string().min(1).max(100), sendTestMessage: z.boolean().default(false) }).strict(),
    output: ProbeReport,
  },
  'probe:cancel': { input: z.object({ runId: z.string().min(1) }).strict(), output: z.object({ cancelled: z.boolean() }) },

  /** Copies a fresh access token to the system clipboard in the main process (never to the renderer). */
  'tokens:copy': { input: AccountRef, output: z.object({ copied: z.boolean(), expiresAt: z.number().optional() }) },
  /** A diagnostic report with every secret removed, for the user to save and share. */
  'report:build': { input: AccountRef, output: z.object({ fileName: z.string(), text: z.string() }) },
  'activity:list': { input: Empty, output: z.object({ entries: z.array(ActivityEntry) }) },
  /** Each account's health (electron/health/): ok, attention with a date, broken with a code and its fix. */
  'health:list': { input: Empty, output: HealthList },
  /** An account's recent tests and token renewals, oldest first (the dashboard's timeline). */
  'health:history': { input: AccountRef, output: z.object({ entries: z.array(HistoryEntry) }) },
  /** How often the app tests each account by itself (off / daily / hourly). */
  'health:schedule': { input: Empty, output: z.object({ test: TestSchedule }) },
  'health:set-schedule': { input: z.object({ test: TestSchedule }).strict(), output: z.object({ test: TestSchedule }) },
  /** The settings block for a mail client (client ids: shared/client-settings CLIENT_IDS; with
   * `bridge`: BRIDGE_CLIENTS, the settings to log in to the local bridge with a bridge password). */
  'clients:config': {
    input: z.object({ id: z.string().min(1).max(100), client: z.string().min(1).max(50), bridge: z.boolean().optional() }).strict(),
    output: ClientConfigView,
  },

  /** The local bridge (issue 12): settings, state, bound ports, live sessions, certificate. */
  'bridge:status': { input: Empty, output: BridgeStatus },
  /** Turn it on or off, change ports, TLS, "start with the app" (saved; restarts it to match). A
   * port in use answers with the status in state `failed` and its error, not a refusal. */
  'bridge:configure': { input: BridgeConfigureInput, output: BridgeStatus },
  /** A new bridge password for the account, shown once (only a salted hash is kept). */
  'bridge:new-password': { input: AccountRef, output: z.object({ password: z.string() }) },
} as const;

export const events = {
  'probe:progress': ProbeProgress,
  'auth:progress': z.object({ accountId: z.string(), progress: AuthProgress }),
  'activity:added': ActivityEntry,
  'accounts:changed': z.object({}),
  /** The health of every account, after anything that can change it (a test, a sign-in, an edit). */
  'health:changed': HealthList,
  /** The desktop app was asked to show an account (its notification or tray entry was clicked). */
  'app:show-account': z.object({ accountId: z.string() }),
  /** The bridge's status after any change: on/off, ports, a session opening or closing. */
  'bridge:changed': BridgeStatus,
} as const;

export type Contract = typeof contract;
export type Channel = keyof Contract;
export type ChannelInput<C extends Channel> = z.input<Contract[C]['input']>;
export type ChannelOutput<C extends Channel> = z.output<Contract[C]['output']>;
export type EventName = keyof typeof events;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

export const CHANNELS = Object.keys(contract) as Channel[];
export const EVENT_NAMES = Object.keys(events) as EventName[];

export const isChannel = (name: unknown): name is Channel =>
  typeof name === 'string' && Object.hasOwn(contract, name);
export const isEventName = (name: unknown): name is EventName =>
  typeof name === 'string' && Object.hasOwn(events, name);

/** What the renderer sees: one specific async function per channel (no generic `invoke` that
 * could name anything), and typed subscriptions that return their unsubscribe. */
export type RendererApi = {
  readonly [C in Channel]: (input: ChannelInput<C>) => Promise<Result<ChannelOutput<C>>>;
} & {
  readonly on: <E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void) => () => void;
};

/** Output envelope schema per channel, for the renderer to check what it receives. */
export const outputEnvelope = <C extends Channel>(channel: C) => resultSchema(contract[channel].output);

/** The name of the object the preload exposes on `window` (kept in ipc-names.ts for the preload). */
export { BRIDGE_KEY };

// The preload's name lists (ipc-names.ts) must name exactly these channels and events: a channel
// added here and not there is a type error ("Type 'true' is not assignable to type 'false'" on the
// line below: add the name to CHANNEL_NAMES / EVENT_NAME_LIST), not a missing function at run time.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const everyChannelIsInIpcNamesTs: Same<Channel, ChannelName> = true;
const everyEventIsInIpcNamesTs: Same<EventName, EventNameOnly> = true;
void everyChannelIsInIpcNamesTs;
void everyEventIsInIpcNamesTs;
