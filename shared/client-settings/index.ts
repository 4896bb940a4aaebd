// The mail client settings generator (issue 11): pick a client, get the text to paste. The
// mechanism per protocol is the first one, in the provider's order of preference, that the client
// can send; a protocol with none gets a plain statement of why and what to use instead.
import { saslUser, type Account } from '../account.ts';
import { PROTOCOLS, type ProviderEntry } from '../providers.ts';
import { aerc } from './aerc.ts';
import { curl } from './curl.ts';
import { gitSendEmail } from './git-send-email.ts';
import { fetchmail, GUIDED } from './guidance.ts';
import { mbsync } from './mbsync.ts';
import { msmtp } from './msmtp.ts';
import { neomutt } from './neomutt.ts';
import { sNail } from './s-nail.ts';
import type { ClientConfig, ClientModule, ClientSettingsInput, ProtocolPlan, UsablePlan } from './types.ts';

export type { ClientConfig, ClientKind, ClientModule, ClientServer, ClientSettingsInput, ProtocolPlan } from './types.ts';
export {
  BRIDGE_CLIENTS,
  BRIDGE_HOST,
  BRIDGE_PASSWORD,
  bridgeClientById,
  bridgeClientConfig,
  bridgeServers,
  type BridgeClientConfig,
  type BridgeClientInput,
  type BridgeClientModule,
} from './bridge.ts';

export const CLIENTS: readonly ClientModule[] = [neomutt, msmtp, mbsync, aerc, sNail, curl, gitSendEmail, ...GUIDED, fetchmail];

export const CLIENT_IDS: readonly string[] = CLIENTS.map((c) => c.id);

export const clientById = (id: string): ClientModule | undefined => CLIENTS.find((c) => c.id === id);

/** The command a mail client runs for a token: the installed `mail-oauth`, with the account named
 * the way the CLI shows it (its name, else its address: electron/cli/cli-core.ts accountRef), or
 * by its id when that name would match more than one account. */
export function helperFor(account: Pick<Account, 'id' | 'address' | 'label'>, all: readonly Pick<Account, 'address' | 'label'>[]): string[] {
  const ref = account.label && account.label !== account.address ? account.label : account.address;
  const matches = all.filter((a) => a.label === ref || a.address === ref.toLowerCase()).length;
  return ['mail-oauth', 'token', matches <= 1 ? ref : account.id];
}

export function inputForAccount(
  account: Pick<Account, 'address' | 'servers' | 'providerId'>,
  provider: Pick<ProviderEntry, 'mechanisms' | 'label'>,
  helper: readonly string[],
  caFile?: string,
): ClientSettingsInput {
  const servers: ClientSettingsInput['servers'] = {};
  for (const p of PROTOCOLS) {
    const s = account.servers[p];
    if (s?.enabled) servers[p] = { host: s.host, port: s.port, security: s.security };
  }
  return {
    // The login name a client sends is the mailbox (saslUser): for a shared mailbox that is the
    // shared address, while `mail-oauth token` hands out the delegate's token (issue 19).
    address: saslUser(account),
    servers,
    mechanisms: provider.mechanisms,
    providerId: account.providerId,
    providerLabel: provider.label,
    helper,
    ...(caFile ? { caFile } : {}),
  };
}

export function planFor(client: ClientModule, input: ClientSettingsInput): ProtocolPlan[] {
  const plans: ProtocolPlan[] = [];
  for (const protocol of PROTOCOLS) {
    const server = input.servers[protocol];
    const can = client.supports[protocol];
    if (!server || !can) continue;
    const mechanism = input.mechanisms.find((m) => can.includes(m));
    if (mechanism) {
      plans.push({ protocol, server, mechanism });
      continue;
    }
    const others = CLIENTS.filter((c) => c.kind === 'config' && c.supports[protocol]?.some((m) => input.mechanisms.includes(m))).map((c) => c.label);
    plans.push({
      protocol,
      server,
      mechanism: null,
      reason:
        `${client.limits?.[protocol] ?? `${client.label} cannot send ${input.mechanisms.join(' or ')}`}, and ${input.providerLabel} accepts only ` +
        `${input.mechanisms.join(' and ')}: ${protocol.toUpperCase()} cannot work with ${client.label}.` +
        (others.length > 0 ? ` Use ${others.join(', ')} for ${protocol.toUpperCase()}` : '') +
        (protocol !== 'imap' && client.supports.imap ? `${others.length > 0 ? ', or' : ' Use'} IMAP in ${client.label}.` : '.'),
    });
  }
  return plans;
}

const NAMES = { imap: 'IMAP', pop: 'POP', smtp: 'SMTP' } as const;

function mechanismNote(client: ClientModule, input: ClientSettingsInput, plans: readonly ProtocolPlan[]): string {
  if (client.kind !== 'config') return client.kind === 'guidance' ? 'Built-in OAuth sign-in: no token helper.' : 'No OAuth support.';
  const parts: string[] = [];
  const usable = plans.filter((p): p is UsablePlan => p.mechanism !== null);
  const byMech = new Map<string, string[]>();
  for (const p of usable) byMech.set(p.mechanism, [...(byMech.get(p.mechanism) ?? []), NAMES[p.protocol]]);
  for (const [m, ps] of byMech) parts.push(`${ps.join(', ')}: ${m}`);
  for (const p of plans) if (p.mechanism === null) parts.push(p.reason);
  const unspoken = PROTOCOLS.filter((p) => input.servers[p] && !client.supports[p]).map((p) => NAMES[p]);
  if (unspoken.length > 0) parts.push(`${client.label} does not do ${unspoken.join(' or ')}.`);
  if (usable.length === 0 && plans.length === 0) parts.push(`Nothing of this account's servers is usable with ${client.label}.`);
  return parts.join(' · ');
}

/** The settings for one client: the text to paste, where it goes, and the mechanism note. */
export function clientConfig(client: ClientModule, input: ClientSettingsInput): ClientConfig {
  const plans = planFor(client, input);
  const usable = plans.filter((p): p is UsablePlan => p.mechanism !== null);
  let text: string;
  if (client.kind !== 'config') text = client.render(input, usable);
  else if (usable.length === 0) text = `# ${client.label} cannot be used for ${input.address}: ${mechanismNote(client, input, plans)}\n`;
  else text = client.render(input, usable);
  return { client: client.id, label: client.label, kind: client.kind, text, where: client.where, mechanismNote: mechanismNote(client, input, plans), protocols: plans };
}
