// Clients that sign in with OAuth themselves (their own app registration at the provider): they
// need neither the token helper nor this app's registration, but only for the providers they
// know. And clients that cannot do OAuth at all. Which provider each knows is data.
import type { ClientModule, ClientSettingsInput } from './types.ts';

type Native = { id: string; label: string; where: string; providers: readonly string[]; how: string };

const NATIVE: readonly Native[] = [
  {
    id: 'thunderbird',
    label: 'Thunderbird',
    where: 'Thunderbird > Account Settings > Account Actions > Add Mail Account',
    providers: ['google', 'microsoft-365', 'outlook-com', 'yahoo'],
    how: 'Add the account with your address; Thunderbird finds the servers and chooses "OAuth2" as the authentication method, then opens the provider\'s sign-in window.',
  },
  {
    id: 'apple-mail',
    label: 'Apple Mail',
    where: 'System Settings > Internet Accounts (macOS) or Settings > Mail > Accounts (iOS)',
    providers: ['google', 'microsoft-365', 'outlook-com', 'yahoo'],
    how: 'Choose the provider by name (Google, Microsoft Exchange, Outlook.com, Yahoo!), not "Other Mail Account", and sign in in the window that opens.',
  },
  {
    id: 'outlook',
    label: 'Microsoft Outlook',
    where: 'Outlook > File > Add Account (or Settings > Accounts in the new Outlook)',
    providers: ['google', 'microsoft-365', 'outlook-com'],
    how: 'Add the account with your address and sign in in the window Outlook opens.',
  },
  {
    id: 'evolution',
    label: 'Evolution / GNOME Online Accounts',
    where: 'GNOME Settings > Online Accounts (or Evolution > Edit > Accounts > Add)',
    providers: ['google', 'microsoft-365', 'outlook-com'],
    how: 'Pick Google or Microsoft (Microsoft 365 needs GNOME 46 or later) and sign in; Evolution then uses that account\'s token.',
  },
];

function nativeModule(n: Native): ClientModule {
  return {
    id: n.id,
    label: n.label,
    kind: 'guidance',
    supports: {},
    where: n.where,
    render(input: ClientSettingsInput) {
      if (n.providers.includes(input.providerId)) {
        return [
          `${n.label} signs in to ${input.providerLabel} with OAuth itself: it does not need mail-oauth.`,
          n.how,
          `It uses its own app registration, not the one you made for Mail OAuth Assistant; an administrator who`,
          `restricts which apps may sign in has to allow ${n.label} too.`,
          '',
        ].join('\n');
      }
      return [
        `${n.label}'s built-in OAuth covers only the providers it knows; ${input.providerLabel} is not one of them,`,
        `and ${n.label} has no way to run a token command. Use one of the clients with settings here`,
        '(NeoMutt, aerc, Thunderbird for known providers...), or the app\'s local bridge: turn it on in the',
        `Bridge section and ${n.label} logs in to 127.0.0.1 with a bridge password while the bridge does OAuth`,
        '(`mail-oauth client-config <account> --bridge --client generic` prints the settings).',
        '',
      ].join('\n');
    },
  };
}

export const GUIDED: readonly ClientModule[] = NATIVE.map(nativeModule);

export const fetchmail: ClientModule = {
  id: 'fetchmail',
  label: 'fetchmail',
  kind: 'unsupported',
  supports: {},
  where: "through the app's local bridge (Bridge section), not directly",
  render() {
    return [
      'Not possible: fetchmail (Debian 12) has no OAuth mechanism and no password command, so it',
      'cannot use a token from mail-oauth. Use the app\'s local bridge instead: fetchmail logs in to',
      '127.0.0.1 with a bridge password and the bridge does OAuth. Its settings: the bridge variant',
      '(`mail-oauth client-config <account> --bridge --client fetchmail`, or "Through the bridge" here).',
      '',
    ].join('\n');
  },
};
