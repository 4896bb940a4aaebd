// The registration guides as data: per provider, the portal steps to tick off, where to click,
// what to paste there and what to copy back. Values come from the catalog and the draft.
import type { LinkId } from '../../../shared/ipc.ts';
import type { Protocol, ProviderEntry } from '../../../shared/providers.ts';
import {
  APP_ONLY_ROLES,
  AUDIENCE_LABELS,
  DELEGATED_PERMISSIONS,
  LOOPBACK_REDIRECT,
  OIDC_LOOPBACK_PATH,
  audienceForTenant,
} from '../../../shared/registration-scripts.ts';
import type { Draft } from './draft.ts';

export type GuideStep = {
  id: string;
  title: string;
  /** Where to click, in order (shown as a breadcrumb). */
  path?: readonly string[];
  text?: string;
  copy?: readonly { label: string; value: string }[];
  link?: { id: LinkId; label: string };
  /** What the assistant can check itself that proves this step done (all of them): the checklist
   * ticks it on its own once they hold, so "0 of N done" does not lie after a working sign-in. */
  verifiedBy?: readonly VerifiedFact[];
};

/** Facts the register and authorize steps establish: the issuer / tenant was found online, the ids
 * are entered in a valid form, the client secret is stored, a sign-in with this registration worked. */
export type VerifiedFact = 'issuer' | 'ids' | 'secret' | 'signed-in';

export type Guide = { intro: string; steps: GuideStep[] };

/** The steps that hold by what the assistant verified (a step without `verifiedBy` never does). */
export function verifiedSteps(guide: Guide, facts: ReadonlySet<VerifiedFact>): string[] {
  return guide.steps.filter((s) => s.verifiedBy !== undefined && s.verifiedBy.every((f) => facts.has(f))).map((s) => s.id);
}

/** The redirect URI the OpenID flow uses, with the port it picks at sign-in as a placeholder. */
export const OIDC_REDIRECT_SHOWN = `http://127.0.0.1:<port>${OIDC_LOOPBACK_PATH}`;

type Ctx = { provider: ProviderEntry; draft: Draft; protocols: Protocol[] };

function microsoftDelegated({ draft, protocols }: Ctx): Guide {
  const audience = audienceForTenant(draft.tenant);
  const perms = [...protocols.map((p) => DELEGATED_PERMISSIONS[p].name), DELEGATED_PERMISSIONS.offline_access.name];
  return {
    intro: 'Register the assistant once in Microsoft Entra ID. It takes about three minutes; tick each step when done.',
    steps: [
      {
        id: 'ms-open',
        verifiedBy: ['signed-in'],
        title: 'Open App registrations and start a new registration',
        path: ['Microsoft Entra admin center', 'Applications', 'App registrations', 'New registration'],
        link: { id: 'entra-app-registrations', label: 'Open App registrations' },
      },
      {
        id: 'ms-name',
        verifiedBy: ['signed-in'],
        title: 'Name it and choose who may sign in',
        text: `Supported account types: “${AUDIENCE_LABELS[audience]}”.`,
        copy: [{ label: 'Name', value: draft.appName }],
      },
      {
        id: 'ms-redirect',
        verifiedBy: ['signed-in'],
        title: 'Add the redirect URI, then click Register',
        path: ['Redirect URI', 'Public client/native (mobile & desktop)'],
        copy: [{ label: 'Redirect URI', value: LOOPBACK_REDIRECT }],
        text: 'Entra ID ignores the port for localhost; the assistant picks a free one at sign-in.',
      },
      {
        id: 'ms-public',
        verifiedBy: ['signed-in'],
        title: 'Allow public client flows',
        path: ['Authentication', 'Advanced settings', 'Allow public client flows: Yes', 'Save'],
        text: 'The assistant signs in without a client secret (and can use a device code).',
      },
      {
        id: 'ms-perms',
        verifiedBy: ['signed-in'],
        title: 'Add only the mail permissions',
        path: ['API permissions', 'Add a permission', 'Microsoft Graph', 'Delegated permissions'],
        copy: perms.map((p) => ({ label: 'Permission', value: p })),
        text: 'Search each name, tick it, then “Add permissions”. If your organization requires it, an admin clicks “Grant admin consent”.',
      },
      {
        id: 'ms-ids',
        verifiedBy: ['issuer', 'ids'],
        title: 'Copy the IDs back here',
        path: ['Overview'],
        text: 'Copy “Application (client) ID” and “Directory (tenant) ID” into the fields on the right.',
      },
    ],
  };
}

function microsoftAppOnly({ protocols }: Ctx): Guide {
  return {
    intro: 'App-only access lets a scanner or script use one mailbox without a user signing in. You need an admin of the tenant.',
    steps: [
      {
        id: 'ao-open',
        verifiedBy: ['signed-in'],
        title: 'Register a single-tenant app (no redirect URI)',
        path: ['Microsoft Entra admin center', 'Applications', 'App registrations', 'New registration'],
        text: 'Supported account types: “Accounts in this organizational directory only”.',
        link: { id: 'entra-app-registrations', label: 'Open App registrations' },
      },
      {
        id: 'ao-perms',
        verifiedBy: ['signed-in'],
        title: 'Add the Exchange application permissions and grant admin consent',
        path: ['API permissions', 'Add a permission', 'APIs my organization uses', 'Office 365 Exchange Online', 'Application permissions'],
        copy: protocols.map((p) => ({ label: 'Permission', value: APP_ONLY_ROLES[p] })),
        text: 'Then click “Grant admin consent for <your organization>”.',
      },
      {
        id: 'ao-secret',
        verifiedBy: ['secret'],
        title: 'Create a client secret',
        path: ['Certificates & secrets', 'Client secrets', 'New client secret'],
        text: 'Copy its Value (not the Secret ID) into the field on the right at once: it is shown only once.',
      },
      {
        id: 'ao-sp',
        title: 'Copy the enterprise application’s Object ID',
        path: ['Enterprise applications', 'your app', 'Overview', 'Object ID'],
        text: 'Exchange needs the ENTERPRISE APPLICATION’s object id, not the app registration’s.',
      },
      {
        id: 'ao-ids',
        verifiedBy: ['issuer', 'ids'],
        title: 'Copy the client and tenant IDs back here',
        path: ['App registrations', 'your app', 'Overview'],
        text: '“Application (client) ID” and “Directory (tenant) ID”.',
      },
      {
        id: 'ao-exchange',
        title: 'Give the app its mailbox in Exchange Online',
        text: 'Run the PowerShell below the fields; it is filled in with your IDs.',
        link: { id: 'exchange-admin-mailboxes', label: 'Open Exchange admin center' },
      },
    ],
  };
}

function google({ draft }: Ctx): Guide {
  return {
    intro: 'Create a Google Cloud project client for the assistant. Internal (Workspace) or Testing apps need no Google review.',
    steps: [
      {
        id: 'g-project',
        verifiedBy: ['signed-in'],
        title: 'Create or pick a Google Cloud project',
        path: ['Google Cloud console', 'Project picker (top bar)', 'New project'],
        text: 'Every OAuth client belongs to a project. Pick an existing one, or create one named after the assistant; the next steps happen inside it.',
        link: { id: 'google-new-project', label: 'Create a project' },
      },
      {
        id: 'g-consent',
        verifiedBy: ['signed-in'],
        title: 'Set up the consent screen and add yourself as a test user',
        path: ['Google Cloud console', 'Google Auth Platform', 'Audience'],
        text: 'Workspace: choose Internal. Gmail: External, keep “Testing” and add your address under Test users.',
        copy: [{ label: 'Test user', value: draft.address }],
        link: { id: 'google-consent-screen', label: 'Open the consent screen' },
      },
      {
        id: 'g-scope',
        verifiedBy: ['signed-in'],
        title: 'Add the Gmail scope',
        path: ['Google Auth Platform', 'Data access', 'Add or remove scopes'],
        copy: [{ label: 'Scope', value: 'https://mail.google.com/' }],
        text: 'It is a restricted scope: fine for Internal and Testing apps.',
      },
      {
        id: 'g-client',
        verifiedBy: ['signed-in'],
        title: 'Create an OAuth client of type “Desktop app”',
        path: ['APIs & Services', 'Credentials', 'Create credentials', 'OAuth client ID', 'Desktop app'],
        text: 'No redirect URI to enter: desktop clients accept http://127.0.0.1 on any port.',
        link: { id: 'google-credentials', label: 'Open Credentials' },
      },
      {
        id: 'g-ids',
        verifiedBy: ['ids', 'secret'],
        title: 'Copy the Client ID and Client secret back here',
        text: 'Google requires the secret for desktop apps (it is not really secret); the assistant stores it encrypted.',
      },
    ],
  };
}

function generic({ provider }: Ctx): Guide {
  return {
    intro: `Register the assistant with ${provider.id === 'generic' ? 'your provider' : provider.label} as a native (public) client.`,
    steps: [
      {
        id: 'o-register',
        verifiedBy: ['signed-in'],
        title: 'Register a native / desktop client with a loopback redirect',
        copy: [{ label: 'Redirect URI', value: `http://127.0.0.1${OIDC_LOOPBACK_PATH}` }],
        text: `At sign-in the assistant listens on a free port, so the browser returns to ${OIDC_REDIRECT_SHOWN}. Providers that follow RFC 8252 §7.3 ignore the port of a loopback redirect: register the address above. A provider that compares redirect URIs exactly, port included, refuses it (redirect_uri mismatch): there, allow any port for 127.0.0.1 (often a “native” or “loopback” client type, or a wildcard port). Public client with PKCE; no secret if the provider allows it.`,
      },
      {
        id: 'o-scopes',
        verifiedBy: ['signed-in'],
        title: 'Allow the mail scopes and offline access',
        text: 'The scopes its IMAP, POP or SMTP servers require (see the provider’s mail documentation), plus offline_access for a refresh token.',
      },
      {
        id: 'o-ids',
        verifiedBy: ['issuer', 'ids'],
        title: 'Enter the issuer, the client ID and the scopes here',
        text: 'The issuer is the address before /.well-known/openid-configuration; pasting the whole discovery URL works too.',
      },
    ],
  };
}

/** The guide for a provider: a table by catalog id; unknown providers get the generic guide. */
const GUIDES: Readonly<Record<string, (ctx: Ctx) => Guide>> = {
  'microsoft-365': (ctx) => (ctx.draft.flow === 'app-only' ? microsoftAppOnly(ctx) : microsoftDelegated(ctx)),
  'outlook-com': microsoftDelegated,
  google,
};

export function guideFor(ctx: Ctx): Guide {
  return (GUIDES[ctx.provider.id] ?? generic)(ctx);
}
