// aerc (IMAP + SMTP): `+oauthbearer` / `+xoauth2` in the source and outgoing URLs, the token from
// *-cred-cmd. aerc has no CA setting: as a Go program it reads SSL_CERT_FILE.
import type { ClientModule, ClientServer } from './types.ts';
import { helperLine, mechanismLower, urlUser } from './types.ts';

function url(kind: 'imap' | 'smtp', s: ClientServer, mech: string, address: string): string {
  // aerc: imaps:// implicit TLS, imap:// STARTTLS, imap+insecure:// plaintext (same for smtp).
  const scheme = s.security === 'tls' ? `${kind}s` : s.security === 'starttls' ? kind : `${kind}+insecure`;
  return `${scheme}+${mech}://${urlUser(address)}@${s.host}:${s.port}`;
}

export const aerc: ClientModule = {
  id: 'aerc',
  label: 'aerc',
  kind: 'config',
  supports: { imap: ['OAUTHBEARER', 'XOAUTH2'], smtp: ['OAUTHBEARER', 'XOAUTH2'] },
  where: '~/.config/aerc/accounts.conf (chmod 600: aerc refuses a readable file)',
  render(input, plans) {
    const imap = plans.find((p) => p.protocol === 'imap');
    const smtp = plans.find((p) => p.protocol === 'smtp');
    const helper = helperLine(input);
    return [
      `# aerc settings for ${input.address} (Mail OAuth Assistant).`,
      ...(input.caFile ? [`# aerc trusts the CA named by SSL_CERT_FILE: start it as  SSL_CERT_FILE=${input.caFile} aerc`] : []),
      `[${input.address}]`,
      ...(imap ? [`source = ${url('imap', imap.server, mechanismLower(imap.mechanism), input.address)}`, `source-cred-cmd = ${helper}`, 'default = INBOX'] : []),
      ...(smtp ? [`outgoing = ${url('smtp', smtp.server, mechanismLower(smtp.mechanism), input.address)}`, `outgoing-cred-cmd = ${helper}`] : []),
      `from = <${input.address}>`,
      '',
    ].join('\n');
  },
};
