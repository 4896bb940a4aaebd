// "Bridge" variants of the client settings (issue 12): for a mail client that cannot do OAuth (or
// should not bother), the settings to log in to the app's local bridge on 127.0.0.1 with the
// mail address and the account's bridge password. The bridge does OAuth upstream. No token
// helper, no provider mechanism to match: every client here sends a plain password, which the
// bridge accepts (IMAP LOGIN / AUTHENTICATE PLAIN, POP3 USER/PASS, SMTP AUTH PLAIN/LOGIN).
//
// The password itself never appears in generated text: the block carries BRIDGE_PASSWORD, a
// placeholder the user replaces with the password the app showed once (a block is copied,
// printed and shown; a secret in it would end up in shell history, screenshots and scrollback).
import type { Protocol } from '../providers.ts';
import type { ClientServer } from './types.ts';
import { accountName, urlUser } from './types.ts';

/** Where the bridge listens: always loopback (electron/bridge binds 127.0.0.1 only). */
export const BRIDGE_HOST = '127.0.0.1';

/** Stands for the bridge password in generated settings (the user pastes the real one over it). */
export const BRIDGE_PASSWORD = 'PASTE-THE-BRIDGE-PASSWORD-HERE';

export type BridgeClientInput = {
  address: string;
  /** The bridge's listeners that are on: host 127.0.0.1, the port, and how TLS is offered. */
  servers: Partial<Record<Protocol, ClientServer>>;
  /** The bridge's certificate as a file, for clients to trust when TLS is on. */
  certFile?: string;
};

export type BridgeClientModule = {
  id: string;
  label: string;
  /** Protocols the client speaks (a listener that is off is left out of the block). */
  speaks: readonly Protocol[];
  where: string;
  render(input: BridgeClientInput, servers: Partial<Record<Protocol, ClientServer>>): string;
};

/** The bridge's listeners as client servers. `tls`: the bridge takes STARTTLS and implicit TLS on
 * the same port (its first bytes decide); the config-file clients here use STARTTLS. Off: plain
 * text, which never leaves the machine. */
export function bridgeServers(ports: Readonly<Record<Protocol, number | null>>, tls: boolean): Partial<Record<Protocol, ClientServer>> {
  const out: Partial<Record<Protocol, ClientServer>> = {};
  for (const p of ['imap', 'pop', 'smtp'] as const) {
    const port = ports[p];
    if (port !== null && port > 0) out[p] = { host: BRIDGE_HOST, port, security: tls ? 'starttls' : 'none' };
  }
  return out;
}

const NAMES: Readonly<Record<Protocol, string>> = { imap: 'IMAP', pop: 'POP3', smtp: 'SMTP' };
const passwordNote = (address: string): string =>
  `# Password: the bridge password the app showed for ${address} (Bridge > New bridge password), not your mail password.`;

const neomutt: BridgeClientModule = {
  id: 'neomutt',
  label: 'NeoMutt',
  speaks: ['imap', 'pop', 'smtp'],
  where: '~/.config/neomutt/neomuttrc (or ~/.neomuttrc)',
  render(input, s) {
    const user = urlUser(input.address);
    const lines = [`# NeoMutt through the Mail OAuth Assistant bridge for ${input.address}.`, passwordNote(input.address), `set from = "${input.address}"`];
    if (s.imap) {
      lines.push(
        '',
        `set imap_user = "${input.address}"`,
        `set imap_pass = "${BRIDGE_PASSWORD}"`,
        `set folder = "imap://${user}@${s.imap.host}:${s.imap.port}/"`,
        'set spoolfile = "+INBOX"',
        // LOGIN: NeoMutt's own IMAP LOGIN, no SASL library needed.
        'set imap_authenticators = "login"',
      );
    }
    if (s.pop) {
      const url = `pop://${user}@${s.pop.host}:${s.pop.port}/`;
      lines.push(
        '',
        s.imap ? '# POP: fetch-mail (G) downloads from here into the spool folder.' : '# POP: read the mailbox directly.',
        `set pop_host = "${url}"`,
        ...(s.imap ? [] : [`set folder = "${url}"`, `set spoolfile = "${url}"`]),
        `set pop_pass = "${BRIDGE_PASSWORD}"`,
        'set pop_delete = no',
        'set pop_authenticators = "user"',
      );
    }
    if (s.smtp) {
      lines.push('', `set smtp_url = "smtp://${user}@${s.smtp.host}:${s.smtp.port}/"`, `set smtp_pass = "${BRIDGE_PASSWORD}"`, 'set smtp_authenticators = "plain"');
    }
    const tls = Object.values(s).some((x) => x.security !== 'none');
    lines.push('');
    if (tls) {
      lines.push('set ssl_starttls = yes', 'set ssl_force_tls = yes');
      if (input.certFile) lines.push(`set ssl_ca_certificates_file = "${input.certFile}"`);
    } else {
      // Plain text to 127.0.0.1 only: the bridge speaks TLS upstream.
      lines.push('set ssl_starttls = no', 'set ssl_force_tls = no');
    }
    return `${lines.join('\n')}\n`;
  },
};

const msmtp: BridgeClientModule = {
  id: 'msmtp',
  label: 'msmtp',
  speaks: ['smtp'],
  where: '~/.msmtprc (or ~/.config/msmtp/config)',
  render(input, s) {
    const smtp = s.smtp;
    if (!smtp) return '';
    const name = accountName(input.address);
    return [
      `# msmtp through the Mail OAuth Assistant bridge for ${input.address}.`,
      passwordNote(input.address),
      `account ${name}`,
      `host ${smtp.host}`,
      `port ${smtp.port}`,
      ...(smtp.security === 'none' ? ['tls off'] : ['tls on', 'tls_starttls on', ...(input.certFile ? [`tls_trust_file ${input.certFile}`] : [])]),
      `from ${input.address}`,
      'auth plain',
      `user ${input.address}`,
      `password ${BRIDGE_PASSWORD}`,
      '',
      `account default : ${name}`,
      '',
    ].join('\n');
  },
};

const mbsync: BridgeClientModule = {
  id: 'mbsync',
  label: 'mbsync (isync)',
  speaks: ['imap'],
  where: '~/.mbsyncrc',
  render(input, s) {
    const imap = s.imap;
    if (!imap) return '';
    const name = accountName(input.address);
    return [
      `# mbsync through the Mail OAuth Assistant bridge for ${input.address}.`,
      passwordNote(input.address),
      `# Create the local folder once: mkdir -p ~/Mail/${name}`,
      `IMAPAccount ${name}`,
      `Host ${imap.host}`,
      `Port ${imap.port}`,
      `User ${input.address}`,
      `Pass ${BRIDGE_PASSWORD}`,
      // IMAP LOGIN: no SASL plugin needed.
      'AuthMechs LOGIN',
      `SSLType ${imap.security === 'none' ? 'None' : 'STARTTLS'}`,
      ...(imap.security !== 'none' && input.certFile ? [`CertificateFile ${input.certFile}`] : []),
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

const fetchmail: BridgeClientModule = {
  id: 'fetchmail',
  label: 'fetchmail',
  speaks: ['pop', 'imap'],
  where: '~/.fetchmailrc (chmod 600: fetchmail refuses a file others can read)',
  render(input, s) {
    const name = accountName(input.address);
    const lines = [
      `# fetchmail through the Mail OAuth Assistant bridge for ${input.address}.`,
      passwordNote(input.address),
      '# Each entry has its own name (fetchmail <name> polls just that one); "via" is the bridge.',
      '# keep: leave the messages on the server; drop it to delete what was fetched.',
    ];
    for (const p of ['pop', 'imap'] as const) {
      const srv = s[p];
      if (!srv) continue;
      const tls = srv.security === 'none' ? ["sslproto ''"] : ["sslproto 'TLS1.2+'", 'sslcertck', ...(input.certFile ? [`sslcertfile '${input.certFile}'`] : [])];
      lines.push(
        '',
        `poll ${name}-${p} via ${srv.host} service ${srv.port} protocol ${p === 'pop' ? 'POP3' : 'IMAP'} auth password`,
        `  user '${input.address}' password '${BRIDGE_PASSWORD}'`,
        `  ${tls.join(' ')}`,
        '  keep',
      );
    }
    return `${lines.join('\n')}\n`;
  },
};

/** The settings as a list to type into a dialog: Windows Live Mail, Outlook 2010, a scanner's web page. */
function fieldList(input: BridgeClientInput, s: Partial<Record<Protocol, ClientServer>>, labels: { security: (x: ClientServer) => string }): string[] {
  const out: string[] = [];
  for (const p of ['imap', 'pop', 'smtp'] as const) {
    const srv = s[p];
    if (!srv) continue;
    out.push(
      `${p === 'smtp' ? 'Outgoing' : 'Incoming'} ${NAMES[p]}:`,
      `  Server:    ${srv.host}`,
      `  Port:      ${srv.port}`,
      `  User name: ${input.address}`,
      `  Password:  the bridge password from the app (not your mail password)`,
      `  Security:  ${labels.security(srv)}`,
      ...(p === 'smtp' ? ['  Authentication: required, with the same user name and password (PLAIN or LOGIN)'] : []),
      '',
    );
  }
  return out;
}

const windowsLiveMail: BridgeClientModule = {
  id: 'windows-live-mail',
  label: 'Windows Live Mail / Outlook 2010',
  speaks: ['imap', 'pop', 'smtp'],
  where: 'Accounts > Email > (account) Properties > Servers and Advanced',
  render(input, s) {
    const tls = Object.values(s).some((x) => x.security !== 'none');
    return [
      'Windows Live Mail, Outlook 2010 and similar: log in to the Mail OAuth Assistant',
      `bridge on this computer. Keep the app running (Bridge: on); it signs in to`,
      `${input.address} with OAuth.`,
      '',
      ...fieldList(input, s, {
        security: (x) =>
          x.security === 'none'
            ? 'none (do not tick "This server requires a secure connection (SSL)")'
            : 'tick "This server requires a secure connection (SSL)" (Outlook: SSL or TLS); the bridge takes both on this port',
      }),
      'Leave "Log on using Secure Password Authentication (SPA)" unticked.',
      ...(tls ? ['Import the bridge certificate (Bridge section, "Certificate") into Windows\' Trusted Root Certification Authorities first,', 'or the client will refuse the connection.'] : []),
      '',
    ].join('\n');
  },
};

const generic: BridgeClientModule = {
  id: 'generic',
  label: 'Any client with a password (scanner, .NET SmtpClient, old app)',
  speaks: ['imap', 'pop', 'smtp'],
  where: "the client's account or server settings",
  render(input, s) {
    return [
      'Settings for any mail program that logs in with a password. It talks to the',
      'Mail OAuth Assistant bridge on this computer, which signs in to the real',
      `servers of ${input.address} with OAuth.`,
      '',
      ...fieldList(input, s, {
        security: (x) => (x.security === 'none' ? 'none (plain text; it stays on this computer)' : 'SSL/TLS or STARTTLS, both work on this port (trust the bridge certificate from the app)'),
      }),
    ].join('\n');
  },
};

export const BRIDGE_CLIENTS: readonly BridgeClientModule[] = [neomutt, msmtp, mbsync, fetchmail, windowsLiveMail, generic];

export const bridgeClientById = (id: string): BridgeClientModule | undefined => BRIDGE_CLIENTS.find((c) => c.id === id);

export type BridgeClientConfig = {
  client: string;
  label: string;
  text: string;
  where: string;
  /** One line: which protocols go through the bridge, which are off, and TLS. */
  note: string;
  /** False: none of the client's protocols is on in the bridge (the text says so). */
  usable: boolean;
};

/** The settings for one client through the bridge; a client that speaks none of the listeners
 * that are on says so in the text. */
export function bridgeClientConfig(client: BridgeClientModule, input: BridgeClientInput): BridgeClientConfig {
  const usable: Partial<Record<Protocol, ClientServer>> = {};
  for (const p of client.speaks) {
    const srv = input.servers[p];
    if (srv) usable[p] = srv;
  }
  const used = Object.keys(usable) as Protocol[];
  const off = client.speaks.filter((p) => !input.servers[p]).map((p) => NAMES[p]);
  const parts = [
    used.length > 0 ? `${used.map((p) => NAMES[p]).join(', ')} through the bridge on ${BRIDGE_HOST} with the bridge password` : `None of ${client.label}'s protocols is on in the bridge`,
    ...(off.length > 0 ? [`${off.join(' and ')} off in the bridge settings`] : []),
    Object.values(usable).some((x) => x.security !== 'none') ? 'STARTTLS with the bridge certificate' : 'plain text on this computer only',
  ];
  const text = used.length > 0 ? client.render(input, usable) : `# ${client.label} cannot be used: turn on ${client.speaks.map((p) => NAMES[p]).join(' or ')} in the app's Bridge section.\n`;
  return { client: client.id, label: client.label, text, where: client.where, note: parts.join(' · '), usable: used.length > 0 };
}
