// curl (IMAP, POP3, SMTP) as shell functions. The token reaches curl through a config on stdin
// (`--config` on a pipe), not its argv, where other local users could read it. `--login-options AUTH=`
// pins the mechanism: left alone curl prefers OAUTHBEARER when the server offers both.
import type { ClientModule, ClientServer } from './types.ts';
import { accountName, helperLine, shellQuote } from './types.ts';

const url = (tls: string, plain: string, s: ClientServer, path = '/'): string =>
  `${s.security === 'tls' ? tls : plain}://${s.host}:${s.port}${path}`;

export const curl: ClientModule = {
  id: 'curl',
  label: 'curl',
  kind: 'config',
  supports: { imap: ['OAUTHBEARER', 'XOAUTH2'], pop: ['OAUTHBEARER', 'XOAUTH2'], smtp: ['OAUTHBEARER', 'XOAUTH2'] },
  where: 'a shell file you source, e.g. ~/.config/mail-oauth/curl.sh (then: . ~/.config/mail-oauth/curl.sh)',
  render(input, plans) {
    const fn = accountName(input.address).replaceAll('-', '_');
    const common = (mech: string, s: ClientServer) =>
      [
        '--silent --show-error',
        s.security === 'starttls' ? '--ssl-reqd' : '',
        input.caFile ? `--cacert ${shellQuote(input.caFile)}` : '',
        `--user ${shellQuote(`${input.address}:`)}`,
        `--login-options AUTH=${mech}`,
      ]
        .filter(Boolean)
        .join(' ');
    const lines = [
      `# curl functions for ${input.address} (Mail OAuth Assistant). Each call asks`,
      `# \`${helperLine(input)}\` for a fresh access token.`,
      `_${fn}_curl() {`,
      '  local token',
      `  token=$(${helperLine(input)}) || return`,
      // The config travels on fd 3 so that stdin stays free for a message to send.
      '  { printf \'oauth2-bearer = "%s"\\n\' "$token" | curl --config /dev/fd/3 "$@" 3<&0 0<&4 4<&-; } 4<&0',
      '}',
    ];
    for (const p of plans) {
      const opts = common(p.mechanism, p.server);
      if (p.protocol === 'imap') {
        lines.push(
          '# IMAP: list the folders; `imap_search` lists the INBOX message numbers.',
          `${fn}_imap_folders() { _${fn}_curl ${opts} '${url('imaps', 'imap', p.server)}'; }`,
          `${fn}_imap_search() { _${fn}_curl ${opts} '${url('imaps', 'imap', p.server, '/INBOX?ALL')}'; }`,
        );
      } else if (p.protocol === 'pop') {
        lines.push(
          '# POP3: list the messages; `pop_retr N` prints message N.',
          `${fn}_pop_list() { _${fn}_curl ${opts} '${url('pop3s', 'pop3', p.server)}'; }`,
          `${fn}_pop_retr() { _${fn}_curl ${opts} '${url('pop3s', 'pop3', p.server)}'"\${1:-1}"; }`,
        );
      } else {
        lines.push(
          '# SMTP: send a full message (headers + body) from a file or stdin: smtp_send to@example.com [file]',
          `${fn}_smtp_send() { _${fn}_curl ${opts} --mail-from ${shellQuote(input.address)} --mail-rcpt "$1" --upload-file "\${2:--}" '${url('smtps', 'smtp', p.server, '')}'; }`,
        );
      }
    }
    lines.push('');
    return lines.join('\n');
  },
};
