// s-nail (IMAP, POP3, SMTP). Its method is named `oauthbearer`, but what it sends is XOAUTH2
// (Dovecot logs method=XOAUTH2 for all three protocols), so it is listed as XOAUTH2 here. The
// token is fetched once when s-nail starts (`vput !` runs the helper into *password*): fine for
// sending and one-shot reads, a long session needs a restart after about an hour.
import type { ClientModule, ClientServer } from './types.ts';
import { helperLine, urlUser } from './types.ts';

const url = (tls: string, plain: string, s: ClientServer, address: string, path = ''): string =>
  `${s.security === 'tls' ? tls : plain}://${urlUser(address)}@${s.host}:${s.port}${path}`;

export const sNail: ClientModule = {
  id: 's-nail',
  label: 's-nail (mailx)',
  kind: 'config',
  supports: { imap: ['XOAUTH2'], pop: ['XOAUTH2'], smtp: ['XOAUTH2'] },
  limits: {
    imap: 's-nail sends XOAUTH2 (even when set to "oauthbearer")',
    pop: 's-nail sends XOAUTH2 (even when set to "oauthbearer")',
    smtp: 's-nail sends XOAUTH2 (even when set to "oauthbearer")',
  },
  where: '~/.mailrc (or the file named by $MAILRC)',
  render(input, plans) {
    const by = (p: 'imap' | 'pop' | 'smtp') => plans.find((x) => x.protocol === p);
    const imap = by('imap');
    const pop = by('pop');
    const smtp = by('smtp');
    const lines = [
      `# s-nail settings for ${input.address} (Mail OAuth Assistant).`,
      '# The access token is fetched when s-nail starts: restart it after about an hour.',
      'set v15-compat',
      `set from="${input.address}"`,
      ...(input.caFile ? [`set tls-ca-file="${input.caFile}"`] : []),
    ];
    if (smtp) {
      const starttls = smtp.server.security === 'starttls' ? ' smtp-use-starttls' : '';
      lines.push(`set mta=${url('smtps', 'smtp', smtp.server, input.address)}${starttls}`, 'set smtp-auth=oauthbearer');
    }
    if (imap) {
      const starttls = imap.server.security === 'starttls' ? ' imap-use-starttls' : '';
      lines.push(`set folder=${url('imaps', 'imap', imap.server, input.address, '/')}${starttls}`, 'set inbox=+INBOX', 'set imap-auth=oauthbearer');
    }
    if (pop) {
      if (pop.server.security === 'starttls') lines.push('set pop3-use-starttls');
      lines.push(
        `# POP3: s-nail -f ${url('pop3s', 'pop3', pop.server, input.address)}`,
        ...(imap ? [] : [`set inbox=${url('pop3s', 'pop3', pop.server, input.address)}`]),
        'set pop3-auth=oauthbearer',
      );
    }
    lines.push(`vput ! password ${helperLine(input)}`, 'vput csop password trim "$password"', '');
    return lines.join('\n');
  },
};
