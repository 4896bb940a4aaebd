// Codes of authorization: the identity provider's errors (AADSTS, invalid_grant, Google quirks).
// Owned by the auth layer (electron/auth/); the matcher lives in electron/auth/diagnose.ts.
// Texts and fixes follow ../shared/PROVIDERS.md (portal paths as Microsoft and Google name them).
import type { Diagnosis } from './types.ts';

const ENTRA_APP = 'Microsoft Entra admin center > Identity > Applications > App registrations > your app';

export const authDiagnoses = {
  IDP_UNAVAILABLE: {
    title: 'The sign-in service cannot be reached',
    explanation: 'The identity provider did not answer, so no token could be obtained or checked.',
    fix: ['Check your network connection.', 'Try again in a few minutes.'],
    action: 'retry',
    temporary: true,
  },
  // The identity provider answered, but its TLS certificate failed verification: not a network
  // problem (retrying changes nothing), so each cause has its own code and fix, as for mail servers.
  IDP_TLS_UNTRUSTED_CERT: {
    title: 'The sign-in service’s certificate is not trusted',
    explanation:
      'The identity provider presented a certificate from an authority this computer does not trust (self-signed, or issued by a company CA that inspects TLS). The connection was stopped to protect your sign-in.',
    fix: [
      'Check the issuer address: the official address of the provider has a trusted certificate.',
      'On a company network that inspects TLS, or for a self-hosted provider: choose “Trust a certificate authority” and pick the CA’s PEM file (CLI: --ca-file <pem>).',
    ],
    action: 'edit-registration',
  },
  IDP_TLS_HOSTNAME_MISMATCH: {
    title: 'The sign-in service’s certificate belongs to another name',
    explanation: 'The identity provider’s certificate is valid, but not for the address you entered (an alias or IP address causes this).',
    fix: ['Use the issuer address written on the certificate (the provider’s documented issuer URL).'],
    action: 'edit-registration',
  },
  IDP_TLS_CERT_EXPIRED: {
    title: 'The sign-in service’s certificate has expired or is not yet valid',
    explanation: 'The certificate’s validity dates do not include now: the provider is misconfigured, or this computer’s clock is wrong.',
    fix: ['Check the date and time of this computer.', 'If the clock is right, tell the identity provider’s administrator.'],
    action: 'retry',
  },
  IDP_NO_DISCOVERY: {
    title: 'No OpenID discovery document at that address',
    explanation:
      'The address answered, but not with an OpenID Connect / OAuth discovery document (/.well-known/openid-configuration), so it is not an issuer URL.',
    fix: [
      'Enter the issuer URL from the provider’s documentation (for example https://accounts.google.com or https://login.example.com/realms/mail), not a web page or the login page.',
      'Check it in a browser: <issuer>/.well-known/openid-configuration must show JSON with an "issuer" field.',
    ],
    action: 'edit-registration',
  },
  AUTH_FAILED: {
    title: 'Sign-in failed',
    explanation: 'The identity provider refused the request with an error this app does not know. Its own words are in the details.',
    fix: ['Read the provider’s message in the details.', 'Authorize again; if it repeats, check the app registration.'],
    action: 'reauthorize',
  },
  AUTH_NOT_SIGNED_IN: {
    title: 'This account is not authorized yet',
    explanation: 'No saved sign-in exists for this account on this computer, so no token can be made.',
    fix: ['Click “Authorize” and sign in with the mailbox’s account.'],
    action: 'reauthorize',
  },
  AUTH_GRANT_REVOKED: {
    title: 'The saved sign-in is no longer valid',
    explanation:
      'The provider refused the saved refresh token (invalid_grant): it was revoked, already used, or the user signed out everywhere. A new sign-in is needed.',
    fix: ['Authorize again.'],
    action: 'reauthorize',
  },
  AUTH_REFRESH_EXPIRED: {
    title: 'The saved sign-in has expired',
    explanation:
      'The refresh token is too old or was revoked by the provider (Microsoft: AADSTS70008 / AADSTS700082, refresh tokens expire after 90 days of inactivity).',
    fix: ['Authorize again.', 'Use the account at least every few weeks so the sign-in stays fresh.'],
    action: 'reauthorize',
  },
  AUTH_PASSWORD_CHANGED: {
    title: 'The password was changed or reset',
    explanation: 'Changing or resetting the account password ends all saved sign-ins (Microsoft: AADSTS50173).',
    fix: ['Authorize again with the new password.'],
    action: 'reauthorize',
  },
  GOOGLE_TESTING_APP_EXPIRED: {
    title: 'Google ended the sign-in after 7 days (app in “Testing”)',
    explanation:
      'Google Cloud projects whose OAuth consent screen is in “Testing” status get refresh tokens that expire after 7 days. The saved sign-in is about that old.',
    fix: [
      'Authorize again now (works for another 7 days).',
      'For a lasting fix: Google Cloud console > APIs & Services > OAuth consent screen > Publish app (or make the app Internal in Google Workspace).',
    ],
    action: 'reauthorize',
  },
  AUTH_INTERACTION_REQUIRED: {
    title: 'The provider wants you to sign in again',
    explanation: 'The saved sign-in cannot be renewed silently: the provider asks for an interactive sign-in (new consent, policy or password).',
    fix: ['Authorize again in the browser.'],
    action: 'reauthorize',
  },
  AUTH_ACCESS_DENIED: {
    title: 'Access was denied in the browser',
    explanation: 'The sign-in page reported that access was denied (the “Deny” button, or a policy refused the app).',
    fix: ['Authorize again and accept the requested permissions.', 'If your organisation blocks the app, ask an administrator to allow it.'],
    action: 'reauthorize',
  },
  AUTH_BAD_CREDENTIALS: {
    title: 'Wrong user name or password at sign-in',
    explanation: 'The provider rejected the user name or password typed on its sign-in page (Microsoft: AADSTS50126).',
    fix: ['Authorize again and check the user name and password.', 'If the password was changed recently, use the new one.'],
    action: 'reauthorize',
  },
  AUTH_MFA_REQUIRED: {
    title: 'Multi-factor authentication is required',
    explanation: 'The organisation requires a second factor for this sign-in (Microsoft: AADSTS50076 / AADSTS50079), which a silent renewal cannot provide.',
    fix: ['Authorize again in the browser and complete the second factor (or register one when asked).'],
    action: 'reauthorize',
  },
  MS_SINGLE_TENANT_APP: {
    title: 'The app registration is single-tenant: use your tenant instead of “common”',
    explanation:
      'The app is registered for one organisation only, but the sign-in used the multi-tenant endpoint (AADSTS50194).',
    fix: [
      'Set the tenant to your directory (tenant) ID or domain, found in Microsoft Entra admin center > Overview > Tenant ID.',
      `Or make the app multi-tenant: ${ENTRA_APP} > Authentication > Supported account types.`,
    ],
    action: 'edit-registration',
  },
  MS_CLIENT_IS_CONFIDENTIAL: {
    title: 'The app registration is not a public client',
    explanation:
      'Microsoft expected a client secret (AADSTS7000218): the redirect URI is registered under the “Web” platform, or public client flows are off (needed for device code).',
    fix: [
      `${ENTRA_APP} > Authentication > Add a platform > Mobile and desktop applications > redirect URI http://localhost (and remove it from “Web”).`,
      `For device code: ${ENTRA_APP} > Authentication > Advanced settings > Allow public client flows = Yes.`,
    ],
    action: 'edit-registration',
  },
  MS_PUBLIC_CLIENT_SECRET_SENT: {
    title: 'A client secret was sent for a public client',
    explanation: 'The app registration is a public (desktop) client, which must not send a secret (AADSTS700025).',
    fix: ['Remove the client secret from this account’s settings.', 'For app-only access, register a separate confidential app with a secret.'],
    action: 'edit-registration',
  },
  MS_CONSENT_REQUIRED: {
    title: 'The mail permissions have not been consented to',
    explanation: 'The user or an administrator has not granted the app the requested mail permissions (AADSTS65001).',
    fix: [
      `${ENTRA_APP} > API permissions > Add the Office 365 Exchange Online permissions (IMAP.AccessAsUser.All, POP.AccessAsUser.All, SMTP.Send).`,
      'An administrator clicks “Grant admin consent for <organisation>”, or you authorize again and accept.',
    ],
    action: 'edit-registration',
  },
  MS_ADMIN_APPROVAL_REQUIRED: {
    title: 'An administrator must approve this app',
    explanation: 'Your organisation lets only administrators consent to this app’s permissions (AADSTS90094).',
    fix: [
      `Ask an administrator: ${ENTRA_APP} > API permissions > Grant admin consent for <organisation>.`,
      'Or: Enterprise applications > Admin consent requests, and approve the request.',
    ],
    action: 'edit-registration',
  },
  MS_CONDITIONAL_ACCESS_BLOCKED: {
    title: 'Blocked by a Conditional Access policy',
    explanation: 'A Conditional Access policy of your organisation blocked this sign-in (AADSTS53003), e.g. because of the device, location or app.',
    fix: ['Ask an administrator to check Microsoft Entra admin center > Protection > Conditional Access > Sign-in logs for the blocking policy.'],
    action: 'none',
  },
  MS_APP_NOT_FOUND: {
    title: 'The app (client ID) is not known in this tenant',
    explanation: 'Microsoft found no application with this client ID in the directory (AADSTS700016): wrong client ID, wrong tenant, or the app was deleted.',
    fix: [
      `Copy the Application (client) ID from ${ENTRA_APP} > Overview.`,
      'Check the tenant: use the Directory (tenant) ID shown on the same page.',
    ],
    action: 'edit-registration',
  },
  AUTH_REDIRECT_URI_MISMATCH: {
    title: 'The redirect URI is not registered',
    explanation: 'The provider does not accept the loopback redirect URI this app uses (Microsoft: AADSTS50011; Google: redirect_uri_mismatch).',
    fix: [
      `Microsoft: ${ENTRA_APP} > Authentication > Mobile and desktop applications > add http://localhost.`,
      'Google: create the OAuth client as type “Desktop app” (loopback redirects are then allowed on any port).',
    ],
    action: 'edit-registration',
  },
  AUTH_MALFORMED_REQUEST: {
    title: 'The token request was malformed',
    explanation: 'The provider says the request lacks a required field (Microsoft: AADSTS900144, e.g. client_id or grant_type). This is a bug or a damaged saved sign-in.',
    fix: ['Authorize again.', 'If it repeats, export a diagnostic report and file an issue.'],
    action: 'reauthorize',
  },
  AUTH_INVALID_CLIENT: {
    title: 'The client ID or client secret was refused',
    explanation: 'The provider did not accept the app’s credentials (invalid_client): the secret is wrong or expired, or the client ID is wrong.',
    fix: [
      'Copy the client ID and secret again from the provider’s console (Google: APIs & Services > Credentials; Microsoft: App registrations > Certificates & secrets).',
      'Microsoft secrets expire: create a new one when it has.',
    ],
    action: 'edit-registration',
  },
  AUTH_UNAUTHORIZED_CLIENT: {
    title: 'The app may not use this sign-in method',
    explanation: 'The provider does not allow this client to use the chosen flow (unauthorized_client), e.g. device code or client credentials not enabled for it.',
    fix: ['Use the browser sign-in, or enable the flow in the app registration.'],
    action: 'edit-registration',
  },
  AUTH_INVALID_SCOPE: {
    title: 'A requested permission is not valid for this app',
    explanation: 'The provider refused one of the requested scopes (invalid_scope).',
    fix: ['Check the scopes in the account settings against the provider’s documentation.', 'Add the mail permission to the app registration.'],
    action: 'edit-registration',
  },
  AUTH_STATE_MISMATCH: {
    title: 'The sign-in answer did not match the request',
    explanation:
      'The answer that came back to this app was not for the sign-in it started (wrong state or issuer, RFC 6749 §10.12 / RFC 9207). It was refused for your safety.',
    fix: ['Close other sign-in tabs and authorize again.'],
    action: 'reauthorize',
  },
  AUTH_DEVICE_CODE_EXPIRED: {
    title: 'The device code expired',
    explanation: 'The code was not entered on the verification page in time.',
    fix: ['Start the device sign-in again and enter the new code promptly.'],
    action: 'retry',
  },
  AUTH_DEVICE_FLOW_UNSUPPORTED: {
    title: 'This provider does not allow device sign-in for mail',
    explanation: 'The device flow cannot grant the mail permission at this provider (Google refuses the Gmail scope for it).',
    fix: ['Use the browser sign-in instead.'],
    action: 'none',
  },
  AUTH_FLOW_UNSUPPORTED: {
    title: 'This sign-in method does not fit the account',
    explanation: 'The chosen flow does not match the account’s settings (e.g. client credentials on a delegated account, or the provider has no such endpoint).',
    fix: ['Choose another sign-in method, or change the account’s access type.'],
    action: 'edit-registration',
  },
  AUTH_TENANT_REQUIRED: {
    title: 'App-only access needs your tenant',
    explanation: 'Client credentials work only against one directory: “common”, “organizations” and “consumers” are refused.',
    fix: ['Enter your Directory (tenant) ID or domain from Microsoft Entra admin center > Overview.'],
    action: 'edit-registration',
  },
  AUTH_CLIENT_SECRET_MISSING: {
    title: 'A client secret is needed',
    explanation: 'This provider or flow requires the app’s client secret (Google desktop clients; app-only access), but none is saved.',
    fix: ['Enter the client secret from the provider’s console in the account’s registration settings.'],
    action: 'edit-registration',
  },
  AUTH_CLIENT_SECRET_EXPIRED: {
    title: 'The app’s client secret has expired',
    explanation:
      'Client secrets are issued with an end date (Microsoft Entra: 6, 12 or 24 months; AADSTS7000222 once past it). After that date no token can be renewed until a new secret is stored.',
    fix: [
      'Create a new client secret: Microsoft Entra admin center > App registrations > your app > Certificates & secrets > New client secret (copy its Value, not its Secret ID); Google Cloud console > APIs & Services > Credentials > your OAuth client > Add secret.',
      'Store the new secret and its end date in the account’s registration settings.',
    ],
    action: 'edit-registration',
  },
  AUTH_WRONG_USER: {
    title: 'Signed in as a different user',
    explanation: 'The browser sign-in was done with another account than this mailbox’s address; the mail servers will refuse the token for this mailbox.',
    fix: ['Authorize again and pick the mailbox’s own account (use a private window if the browser remembers another one).'],
    action: 'reauthorize',
  },
  AUTH_WRONG_DELEGATE: {
    title: 'Signed in as someone other than the chosen delegate',
    explanation: 'This shared mailbox is opened by signing in as its delegate, but the browser sign-in was done with another account. Exchange only opens the shared mailbox for a delegate with Full Access.',
    fix: ['Authorize again and sign in as the delegate named under “who signs in” (use a private window if the browser remembers another account), or change who signs in.'],
    action: 'reauthorize',
  },
  GRANT_OWNER_MISSING: {
    title: 'The account whose sign-in this mailbox uses is gone',
    explanation: 'This mailbox reuses another account’s sign-in, and that account no longer exists, so there is no token for it.',
    fix: ['Edit the account to sign in on its own (authorize it), or add the delegate’s account again and reuse its sign-in.'],
    action: 'reauthorize',
  },
  GRANT_IN_USE: {
    title: 'Other mailboxes use this account’s sign-in',
    explanation: 'Shared mailboxes reuse this account’s sign-in; removing it would leave them without a token.',
    fix: ['Remove the shared mailboxes that use this sign-in first (they are named in the message), then this account.'],
    action: 'none',
  },
  AUTH_SCOPE_MISSING: {
    title: 'A mail permission was not granted',
    explanation: 'The token lacks the permission for an enabled protocol, so that protocol will refuse it.',
    fix: ['Add the permission to the app registration and authorize again, accepting every permission.'],
    action: 'reauthorize',
  },
  AUTH_NO_REFRESH_TOKEN: {
    title: 'No refresh token: the sign-in will last about an hour',
    explanation: 'The provider issued no refresh token, so the app cannot renew access without you (Microsoft: offline_access; Google: access_type=offline with prompt=consent).',
    fix: ['Authorize again and accept offline access.', 'Check that the app registration allows offline access.'],
    action: 'reauthorize',
  },
  AUTH_EXCESS_SCOPES: {
    title: 'More permissions were granted than mail needs',
    explanation: 'The token carries permissions beyond the enabled protocols. It works, but a leaked token could do more than necessary.',
    fix: ['Remove unneeded API permissions from the app registration and authorize again.'],
    action: 'none',
  },
} as const satisfies Record<string, Diagnosis>;
