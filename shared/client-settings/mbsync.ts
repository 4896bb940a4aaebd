// isync's mbsync (IMAP only): SASL through Cyrus, where Debian ships an XOAUTH2 plugin
// (libsasl2-modules-kdexoauth2) and no OAUTHBEARER one. PassCmd runs at each connection.
import type { ClientModule } from './types.ts';
import { accountName, helperLine } from './types.ts';

export const mbsync: ClientModule = {
  id: 'mbsync',
  label: 'mbsync (isync)',
  kind: 'config',
  supports: { imap: ['XOAUTH2'] },
  limits: { imap: 'mbsync can use only XOAUTH2 (Debian has no OAUTHBEARER plugin for Cyrus SASL)' },
  where: '~/.mbsyncrc (needs the libsasl2-modules-kdexoauth2 package)',
  render(input, plans) {
    const imap = plans.find((p) => p.protocol === 'imap');
    if (!imap) return '';
    const name = accountName(input.address);
    const s = imap.server;
    // isync 1.4 (Debian 12) spells it SSLType; 1.5 still accepts it.
    const ssl = s.security === 'tls' ? 'IMAPS' : s.security === 'starttls' ? 'STARTTLS' : 'None';
    return [
      `# mbsync settings for ${input.address} (Mail OAuth Assistant).`,
      `# Needs the XOAUTH2 SASL plugin: apt install libsasl2-modules-kdexoauth2`,
      `# Create the local folder once: mkdir -p ~/Mail/${name}`,
      `IMAPAccount ${name}`,
      `Host ${s.host}`,
      `Port ${s.port}`,
      `User ${input.address}`,
      `PassCmd "${helperLine(input)}"`,
      `AuthMechs XOAUTH2`,
      `SSLType ${ssl}`,
      ...(input.caFile ? [`CertificateFile ${input.caFile}`] : []),
      '',
      `IMAPStore ${name}-remote`,
      `Account ${name}`,
      '',
      `MaildirStore ${name}-local`,
      `Path ~/Mail/${name}/`,
      `Inbox ~/Mail/${name}/INBOX`,
      'SubFolders Verbatim',
      '',
      `Channel ${name}`,
      `Far :${name}-remote:`,
      `Near :${name}-local:`,
      'Patterns *',
      'Create Near',
      'SyncState *',
      '',
    ].join('\n');
  },
};
