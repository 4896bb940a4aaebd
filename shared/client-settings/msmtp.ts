// msmtp (SMTP only): `auth oauthbearer|xoauth2` with `passwordeval`, which it runs for every
// message, so each send gets a fresh token.
import type { ClientModule } from './types.ts';
import { accountName, helperLine, mechanismLower } from './types.ts';

export const msmtp: ClientModule = {
  id: 'msmtp',
  label: 'msmtp',
  kind: 'config',
  supports: { smtp: ['OAUTHBEARER', 'XOAUTH2'] },
  where: '~/.msmtprc (or ~/.config/msmtp/config)',
  render(input, plans) {
    const smtp = plans.find((p) => p.protocol === 'smtp');
    if (!smtp) return '';
    const name = accountName(input.address);
    const s = smtp.server;
    return [
      `# msmtp settings for ${input.address} (Mail OAuth Assistant).`,
      `# msmtp runs the passwordeval command for each message: a fresh access token every time.`,
      `account ${name}`,
      `host ${s.host}`,
      `port ${s.port}`,
      `tls ${s.security === 'none' ? 'off' : 'on'}`,
      ...(s.security === 'none' ? [] : [`tls_starttls ${s.security === 'starttls' ? 'on' : 'off'}`]),
      ...(input.caFile ? [`tls_trust_file ${input.caFile}`] : []),
      `from ${input.address}`,
      `user ${input.address}`,
      `auth ${mechanismLower(smtp.mechanism)}`,
      `passwordeval "${helperLine(input)}"`,
      '',
      `account default : ${name}`,
      '',
    ].join('\n');
  },
};
