// neomutt: native OAUTHBEARER/XOAUTH2 for IMAP and SMTP, OAUTHBEARER only for POP (its POP code
// answers "xoauth2 is not a valid authenticator"). It runs the *_oauth_refresh_command at every
// login, so an expired token is replaced on the next connection.
import type { ClientModule, ClientServer, UsablePlan } from './types.ts';
import { helperLine, mechanismLower, urlUser } from './types.ts';

function url(scheme: { tls: string; plain: string }, s: ClientServer, user: string): string {
  return `${s.security === 'tls' ? scheme.tls : scheme.plain}://${urlUser(user)}@${s.host}:${s.port}/`;
}

export const neomutt: ClientModule = {
  id: 'neomutt',
  label: 'NeoMutt',
  kind: 'config',
  supports: { imap: ['OAUTHBEARER', 'XOAUTH2'], pop: ['OAUTHBEARER'], smtp: ['OAUTHBEARER', 'XOAUTH2'] },
  limits: { pop: 'NeoMutt speaks only OAUTHBEARER to POP servers' },
  where: '~/.config/neomutt/neomuttrc (or ~/.neomuttrc)',
  render(input, plans) {
    const helper = helperLine(input);
    const by = (p: UsablePlan['protocol']) => plans.find((x) => x.protocol === p);
    const imap = by('imap');
    const pop = by('pop');
    const smtp = by('smtp');
    const lines = [
      `# NeoMutt settings for ${input.address} (Mail OAuth Assistant).`,
      `# NeoMutt runs \`${helper}\` at each login for a fresh access token.`,
      `set from = "${input.address}"`,
    ];
    if (imap) {
      lines.push(
        '',
        `set imap_user = "${input.address}"`,
        `set folder = "${url({ tls: 'imaps', plain: 'imap' }, imap.server, input.address)}"`,
        'set spoolfile = "+INBOX"',
        `set imap_authenticators = "${mechanismLower(imap.mechanism)}"`,
        `set imap_oauth_refresh_command = "${helper}"`,
      );
    }
    if (pop) {
      const popUrl = url({ tls: 'pops', plain: 'pop' }, pop.server, input.address);
      lines.push(
        '',
        imap ? '# POP: fetch-mail (G) downloads from here into the spool folder.' : '# POP: read the mailbox directly.',
        `set pop_host = "${popUrl}"`,
        ...(imap ? [] : [`set folder = "${popUrl}"`, `set spoolfile = "${popUrl}"`]),
        'set pop_delete = no',
        `set pop_authenticators = "${mechanismLower(pop.mechanism)}"`,
        `set pop_oauth_refresh_command = "${helper}"`,
      );
    }
    if (smtp) {
      lines.push(
        '',
        `set smtp_url = "${url({ tls: 'smtps', plain: 'smtp' }, smtp.server, input.address)}"`,
        `set smtp_authenticators = "${mechanismLower(smtp.mechanism)}"`,
        `set smtp_oauth_refresh_command = "${helper}"`,
      );
    }
    const used = plans.map((p) => p.server);
    lines.push('');
    if (used.some((s) => s.security === 'starttls')) lines.push('set ssl_starttls = yes');
    // ssl_force_tls is global: only when no server of the account is plaintext.
    if (used.every((s) => s.security !== 'none')) lines.push('set ssl_force_tls = yes');
    if (input.caFile) lines.push(`set ssl_ca_certificates_file = "${input.caFile}"`);
    return `${lines.join('\n')}\n`;
  },
};
