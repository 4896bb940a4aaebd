// Codes of the connection test: network, TLS, SASL and the servers' own answers.
// Owned by the probe engine (electron/probe/); the matcher lives in electron/probe/diagnose.ts.
// Provider texts behind the MS_* codes: ../shared/PROVIDERS.md ("Exchange responses worth recognising").
import type { Diagnosis } from './types.ts';

export const mailDiagnoses = {
  // --- Network -------------------------------------------------------------------------------
  DNS_NOT_FOUND: {
    title: 'The server name does not exist',
    explanation: 'The server name could not be looked up in DNS. It is probably misspelled, or this computer has no working DNS.',
    fix: [
      'Check the server name in the account settings (for example outlook.office365.com, imap.gmail.com).',
      'Open a web page to check that this computer is online.',
      'Behind a company proxy or VPN: ask your IT team whether mail servers can be reached from this network.',
    ],
    action: 'edit-servers',
  },
  CONNECTION_REFUSED: {
    title: 'The server refused the connection',
    explanation: 'The server name was found, but nothing accepts connections on that port: the server may be down for a moment, or the port is wrong.',
    fix: [
      'Check the port: IMAP 993 (TLS) or 143 (STARTTLS), POP 995 (TLS) or 110 (STARTTLS), SMTP 465 (TLS) or 587 (STARTTLS).',
      'A firewall or antivirus “mail shield” may block the port: allow the app through it.',
    ],
    action: 'edit-servers',
    // A server restarting or down for maintenance refuses connections, the commonest cause once an
    // account has worked: "attention" in the health model and exit 4 (retry later) from the CLI,
    // not "broken". A wrong port also ends here; the fix names it and the button edits the servers.
    temporary: true,
  },
  NETWORK_UNREACHABLE: {
    title: 'The server cannot be reached from this network',
    explanation: 'There is no network route to the server (no connection, a VPN, or a firewall in the way).',
    fix: ['Check that this computer is online.', 'Try another network, or ask your IT team whether this port is blocked.'],
    action: 'retry',
    temporary: true,
  },
  CONNECT_TIMEOUT: {
    title: 'The server did not answer',
    explanation: 'Connecting to the server took too long. A firewall may silently drop the traffic, or the server is down.',
    fix: [
      'Check the server name and port.',
      'Many networks block outgoing mail ports (25, 465, 587): try another network or ask your IT team.',
    ],
    action: 'retry',
    temporary: true,
  },
  CONNECTION_CLOSED: {
    title: 'The server closed the connection',
    explanation: 'The connection was closed by the server (or something between) before the test finished.',
    fix: ['Try again.', 'If it persists, check the security setting (TLS vs STARTTLS) for this port.'],
    action: 'retry',
    temporary: true,
  },
  NO_GREETING: {
    title: 'The server accepted the connection but never said hello',
    explanation:
      'A mail server greets first. This one stayed silent: it may expect TLS on this port, be overloaded, or not be a mail server at all.',
    fix: [
      'Check the security setting: port 993/995/465 use TLS from the start, 143/110/587 use STARTTLS.',
      'Check the port number against the provider’s documentation.',
    ],
    action: 'edit-servers',
  },
  MALFORMED_RESPONSE: {
    title: 'The server answered something that is not valid mail protocol',
    explanation: 'The answer could not be understood. The port may belong to another service, or a proxy interferes.',
    fix: ['Check that the port belongs to this protocol (IMAP, POP or SMTP).', 'Disable antivirus mail scanning or proxies for this test.'],
    action: 'edit-servers',
  },
  // --- TLS -----------------------------------------------------------------------------------
  TLS_UNTRUSTED_CERT: {
    title: 'The server’s certificate is not trusted',
    explanation:
      'The server presented a certificate from an authority this computer does not trust (self-signed, or issued by a company CA). The connection was stopped to protect your token.',
    fix: [
      'Check the server name: the official name of the provider has a trusted certificate.',
      'On a company network that inspects TLS, or for a self-hosted server: choose “Trust a certificate authority” and pick the CA’s PEM file (CLI: --ca-file <pem>).',
    ],
    action: 'edit-servers',
  },
  TLS_HOSTNAME_MISMATCH: {
    title: 'The certificate belongs to another server name',
    explanation: 'The server’s certificate is valid, but not for the name you entered. Using an alias or IP address causes this.',
    fix: ['Use the server name written on the certificate (the provider’s documented host, e.g. outlook.office365.com).'],
    action: 'edit-servers',
  },
  TLS_CERT_EXPIRED: {
    title: 'The server’s certificate has expired or is not yet valid',
    explanation: 'The certificate’s validity dates do not include now. Either the server is misconfigured or this computer’s clock is wrong.',
    fix: ['Check the date and time of this computer.', 'If the clock is right, tell the mail server’s administrator.'],
    action: 'retry',
  },
  TLS_HANDSHAKE_FAILED: {
    title: 'The secure connection could not be set up',
    explanation: 'The TLS handshake failed. The port may expect plain text first (STARTTLS), or the server uses outdated TLS.',
    fix: ['Check the security setting: 993/995/465 are TLS, 143/110/587 are STARTTLS.'],
    action: 'edit-servers',
  },
  TLS_REQUIRED: {
    title: 'The server only accepts sign-in over an encrypted connection',
    explanation: 'The connection is not encrypted, so the server refuses the sign-in. Tokens must never travel in plain text.',
    fix: ['Set the security of this server to TLS (ports 993/995/465) or STARTTLS (ports 143/110/587).'],
    action: 'edit-servers',
  },
  STARTTLS_MISSING: {
    title: 'The server does not offer STARTTLS on this port',
    explanation:
      'The account is set to upgrade to TLS with STARTTLS, but the server does not offer it. Continuing in plain text would expose the token, so the test stopped.',
    fix: [
      'Use the TLS port instead (IMAP 993, POP 995, SMTP 465) with security “TLS”.',
      'If the server should offer STARTTLS, something on the network may strip it: try another network.',
    ],
    action: 'edit-servers',
  },
  STARTTLS_REFUSED: {
    title: 'The server offered STARTTLS and then refused it',
    explanation:
      'The server lists STARTTLS but answered the request to switch to encryption with a refusal (its words are below). The test stopped: the token never travels over an unencrypted connection.',
    fix: [
      'Use the TLS port instead (IMAP 993, POP 995, SMTP 465) with security “TLS”.',
      'Tell the mail server’s administrator: its TLS set-up (certificate or key) is probably broken.',
    ],
    action: 'edit-servers',
  },
  // --- SASL / token --------------------------------------------------------------------------
  AUTH_MECHANISM_NOT_OFFERED: {
    title: 'The server does not offer OAuth sign-in here',
    explanation:
      'The server does not list an OAuth mechanism (XOAUTH2 or OAUTHBEARER) that this account can use. Some servers only list it after STARTTLS, or not at all.',
    fix: [
      'Check the server name and security: Microsoft needs outlook.office365.com (TLS) and smtp.office365.com:587 (STARTTLS).',
      'Microsoft 365 SMTP: enable SMTP AUTH in Exchange Online PowerShell, after Connect-ExchangeOnline (ExchangeOnlineManagement module): Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false, or for the whole tenant Set-TransportConfig -SmtpClientAuthenticationDisabled $false',
    ],
    action: 'edit-servers',
  },
  AUTH_TOKEN_REJECTED: {
    title: 'The server refused the access token',
    explanation: 'The mail server did not accept the token: it may be expired, revoked, for another user, or lack the mail permission.',
    fix: ['Authorize again.', 'Check that the signed-in user is the mailbox address.'],
    action: 'reauthorize',
  },
  AUTH_TOKEN_INVALID: {
    title: 'The server says the token is invalid or expired',
    explanation:
      'The server’s answer (status 401 / invalid_token) means the token was not valid for it: expired, revoked, issued for another user, or not meant for mail.',
    fix: [
      'Authorize again (a new sign-in gives a fresh token).',
      'Sign in as the mailbox’s own user: the token’s user must match the mail address.',
      'Google (“535-5.7.8 Username and Password not accepted”, status 401): the token is invalid or expired; refresh it or sign in again. An app in “Testing” publishing status loses its refresh tokens after 7 days: publish it (Google Cloud console > OAuth consent screen) or sign in again.',
    ],
    action: 'reauthorize',
  },
  AUTH_TOKEN_EXPIRED: {
    title: 'The access token has expired',
    explanation: 'The token’s lifetime is over and the server refused it. Access tokens last about an hour.',
    fix: ['Refresh the token (the app does this automatically when it has a refresh token), or authorize again.'],
    action: 'reauthorize',
  },
  AUTH_TOKEN_SCOPE: {
    title: 'The token lacks the mail permission',
    explanation:
      'The token was issued without the scope this protocol needs (status 400 / insufficient_scope), so the server cannot accept it for mail.',
    fix: [
      'Microsoft: request https://outlook.office.com/IMAP.AccessAsUser.All, POP.AccessAsUser.All and SMTP.Send (Azure portal > App registrations > your app > API permissions), then authorize again.',
      'Google: request the scope https://mail.google.com/ and authorize again.',
      'Other providers: enter the mail scope(s) the provider documents for IMAP/POP/SMTP (the issuer’s list of supported scopes is shown as suggestions), then authorize again.',
      'Never mix Microsoft Graph scopes (Mail.Read, User.Read) into the same request: such a token is not valid for IMAP/SMTP.',
    ],
    action: 'reauthorize',
  },
  AUTH_WRONG_USER: {
    title: 'The token belongs to another user',
    explanation: 'You signed in as a different user than the mailbox address, so the server refused the token.',
    fix: ['Authorize again and sign in with the mailbox’s own account (use a private window if the browser remembers another user).'],
    action: 'reauthorize',
  },
  TOKEN_UNAVAILABLE: {
    title: 'No access token could be obtained',
    explanation: 'The app could not get a token for this account, so the servers were not asked to sign in.',
    fix: ['Authorize the account again.', 'See the token step for the identity provider’s answer.'],
    action: 'reauthorize',
  },
  SERVER_AUTH_TEMPORARY: {
    title: 'The mail server could not check the token with its identity provider',
    explanation:
      'The mail server answered “temporary authentication failure”: it could not reach its sign-in service to validate the token. Your token may be fine.',
    fix: ['Try again in a few minutes.', 'If it persists, check the provider’s service status page.'],
    action: 'retry',
    temporary: true,
  },
  PROTOCOL_DISABLED: {
    title: 'This protocol is switched off for the mailbox',
    explanation: 'The server refuses IMAP or POP for this mailbox. Providers switch them off by default or by policy.',
    fix: [
      'Microsoft 365, in Exchange Online PowerShell after Connect-ExchangeOnline (ExchangeOnlineManagement module): Set-CASMailbox -Identity <mailbox> -ImapEnabled $true -PopEnabled $true.',
      'Outlook.com: Settings > Mail > Forwarding and IMAP > enable POP/IMAP.',
      'Gmail: Settings > See all settings > Forwarding and POP/IMAP > enable IMAP / POP.',
    ],
    action: 'none',
  },
  COMMAND_FAILED: {
    title: 'The server refused a command after sign-in',
    explanation: 'Sign-in worked, but the server refused the follow-up command that proves the mailbox is usable.',
    fix: ['Read the server’s answer below.', 'Check that the mailbox exists and is not blocked by a policy.'],
    action: 'none',
  },
  // --- Microsoft (Exchange Online) -----------------------------------------------------------
  MS_SMTP_AUTH_DISABLED: {
    title: 'SMTP sign-in is switched off in Exchange Online',
    explanation: 'The server answered 535 5.7.139: SMTP AUTH is disabled for the tenant or this mailbox (the default for new tenants and with security defaults).',
    fix: [
      // The cmdlets below exist only in an Exchange Online session ("not recognized as the name of a cmdlet" otherwise).
      'Open Exchange Online PowerShell as an Exchange admin: Install-Module ExchangeOnlineManagement, then Connect-ExchangeOnline.',
      'For the mailbox: Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false',
      'Or for the whole tenant: Set-TransportConfig -SmtpClientAuthenticationDisabled $false',
      'Microsoft 365 admin center > Users > Active users > the user > Mail > Manage email apps > tick “Authenticated SMTP”.',
      'Security defaults also block it: Entra admin center > Identity > Overview > Properties > Manage security defaults.',
    ],
    action: 'none',
  },
  MS_SMTP_AUTH_UNSUCCESSFUL: {
    title: 'Exchange Online refused the SMTP sign-in',
    explanation: 'The server answered 535 5.7.3 Authentication unsuccessful: the token is not valid for SMTP (missing SMTP.Send, wrong user, or expired).',
    fix: [
      'Check that the app requests https://outlook.office.com/SMTP.Send (Azure portal > App registrations > your app > API permissions) and authorize again.',
      'Sign in as the mailbox’s own user.',
      'App-only: grant SMTP.SendAsApp, New-ServicePrincipal -AppId <appId> -ObjectId <enterprise app object id>, then Add-MailboxPermission -Identity <mailbox> -User <service principal id> -AccessRights FullAccess.',
    ],
    action: 'reauthorize',
  },
  MS_SMTP_NOT_AUTHENTICATED: {
    title: 'Exchange Online did not consider the session signed in',
    explanation: 'The server answered 530 5.7.57 Client not authenticated to send mail: the sign-in did not happen or was not accepted before sending.',
    fix: [
      'Use smtp.office365.com port 587 with STARTTLS and OAuth (XOAUTH2).',
      'Enable SMTP AUTH in Exchange Online PowerShell, after Connect-ExchangeOnline (ExchangeOnlineManagement module): Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false, or for the whole tenant Set-TransportConfig -SmtpClientAuthenticationDisabled $false',
    ],
    action: 'edit-servers',
  },
  MS_USER_NOT_CONNECTED: {
    title: 'Signed in, but the mailbox is not connected to this user',
    explanation:
      'Exchange answered “User is authenticated but not connected”: the token is valid, but its user has no mailbox of this address, or an app-only token has no mailbox permission.',
    fix: [
      'Sign in as the mailbox’s own user (the token’s user must be the mail address).',
      'App-only: New-ServicePrincipal -AppId <appId> -ObjectId <object id of the ENTERPRISE APPLICATION>, then Add-MailboxPermission -Identity <mailbox> -User <service principal id> -AccessRights FullAccess.',
      'Check that the user has an Exchange Online license with a mailbox.',
    ],
    action: 'reauthorize',
  },
  // Issue 19: the same Exchange answer on a shared mailbox has other causes than on one's own.
  MS_SHARED_NOT_CONNECTED: {
    title: 'Signed in, but the delegate cannot open this shared mailbox',
    explanation:
      'Exchange accepted the delegate’s token and then answered “User is authenticated but not connected”: the shared mailbox address is not one the signed-in delegate has Full Access to. Either Full Access was never granted (or not yet applied: it can take up to an hour), the shared mailbox address is mistyped, or the delegate’s own address was entered as the shared mailbox.',
    fix: [
      'Ask an Exchange admin to grant Full Access (the wizard’s register step has the lines): Connect-ExchangeOnline, then Add-MailboxPermission -Identity <shared mailbox> -User <delegate> -AccessRights FullAccess -InheritanceType All',
      'Check the shared mailbox address (Microsoft 365 admin center > Teams & groups > Shared mailboxes) and edit the account if it differs.',
      'The mailbox address must be the shared mailbox’s, and “who signs in” the delegate’s own address: not the other way round.',
    ],
    action: 'edit-servers',
  },
  MS_SHARED_SEND_AS_DENIED: {
    title: 'The delegate may not send as this shared mailbox',
    explanation:
      'Exchange refused the shared mailbox as the sender (STOREDRV / SendAsDenied): Full Access lets the delegate read the shared mailbox, but sending as it needs the separate Send As permission.',
    fix: [
      'Ask an Exchange admin to grant Send As: Connect-ExchangeOnline, then Add-RecipientPermission -Identity <shared mailbox> -Trustee <delegate> -AccessRights SendAs -Confirm:$false',
      'Permission changes can take up to an hour to apply; then test again.',
    ],
    action: 'none',
  },
  MS_POP_AUTH_FAILURE: {
    title: 'Exchange Online refused the POP sign-in',
    explanation:
      'The server answered “Authentication failure: unknown user name or bad password”: the token is not valid for POP, POP is disabled for the mailbox, or the user does not match.',
    fix: [
      'Enable POP for the mailbox in Exchange Online PowerShell, after Connect-ExchangeOnline (ExchangeOnlineManagement module): Set-CASMailbox -Identity <mailbox> -PopEnabled $true',
      'Check that the app requests https://outlook.office.com/POP.AccessAsUser.All and authorize again.',
      'Sign in as the mailbox’s own user.',
    ],
    action: 'reauthorize',
  },
  MS_IMAP_AUTH_FAILED: {
    title: 'Exchange Online refused the IMAP sign-in',
    explanation:
      'The server answered “AUTHENTICATE failed.”: Exchange gives this one answer for a bad or expired token, a token of another user, a missing IMAP scope, or IMAP disabled for the mailbox.',
    fix: [
      'Enable IMAP for the mailbox in Exchange Online PowerShell, after Connect-ExchangeOnline (ExchangeOnlineManagement module): Set-CASMailbox -Identity <mailbox> -ImapEnabled $true',
      'Check that the app requests https://outlook.office.com/IMAP.AccessAsUser.All (not a Microsoft Graph scope) and authorize again.',
      'Sign in as the mailbox’s own user.',
    ],
    action: 'reauthorize',
  },
  MS_STOREDRV: {
    title: 'Exchange Online could not open the mailbox',
    explanation: 'The server answered 430 4.2.0 STOREDRV; mailbox logon failure: the signed-in user cannot open this mailbox (no mailbox, no permission to send as it).',
    fix: [
      'Send as the signed-in user’s own address, or grant Send As: Add-RecipientPermission -Identity <mailbox> -Trustee <user> -AccessRights SendAs',
      'App-only: Add-MailboxPermission -Identity <mailbox> -User <service principal id> -AccessRights FullAccess',
    ],
    action: 'none',
  },
} as const satisfies Record<string, Diagnosis>;
