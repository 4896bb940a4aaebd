// The only external pages the app opens on the renderer's request. The renderer names a page;
// the URL is built here, so a compromised renderer cannot make the app open arbitrary URLs.
import type { LinkId } from '../../shared/ipc.ts';

export const LINKS: Readonly<Record<LinkId, string>> = {
  'entra-app-registrations': 'https://entra.microsoft.com/#view/Microsoft_AAD_RegisteredApps/ApplicationsListBlade',
  'google-credentials': 'https://console.cloud.google.com/apis/credentials',
  'google-consent-screen': 'https://console.cloud.google.com/auth/audience',
  'google-new-project': 'https://console.cloud.google.com/projectcreate',
  'exchange-admin-mailboxes': 'https://admin.exchange.microsoft.com/#/mailboxes',
  'outlook-com-imap-settings': 'https://outlook.live.com/mail/0/options/mail/forwarding',
  'project-help': 'https://github.com/mail-oauth-assistant/mail-oauth-assistant#readme',
};
