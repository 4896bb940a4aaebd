// The mail client settings generator's data shapes (issue 11). Every client is one small module
// (a ClientModule): what it can do (protocols x SASL mechanisms) is data; the index picks, per
// protocol, a mechanism both the client and the provider accept, and the module turns that plan
// into the text a user pastes. Shared by the CLI (`mail-oauth client-config`) and the renderer.
import type { Protocol, SaslMechanism, Security } from '../providers.ts';

export type ClientServer = { host: string; port: number; security: Security };

export type ClientSettingsInput = {
  address: string;
  /** The account's enabled servers. */
  servers: Partial<Record<Protocol, ClientServer>>;
  /** SASL mechanisms the provider's servers accept, in the provider's order of preference. */
  mechanisms: readonly SaslMechanism[];
  providerId: string;
  providerLabel: string;
  /** The command (argv) that prints a fresh access token: the installed `mail-oauth token <account>`. */
  helper: readonly string[];
  /** Absolute path of a PEM file with an extra CA the client must trust (company CA, test bench). */
  caFile?: string;
};

/** What one protocol of the account gets in this client. */
export type ProtocolPlan =
  | { protocol: Protocol; server: ClientServer; mechanism: SaslMechanism }
  /** The combination cannot work; `reason` says why and what to use instead. */
  | { protocol: Protocol; server: ClientServer; mechanism: null; reason: string };

export type UsablePlan = Extract<ProtocolPlan, { mechanism: SaslMechanism }>;

export type ClientKind =
  /** A configuration block that uses the token helper. */
  | 'config'
  /** A client with its own OAuth sign-in: guidance, no helper. */
  | 'guidance'
  /** A client that cannot do OAuth at all. */
  | 'unsupported';

export type ClientModule = {
  id: string;
  label: string;
  kind: ClientKind;
  /** SASL mechanisms per protocol the client can send, in the client's order of preference.
   * A protocol missing here is one the client does not speak. */
  supports: Partial<Record<Protocol, readonly SaslMechanism[]>>;
  /** Protocol-specific limits of the client, to explain a combination that cannot work. */
  limits?: Partial<Record<Protocol, string>>;
  /** One line: where the text goes. */
  where: string;
  render(input: ClientSettingsInput, plans: readonly UsablePlan[]): string;
};

export type ClientConfig = {
  client: string;
  label: string;
  kind: ClientKind;
  /** The block to paste (config), or the guidance to read. */
  text: string;
  where: string;
  /** One line: which mechanism each protocol uses, and why a combination cannot work. */
  mechanismNote: string;
  protocols: ProtocolPlan[];
};

/** POSIX shell quoting: a word is left alone when it is plainly safe, else single-quoted. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

export const helperLine = (input: ClientSettingsInput): string => input.helper.map(shellQuote).join(' ');

/** The user name inside a URL (`alice%40example.com@host`): RFC 3986 userinfo. */
export const urlUser = (address: string): string => encodeURIComponent(address);

/** A short name for the account inside config files (msmtp/mbsync account names, section names). */
export const accountName = (address: string): string => address.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

export const mechanismLower = (m: SaslMechanism): string => m.toLowerCase();
