import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Protocol } from '../../shared/providers.ts';
import {
  APP_ONLY_ROLES,
  DELEGATED_PERMISSIONS,
  GRAPH_RESOURCE_APP_ID,
  audienceForTenant,
  azureCliAppOnlyScript,
  azureCliDelegatedScript,
  delegatedResourceAccess,
  exchangeAppOnlyScript,
  graphPowerShellDelegatedScript,
  isTenant,
} from '../../shared/registration-scripts.ts';

const ALL_IDS = Object.values(DELEGATED_PERMISSIONS).map((p) => p.id);
const APP = '11111111-2222-4333-8444-555555555555';
const SP = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';

function script(r: ReturnType<typeof azureCliDelegatedScript>): string {
  assert.ok(r.ok, r.ok ? '' : `${r.error.message} ${r.error.detail ?? ''}`);
  return r.value;
}

const protocolSets: Protocol[][] = [['imap'], ['pop'], ['smtp'], ['imap', 'smtp'], ['imap', 'pop', 'smtp'], ['smtp', 'imap']];

test('an enabled protocol set yields exactly its delegated permissions plus offline_access', () => {
  for (const set of protocolSets) {
    const want = new Set([...set.map((p) => DELEGATED_PERMISSIONS[p].id), DELEGATED_PERMISSIONS.offline_access.id]);
    const access = delegatedResourceAccess(set);
    assert.equal(access.length, 1);
    assert.equal(access[0]?.resourceAppId, GRAPH_RESOURCE_APP_ID);
    const ids = access[0]?.resourceAccess.map((r) => r.id) ?? [];
    assert.deepEqual(new Set(ids), want, `permissions for ${set.join('+')}`);
    assert.equal(ids.length, want.size, 'no duplicates');
    assert.ok(access[0]?.resourceAccess.every((r) => r.type === 'Scope'));

    // The scripts carry exactly those ids, no others.
    for (const gen of [azureCliDelegatedScript, graphPowerShellDelegatedScript]) {
      const text = script(gen({ displayName: 'Mail OAuth Assistant', audience: 'AzureADMyOrg', protocols: set }));
      for (const id of ALL_IDS) assert.equal(text.includes(id), want.has(id), `${gen.name} ${set.join('+')}: ${id}`);
    }
  }
});

test('the Azure CLI script creates a public client with the loopback redirect and prints the ids', () => {
  const text = script(azureCliDelegatedScript({ displayName: 'Scanner mail', audience: 'AzureADandPersonalMicrosoftAccount', protocols: ['imap', 'smtp'] }));
  assert.match(text, /az ad app create \\/);
  assert.match(text, /--sign-in-audience AzureADandPersonalMicrosoftAccount/);
  assert.match(text, /--public-client-redirect-uris http:\/\/localhost /);
  assert.match(text, /--is-fallback-public-client true/);
  assert.match(text, /--required-resource-accesses @moa-permissions\.json/);
  assert.match(text, /az ad sp create --id "\$appId"/);
  assert.match(text, /echo "Client ID: \$appId"/);
  assert.match(text, /--display-name 'Scanner mail'/);
  // The permissions file is valid JSON of the right shape.
  const json = /<<'JSON'\n(.*)\nJSON/s.exec(text)?.[1] ?? '';
  assert.deepEqual(JSON.parse(json), delegatedResourceAccess(['imap', 'smtp']));
  // Never Microsoft Graph mail/user permissions by name.
  assert.doesNotMatch(text, /Mail\.Read|User\.Read/);
});

test('the Graph PowerShell script uses New-MgApplication with the public-client settings', () => {
  const text = script(graphPowerShellDelegatedScript({ displayName: 'Mail OAuth Assistant', audience: 'AzureADMultipleOrgs', protocols: ['pop'] }));
  assert.match(text, /New-MgApplication `/);
  assert.match(text, /-SignInAudience 'AzureADMultipleOrgs'/);
  assert.match(text, /-IsFallbackPublicClient:\$true/);
  assert.match(text, /-PublicClient @\{ RedirectUris = @\('http:\/\/localhost'\) \}/);
  assert.match(text, /New-MgServicePrincipal -AppId \$app\.AppId/);
  assert.match(text, new RegExp(`Id = '${DELEGATED_PERMISSIONS.pop.id}'; Type = 'Scope'`));
});

test('odd input is refused instead of being quoted into a script', () => {
  const bad = ["x'; rm -rf ~; '", 'a$(whoami)', 'back`tick', 'new\nline', '', ' leading space', 'x'.repeat(121), 'quote"'];
  for (const displayName of bad) {
    for (const gen of [azureCliDelegatedScript, graphPowerShellDelegatedScript]) {
      const r = gen({ displayName, audience: 'AzureADMyOrg', protocols: ['imap'] });
      assert.equal(r.ok, false, `${gen.name} accepted ${JSON.stringify(displayName)}`);
      if (!r.ok) assert.equal(r.error.code, 'VALIDATION_FAILED');
    }
    assert.equal(azureCliAppOnlyScript({ displayName, protocols: ['imap'] }).ok, false);
  }
  assert.equal(azureCliDelegatedScript({ displayName: 'ok', audience: 'AzureADMyOrg', protocols: [] }).ok, false, 'no protocol');
});

test('the Exchange Online script fills in the user’s ids and refuses invalid ones', () => {
  const good = { appId: APP, servicePrincipalObjectId: SP, mailbox: 'scanner@contoso.com', displayName: 'Scanner', protocols: ['imap', 'smtp'] as Protocol[] };
  const text = script(exchangeAppOnlyScript(good));
  assert.match(text, new RegExp(`New-ServicePrincipal -AppId '${APP}' -ObjectId '${SP}'`));
  assert.match(text, new RegExp(`Add-MailboxPermission -Identity 'scanner@contoso.com' -User '${SP}' -AccessRights FullAccess`));
  assert.match(text, /Set-CASMailbox -Identity 'scanner@contoso\.com' -SmtpClientAuthenticationDisabled \$false/);
  assert.match(text, /-ImapEnabled \$true/);
  assert.doesNotMatch(text, /-PopEnabled/);

  const noSmtp = script(exchangeAppOnlyScript({ ...good, protocols: ['pop'] }));
  assert.doesNotMatch(noSmtp, /SmtpClientAuthenticationDisabled/);
  assert.match(noSmtp, /-PopEnabled \$true/);

  const cases: Array<Partial<typeof good>> = [
    { appId: 'not-a-guid' },
    { appId: `${APP}'` },
    { servicePrincipalObjectId: '' },
    { servicePrincipalObjectId: `${SP}; Remove-Mailbox x` },
    { mailbox: "o'brien@contoso.com" },
    { mailbox: 'a b@contoso.com' },
    { mailbox: 'x@contoso.com$(calc)' },
    { mailbox: 'nodomain' },
  ];
  for (const c of cases) {
    const r = exchangeAppOnlyScript({ ...good, ...c });
    assert.equal(r.ok, false, `accepted ${JSON.stringify(c)}`);
  }
});

test('the app-only Azure CLI script looks the Exchange roles up for the enabled protocols only', () => {
  const text = script(azureCliAppOnlyScript({ displayName: 'Scanner', protocols: ['smtp'] }));
  assert.match(text, /for role in SMTP\.SendAsApp; do/);
  assert.doesNotMatch(text, new RegExp(APP_ONLY_ROLES.imap));
  assert.match(text, /az ad app permission admin-consent/);
  assert.match(text, /Enterprise application object ID/);
});

test('audience and tenant rules', () => {
  assert.equal(audienceForTenant('consumers'), 'AzureADandPersonalMicrosoftAccount');
  assert.equal(audienceForTenant('common'), 'AzureADandPersonalMicrosoftAccount');
  assert.equal(audienceForTenant('organizations'), 'AzureADMultipleOrgs');
  assert.equal(audienceForTenant(APP), 'AzureADMyOrg');
  assert.equal(audienceForTenant('contoso.onmicrosoft.com'), 'AzureADMyOrg');
  for (const t of [APP, 'contoso.onmicrosoft.com', 'organizations']) assert.ok(isTenant(t), t);
  for (const t of ['', 'contoso', 'a/b', '../x', 'x y.com']) assert.ok(!isTenant(t), t);
});

test('the app-only script prints the secret end date, and the pasted output reads back every value', async () => {
  const { parseScriptOutput, parseDay, formatDay } = await import('../../shared/registration-scripts.ts');
  const s = script(azureCliAppOnlyScript({ displayName: 'Mail OAuth Assistant', protocols: ['imap', 'smtp'] }));
  assert.match(s, /echo "Client secret expires: \$\(az ad app credential list --id "\$appId" --query 'max_by\(\[\], &endDateTime\)\.endDateTime' --output tsv\)"/);
  // What Cloud Shell shows after the script ran (the az output lines around it included).
  const pasted = [
    'user@Azure:~$ bash moa.sh',
    `Client ID: ${APP.toUpperCase()}`,
    'Tenant ID: 99999999-8888-4777-8666-555555555555',
    `Enterprise application object ID: ${SP}`,
    'Client secret expires: 2027-12-02T06:10:33+00:00',
    'Client secret (paste it into the app, then clear this screen): abc~DEF.123',
  ].join('\r\n');
  assert.deepEqual(parseScriptOutput(pasted), {
    clientId: APP,
    tenantId: '99999999-8888-4777-8666-555555555555',
    servicePrincipalObjectId: SP,
    secretExpires: '2027-12-02',
    secret: 'abc~DEF.123',
  });
  assert.deepEqual(parseScriptOutput('Client ID: not-a-guid\nClient secret expires: soon\nnothing else'), {});
  assert.equal(parseDay('2027-02-29'), undefined, 'not a leap year');
  assert.equal(parseDay('2028-02-29'), Date.UTC(2028, 1, 29));
  assert.equal(formatDay(Date.UTC(2028, 1, 29)), '2028-02-29');
});

test('the shared-mailbox script grants the delegate Full Access, and Send As only when SMTP is on', async () => {
  const { exchangeSharedMailboxScript } = await import('../../shared/registration-scripts.ts');
  const good = { mailbox: 'Info@Contoso.com', delegate: 'alice@contoso.com', protocols: ['imap', 'smtp'] as Protocol[] };
  const text = script(exchangeSharedMailboxScript(good));
  const lines = text.split('\n');
  assert.ok(lines.indexOf('Connect-ExchangeOnline') >= 0);
  // The addresses (validated, lower-cased) are set once, before the commands that use them.
  assert.ok(lines.indexOf("$mailbox = 'info@contoso.com'") > lines.indexOf('Connect-ExchangeOnline'), text);
  assert.ok(lines.indexOf("$delegate = 'alice@contoso.com'") > lines.indexOf('Connect-ExchangeOnline'), text);
  const full = lines.indexOf('Add-MailboxPermission -Identity $mailbox -User $delegate -AccessRights FullAccess');
  const sendAs = lines.indexOf('Add-RecipientPermission -Identity $mailbox -Trustee $delegate -AccessRights SendAs -Confirm:$false');
  assert.ok(full > lines.indexOf("$delegate = 'alice@contoso.com'"), text);
  assert.ok(sendAs > full, text);
  // Reading only: no Send As.
  assert.doesNotMatch(script(exchangeSharedMailboxScript({ ...good, protocols: ['imap', 'pop'] })), /Add-RecipientPermission/);

  const cases: Array<Partial<typeof good>> = [
    { mailbox: "o'brien@contoso.com" },
    { mailbox: 'info@contoso.com; Remove-Mailbox x' },
    { delegate: 'alice@contoso.com$(calc)' },
    { delegate: 'a`b@contoso.com' },
    { delegate: '' },
    { delegate: 'INFO@contoso.com' }, // the shared address itself given as the delegate
    { protocols: [] },
  ];
  for (const c of cases) {
    const r = exchangeSharedMailboxScript({ ...good, ...c });
    assert.equal(r.ok, false, `accepted ${JSON.stringify(c)}`);
    if (!r.ok) assert.equal(r.error.code, 'VALIDATION_FAILED');
  }
});
