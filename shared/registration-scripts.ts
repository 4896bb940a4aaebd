// One-paste registration scripts for Microsoft Entra ID (../shared/PROVIDERS.md "Registration by
// script"): the Azure CLI and Microsoft Graph PowerShell create the app registration with the right
// audience, the loopback redirect, the public-client flag and only the delegated permissions the
// enabled protocols need; the Exchange Online PowerShell gives an app-only registration its
// mailbox. Pure functions of validated input: every value that ends up in a script is checked
// against a strict pattern first, and nothing is generated from input that fails the check, so
// no quoting can be broken by odd input.
import type { Protocol } from './providers.ts';
import { err, ok, type Result } from './result.ts';

/** Microsoft Graph, where the delegated Outlook mail permissions are listed (PROVIDERS.md). */
export const GRAPH_RESOURCE_APP_ID = '00000003-0000-0000-c000-000000000000';
/** "Office 365 Exchange Online", where the app-only roles (IMAP.AccessAsApp, ...) live. */
export const EXCHANGE_RESOURCE_APP_ID = '00000002-0000-0ff1-ce00-000000000000';

/** Delegated permission ids (type `Scope`) under Microsoft Graph. */
export const DELEGATED_PERMISSIONS: Readonly<Record<Protocol | 'offline_access', { name: string; id: string }>> = {
  imap: { name: 'IMAP.AccessAsUser.All', id: '652390e4-393a-48de-9484-05f9b1212954' },
  pop: { name: 'POP.AccessAsUser.All', id: 'd7b7f2d9-0f45-4ea1-9d42-e50810c06991' },
  smtp: { name: 'SMTP.Send', id: '258f6531-6087-4cc4-bb90-092c5fb3ed3f' },
  offline_access: { name: 'offline_access', id: '7427e0e9-2fba-42fe-b0c0-848c9e6a8182' },
};

/** Application permissions (type `Role`) on Office 365 Exchange Online, by name: the scripts look
 * their ids up in the tenant rather than hard-coding them (PROVIDERS.md). */
export const APP_ONLY_ROLES: Readonly<Record<Protocol, string>> = {
  imap: 'IMAP.AccessAsApp',
  pop: 'POP.AccessAsApp',
  smtp: 'SMTP.SendAsApp',
};

export type SignInAudience = 'AzureADMyOrg' | 'AzureADMultipleOrgs' | 'AzureADandPersonalMicrosoftAccount';

export const AUDIENCE_LABELS: Readonly<Record<SignInAudience, string>> = {
  AzureADMyOrg: 'Accounts in this organizational directory only (single tenant)',
  AzureADMultipleOrgs: 'Accounts in any organizational directory (multitenant)',
  AzureADandPersonalMicrosoftAccount: 'Accounts in any organizational directory and personal Microsoft accounts',
};

/** The loopback redirect Entra ID accepts for desktop apps (any port, PROVIDERS.md). */
export const LOOPBACK_REDIRECT = 'http://localhost';

/** The path of the OpenID flow's loopback redirect: http://127.0.0.1:<free port>/callback
 * (RFC 8252 §7.3); the register guide shows it and electron/auth/loopback.ts listens on it. */
export const OIDC_LOOPBACK_PATH = '/callback';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Letters, digits, spaces and a few punctuation marks: safe inside single quotes in bash and PowerShell.
const DISPLAY_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._()-]{0,119}$/;
// A plain mailbox address: no quotes, spaces, backticks or `$` that a shell could interpret.
const MAILBOX = /^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
// A verified domain used as tenant (contoso.onmicrosoft.com).
const DOMAIN = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export const isGuid = (s: string): boolean => GUID.test(s.trim());
export const isMailbox = (s: string): boolean => MAILBOX.test(s.trim());
/** A tenant id (GUID), verified domain, or one of Entra ID's special tenants. */
export const isTenant = (s: string): boolean => {
  const t = s.trim();
  return isGuid(t) || ['common', 'organizations', 'consumers'].includes(t.toLowerCase()) || DOMAIN.test(t);
};

/** The audience of the registration for the tenant the account signs in with: `consumers` and
 * `common` need personal accounts; `organizations` any work tenant; a tenant id or domain only
 * that tenant (then `common` would fail with AADSTS50194, so the account uses the tenant id). */
export function audienceForTenant(tenant: string): SignInAudience {
  const t = tenant.trim().toLowerCase();
  if (t === 'consumers' || t === 'common') return 'AzureADandPersonalMicrosoftAccount';
  if (t === 'organizations') return 'AzureADMultipleOrgs';
  return 'AzureADMyOrg';
}

export type ResourceAccess = { resourceAppId: string; resourceAccess: { id: string; type: 'Scope' | 'Role' }[] };

const ORDER: readonly Protocol[] = ['imap', 'pop', 'smtp'];
const enabled = (protocols: readonly Protocol[]): Protocol[] => ORDER.filter((p) => protocols.includes(p));

/** The delegated permissions of the enabled protocols plus offline_access, nothing else. */
export function delegatedResourceAccess(protocols: readonly Protocol[]): ResourceAccess[] {
  const perms = [...enabled(protocols).map((p) => DELEGATED_PERMISSIONS[p]), DELEGATED_PERMISSIONS.offline_access];
  return [{ resourceAppId: GRAPH_RESOURCE_APP_ID, resourceAccess: perms.map((p) => ({ id: p.id, type: 'Scope' as const })) }];
}

export type DelegatedScriptInput = {
  displayName: string;
  audience: SignInAudience;
  protocols: readonly Protocol[];
};

export type AppOnlyScriptInput = {
  displayName: string;
  protocols: readonly Protocol[];
};

export type ExchangeScriptInput = {
  /** Application (client) id of the app registration. */
  appId: string;
  /** Object id of the ENTERPRISE APPLICATION (service principal), not of the app registration. */
  servicePrincipalObjectId: string;
  mailbox: string;
  displayName: string;
  protocols: readonly Protocol[];
};

function check(problems: string[], okay: boolean, message: string): void {
  if (!okay) problems.push(message);
}

function validateCommon(displayName: string, protocols: readonly Protocol[]): string[] {
  const problems: string[] = [];
  check(problems, DISPLAY_NAME.test(displayName), 'The app name may hold letters, digits, spaces and . _ ( ) - (at most 120 characters).');
  check(problems, enabled(protocols).length > 0, 'Choose at least one protocol (IMAP, POP or SMTP).');
  return problems;
}

const refuse = (problems: string[]): Result<never> =>
  err('VALIDATION_FAILED', 'The script was not generated: some values are not valid.', problems.join(' '));

/** Azure CLI (bash, e.g. Azure Cloud Shell): delegated registration for a desktop mail client. */
export function azureCliDelegatedScript(input: DelegatedScriptInput): Result<string> {
  const problems = validateCommon(input.displayName, input.protocols);
  if (problems.length > 0) return refuse(problems);
  const perms = JSON.stringify(delegatedResourceAccess(input.protocols));
  const names = [...enabled(input.protocols).map((p) => DELEGATED_PERMISSIONS[p].name), 'offline_access'].join(', ');
  return ok(
    [
      `# Mail OAuth Assistant: register '${input.displayName}' (delegated: ${names}).`,
      '# Paste into Azure Cloud Shell (Bash) or a shell signed in with `az login`.',
      'set -euo pipefail',
      `cat > moa-permissions.json <<'JSON'`,
      perms,
      'JSON',
      'appId=$(az ad app create \\',
      `  --display-name '${input.displayName}' \\`,
      `  --sign-in-audience ${input.audience} \\`,
      `  --public-client-redirect-uris ${LOOPBACK_REDIRECT} \\`,
      '  --is-fallback-public-client true \\',
      '  --required-resource-accesses @moa-permissions.json \\',
      '  --query appId --output tsv)',
      'az ad sp create --id "$appId" --output none',
      'rm -f moa-permissions.json',
      '# Admins who want to consent for the whole organization now (optional):',
      '#   az ad app permission admin-consent --id "$appId"',
      'echo "Client ID: $appId"',
      'echo "Tenant ID: $(az account show --query tenantId --output tsv)"',
    ].join('\n'),
  );
}

/** Microsoft Graph PowerShell: the same registration with New-MgApplication. */
export function graphPowerShellDelegatedScript(input: DelegatedScriptInput): Result<string> {
  const problems = validateCommon(input.displayName, input.protocols);
  if (problems.length > 0) return refuse(problems);
  const access = delegatedResourceAccess(input.protocols)[0];
  const items = (access?.resourceAccess ?? []).map((r) => `      @{ Id = '${r.id}'; Type = '${r.type}' }`).join(',\n');
  return ok(
    [
      `# Mail OAuth Assistant: register '${input.displayName}' with Microsoft Graph PowerShell.`,
      '# Needs: Install-Module Microsoft.Graph.Applications -Scope CurrentUser',
      "Connect-MgGraph -Scopes 'Application.ReadWrite.All' -NoWelcome",
      '$app = New-MgApplication `',
      `  -DisplayName '${input.displayName}' \``,
      `  -SignInAudience '${input.audience}' \``,
      '  -IsFallbackPublicClient:$true `',
      `  -PublicClient @{ RedirectUris = @('${LOOPBACK_REDIRECT}') } \``,
      '  -RequiredResourceAccess @(@{',
      `    ResourceAppId = '${GRAPH_RESOURCE_APP_ID}'`,
      '    ResourceAccess = @(',
      items,
      '    )',
      '  })',
      'New-MgServicePrincipal -AppId $app.AppId | Out-Null',
      '"Client ID: $($app.AppId)"',
      '"Tenant ID: $((Get-MgContext).TenantId)"',
    ].join('\n'),
  );
}

/** Azure CLI: an app-only registration (client credentials) with the Exchange Online application
 * roles of the enabled protocols, admin consent and a client secret; prints the ids to paste back. */
export function azureCliAppOnlyScript(input: AppOnlyScriptInput): Result<string> {
  const problems = validateCommon(input.displayName, input.protocols);
  if (problems.length > 0) return refuse(problems);
  const roles = enabled(input.protocols).map((p) => APP_ONLY_ROLES[p]);
  return ok(
    [
      `# Mail OAuth Assistant: app-only registration '${input.displayName}' (${roles.join(', ')}).`,
      '# Paste into Azure Cloud Shell (Bash) as an administrator who can grant admin consent.',
      'set -euo pipefail',
      `exo=${EXCHANGE_RESOURCE_APP_ID}`,
      `appId=$(az ad app create --display-name '${input.displayName}' --sign-in-audience AzureADMyOrg --query appId --output tsv)`,
      'az ad sp create --id "$appId" --output none',
      `for role in ${roles.join(' ')}; do`,
      '  roleId=$(az ad sp show --id "$exo" --query "appRoles[?value==\'$role\'].id | [0]" --output tsv)',
      '  az ad app permission add --id "$appId" --api "$exo" --api-permissions "$roleId=Role" --output none',
      'done',
      'sleep 20  # let the new service principal replicate before consenting',
      'az ad app permission admin-consent --id "$appId"',
      `secret=$(az ad app credential reset --id "$appId" --append --display-name 'Mail OAuth Assistant' --years 1 --query password --output tsv)`,
      'echo "Client ID: $appId"',
      'echo "Tenant ID: $(az account show --query tenantId --output tsv)"',
      'echo "Enterprise application object ID: $(az ad sp show --id "$appId" --query id --output tsv)"',
      // The end date: the assistant warns 30 days before the secret stops working (AADSTS7000222).
      'echo "Client secret expires: $(az ad app credential list --id "$appId" --query \'max_by([], &endDateTime).endDateTime\' --output tsv)"',
      'echo "Client secret (paste it into the app, then clear this screen): $secret"',
    ].join('\n'),
  );
}

/** Exchange Online PowerShell for app-only access: register the service principal in Exchange,
 * give it the mailbox, and switch SMTP AUTH on for that mailbox when SMTP is used. */
export function exchangeAppOnlyScript(input: ExchangeScriptInput): Result<string> {
  const problems = validateCommon(input.displayName, input.protocols);
  check(problems, isGuid(input.appId), 'The application (client) ID must be a GUID like 00000000-0000-0000-0000-000000000000.');
  check(
    problems,
    isGuid(input.servicePrincipalObjectId),
    'The enterprise application object ID must be a GUID (Enterprise applications > your app > Object ID).',
  );
  check(problems, isMailbox(input.mailbox), 'The mailbox must be a plain email address.');
  if (problems.length > 0) return refuse(problems);
  const appId = input.appId.trim().toLowerCase();
  const spId = input.servicePrincipalObjectId.trim().toLowerCase();
  const mailbox = input.mailbox.trim();
  const lines = [
    '# Exchange Online PowerShell (Install-Module ExchangeOnlineManagement), as an Exchange administrator.',
    'Connect-ExchangeOnline',
    '# The object ID is the ENTERPRISE APPLICATION\'s, not the app registration\'s.',
    `New-ServicePrincipal -AppId '${appId}' -ObjectId '${spId}' -DisplayName '${input.displayName}'`,
    `Add-MailboxPermission -Identity '${mailbox}' -User '${spId}' -AccessRights FullAccess`,
  ];
  const protocols = enabled(input.protocols);
  if (protocols.includes('smtp')) {
    lines.push('# SMTP AUTH is off in new tenants; switch it on for this mailbox:');
    lines.push(`Set-CASMailbox -Identity '${mailbox}' -SmtpClientAuthenticationDisabled $false`);
  }
  const cas = [protocols.includes('imap') ? '-ImapEnabled $true' : '', protocols.includes('pop') ? '-PopEnabled $true' : ''].filter(Boolean);
  if (cas.length > 0) lines.push(`Set-CASMailbox -Identity '${mailbox}' ${cas.join(' ')}`);
  return ok(lines.join('\n'));
}

/** What a registration script printed, read back from the user's paste (the values only; the
 * secret, when there is one, is for the secret store and nothing else). */
export type ScriptOutput = {
  clientId?: string;
  tenantId?: string;
  servicePrincipalObjectId?: string;
  /** The client secret's end date, YYYY-MM-DD (UTC). */
  secretExpires?: string;
  secret?: string;
};

/** Reads the "Name: value" lines the scripts above print; lines it does not know are ignored. */
export function parseScriptOutput(text: string): ScriptOutput {
  const out: ScriptOutput = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const m = /^(Client ID|Tenant ID|Enterprise application object ID|Client secret expires|Client secret \(paste it into the app, then clear this screen\)):\s*(\S.*)$/.exec(line);
    if (!m) continue;
    const value = (m[2] ?? '').trim();
    switch (m[1]) {
      case 'Client ID':
        if (isGuid(value)) out.clientId = value.toLowerCase();
        break;
      case 'Tenant ID':
        if (isGuid(value)) out.tenantId = value.toLowerCase();
        break;
      case 'Enterprise application object ID':
        if (isGuid(value)) out.servicePrincipalObjectId = value.toLowerCase();
        break;
      case 'Client secret expires': {
        const d = /^(\d{4}-\d{2}-\d{2})(?:[T ]|$)/.exec(value)?.[1];
        if (d !== undefined && parseDay(d) !== undefined) out.secretExpires = d;
        break;
      }
      default:
        out.secret = value;
    }
  }
  return out;
}

/** A calendar day YYYY-MM-DD as epoch ms at 00:00 UTC (the secret's end: warned about from then
 * on, a little early rather than late), or undefined when it is not a real date. */
export function parseDay(day: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day.trim());
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  return back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d && y >= 2000 && y <= 2200 ? ms : undefined;
}

/** epoch ms -> YYYY-MM-DD (UTC), for showing and editing a stored end date. */
export const formatDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
export type SharedMailboxScriptInput = {
  /** The shared mailbox (the address mail servers are given as the SASL user). */
  mailbox: string;
  /** Who signs in: the delegate who gets Full Access (and Send As when sending). */
  delegate: string;
  protocols: readonly Protocol[];
};

/** Exchange Online PowerShell for a shared mailbox opened by a delegate (PROVIDERS.md "Shared
 * mailboxes"): Full Access lets the delegate's token open it over IMAP/POP (and sign in to SMTP);
 * Send As lets the delegate send with the shared address as the sender. */
export function exchangeSharedMailboxScript(input: SharedMailboxScriptInput): Result<string> {
  const problems: string[] = [];
  check(problems, isMailbox(input.mailbox), 'The shared mailbox must be a plain email address.');
  check(problems, isMailbox(input.delegate), 'Who signs in must be a plain email address.');
  check(problems, enabled(input.protocols).length > 0, 'Choose at least one protocol (IMAP, POP or SMTP).');
  if (problems.length === 0) {
    check(problems, input.mailbox.trim().toLowerCase() !== input.delegate.trim().toLowerCase(), 'The shared mailbox and who signs in are the same address: a delegate signs in with their own address, not the shared one.');
  }
  if (problems.length > 0) return refuse(problems);
  const mailbox = input.mailbox.trim().toLowerCase();
  const delegate = input.delegate.trim().toLowerCase();
  const protocols = enabled(input.protocols);
  // The two addresses once, as variables: short lines that fit a narrow window, one place to read.
  const lines = [
    '# Exchange Online PowerShell (Install-Module ExchangeOnlineManagement), as an Exchange admin.',
    'Connect-ExchangeOnline',
    `$mailbox = '${mailbox}'`,
    `$delegate = '${delegate}'`,
    '# Full Access: the delegate\'s sign-in opens the shared mailbox (IMAP, POP, SMTP sign-in).',
    'Add-MailboxPermission -Identity $mailbox -User $delegate -AccessRights FullAccess',
  ];
  if (protocols.includes('smtp')) {
    lines.push('# Send As: the delegate may send with the shared address as the sender.');
    lines.push('Add-RecipientPermission -Identity $mailbox -Trustee $delegate -AccessRights SendAs -Confirm:$false');
  }
  lines.push('# Exchange can take up to an hour to apply permission changes.');
  return ok(lines.join('\n'));
}
